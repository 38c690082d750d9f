"""Workspace-learned message sources, tone, and the bad inputs of the suggestion path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emojiml.recommend.hybrid import HybridRecommender, content_hybrid, rebalance
from emojiml.recommend.popularity import PopularityRecommender
from emojiml.recommend.reacted_messages import NO_TEXT_NOTE, NeighbourRecommender, ReactionModelRecommender
from emojiml.recommend.suggest import EmptyCandidatesError, suggest_batch
from tests.recommend.conftest import make_events

CELEBRATION = {"👏", "🎉", "💯", "😂"}


@pytest.fixture(scope="module")
def content():
    return content_hybrid()


@pytest.mark.parametrize(
    "message",
    [
        "the build is broken again",
        "my dog passed away",
        "sadly we have to cancel the meetup",
        # plain reports: the polarity model reads them as neutral; the emoji they call for (😩 😫 🤢) do not
        "the server is down, looking into it",
        "I'll be out sick today",
    ],
)
def test_no_celebration_on_bad_news_and_the_reason_says_why(content, message):
    suggestions = content.suggest(None, message, k=5).suggestions
    assert not {s.emoji.char for s in suggestions} & CELEBRATION
    assert any(s.reason == "fits a negative message" for s in suggestions)


def test_the_emoji_a_message_calls_for_move_its_tone(content):
    from emojiml.recommend.tone import implied_polarity, nudged

    batch = content.encode(["the server is down, looking into it", "happy birthday!!", "lunch?"])
    implied = implied_polarity(batch.vectors)
    assert implied[0] < 0 < implied[2] < implied[1]
    neutral = np.array([[0.1, 0.8, 0.1]] * 3)
    moved = nudged(neutral, implied)
    assert moved[0, 0] > 0.1 > moved[1, 0] and moved[1, 2] > moved[2, 2] > 0.1
    assert np.allclose(moved.sum(axis=1), 1.0) and np.allclose(nudged(neutral, implied, nudge=0.0), neutral)


def test_celebration_stays_on_good_news(content):
    top = {s.emoji.char for s in content.suggest(None, "happy birthday!!", k=5).suggestions}
    assert top & {"🎂", "🎉", "🥳", "🎁"}


def reacted_events():
    """Release messages get 🚀 from everyone, questions get 👀: a workspace habit no tweet model knows."""
    rows, texts = [], []
    for day in range(30):
        rows += [("ana", "🚀", day, "dev"), ("ben", "👀", day + 0.5, "dev")]
        texts += [f"released version 1.{day} to production", f"could someone review pull request {day}?"]
    frame = make_events(rows)
    frame["text"] = texts
    return frame


@pytest.mark.parametrize("source", [NeighbourRecommender, ReactionModelRecommender])
def test_message_sources_learn_what_this_workspace_reacts_with(source):
    model = source().fit(reacted_events())
    assert model.recommend(None, "we released version 2.0 today", k=1)[0].key == "🚀"
    assert model.recommend(None, "can anyone review my pull request?", k=1)[0].key == "👀"


@pytest.mark.parametrize("source", [NeighbourRecommender, ReactionModelRecommender])
def test_message_sources_say_nothing_about_a_message_without_text(source):
    model = source().fit(reacted_events())
    scores = model.score_messages(["", "   ", "we released version 2.0 today"])
    assert not scores[:2].any() and scores[2].any()
    assert np.array_equal(model.score(None, ""), scores[0]) and np.array_equal(model.score(None, None), scores[0])


def test_neighbours_only_look_back_in_time():
    events = reacted_events()
    model = NeighbourRecommender().fit(events)
    from emojiml.recommend.base import MessageBatch
    from emojiml.recommend.evaluate import epoch_seconds

    first = float(epoch_seconds(events["timestamp"]).min())
    before_all = model.score_messages(MessageBatch(["released version 3 to production"], times=np.array([first])))
    assert not before_all.any()


def test_a_workspace_without_message_text_steps_the_message_sources_aside():
    events = reacted_events().assign(text="")
    hybrid = HybridRecommender(
        {"popularity": PopularityRecommender(), "neighbours": NeighbourRecommender()},
        {"popularity": 0.5, "neighbours": 0.5},
        tone=False,
    ).fit(events)
    result = hybrid.suggest("ana", "released a new version", k=2)
    assert NO_TEXT_NOTE in result.notices and result.weights["neighbours"] == 0.0
    assert result.suggestions


def test_a_person_with_one_reaction_gets_suggestions():
    events = reacted_events()
    one = make_events([("zoe", "🎉", 40, "dev")])
    one["text"] = "finally fixed it"
    hybrid = HybridRecommender({"popularity": PopularityRecommender(), "neighbours": NeighbourRecommender()})
    result = hybrid.fit(pd.concat([events, one], ignore_index=True)).suggest("zoe", "released version 9", k=3)
    assert len(result.suggestions) == 3


def test_non_english_messages_get_a_visible_note(content):
    result = content.suggest(None, "これはテストのメッセージです、よろしくお願いします", k=3)
    assert result.suggestions and any("English" in n for n in result.notices)


def test_an_empty_candidates_list_is_a_clear_error(content):
    with pytest.raises(EmptyCandidatesError, match="empty"):
        suggest_batch(["hi"], candidates=["", "  "], model=content)


def test_rebalance_keeps_the_sum_at_one_and_the_proportions():
    weights = rebalance({"a": 0.5, "b": 0.3, "c": 0.2}, "a", 0.8)
    assert weights["a"] == 0.8 and sum(weights.values()) == pytest.approx(1.0)
    assert weights["b"] == pytest.approx(0.12) and weights["c"] == pytest.approx(0.08)


def test_the_tone_guard_drops_celebration_a_workspace_gives_to_everything():
    """Here everyone answers everything with 🙌 (bad news too): history alone would suggest it on a broken build."""
    rows = [(f"p{i % 4}", "🙌" if i % 3 else "👍", i, "dev") for i in range(60)]
    model = HybridRecommender({"popularity": PopularityRecommender()}, {"popularity": 1.0}).fit(make_events(rows))
    bad = [s.emoji.char for s in model.suggest(None, "the build is broken again", k=3).suggestions]
    good = [s.emoji.char for s in model.suggest(None, "we shipped it, great work", k=3).suggestions]
    assert "🙌" not in bad and "👍" in bad
    assert good[0] == "🙌"


def test_concern_is_read_from_the_catalog_and_weighs_what_this_workspace_gives_to_bad_news():
    from emojiml.catalog import default_catalog
    from emojiml.recommend.tone import concern_prior

    catalog = default_catalog()
    given = np.zeros(len(catalog))
    prior = concern_prior(catalog, given)
    for char in "😟😢🙏😬💔😞":
        assert prior[catalog.index_of(char)] > 0, char
    # 🏚️ reads very negative ("derelict, broken") but nobody answers bad news with it; nor laughter or anger
    for char in ["🏚️", "😂", "😡", "👍", "🎉"]:
        assert prior[catalog.index_of(char)] == 0, char
    given[catalog.index_of("😟")] = 50  # this workspace answers bad news with 😟
    assert concern_prior(catalog, given).argmax() == catalog.index_of("😟")


def test_a_stranger_gets_concern_on_bad_news_even_where_history_knows_none():
    """Everyone here uses 👍 and 🎉 only: a person with no history gets a concern emoji on a broken build."""
    rows = [(f"p{i % 4}", "🎉" if i % 3 else "👍", i, "dev") for i in range(60)]
    model = HybridRecommender({"popularity": PopularityRecommender()}, {"popularity": 1.0}).fit(make_events(rows))
    bad = model.suggest("a stranger", "the build is broken again", k=3).suggestions
    good = model.suggest("a stranger", "we shipped it, great work", k=3).suggestions
    concern = model.tone_.concern_
    assert any(concern[catalog_index(model, s)] > 0 for s in bad)
    assert any(s.reason == "fits a negative message" for s in bad)
    assert not any(concern[catalog_index(model, s)] > 0 for s in good)


def catalog_index(model, suggestion) -> int:
    return model.catalog_.index_of(suggestion.key)


def test_specificity_tells_what_the_message_asks_for_from_habit():
    events = reacted_events()
    events = pd.concat([events] + [events[events["emoji"] == "👀"]] * 3, ignore_index=True)  # 👀 is the habit
    model = ReactionModelRecommender().fit(events)
    scores = model.score_messages(["we released version 2.0 today", ""])
    specific = model.specificity(scores)
    rocket, eyes = model.catalog_.index_of("🚀"), model.catalog_.index_of("👀")
    assert specific[0, rocket] > specific[0, eyes]
    assert not specific[1].any()
