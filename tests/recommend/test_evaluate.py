import numpy as np
import pytest

from emojiml.recommend.base import RecommenderInputError
from emojiml.recommend.evaluate import (
    default_pool,
    evaluate_scores,
    normalize_matrix,
    source_scores,
    sweep,
    temporal_split,
    weight_grid,
)
from emojiml.recommend.popularity import OwnFrequencyRecommender, PopularityRecommender
from tests.recommend.conftest import make_events


def test_temporal_split_holds_out_each_persons_last_fifth(team_events):
    split = temporal_split(team_events)
    per_person = team_events.groupby("user").size()
    held_out = split.cases.groupby("user").size()
    for user, n in per_person.items():
        assert held_out.get(user, 0) == int(np.ceil(n * 0.2))
    last_train = split.train.groupby("user")["timestamp"].max()
    first_test = team_events.set_index("message_id").loc[split.cases["message_id"], "timestamp"]
    assert (first_test.groupby(split.cases["user"].to_numpy()).min() >= last_train.reindex(held_out.index)).all()


def test_too_few_events_is_a_clear_error():
    with pytest.raises(RecommenderInputError, match="at least 5 events"):
        temporal_split(make_events([("ana", "👍", 0, "g")] * 4))


def test_metrics_on_a_hand_checked_ranking(team_events):
    split = temporal_split(team_events)
    scores = np.zeros((len(split.cases), len(split.catalog)))
    relevant = np.array([case[0] for case in split.cases["relevant"]])
    scores[np.arange(len(relevant)), relevant] = 2.0  # the right emoji first everywhere
    perfect = evaluate_scores(scores, split, k=10, method="oracle")
    assert perfect.hit_rate == perfect.ndcg == perfect.mrr == perfect.recall == 1.0
    scores[:, split.catalog.index_of("🦄")] = 3.0  # now second everywhere
    second = evaluate_scores(scores, split, k=10)
    assert second.mrr == 0.5 and second.ndcg == pytest.approx(1 / np.log2(3), abs=1e-4)
    assert evaluate_scores(scores, split, k=1).hit_rate == 0.0


def test_new_variant_excludes_known_emoji(team_events):
    split = temporal_split(team_events)
    pool = default_pool(split)
    own = source_scores(OwnFrequencyRecommender(catalog=split.catalog).fit(split.train), split.cases)
    any_variant = evaluate_scores(own, split, 10, "any", pool=pool)
    new_variant = evaluate_scores(own, split, 10, "new", pool=pool)
    assert new_variant.cases < any_variant.cases


def test_weight_grid_is_the_simplex():
    grid = weight_grid(3, 0.1)
    assert grid.shape == (66, 3) and np.allclose(grid.sum(axis=1), 1)


def test_sweep_agrees_with_sorted_evaluation(team_events):
    split = temporal_split(team_events)
    pool = default_pool(split)
    sources = {
        "own": source_scores(OwnFrequencyRecommender(catalog=split.catalog).fit(split.train), split.cases),
        "popularity": source_scores(PopularityRecommender(catalog=split.catalog).fit(split.train), split.cases),
    }
    normalized = {name: normalize_matrix(s, pool) for name, s in sources.items()}
    result = sweep(normalized, split, k=3, step=0.5, pool=pool)
    for _, row in result.table.iterrows():
        mixed = row["own"] * normalized["own"] + row["popularity"] * normalized["popularity"]
        for variant in ("any", "new"):
            expected = evaluate_scores(mixed, split, 3, variant, pool=pool).ndcg
            assert row[f"ndcg_{variant}"] == pytest.approx(expected, nan_ok=True)
