import numpy as np
import pytest

from emojiml.recommend.base import RecommenderInputError, weigh
from emojiml.recommend.collaborative import ImplicitRecommender, NMFRecommender, PersonalRecommender
from tests.recommend.conftest import make_events


def keys(suggestions):
    return [s.key for s in suggestions]


def test_nmf_ranks_a_persons_own_emoji_first(team_events):
    model = NMFRecommender(n_components=3).fit(team_events)
    assert keys(model.recommend("ana", None, k=2)) == ["👍", "🎉"]
    assert model.recommend("cy", None, k=1)[0].key == ":partyr:"  # custom emoji are first-class


def test_unknown_person_gets_popular_emoji(team_events):
    model = NMFRecommender(n_components=3).fit(team_events)
    top = model.recommend("nobody", None, k=3)
    assert keys(top) == ["🎉", "👍", "🚀"]
    assert top[0].reason.startswith("popular")


def test_used_weight_downweights_emoji_already_used(team_events):
    keep = NMFRecommender(n_components=2, used_weight=1.0).fit(team_events)
    hide = NMFRecommender(n_components=2, used_weight=0.0).fit(team_events)
    ana_used = set(keep.catalog_[i].key for i in keep.used_emoji("ana"))
    assert keep.recommend("ana", None, k=1)[0].key in ana_used
    assert not set(keys(hide.recommend("ana", None, k=3))) & ana_used
    with pytest.raises(RecommenderInputError):
        NMFRecommender(used_weight=1.5).fit(team_events)


@pytest.mark.parametrize("weighting", ["raw", "log", "bm25"])
def test_count_weightings_all_fit(team_events, weighting):
    model = NMFRecommender(n_components=4, weighting=weighting).fit(team_events)
    assert set(keys(model.recommend("ben", None, k=2))) == {"🎉", "👀"}  # ben's own two


def test_bm25_saturates_counts_and_boosts_rare_emoji(team_events):
    model = NMFRecommender().fit(team_events)
    raw = model.counts_.toarray()
    bm25 = weigh(model.counts_, "bm25").toarray()
    assert np.all((bm25 > 0) == (raw > 0))
    assert bm25.max() / bm25[bm25 > 0].min() < raw.max() / raw[raw > 0].min()
    with pytest.raises(RecommenderInputError, match="Unknown weighting"):
        weigh(model.counts_, "tfidf")


@pytest.mark.parametrize("algorithm", ["als", "bpr"])
def test_implicit_baselines_rank_and_fall_back(team_events, algorithm):
    model = ImplicitRecommender(algorithm, factors=4, iterations=20).fit(team_events)
    assert len(model.recommend("ana", None, k=3)) == 3
    assert model.recommend("nobody", None, k=1)[0].key == "🎉"


def test_one_person_and_one_emoji_workspaces_work():
    one_person = make_events([("ana", "👍", 0, "g"), ("ana", "🎉", 1, "g")])
    assert NMFRecommender().fit(one_person).recommend("ana", None, k=1)[0].key == "👍"
    one_emoji = make_events([("ana", "👍", 0, "g"), ("ben", "👍", 1, "g")])
    for model in (NMFRecommender(), ImplicitRecommender("als"), PersonalRecommender()):
        assert model.fit(one_emoji).recommend("ben", None, k=1)[0].key == "👍"


def test_nan_and_negative_counts_from_a_csv_are_ignored():
    events = make_events([("ana", "👍", 0, "g"), ("ana", "🎉", 1, "g"), ("ben", "🎉", 2, "g")])
    events["count"] = [np.nan, -3.0, 2.0]
    model = NMFRecommender().fit(events)
    assert model.used_emoji("ana").size == 0 and not model.known("ana")  # nothing valid left for ana
    events["count"] = [np.nan, -3.0, 0.0]
    with pytest.raises(RecommenderInputError, match="No usable events"):
        NMFRecommender().fit(events)


def test_personal_source_mixes_own_usage_and_neighbours(team_events):
    own_only = PersonalRecommender(neighbour_weight=0.0).fit(team_events)
    assert keys(own_only.recommend("ana", None, k=2)) == ["👍", "🎉"]
    assert own_only.recommend("ana", None, k=1)[0].reason.startswith("you use it often")
    with pytest.raises(RecommenderInputError):
        PersonalRecommender(neighbour_weight=2.0).fit(team_events)  # validated in fit, like every recommender
