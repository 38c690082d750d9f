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
    normalize_rows,
    rankable_mask,
)
from emojiml.recommend.blend import BlendInputs, LearnedBlend

VARIANTS = ("any", "new")
MESSAGE_TOLERANCE = 0.02  # NDCG@10 (any + new) a mix may give up on validation to weigh the message more
MAX_VALIDATION_CASES = 2000  # validation cases drawn to choose a workspace's mix and blend
BLEND_FOLDS = 3  # the learned blend is kept only if it wins on held-out folds of the validation cases
MIN_BLEND_CASES = 100  # fewer validation cases: the weighted mix (digitalrebar, 59: blend .464/.159, mix .439/.262)
VALIDATION_CASES = 300  # fewer in the last fifth of each person's history: carve again, further back in time
MAX_CARVES = 3
TONE_STRENGTHS = (0.0, 0.25, 0.5, 1.0)  # tone's penalty and lift, scaled (the celebration guard always applies)
ECHO_STRENGTHS = (0.25, 0.5)  # an emoji written in the message always counts for something (🚀 on "shipped 🚀")
SHORTLIST = 6  # the best grid mixes tried at every tone and echo strength
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
        row = self.table.loc[self.table[f"ndcg_{variant}"].fillna(-1.0).idxmax()]  # all NaN: no case counts
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
    keep: np.ndarray  # (n_all_cases,) bool: the split's cases that count in this variant
    pool: np.ndarray | None  # catalog columns ranked (None: all)

    @classmethod
    def build(cls, normalized, sources, split, variant, pool, k) -> _SweepCases:
        n_emoji = next(iter(normalized.values())).shape[1]
        gains, mask, keep = _relevance(split, variant, n_emoji, pool)
        stacked = np.stack([(normalized[s] if pool is None else normalized[s][:, pool])[keep] for s in sources])
        cases, columns = np.nonzero(gains[keep])
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        ideal = np.array([discounts[: int(min(r, k))].sum() for r in gains[keep].sum(axis=1)])
        penalty = np.where(mask[keep], 0.0, -np.inf)
        return cls(stacked, penalty, cases, columns, ideal, k, keep, pool)

    def per_case_scores(self, scores: np.ndarray) -> np.ndarray:
        """(n_counted,) NDCG@k per counted case of a full (n_all_cases, n_emoji) score matrix (what
        ``evaluate_scores`` averages, without sorting)."""
        view = scores[self.keep]
        return self.per_case(view if self.pool is None else view[:, self.pool])

    def ndcg(self, weights: np.ndarray) -> float:
        if self.ideal.size == 0:
            return float("nan")
        return self.ndcg_of(np.tensordot(weights, self.stacked, axes=1))

    def ndcg_of(self, mixed: np.ndarray) -> float:
        """NDCG@k of scores already over the counted cases and the pool: (n_cases, n_pool)."""
        if self.ideal.size == 0:
            return float("nan")
        return round(float(self.per_case(mixed).mean()), 4)

    def per_case(self, mixed: np.ndarray) -> np.ndarray:
        """(n_cases,) NDCG@k of each counted case, from scores over the counted cases and the pool."""
        mixed = mixed + self.penalty
        rows = mixed[self.cases]  # (n_relevant, n_pool)
        values = rows[np.arange(len(self.cases)), self.columns][:, None]
        positions = np.arange(mixed.shape[1])[None, :]
        above = (rows > values).sum(axis=1) + ((rows == values) & (positions < self.columns[:, None])).sum(axis=1)
        discounts = 1.0 / np.log2(np.arange(2, self.k + 2))
        dcg = np.zeros(len(self.ideal))
        inside = above < self.k
        np.add.at(dcg, self.cases[inside], discounts[above[inside]])
        return dcg / np.maximum(self.ideal, 1e-12)


def normalize_matrix(scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Per-case min-max normalisation over the rankable pool (what the hybrid fuses)."""
    return normalize_rows(scores, pool)


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
    """What the hybrid uses for a workspace, chosen on validation parts carved from its training events: the
    weighted mix (the sliders start there), the tone and echo strengths, and, where it ranked better on held-out
    folds, the learned blend."""

    weights: dict[str, float]
    ndcg_any: float
    ndcg_new: float
    validation_cases: int
    blend: LearnedBlend | None = None
    mix_ndcg: tuple[float, float] = (float("nan"), float("nan"))  # the weighted mix, as the product ranks
    tone_strength: float = 1.0
    echo: float = 0.5

    @property
    def note(self) -> str:
        how = "a blend learned" if self.blend is not None else "a mix chosen"
        return (
            f"{how} for this workspace on {self.validation_cases} held-out reactions of its own history "
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


def sample_cases(split: Split, max_cases: int, seed: int = 0) -> Split:
    """At most ``max_cases`` cases, drawn at random: choosing a mix costs (cases × catalog) per source, which
    at 10^5 people would be tens of GB; 2,000 cases measure NDCG@10 to about ±0.01."""
    if len(split.cases) <= max_cases:
        return split
    keep = np.sort(np.random.default_rng(seed).choice(len(split.cases), max_cases, replace=False))
    return Split(split.train, split.cases.iloc[keep].reset_index(drop=True), split.catalog)


def _relevant_matrix(split: Split, n_emoji: int) -> np.ndarray:
    relevant = np.zeros((len(split.cases), n_emoji))
    for row, positions in enumerate(split.cases["relevant"]):
        relevant[row, list(positions)] = 1.0
    return relevant


@dataclass
class _Carve:
    """One validation part: the sources fitted on what came before it, their scores on its cases, and what the
    hybrid's ranking needs to be recomputed for any mix, tone strength and echo strength without a per-row loop."""

    split: Split
    pool: np.ndarray
    hybrid: object  # HybridRecommender fitted around split.train
    raw: dict[str, np.ndarray]
    batch: MessageBatch
    users: list[str]
    tone: object  # tone.MessageTone of the cases
    stacked: np.ndarray  # (n_sources, n_cases, n_emoji) normalised scores
    active: np.ndarray  # (n_cases, n_sources) bool: the source speaks for the case
    echoed: np.ndarray  # (n_cases, n_emoji) 1 where the message writes the emoji
    prepared: dict[str, _SweepCases]

    @classmethod
    def build(cls, split: Split, half_life_days: float) -> _Carve:
        from emojiml.recommend.content import mentioned_emoji
        from emojiml.recommend.hybrid import HybridRecommender, workspace_sources

        sources = workspace_sources(split.train, half_life_days, catalog=split.catalog)
        sources = {name: source.fit(split.train) for name, source in sources.items()}
        pool = default_pool(split)
        raw, batch = case_scores(sources, split)
        hybrid = HybridRecommender(sources).fit_around(split.train)
        users = split.cases["user"].astype(str).tolist()
        normalized = _normalized(raw, pool)
        names = tuple(sources)
        active = np.array(
            [[sources[n].step_aside(u, m) is None for n in names] for u, m in zip(users, batch.texts, strict=True)],
            dtype=bool,
        ).reshape(len(users), len(names))
        echoed = np.zeros((len(users), len(split.catalog)))
        for row, message in enumerate(batch.texts):
            if message.strip():
                echoed[row, list(mentioned_emoji(split.catalog, message))] = 1.0
        prepared = {v: _SweepCases.build(normalized, names, split, v, pool, 10) for v in VARIANTS}
        tone = hybrid.tone_.of(batch)
        stacked = np.stack([normalized[n] for n in names])
        return cls(split, pool, hybrid, raw, batch, users, tone, stacked, active, echoed, prepared)

    def mixed(self, weights: Mapping[str, float]) -> np.ndarray:
        """(n_cases, n_emoji) the weighted sum of normalised scores; a source that steps aside for a case hands
        its weight to the others (``HybridRecommender.effective_weights``)."""
        w = np.array([weights.get(n, 0.0) for n in self.hybrid.sources])
        per_row = self.active * w[None, :]  # (n_cases, n_sources)
        total = per_row.sum(axis=1, keepdims=True)
        speaking = np.where(self.active.any(axis=1, keepdims=True), self.active, True).astype(np.float64)
        per_row = np.where(total > 0, per_row / np.maximum(total, 1e-300), speaking / speaking.sum(1, keepdims=True))
        return np.einsum("ns,sne->ne", per_row, self.stacked)

    def finals(self, weights: Mapping[str, float], tone_strength: float, echo: float) -> np.ndarray:
        """(n_cases, n_emoji) exactly what ``HybridRecommender.mix`` ranks by with these settings (no blend)."""
        mixed = self.mixed(weights)
        return mixed + self.hybrid.tone_.adjustments(self.tone, mixed, True, tone_strength) + echo * self.echoed

    def ndcg(self, scores: np.ndarray) -> dict[str, np.ndarray]:
        """Per variant: NDCG@10 of each counted case."""
        return {v: self.prepared[v].per_case_scores(scores) for v in VARIANTS}


def validation_carves(
    events: pd.DataFrame, max_cases: int, enough: int = VALIDATION_CASES, max_carves: int = MAX_CARVES
) -> list[Split]:
    """Time-ordered validation parts of a workspace's history: the last fifth of each person's reactions, then,
    while fewer than ``enough`` cases are held out, the last fifth of what came before it (up to ``max_carves``).
    Each part is scored by sources fitted only on what precedes it, so no part sees its own future."""
    splits: list[Split] = []
    train = events
    catalog = None
    while len(splits) < max_carves and sum(len(s.cases) for s in splits) < enough:
        try:
            split = temporal_split(train, catalog=catalog)
        except RecommenderInputError:
            break
        splits.append(sample_cases(split, max_cases))
        train, catalog = split.train, split.catalog
    return splits


def _pooled(results: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Per variant, every carve's per-case NDCG@10 together."""
    return {v: np.concatenate([r[v] for r in results]) for v in VARIANTS}


def _means(cases: Mapping[str, np.ndarray]) -> tuple[float, float]:
    """NDCG@10 (any, new) of pooled per-case values (NaN where no case counts)."""
    out = [float(cases[v].mean()) if cases[v].size else float("nan") for v in VARIANTS]
    return out[0], out[1]


def _total(cases: Mapping[str, np.ndarray]) -> float:
    return float(np.nansum(_means(cases)))


def _standard_error(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> float:
    """Standard error of ``_total(a) - _total(b)``, the cases paired (the same cases ranked two ways)."""
    variance = sum(float(np.var(a[v] - b[v], ddof=1)) / a[v].size for v in VARIANTS if a[v].size > 1)
    return float(np.sqrt(variance))


def choose_weights(
    events: pd.DataFrame,
    step: float = AUTO_STEP,
    half_life_days: float = 90.0,
    max_cases: int = MAX_VALIDATION_CASES,
    folds: int = BLEND_FOLDS,
) -> WeightChoice | None:
    """The hybrid's ranking for a workspace, chosen on validation parts of its *training* events only
    (``validation_carves``: the last fifth of each person's reactions, and earlier fifths while the cases are few):

    * every weighted mix on the grid is swept; the best ``SHORTLIST`` of them, each single source and the 0.8/0.2
      mixes of the best single source are then tried at every tone strength (``TONE_STRENGTHS``) and echo
      strength (``ECHO_STRENGTHS``), ranked exactly as the product ranks (steps aside, tone, guard, echo);
    * the best by NDCG@10 (any + new, all parts together) is kept if it beats the best single source by more
      than one standard error of the difference (the same cases, paired), else that single source: where the
      validation cases are few, the simplest choice; then, within ``MESSAGE_TOLERANCE`` of it, the one with the
      most weight on the message sources, then the strongest tone (the sliders start there);
    * a learned blend (``blend.LearnedBlend``) over the sources, the person's own use, the echo, tone and the
      message's specificity is kept if there are at least ``MIN_BLEND_CASES`` validation cases and, fitted on
      ``folds - 1`` folds of them and scored on the last, it beats the chosen mix by more than one standard error.

    None when the history is too short to carve a validation part (the hybrid then uses its defaults).
    """
    carves = [_Carve.build(split, half_life_days) for split in validation_carves(events, max_cases)]
    if not carves:
        return None
    names = tuple(carves[0].hybrid.sources)
    grid = weight_grid(len(names), step)
    tables = [
        np.array([[c.prepared[v].ndcg(w) for v in VARIANTS] for w in grid], dtype=np.float64) for c in carves
    ]  # per carve: (n_mixes, 2)
    counts = np.array([[c.prepared[v].keep.sum() for v in VARIANTS] for c in carves], dtype=np.float64)
    weighted = sum(np.nan_to_num(t) * n[None, :] for t, n in zip(tables, counts, strict=True))
    swept = (weighted / np.maximum(counts.sum(axis=0), 1.0)[None, :]).sum(axis=1)  # (n_mixes,) any + new
    singles = [np.eye(len(names))[i] for i in range(len(names))]
    best_single = int(np.argmax([swept[_grid_row(grid, w)] for w in singles]))
    near = [0.8 * singles[best_single] + 0.2 * singles[i] for i in range(len(names)) if i != best_single]
    shortlist = {tuple(np.round(w, 6)) for w in [*grid[np.argsort(-swept)[:SHORTLIST]], *singles, *near]}
    scored = []
    for w in sorted(shortlist):
        weights = dict(zip(names, w, strict=True))
        for strength in TONE_STRENGTHS:
            for echo in ECHO_STRENGTHS:
                cases = _pooled([c.ndcg(c.finals(weights, strength, echo)) for c in carves])
                scored.append((weights, strength, echo, cases))
    weights, strength, echo, mix_cases = scored[_select(scored)]
    weights = {name: float(value) for name, value in weights.items()}
    blend, ndcg = None, _means(mix_cases)
    n_cases = sum(len(c.users) for c in carves)
    if n_cases >= MIN_BLEND_CASES:
        blend, ndcg = _choose_blend(carves, names, weights, strength, echo, folds, mix_cases)
    mix_ndcg = _means(mix_cases)
    return WeightChoice(weights, float(ndcg[0]), float(ndcg[1]), n_cases, blend, mix_ndcg, strength, echo)


def _select(scored: Sequence[tuple[dict[str, float], float, float, dict[str, np.ndarray]]]) -> int:
    """Which of the ``(weights, tone strength, echo, per-case NDCG)`` candidates the product keeps.

    A mix must beat the best single source by more than the validation cases can tell apart (one standard error of
    the paired difference), else the single source: where the cases are few the noise is large and the simplest
    choice is the safe one. Then, within ``MESSAGE_TOLERANCE`` of it, the one that listens most to the message,
    then the strongest tone."""
    totals = np.array([_total(cases) for *_, cases in scored])
    single = [i for i, (weights, *_) in enumerate(scored) if max(weights.values()) == 1.0]
    best = int(np.argmax(totals))
    candidates = list(range(len(scored)))
    if single:
        simplest = max(single, key=lambda i: totals[i])
        if totals[best] - totals[simplest] <= _standard_error(scored[best][3], scored[simplest][3]):
            candidates, best = single, simplest
    close = [i for i in candidates if totals[i] >= totals[best] - MESSAGE_TOLERANCE]

    def preference(i: int) -> float:
        weights, strength = scored[i][0], scored[i][1]
        listening = weights.get("content", 0.0) + weights.get("neighbours", 0.0)
        return listening + 0.1 * strength + 1e-3 * totals[i]

    return max(close, key=preference)


def _grid_row(grid: np.ndarray, weights: np.ndarray) -> int:
    return int(np.argmin(np.abs(grid - weights[None, :]).sum(axis=1)))


def _choose_blend(carves, names, weights, strength, echo, folds, mix_cases):
    """The learned blend over every carve's cases, if it ranks clearly better than the mix on held-out folds."""
    from emojiml.recommend.hybrid import blend_inputs

    pool = carves[0].pool  # the latest part's (the largest: it knows every emoji used before it)
    parts, relevant, fallback = [], [], []
    for c in carves:
        parts.append(blend_inputs(c.hybrid, c.raw, c.users, c.batch, c.tone, pool))
        relevant.append(_relevant_matrix(c.split, len(c.split.catalog)))
        fallback.append(c.finals(weights, strength, echo))
    inputs, relevant_all, fallback_all = _concat(parts), np.concatenate(relevant), np.concatenate(fallback)
    fold = np.arange(len(relevant_all)) % folds
    held_out = fallback_all.copy()
    try:
        for f in range(folds):
            model = LearnedBlend(names).fit(_rows(inputs, fold != f), relevant_all[fold != f], pool)
            held_out[fold == f] = model.score(_rows(inputs, fold == f), pool, fallback_all[fold == f])
    except ValueError:  # a fold without a single reacted candidate: too little to learn from
        return None, _means(mix_cases)
    starts = np.cumsum([0, *(len(c.users) for c in carves)])
    results = []
    for i, c in enumerate(carves):  # tone on the blend's scale, as the product adds it (HybridRecommender._blended)
        part = held_out[starts[i] : starts[i + 1]]
        hybrid = c.hybrid.with_weights(weights)
        hybrid.tone_strength = strength
        results.append(c.ndcg(part + hybrid.blend_tone(part, c.tone, c.mixed(weights), c.pool)))
    blend_cases = _pooled(results)
    if _total(blend_cases) - _total(mix_cases) > _standard_error(blend_cases, mix_cases):
        return LearnedBlend(names).fit(inputs, relevant_all, pool), _means(blend_cases)
    return None, _means(mix_cases)


def _concat(parts: Sequence[BlendInputs]) -> BlendInputs:
    """The blend inputs of several carves as one batch (the emoji-level terms of the latest carve)."""
    return BlendInputs(
        {name: np.concatenate([p.normalized[name] for p in parts]) for name in parts[0].normalized},
        {name: np.concatenate([p.raw[name] for p in parts]) for name in parts[0].raw},
        np.concatenate([p.own for p in parts]),
        np.concatenate([p.echo for p in parts]),
        np.concatenate([p.negative for p in parts]),
        np.concatenate([p.positive for p in parts]),
        parts[0].positivity,
        parts[0].minds,
        None if parts[0].specific is None else np.concatenate([p.specific for p in parts]),
    )


def _rows(inputs: BlendInputs, keep: np.ndarray) -> BlendInputs:
    """The blend inputs of some messages only."""
    return BlendInputs(
        {name: matrix[keep] for name, matrix in inputs.normalized.items()},
        {name: matrix[keep] for name, matrix in inputs.raw.items()},
        inputs.own[keep],
        inputs.echo[keep],
        inputs.negative[keep],
        inputs.positive[keep],
        inputs.positivity,
        inputs.minds,
        None if inputs.specific is None else inputs.specific[keep],
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
    auto_method: str = "weighted mix"  # what hybrid (auto) ranked by: "learned blend" or "weighted mix"
    auto_strengths: dict[str, float] | None = None  # the tone and echo strengths chosen with it

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
    chosen = {"blend": choice.blend, "tone_strength": choice.tone_strength, "echo": choice.echo} if choice else {}
    hybrid = HybridRecommender(sources, auto, **chosen).fit_around(train)
    users = cases["user"].astype(str).tolist()
    auto_scores = hybrid.mix(hybrid_raw, users, batch)[0]  # the blend, where choose_weights kept one
    for variant in VARIANTS:
        results.append(evaluate_scores(auto_scores, split, k, variant, "hybrid (auto)", pool))
    for variant in VARIANTS:
        mixer = hybrid.with_weights(best[variant])
        mixer.blend_ = None  # the optimistic reference is the weighted mix itself
        mixed = mixer.mix(hybrid_raw, users, batch)[0]
        results.append(evaluate_scores(mixed, split, k, variant, "hybrid (best mix)", pool))
    method = "learned blend" if choice is not None and choice.blend is not None else "weighted mix"
    strengths = {"tone_strength": hybrid.tone_strength, "echo": hybrid.echo}
    return WorkspaceEvaluation(
        results, swept, best, auto, len(train), len(cases), round(sweep_seconds, 3), method, strengths
    )
