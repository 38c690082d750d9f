import pytest

from emojiml.recommend.popularity import OwnFrequencyRecommender, PopularityRecommender, TrendingRecommender
from tests.recommend.conftest import DAY, START, make_events


def test_popularity_counts_everyone(team_events):
    top = PopularityRecommender().fit(team_events).recommend(None, None, k=2)
    assert [s.key for s in top] == ["🎉", "👍"]


def test_trending_prefers_recent_emoji_and_half_life_controls_it(team_events):
    short = TrendingRecommender(half_life_days=3).fit(team_events)
    assert short.recommend(None, None, k=1)[0].key == "🚀"  # dee's rockets are the latest events
    long = TrendingRecommender(half_life_days=3650).fit(team_events)
    assert long.recommend(None, None, k=1)[0].key == "🎉"
    with pytest.raises(ValueError):
        TrendingRecommender(half_life_days=0).fit(team_events)


def test_trending_per_channel_and_at_a_past_time(team_events):
    model = TrendingRecommender(half_life_days=10).fit(team_events)
    assert model.with_channel("random").recommend(None, None, k=1)[0].reason == "trending in #random"
    scores = model.score_at(START + 20 * DAY, "random")
    assert scores[model.catalog_.index_of("🎉")] > scores[model.catalog_.index_of("🚀")] == 0  # no future leaks


def test_own_frequency_falls_back_to_popularity(team_events):
    model = OwnFrequencyRecommender().fit(team_events)
    assert model.recommend("dee", None, k=1)[0].key == "🚀"
    assert model.recommend("stranger", None, k=1)[0].key == "🎉"


def test_candidates_restrict_and_reject_non_emoji(team_events):
    from emojiml.recommend.base import RecommenderInputError

    model = PopularityRecommender().fit(team_events)
    assert [s.key for s in model.recommend(None, None, k=5, candidates=["👀", "❤️"])] == ["👀", "❤"]
    with pytest.raises(RecommenderInputError, match="'hello'"):
        model.recommend(None, None, candidates=["👍", "hello"])
    assert make_events([]).empty
