"""One contract every recommender passes (as implicit's ``RecommenderBaseTestMixin``): the hybrid, the evaluator,
the CLI and the page rely on exactly these behaviours and nothing undeclared."""

from __future__ import annotations

import numpy as np
import pytest

from emojiml.recommend.base import MessageBatch, NotFittedError, Recommender, RecommenderInputError, Suggestion
from emojiml.recommend.collaborative import ImplicitRecommender, NMFRecommender, PersonalRecommender
from emojiml.recommend.content import ContentRecommender
from emojiml.recommend.hybrid import HybridRecommender
from emojiml.recommend.popularity import OwnFrequencyRecommender, PopularityRecommender, TrendingRecommender
from emojiml.recommend.reacted_messages import NeighbourRecommender, ReactionModelRecommender
from tests.recommend.conftest import make_events

TEXTS = {
    "🎉": "we shipped the release, great work",
    "👍": "sounds good, merging now",
    "👀": "can someone look at this failing test?",
    ":partyr:": "new R version is out, party time",
    "🚀": "deployed to production",
}

FACTORIES = {
    "popularity": lambda: PopularityRecommender(),
    "own frequency": lambda: OwnFrequencyRecommender(),
    "trending": lambda: TrendingRecommender(half_life_days=10),
    "nmf": lambda: NMFRecommender(n_components=2),
    "als": lambda: ImplicitRecommender("als", factors=2, iterations=3),
    "bpr": lambda: ImplicitRecommender("bpr", factors=2, iterations=3),
    "personal": lambda: PersonalRecommender(NMFRecommender(n_components=2)),
    "content": lambda: ContentRecommender(),
    "neighbours": lambda: NeighbourRecommender(),
    "reaction model": lambda: ReactionModelRecommender(),
    "hybrid": lambda: HybridRecommender({"popularity": PopularityRecommender(), "neighbours": NeighbourRecommender()}),
}
BAD_PARAMETERS = {
    "nmf": lambda: NMFRecommender(used_weight=2.0),
    "trending": lambda: TrendingRecommender(half_life_days=0),
    "als": lambda: ImplicitRecommender("svd"),
    "personal": lambda: PersonalRecommender(neighbour_weight=-1),
    "neighbours": lambda: NeighbourRecommender(neighbours=0),
    "reaction model": lambda: ReactionModelRecommender(scale=0),
    "hybrid": lambda: HybridRecommender({"popularity": PopularityRecommender()}, {"popularity": -1}),
}


@pytest.fixture(scope="module")
def events():
    rows, texts = [], []
    for day in range(20):
        for user, emoji in (("ana", "👍"), ("ben", "🎉"), ("cy", ":partyr:"), ("ana", "👀"), ("dee", "🚀")):
            if day % (2 if emoji in ("👀", ":partyr:") else 1) == 0:
                rows.append((user, emoji, day + 0.1 * len(rows) % 1, "general"))
                texts.append(f"{TEXTS[emoji]} #{day}")
    frame = make_events(rows)
    frame["text"] = texts
    return frame


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def fitted(request, events):
    model = FACTORIES[request.param]()
    assert model.fit(events) is model, "fit returns self"
    return model


def test_is_a_recommender_with_learned_state(fitted):
    assert isinstance(fitted, Recommender)
    n = len(fitted.catalog_)
    assert fitted.rankable_.shape == (n,) and fitted.rankable_.dtype == bool and fitted.rankable_.any()
    assert isinstance(fitted.reads_message, bool)


def test_scores_one_number_per_catalog_entry(fitted):
    for user, message in (("ana", "we shipped it"), (None, "hello"), ("stranger", ""), (None, None)):
        scores = fitted.score(user, message)
        assert scores.shape == (len(fitted.catalog_),) and np.isfinite(scores).all()


def test_batch_scoring_matches_one_by_one(fitted):
    messages = ["we shipped the release", "", "the tests are failing"]
    batch = fitted.score_messages(messages, "ana")
    assert batch.shape == (3, len(fitted.catalog_))
    assert np.allclose(batch[0], fitted.score("ana", messages[0]), atol=1e-4)
    assert fitted.score_messages(MessageBatch(messages), "ana").shape == batch.shape


def test_step_aside_is_a_note_or_none(fitted):
    for user, message in (("ana", "hi"), ("stranger", "hi"), (None, "")):
        note = fitted.step_aside(user, message)
        assert note is None or isinstance(note, str)


def test_recommend_ranks_rankable_emoji_best_first(fitted):
    suggestions = fitted.recommend("ana", "we shipped the release", k=4)
    assert 0 < len(suggestions) <= 4 and all(isinstance(s, Suggestion) for s in suggestions)
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(fitted.rankable_[fitted.catalog_.index_of(s.key)] for s in suggestions)
    assert all(isinstance(fitted.reason(fitted.catalog_.index_of(s.key), "ana", "hi"), str) for s in suggestions)


def test_candidates_limit_the_ranking(fitted):
    suggestions = fitted.recommend("ana", "we shipped", k=5, candidates=["🎉", "👀"])
    assert {s.key for s in suggestions} <= {"🎉", "👀"}
    with pytest.raises(RecommenderInputError, match="'nope'"):
        fitted.recommend("ana", "x", k=2, candidates=["nope"])


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_unfitted_models_refuse_to_score(name):
    with pytest.raises(NotFittedError):
        FACTORIES[name]().score("ana", "hi")


@pytest.mark.parametrize("name", sorted(BAD_PARAMETERS))
def test_parameters_are_validated_in_fit_not_init(name, events):
    model = BAD_PARAMETERS[name]()  # storing parameters never raises
    with pytest.raises(RecommenderInputError):
        model.fit(events)
