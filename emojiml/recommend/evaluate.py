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
    MessageBatch,
    Recommender,
    RecommenderInputError,
    catalog_of_events,
    check_events,
    event_indices,
    normalize_scores,
    rankable_mask,
)

VARIANTS = ("any", "new")
MESSAGE_TOLERANCE = 0.02  # NDCG@10 (any + new) a mix may give up on validation to weigh the message more
AUTO_STEP = 0.2  # weight grid of the hybrid's five sources: 126 mixes (0.1 would be 1,001)
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
    catalog = catalog or catalog_of_events(events)
    events = events.assign(_pos=event_indices(events, catalog), _time=epoch_seconds(events["timestamp"]))
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
    model: Recommender,
    cases: pd.DataFrame,
    per_case: Callable[[pd.Series], np.ndarray] | None = None,
    batch: MessageBatch | None = None,
) -> np.ndarray:
    """(n_cases, n_emoji) scores of ``model`` for every test case.

    A message-reading model scores the cases' texts as one batch (``batch``: the cases' shared encoding, with
    each case's time so that message neighbours only look back); others are scored once per person.
    ``per_case`` overrides the call (trending uses the case's time and channel).
    """
    if per_case is not None:
        return np.stack([per_case(case) for case in cases.itertuples(index=False)])
    if model.reads_message:
        return model.score_messages(batch if batch is not None else cases["text"].tolist())
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


def epoch_seconds(timestamps: pd.Series) -> np.ndarray:
    """UTC timestamps (datetime or epoch seconds) as float seconds since the epoch."""
    if pd.api.types.is_numeric_dtype(timestamps):
        return timestamps.astype(np.float64).to_numpy()
    values = pd.to_datetime(timestamps, utc=True)
    return (values - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class WeightChoice:
    """The mix chosen for a workspace on a validation part carved from its training events."""

    weights: dict[str, float]
    ndcg_any: float
    ndcg_new: float
    validation_cases: int

    @property
    def note(self) -> str:
        return (
            f"chosen for this workspace on {self.validation_cases} held-out reactions of its own history "
            f"(NDCG@10 {self.ndcg_any:.3f} any emoji, {self.ndcg_new:.3f} new emoji)"
        )


def case_scores(sources: Mapping[str, Recommender], split: Split) -> tuple[dict[str, np.ndarray], MessageBatch]:
    """(n_cases, n_emoji) raw scores of every fitted source on the split's cases: one encoder pass for all
    message-reading sources (the batch is returned for the hybrid), trending at each case's time and channel."""
    from emojiml.recommend.content import ContentRecommender
    from emojiml.recommend.popularity import TrendingRecommender

    cases = split.cases
    content = next((s for s in sources.values() if isinstance(s, ContentRecommender)), None)
    texts = cases["text"].tolist()
    times = cases["time"].to_numpy(dtype=np.float64)
    batch = content.encode(texts, times) if content is not None else MessageBatch(texts, None, times)
    out = {}
    for name, source in sources.items():
        if isinstance(source, TrendingRecommender):
            out[name] = source_scores(source, cases, lambda case, s=source: s.score_at(case.time, case.channel))
        else:
            out[name] = source_scores(source, cases, batch=batch)
    return out, batch


def _normalized(raw: Mapping[str, np.ndarray], pool: np.ndarray) -> dict[str, np.ndarray]:
    return {name: normalize_matrix(matrix, pool) for name, matrix in raw.items()}


def choose_weights(events: pd.DataFrame, step: float = AUTO_STEP, half_life_days: float = 90.0) -> WeightChoice | None:
    """The hybrid's mix for a workspace: carve the last fifth of each person's *training* reactions off as
    validation, fit the sources on the rest, and keep the mix with the best NDCG@10 (any + new emoji), or, within
    ``MESSAGE_TOLERANCE`` of it, the one with the most weight on the message sources (content + neighbours).

    None when the history is too short to carve a validation part (the hybrid then uses its defaults).
    """
    from emojiml.recommend.hybrid import workspace_sources

    try:
        split = temporal_split(events)
    except RecommenderInputError:
        return None
    sources = workspace_sources(split.train, half_life_days, catalog=split.catalog)
    sources = {name: source.fit(split.train) for name, source in sources.items()}
    pool = default_pool(split)
    normalized = _normalized(case_scores(sources, split)[0], pool)
    swept = sweep(normalized, split, 10, step, pool)
    table = swept.table.fillna(0.0)
    total = table["ndcg_any"] + table["ndcg_new"]
    # among the mixes within MESSAGE_TOLERANCE of the best, the one that listens most to the message: on
    # r-contributors the reaction model alone is best by a hair, and suggests 👍 🙌 👋 for "happy birthday!!"
    close = table[total >= total.max() - MESSAGE_TOLERANCE]
    listening = close.get("content", 0.0) + close.get("neighbours", 0.0)
    best = close.loc[(listening + 1e-3 * total[close.index]).idxmax()]
    return WeightChoice(
        {s: float(best[s]) for s in swept.sources}, float(best["ndcg_any"]), float(best["ndcg_new"]), len(split.cases)
    )


@dataclass(frozen=True)
class WorkspaceEvaluation:
    """Everything ``emojiml evaluate recommender`` prints and the page draws."""

    results: list[MethodResult]
    sweep: SweepResult
    best_mix: dict[str, dict[str, float]]  # variant -> weights of the best hybrid mix (tuned on the test part)
    auto_mix: dict[str, float]  # the product's own choice, made on the training events only
    n_train: int
    n_cases: int
    sweep_seconds: float

    def table(self) -> pd.DataFrame:
        return results_frame(self.results)

    def readable_table(self) -> pd.DataFrame:
        """The page's table: columns named in words ("NDCG@10, any emoji")."""
        table = self.table()
        words = {"hit_rate": "hit rate", "recall": "recall", "ndcg": "NDCG", "mrr": "MRR", "coverage": "coverage"}
        renamed = {}
        for column in table.columns:
            metric, _, variant = column.rpartition("_")
            name, _, at = metric.partition("@")
            if variant in VARIANTS and name in words:
                renamed[column] = f"{words[name]}{'@' + at if at else ''}, {variant} emoji"
            elif name == "cases":
                renamed[column] = f"test cases, {variant} emoji"
        return table.rename(columns=renamed)


def evaluate_workspace(
    events: pd.DataFrame, k: int = 10, step: float = AUTO_STEP, half_life_days: float = 90.0, with_content: bool = True
) -> WorkspaceEvaluation:
    """Fit every method on the temporal split's training events and score the held-out cases.

    Methods: popularity, trending (per channel, at each case's time), own frequency, NMF, ALS, BPR, the message
    sources (content, message neighbours, the workspace reaction model) and two hybrids of the product's five
    sources: *hybrid (auto)*, the mix the product itself picks on a validation part carved from the training
    events (``choose_weights``), and *hybrid (best mix)*, the best mix of the sweep on the test part itself
    (an optimistic reference, not something the product could know).
    """
    from emojiml.recommend.collaborative import ImplicitRecommender, NMFRecommender
    from emojiml.recommend.hybrid import DEFAULT_WEIGHTS, HybridRecommender, workspace_sources
    from emojiml.recommend.popularity import OwnFrequencyRecommender, PopularityRecommender

    split = temporal_split(events)
    catalog, train, cases = split.catalog, split.train, split.cases
    pool = default_pool(split)
    baselines = {
        "popularity": PopularityRecommender(catalog=catalog),
        "own frequency": OwnFrequencyRecommender(catalog=catalog),
        "nmf": NMFRecommender(catalog=catalog),
        "als": ImplicitRecommender("als", catalog=catalog),
        "bpr": ImplicitRecommender("bpr", catalog=catalog),
    }
    scores = {name: source_scores(model.fit(train), cases) for name, model in baselines.items()}
    sources = workspace_sources(train, half_life_days, catalog=catalog)
    if not with_content:
        sources = {name: s for name, s in sources.items() if name in ("collaborative", "popularity")}
    sources = {name: s.fit(train) for name, s in sources.items()}
    hybrid_raw, batch = case_scores(sources, split)
    scores["trending"] = hybrid_raw["popularity"]
    for name in ("content", "neighbours", "reactions"):
        if name in hybrid_raw:
            scores[{"neighbours": "message neighbours", "reactions": "reaction model"}.get(name, name)] = hybrid_raw[
                name
            ]
    names = list(hybrid_raw)
    normalized = _normalized(hybrid_raw, pool)
    started = time.perf_counter()
    swept = sweep(normalized, split, k, step, pool)
    sweep_seconds = time.perf_counter() - started
    results = evaluate_methods(scores, split, k, pool)
    best = {variant: swept.best(variant) for variant in VARIANTS}
    choice = choose_weights(train, step, half_life_days) if with_content else None
    auto = choice.weights if choice is not None else {n: DEFAULT_WEIGHTS[n] for n in names}
    auto = {n: auto.get(n, 0.0) for n in names}
    # both hybrid rows rank exactly as the product does (HybridRecommender.mix: steps aside, tone, echo);
    # trending is scored at each case's time, as the product would have at that moment
    hybrid = HybridRecommender(sources, auto).fit_around(train)
    users = cases["user"].astype(str).tolist()
    for label, mixes in (("hybrid (auto)", {v: auto for v in VARIANTS}), ("hybrid (best mix)", best)):
        for variant in VARIANTS:
            mixed = hybrid.with_weights(mixes[variant]).mix(hybrid_raw, users, batch)[0]
            results.append(evaluate_scores(mixed, split, k, variant, label, pool))
    return WorkspaceEvaluation(results, swept, best, auto, len(train), len(cases), round(sweep_seconds, 3))
