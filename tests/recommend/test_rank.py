"""``rank``: the partition shortcut returns exactly what a full stable sort would, ties and candidates included."""

import numpy as np
import pytest

from emojiml.recommend.base import rank


def _full_sort(scores, rankable, candidates, k):
    pool = candidates if candidates is not None else np.flatnonzero(rankable)
    return pool[np.argsort(-scores[pool], kind="stable")[:k]]


@pytest.mark.parametrize("seed", range(20))
def test_rank_equals_a_full_stable_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    scores = rng.integers(0, 5, n).astype(float)  # few distinct values: many ties at the cut
    rankable = rng.random(n) < 0.8
    candidates = rng.choice(n, int(rng.integers(1, n + 1)), replace=False) if seed % 3 == 0 else None
    for k in (0, 1, 3, 10, n, n + 5):
        assert rank(scores, rankable, candidates, k).tolist() == _full_sort(scores, rankable, candidates, k).tolist()


def test_rank_keeps_catalog_order_among_equal_scores():
    scores = np.array([1.0, 2.0, 2.0, 2.0, 0.5])
    assert rank(scores, np.ones(5, bool), None, 2).tolist() == [1, 2]
