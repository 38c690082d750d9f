"""The one interface every recommender speaks, and the shared pieces they all need.

Why one protocol: the hybrid, the evaluator, the CLI and the page treat NMF, ALS, popularity, trending and the
content model alike — each scores the whole workspace catalog for a (person, message) pair, and ``recommend``
turns those scores into ranked ``Suggestion`` objects the same way for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import pandas as pd
from scipy import sparse

from emojiml.catalog import Catalog, Emoji, default_catalog
from emojiml.errors import EmojimlError

WEIGHTINGS = ("raw", "log", "bm25")


class RecommenderInputError(EmojimlError, ValueError):
    """Events or arguments a recommender cannot use; the message says what to fix."""


class NotFittedError(EmojimlError, RuntimeError):
    """``score``/``recommend`` called before ``fit``."""


@dataclass(frozen=True)
class Suggestion:
    """One ranked emoji: its score, what each source contributed to it and a one-line reason."""

    emoji: Emoji
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    @property
    def key(self) -> str:
        return self.emoji.key


@dataclass(frozen=True)
class MessageBatch:
    """Messages scored together, with what every message-reading source shares: one encoder pass.

    Why one object: the content model, the message neighbours and the workspace reaction model all need the
    encoder's vectors; encoding once per batch (not once per source) is what keeps suggest as fast as the
    encoder itself.
    """

    texts: list[str]
    encoded: Any = None  # content.EncodedMessages: vectors (N, 384) + tuned logits; None = each source encodes
    times: np.ndarray | None = None  # (N,) epoch seconds when each message was posted; None = after all history
    calibrated: bool = False  # candidates were given: the content model applies its tuned decision rule

    @property
    def vectors(self) -> np.ndarray:
        """(N, 384) unit sentence vectors (encoded now if no pass was shared)."""
        if self.encoded is not None:
            return self.encoded.vectors
        from emojiml import models

        return models.encode([t or " " for t in self.texts])


@runtime_checkable
class Recommender(Protocol):
    """The one interface the hybrid, the evaluator, the CLI and the page rely on.

    ``fit`` learns (and validates its parameters); ``score`` gives one number per catalog entry for one
    request; ``score_messages`` the same for a batch (``reads_message`` False: the message is ignored and the
    source is scored once per person); ``step_aside`` says why a source has nothing to say for a request
    (None when it speaks), so the hybrid hands its weight to the others and shows the note; ``reason``
    explains one emoji; ``recommend`` ranks.
    """

    catalog_: Catalog
    rankable_: np.ndarray  # (n_emoji,) bool: what may be suggested
    reads_message: bool

    def fit(self, events: pd.DataFrame) -> Self: ...

    def score(self, user: str | None, message: str | None) -> np.ndarray: ...

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray: ...

    def step_aside(self, user: str | None, message: str | None) -> str | None: ...

    def reason(self, index: int, user: str | None, message: str | None) -> str: ...

    def recommend(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> list[Suggestion]: ...


class RankingMixin:
    """Defaults for the protocol: batch scoring from ``score``, always speaking, ``recommend`` from ``score``."""

    catalog_: Catalog
    rankable_: np.ndarray  # (n_emoji,) bool: skin-tone bases plus anything the workspace actually used
    reads_message: bool = False

    def score(self, user: str | None, message: str | None) -> np.ndarray:  # pragma: no cover - protocol
        raise NotImplementedError

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray:
        """(N, n_emoji): a message-free source is scored once and repeated."""
        check_fitted(self)
        texts = messages.texts if isinstance(messages, MessageBatch) else list(messages)
        if not self.reads_message:
            return np.tile(self.score(user, None), (len(texts), 1))
        return np.stack([self.score(user, text) for text in texts]) if texts else np.zeros((0, len(self.catalog_)))

    def step_aside(self, user: str | None, message: str | None) -> str | None:
        if self.reads_message and not (message or "").strip():
            return "No message: suggesting from reaction history and popularity only."
        return None

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        return ""

    def recommend(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> list[Suggestion]:
        check_fitted(self)
        scores = self.score(user, message)
        order = rank(scores, self.rankable_, candidate_indices(self.catalog_, candidates), k)
        return [Suggestion(self.catalog_[i], float(scores[i]), {}, self.reason(int(i), user, message)) for i in order]


def as_batch(messages: Sequence[str] | MessageBatch) -> MessageBatch:
    return messages if isinstance(messages, MessageBatch) else MessageBatch(list(messages))


def check_fitted(model: object) -> None:
    if not hasattr(model, "catalog_"):
        raise NotFittedError(f"{type(model).__name__} is not fitted: call fit(events) first.")


def rank(scores: np.ndarray, rankable: np.ndarray, candidates: np.ndarray | None, k: int) -> np.ndarray:
    """Indices of the top ``k`` scores among rankable entries (or among ``candidates``), best first.

    Ties break by catalog order (stable sort), so results are reproducible. Only the entries scoring at least
    the k-th best are sorted (a partition first): sorting all ~3,800 emoji was a sixth of batch suggest's time.
    """
    pool = candidates if candidates is not None else np.flatnonzero(rankable)
    if k <= 0 or pool.size == 0:
        return np.zeros(0, dtype=np.int64)
    values = scores[pool]
    keep = np.arange(pool.size)
    if k < pool.size:
        kth_best = np.partition(values, pool.size - k)[pool.size - k]
        if not np.isnan(kth_best):
            keep = np.flatnonzero(values >= kth_best)  # ties with the k-th best stay, for the stable order
    order = keep[np.argsort(-values[keep], kind="stable")][:k]
    return pool[order]


def candidate_indices(catalog: Catalog, candidates: Sequence[str] | None) -> np.ndarray | None:
    """Catalog positions of ``candidates`` (emoji characters, U+FE0F ignored, or ``:shortcodes:``).

    Anything else raises ``RecommenderInputError`` naming every offending entry.
    """
    if candidates is None:
        return None
    indices, unknown = [], []
    for token in candidates:
        written = token.strip()
        # an emoji character sequence or a :shortcode:; a bare word such as "abc" is not an emoji
        index = catalog.index_of(written) if written and (written.startswith(":") or not written.isascii()) else None
        (unknown if index is None else indices).append(token if index is None else index)
    if unknown:
        raise RecommenderInputError(f"Not emoji in this catalog: {', '.join(repr(t) for t in unknown)}.")
    return np.array(list(dict.fromkeys(indices)), dtype=np.int64)


def catalog_of_events(events: pd.DataFrame, base: Catalog | None = None) -> Catalog:
    """The Unicode catalog plus every custom emoji (``:name:``) the events mention: what a recommender can rank
    when it is given events alone. (A stored workspace's catalog, with the custom emoji the Studio added and their
    images, is ``generate.studio.workspace_catalog(store, workspace)``.)"""
    from emojiml.workspace.emoji_names import catalog_with_custom

    base = base or default_catalog()
    if events is None or events.empty:
        return base
    keys = pd.unique(events["emoji"].astype(str))
    return catalog_with_custom([key for key in keys if key.startswith(":") and base.index_of(key) is None], base)


def check_events(events: pd.DataFrame, required: Iterable[str] = ("user", "emoji")) -> pd.DataFrame:
    """Validate the columns a recommender needs and drop rows without a person or an emoji."""
    missing = [c for c in required if c not in events.columns]
    if missing:
        raise RecommenderInputError(f"The events table lacks column(s) {', '.join(missing)}.")
    keep = events[list(required)].notna().all(axis=1)
    keep &= (events["user"].astype(str) != "") & (events["emoji"].astype(str) != "")
    return events if keep.all() else events[keep]  # no copy of a clean table (gigabytes at 10^7 events)


def people_by_reactions(events: pd.DataFrame) -> list[tuple[str, str]]:
    """(person id, "Name (N reactions)") for everyone who reacted, the most active first (the page's picker)."""
    if events is None or events.empty:
        return []
    reactions = events[events["kind"] == "reaction"] if "kind" in events.columns else events
    counts = reactions["user"].astype(str).value_counts()
    names = {}
    if "user_name" in events.columns:
        names = events.drop_duplicates("user").set_index("user")["user_name"].to_dict()
    return [(user, f"{names.get(user) or user} ({count} reactions)") for user, count in counts.items()]


def event_indices(events: pd.DataFrame, catalog: Catalog) -> np.ndarray:
    """Catalog position of each event's emoji (-1 where the catalog does not know it).

    Each distinct key is looked up once (``pd.factorize``): a per-row loop cost 12 s at 3 million events."""
    codes, keys = pd.factorize(events["emoji"].astype(str))
    lookup = np.array([-1 if (i := catalog.index_of(key)) is None else i for key in keys] + [-1], dtype=np.int64)
    return lookup[codes]  # a missing key (code -1) reads the trailing -1


def rankable_mask(catalog: Catalog, used: np.ndarray) -> np.ndarray:
    """Skin-tone bases and custom emoji, plus any toned emoji the workspace used."""
    mask = np.zeros(len(catalog), dtype=bool)
    mask[list(catalog.base_indices)] = True
    mask[used[used >= 0]] = True
    return mask


@dataclass(frozen=True)
class InteractionMatrix:
    """People × emoji counts (float32 CSR) with the row/column labels that go with it."""

    users: tuple[str, ...]
    counts: sparse.csr_matrix  # (n_users, n_emoji)

    @property
    def user_index(self) -> dict[str, int]:
        return {u: i for i, u in enumerate(self.users)}


def interaction_matrix(events: pd.DataFrame, catalog: Catalog, weights: np.ndarray | None = None) -> InteractionMatrix:
    """Count each (person, emoji) pair; ``weights`` (one per event, e.g. NaN/negative from a CSV) are cleaned."""
    events = check_events(events)
    columns = event_indices(events, catalog)
    keep = columns >= 0
    values = np.ones(len(events), dtype=np.float64) if weights is None else np.asarray(weights, dtype=np.float64)
    values = np.where(np.isfinite(values) & (values > 0), values, 0.0)
    # sorted like np.unique, but hashing instead of sorting 10^7 strings (32 s at 3 million events)
    rows, users = pd.factorize(events["user"].astype(str)[keep], sort=True)
    counts = sparse.csr_matrix(
        (values[keep], (rows, columns[keep])), shape=(len(users), len(catalog)), dtype=np.float32
    )
    counts.sum_duplicates()
    counts.eliminate_zeros()
    return InteractionMatrix(tuple(users.tolist()), counts)


def weigh(counts: sparse.csr_matrix, weighting: str, k1: float = 1.2, b: float = 0.75) -> sparse.csr_matrix:
    """Raw counts, log(1 + count), or BM25 (saturating counts, longer histories normalised, rare emoji up)."""
    if weighting not in WEIGHTINGS:
        raise RecommenderInputError(f"Unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}.")
    counts = counts.tocsr().astype(np.float32)
    if weighting == "raw":
        return counts
    if weighting == "log":
        out = counts.copy()
        out.data = np.log1p(out.data)
        return out
    coo = counts.tocoo()
    n_users = max(1, counts.shape[0])
    df = np.bincount(coo.col, minlength=counts.shape[1])
    idf = np.log((n_users - df + 0.5) / (df + 0.5) + 1.0)
    length = np.asarray(counts.sum(axis=1)).ravel()
    norm = k1 * (1.0 - b + b * length / max(length.mean(), 1e-9))
    data = coo.data * (k1 + 1.0) / (norm[coo.row] + coo.data) * idf[coo.col]
    return sparse.csr_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=counts.shape)


def normalize_scores(scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Min-max scale over the rankable pool to [0, 1]; a constant source gives all zeros (it cannot rank)."""
    out = np.zeros_like(scores, dtype=np.float64)
    if pool.size == 0:
        return out
    values = scores[pool].astype(np.float64)
    low, high = float(values.min()), float(values.max())
    if high - low > 1e-12:
        out[pool] = (values - low) / (high - low)
    return out


def normalize_rows(scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """(N, n_emoji) ``normalize_scores`` of every row of ``scores`` at once (the same numbers, bit for bit)."""
    out = np.zeros(scores.shape, dtype=np.float64)
    if pool.size == 0 or not len(scores):
        return out
    values = scores[:, pool].astype(np.float64)
    low, high = values.min(axis=1, keepdims=True), values.max(axis=1, keepdims=True)
    span = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, pool] = np.where(span > 1e-12, (values - low) / span, 0.0)
    return out
