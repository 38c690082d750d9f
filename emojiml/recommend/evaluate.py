"""Offline evaluation of recommenders on a workspace: temporal split, ranking metrics, hybrid weight sweep.

Protocol (why): a recommender is used to suggest the *next* reactions, so each person's history is split in
time — for every person with at least ``min_events`` events, the last ``test_fraction`` of their events are
held out and everything else trains the models. A test case is one (person, message): the emoji that
person put on that message are the relevant set, and the message's text feeds the content source. Two
variants: *any* emoji, and only emoji *new* to that person (their training emoji are removed from both the
relevant set and the ranking, because suggesting what someone already uses cannot count as discovery).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emojiml.catalog import Catalog
from emojiml.recommend.base import (
    Recommender,
    RecommenderInputError,
    check_events,
    event_indices,
    normalize_scores,
    rankable_mask,
    workspace_catalog,
)

VARIANTS = ("any", "new")
METRICS = ("hit_rate", "recall", "ndcg", "mrr", "coverage")


@dataclass(frozen=True)
class Split:
    """Training events and the held-out test cases (one row per person × message)."""

    train: pd.DataFrame
    cases: pd.DataFrame  # user, message_id, channel, text, time (epoch s), relevant (tuple of catalog positions)
    catalog: Catalog


@dataclass(frozen=True)
class MethodResult:
    """One method's metrics in one variant."""

    method: str
    variant: str
    k: int
    cases: int
    hit_rate: float
    recall: float
    ndcg: float
    mrr: float
    coverage: float


@dataclass(frozen=True)
class SweepResult:
    """NDCG@k of every hybrid mix on the simplex grid, per variant, and the best mix of each."""

    sources: tuple[str, ...]
    table: pd.DataFrame  # one column per source weight, then ndcg_any, ndcg_new

    def best(self, variant: str = "any") -> dict[str, float]:
        row = self.table.loc[self.table[f"ndcg_{variant}"].idxmax()]
        return {s: float(row[s]) for s in self.sources}


def temporal_split(
    events: pd.DataFrame,
    min_events: int = 5,
    test_fraction: float = 0.2,
    kinds: Sequence[str] = ("reaction",),
    catalog: Catalog | None = None,
) -> Split:
    """Hold out the last ``test_fraction`` (at least one) of each qualifying person's events, in time order."""
    events = check_events(events, ("user", "emoji", "timestamp"))
    if "kind" in events.columns and kinds:
        events = events[events["kind"].isin(kinds)]
    catalog = catalog or workspace_catalog(events)
    events = events.assign(_pos=event_indices(events, catalog), _time=_epoch(events["timestamp"]))
    events = events[events["_pos"] >= 0].sort_values(["_time", "message_id"], kind="stable")
    order = events.groupby("user").cumcount(ascending=False)  # 0 = the person's latest event
    sizes = events.groupby("user")["emoji"].transform("size")
    n_test = np.maximum(1, np.ceil(sizes * test_fraction)).astype(int)
    is_test = (sizes >= min_events) & (order < n_test)
    if not is_test.any():
        raise RecommenderInputError(f"No person has at least {min_events} events: nothing to evaluate on.")
    train, test = events[~is_test], events[is_test]
    text = test["text"] if "text" in test.columns else pd.Series("", index=test.index)
    channel = test["channel"] if "channel" in test.columns else pd.Series("", index=test.index)
    test = test.assign(text=text.fillna("").astype(str), channel=channel.fillna("").astype(str))
    cases = (
        test.groupby(["user", "message_id"], sort=False)
        .agg(channel=("channel", "first"), text=("text", "first"), time=("_time", "min"), relevant=("_pos", tuple))
        .reset_index()
    )
    return Split(train.drop(columns=["_pos", "_time"]), cases, catalog)


def source_scores(
    model: Recommender, cases: pd.DataFrame, per_case: Callable[[pd.Series], np.ndarray] | None = None
) -> np.ndarray:
    """(n_cases, n_emoji) scores of ``model`` for every test case; user-only models are scored once per person.

    ``per_case`` overrides the call (trending uses the case's time and channel); a model with
    ``score_messages(texts)`` scores all texts in one batch.
    """
    if per_case is not None:
        return np.stack([per_case(case) for case in cases.itertuples(index=False)])
    if hasattr(model, "score_messages"):
        return model.score_messages(cases["text"].tolist())
    by_user = {user: model.score(user, None) for user in cases["user"].unique()}
    return np.stack([by_user[user] for user in cases["user"]])


def evaluate_scores(
    scores: np.ndarray,
    split: Split,
    k: int = 10,
    variant: str = "any",
    method: str = "",
    pool: np.ndarray | None = None,
) -> MethodResult:
    """Ranking metrics of one (n_cases, n_emoji) score matrix in one variant."""
    ranks, relevant, keep = _ranks(scores, split, variant, pool)
    return _metrics(ranks, relevant, keep, k, variant, method, pool_size=ranks.shape[1])


def evaluate_methods(
    score_matrices: Mapping[str, np.ndarray], split: Split, k: int = 10, pool: np.ndarray | None = None
) -> list[MethodResult]:
    """Every method in both variants."""
    return [
        evaluate_scores(matrix, split, k, variant, name, pool)
        for name, matrix in score_matrices.items()
        for variant in VARIANTS
    ]


def weight_grid(n_sources: int, step: float = 0.1) -> np.ndarray:
    """All weight vectors on the simplex with the given step (66 mixes for 3 sources at 0.1)."""
    steps = round(1 / step)
    grid = [c for c in itertools.product(range(steps + 1), repeat=n_sources) if sum(c) == steps]
    return np.array(grid, dtype=np.float64) / steps


def sweep(
    normalized: Mapping[str, np.ndarray], split: Split, k: int = 10, step: float = 0.1, pool: np.ndarray | None = None
) -> SweepResult:
    """NDCG@k of every mix ``sum(w_s * normalized_s)`` over the simplex grid, in both variants."""
    sources = tuple(normalized)
    grid = weight_grid(len(sources), step)
    prepared = {v: _SweepCases.build(normalized, sources, split, v, pool, k) for v in VARIANTS}
    rows = []
    for weights in grid:
        row = dict(zip(sources, weights.tolist(), strict=True))
        for variant, cases in prepared.items():
            row[f"ndcg_{variant}"] = cases.ndcg(weights)
        rows.append(row)
    return SweepResult(sources, pd.DataFrame(rows))


@dataclass(frozen=True)
class _SweepCases:
    """One variant's counted cases, pooled and masked once, so each mix costs one weighted sum and one compare.

    NDCG@k comes from the rank of each relevant item alone (the number of items scored above it, ties broken
    by position): exactly what a stable sort gives, without sorting.
    """

    stacked: np.ndarray  # (n_sources, n_cases, n_pool)
    penalty: np.ndarray  # (n_cases, n_pool): 0, or -inf where the item is excluded from the ranking
    cases: np.ndarray  # (n_relevant,) case row of each relevant item
    columns: np.ndarray  # (n_relevant,) pool column of each relevant item
    ideal: np.ndarray  # (n_cases,)
    k: int

    @classmethod
    def build(cls, normalized, sources, split, variant, pool, k) -> _SweepCases:
        n_emoji = next(iter(normalized.values())).shape[1]
        gains, mask, keep = _relevance(split, variant, n_emoji, pool)
        stacked = np.stack([(normalized[s] if pool is None else normalized[s][:, pool])[keep] for s in sources])
        cases, columns = np.nonzero(gains[keep])
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = np.array([discounts[: int(min(r, k))].sum() for r in gains[keep].sum(axis=1)])
        penalty = np.where(mask[keep], 0.0, -np.inf)
        return cls(stacked, penalty, cases, columns, ideal, k)

    def ndcg(self, weights: np.ndarray) -> float:
        if self.ideal.size == 0:
            return float("nan")
        mixed = np.tensordot(weights, self.stacked, axes=1) + self.penalty  # (n_cases, n_pool)
        rows = mixed[self.cases]  # (n_relevant, n_pool)
        values = rows[np.arange(len(self.cases)), self.columns][:, None]
        positions = np.arange(mixed.shape[1])[None, :]
        above = (rows > values).sum(axis=1) + ((rows == values) & (positions < self.columns[:, None])).sum(axis=1)
        discounts = 1.0 / np.log2(np.arange(2, self.k + 2))
        dcg = np.zeros(len(self.ideal))
        inside = above < self.k
        np.add.at(dcg, self.cases[inside], discounts[above[inside]])
        return round(float((dcg / self.ideal).mean()), 4)


def normalize_matrix(scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Per-case min-max normalisation over the rankable pool (what the hybrid fuses)."""
    return np.stack([normalize_scores(row, pool) for row in scores])


def results_frame(results: Sequence[MethodResult]) -> pd.DataFrame:
    """One row per method, metric columns per variant (``ndcg@10_any`` ...)."""
    rows: dict[str, dict[str, float]] = {}
    for r in results:
        row = rows.setdefault(r.method, {"method": r.method})
        for metric in METRICS:
            row[
                f"{metric}@{r.k}_{r.variant}" if metric != "mrr" and metric != "coverage" else f"{metric}_{r.variant}"
            ] = getattr(r, metric)
        row[f"cases_{r.variant}"] = r.cases
    return pd.DataFrame(list(rows.values()))


def default_pool(split: Split) -> np.ndarray:
    """Rankable catalog positions: bases, custom emoji and every emoji the training events used."""
    return np.flatnonzero(rankable_mask(split.catalog, event_indices(split.train, split.catalog)))


# -- internals ---------------------------------------------------------------------------------------------


def _known(split: Split) -> dict[str, set[int]]:
    positions = event_indices(split.train, split.catalog)
    known: dict[str, set[int]] = {}
    for user, pos in zip(split.train["user"].astype(str), positions, strict=True):
        if pos >= 0:
            known.setdefault(user, set()).add(int(pos))
    return known


def _relevance(
    split: Split, variant: str, n_emoji: int, pool: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case: a 0/1 relevance row, a mask of rankable items, and whether the case counts in this variant."""
    if variant not in VARIANTS:
        raise RecommenderInputError(f"Unknown variant {variant!r}; choose any or new.")
    known = _known(split) if variant == "new" else {}
    columns = np.arange(n_emoji) if pool is None else pool
    where = {c: j for j, c in enumerate(columns)}
    n_cases = len(split.cases)
    gains = np.zeros((n_cases, len(columns)), dtype=np.float64)
    mask = np.ones((n_cases, len(columns)), dtype=bool)
    keep = np.zeros(n_cases, dtype=bool)
    for i, (user, relevant) in enumerate(zip(split.cases["user"].astype(str), split.cases["relevant"], strict=True)):
        seen = known.get(user, set())
        targets = [where[p] for p in set(relevant) - seen if p in where]
        if targets:
            gains[i, targets] = 1.0
            keep[i] = True
        for p in seen:
            if p in where:
                mask[i, where[p]] = False
    return gains, mask, keep


def _ranks(scores: np.ndarray, split: Split, variant: str, pool: np.ndarray | None):
    gains, mask, keep = _relevance(split, variant, scores.shape[1], pool)
    view = scores if pool is None else scores[:, pool]
    view = np.where(mask, view, -np.inf)
    order = np.argsort(-view, axis=1, kind="stable")  # (n_cases, n_pool) best first
    return order, np.take_along_axis(gains, order, axis=1), keep


def _metrics(order, relevant, keep, k, variant, method, pool_size) -> MethodResult:
    rel = relevant[keep]
    n = int(keep.sum())
    if n == 0:
        return MethodResult(method, variant, k, 0, *(float("nan"),) * 5)
    top = rel[:, :k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (top * discounts).sum(axis=1)
    ideal = np.array([discounts[: int(min(r, k))].sum() for r in rel.sum(axis=1)])
    first = np.argmax(rel > 0, axis=1)
    covered = np.unique(order[keep][:, :k])
    return MethodResult(
        method=method,
        variant=variant,
        k=k,
        cases=n,
        hit_rate=round(float((top.sum(axis=1) > 0).mean()), 4),
        recall=round(float((top.sum(axis=1) / rel.sum(axis=1)).mean()), 4),
        ndcg=round(float((dcg / ideal).mean()), 4),
        mrr=round(float((1.0 / (first + 1)).mean()), 4),
        coverage=round(float(covered.size / max(pool_size, 1)), 4),
    )


def _epoch(timestamps: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(timestamps):
        return timestamps.astype(np.float64).to_numpy()
    values = pd.to_datetime(timestamps, utc=True)
    return (values - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class WorkspaceEvaluation:
    """Everything ``emojiml evaluate recommender`` prints and the page draws."""

    results: list[MethodResult]
    sweep: SweepResult
    best_mix: dict[str, dict[str, float]]  # variant -> weights of the best hybrid mix
    n_train: int
    n_cases: int
    sweep_seconds: float

    def table(self) -> pd.DataFrame:
        return results_frame(self.results)


def evaluate_workspace(
    events: pd.DataFrame, k: int = 10, step: float = 0.1, half_life_days: float = 90.0, with_content: bool = True
) -> WorkspaceEvaluation:
    """Fit every method on the temporal split's training events and score the held-out cases.

    Methods: popularity, trending (per channel, at each case's time), own frequency, NMF, ALS, BPR, content and
    the hybrid (its three sources swept over the simplex; the row shows the best mix of each variant).
    """
    from emojiml.recommend.collaborative import ImplicitRecommender, NMFRecommender, PersonalRecommender
    from emojiml.recommend.content import ContentRecommender
    from emojiml.recommend.popularity import OwnFrequencyRecommender, PopularityRecommender, TrendingRecommender

    split = temporal_split(events)
    catalog, train, cases = split.catalog, split.train, split.cases
    pool = default_pool(split)
    trending = TrendingRecommender(half_life_days=half_life_days, catalog=catalog).fit(train)
    scores = {
        "popularity": source_scores(PopularityRecommender(catalog=catalog).fit(train), cases),
        "trending": source_scores(trending, cases, lambda case: trending.score_at(case.time, case.channel)),
        "own frequency": source_scores(OwnFrequencyRecommender(catalog=catalog).fit(train), cases),
        "nmf": source_scores(NMFRecommender(catalog=catalog).fit(train), cases),
        "als": source_scores(ImplicitRecommender("als", catalog=catalog).fit(train), cases),
        "bpr": source_scores(ImplicitRecommender("bpr", catalog=catalog).fit(train), cases),
    }
    personal = PersonalRecommender(NMFRecommender(n_components=4, weighting="log", catalog=catalog)).fit(train)
    hybrid_sources = {"collaborative": source_scores(personal, cases), "popularity": scores["trending"]}
    if with_content:
        scores["content"] = source_scores(ContentRecommender(catalog=catalog).fit(train), cases)
        hybrid_sources["content"] = scores["content"]
    names = [s for s in ("collaborative", "content", "popularity") if s in hybrid_sources]
    normalized = {name: normalize_matrix(hybrid_sources[name], pool) for name in names}
    started = time.perf_counter()
    swept = sweep(normalized, split, k, step, pool)
    sweep_seconds = time.perf_counter() - started
    results = evaluate_methods(scores, split, k, pool)
    best = {variant: swept.best(variant) for variant in VARIANTS}
    for variant in VARIANTS:
        mixed = sum(best[variant][name] * normalized[name] for name in names)
        results.append(evaluate_scores(mixed, split, k, variant, "hybrid (best mix)", pool))
    return WorkspaceEvaluation(results, swept, best, len(train), len(cases), round(sweep_seconds, 3))
