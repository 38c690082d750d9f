import pytest

from emojiml.recommend.collaborative import PersonalRecommender
from emojiml.recommend.hybrid import HybridRecommender, HybridWeightsError, check_weights, parse_weights
from emojiml.recommend.popularity import TrendingRecommender
from emojiml.recommend.reacted_messages import NeighbourRecommender


def small_hybrid(events, weights):
    """A hybrid whose 'content' slot is filled by a real message source learned from the events' text (the content
    model is tested elsewhere); tone off, so the contributions are the sources' alone."""
    events = events.assign(text=[f"{emoji} message {i}" for i, emoji in enumerate(events["emoji"])])
    sources = {
        "collaborative": PersonalRecommender(),
        "content": NeighbourRecommender(),
        "popularity": TrendingRecommender(half_life_days=5),
    }
    return HybridRecommender(sources, weights, tone=False).fit(events)


def test_weights_are_rescaled_to_sum_one_and_validated():
    assert check_weights(
        {"collaborative": 2, "content": 1, "popularity": 1}, ("collaborative", "content", "popularity")
    ) == {
        "collaborative": 0.5,
        "content": 0.25,
        "popularity": 0.25,
    }
    assert parse_weights("collaborative=0.4,content=0.4,popularity=0.2")["content"] == pytest.approx(0.4)
    with pytest.raises(HybridWeightsError, match="All weights are 0"):
        check_weights({"collaborative": 0, "content": 0, "popularity": 0})
    for bad in ("content=-1", "content=abc", "colab=1", "content=nan"):
        with pytest.raises(HybridWeightsError):
            parse_weights(bad)


def test_contributions_add_up_to_the_score_with_a_reason(team_events):
    result = small_hybrid(team_events, {"collaborative": 0.6, "content": 0.1, "popularity": 0.3}).suggest(
        "ana", "nice", k=3
    )
    for suggestion in result.suggestions:
        assert sum(suggestion.contributions.values()) == pytest.approx(suggestion.score)
        assert suggestion.reason
    assert result.suggestions[0].key == "👍" and result.suggestions[0].reason.startswith("you use it often")


def test_unknown_person_uses_content_and_popularity_with_a_notice(team_events):
    result = small_hybrid(team_events, {"collaborative": 1.0}).suggest("stranger", "nice", k=2)
    assert result.weights["collaborative"] == 0.0 and sum(result.weights.values()) == pytest.approx(1)
    assert "stranger" in result.notices[0]


def test_empty_message_drops_the_content_source(team_events):
    result = small_hybrid(team_events, {"collaborative": 0.5, "content": 0.5}).suggest("ben", "", k=1)
    assert result.weights == {"collaborative": 1.0, "content": 0.0, "popularity": 0.0}
    assert result.suggestions[0].key == "🎉"
    assert any("No message" in n for n in result.notices)


def test_with_weights_reuses_the_fitted_sources(team_events):
    hybrid = small_hybrid(team_events, None)
    trend_only = hybrid.with_weights({"popularity": 1})
    assert trend_only.sources["collaborative"] is hybrid.sources["collaborative"]
    assert trend_only.recommend(None, None, k=1)[0].key == "🚀"
