"""Sources learned from the workspace's own (message text -> reactions) pairs.

Why: the content model learned which emoji people *write in tweets*; colleagues *react* differently (a
release note gets 🎉 and :partyr:, a question gets 👀). Slack exports carry the reacted messages' text, so:
  * ``NeighbourRecommender``: the reactions given to the most similar earlier messages of this workspace
    (encoder cosine at least ``min_similarity``, the ``neighbours`` closest, each weighted by its cosine and
    halved every ``half_life_days``);
  * ``ReactionModelRecommender``: a linear head over the encoder per workspace. Each emoji's weight vector is
    the centred mean of the messages that got it, shrunk towards the catalog's vector of the emoji's own name
    and keywords (``prior_strength`` pseudo-messages), so rare and custom emoji still score; plus the log of
    how often the emoji is used. In a small workspace it leans on the TweetEval content model
    (``backoff_messages``: at that many reacted messages the two count equally).
Both step aside, with a note, in a workspace without message text (e.g. a CSV of reactions only).

Defaults chosen on a validation part carved from r-contributors' *training* events (the last fifth of each
person's training reactions; NDCG@10 any + new): neighbours 0.3 / 50 (0.595 / 0.308 against 0.579 / 0.260 at
20 neighbours); reaction model scale 10, prior strength 1, back-off 50 (0.635 / 0.567 against 0.625 / 0.496 at
prior strength 3; scales 5 and 20 and prior strength 10 were worse).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from scipy import sparse

from emojiml.catalog import Catalog
from emojiml.encoder import EMBEDDING_DIM, cached_encode
from emojiml.recommend.base import (
    MessageBatch,
    RankingMixin,
    RecommenderInputError,
    as_batch,
    catalog_of_events,
    check_events,
    check_fitted,
    event_indices,
    rankable_mask,
)

NO_TEXT_NOTE = "This workspace has no message text (reactions only): the message-based sources step aside."
_VECTORS: dict[str, np.ndarray] = {}  # text digest -> vector, shared by every fit in this process


@dataclass(frozen=True)
class ReactedMessages:
    """The workspace's reacted messages with text: one row per message."""

    texts: list[str]
    times: np.ndarray  # (M,) epoch seconds
    labels: sparse.csr_matrix  # (M, n_emoji) 1 where the message got that emoji as a reaction
    reactions: np.ndarray  # (n_emoji,) how many messages got each emoji


def reacted_messages(events: pd.DataFrame, catalog: Catalog) -> ReactedMessages:
    """Group reaction events by message; messages without text are left out."""
    from emojiml.recommend.evaluate import epoch_seconds

    events = check_events(events)
    if "kind" in events.columns:
        events = events[events["kind"] == "reaction"]
    if "text" not in events.columns or "message_id" not in events.columns:
        events = events.iloc[0:0]
    else:
        events = events[events["text"].fillna("").astype(str).str.strip() != ""]
    columns = event_indices(events, catalog)
    events = events.assign(_column=columns)[columns >= 0]
    if events.empty:
        return ReactedMessages([], np.zeros(0), sparse.csr_matrix((0, len(catalog))), np.zeros(len(catalog)))
    key = events["channel"].astype(str) + "\x00" + events["message_id"].astype(str)
    codes, uniques = pd.factorize(key)
    first = pd.Series(np.arange(len(events))).groupby(codes).first().to_numpy()
    texts = events["text"].astype(str).to_numpy()[first].tolist()
    stamps = events["timestamp"] if "timestamp" in events.columns else pd.Series(0.0, index=events.index)
    times = epoch_seconds(stamps).astype(np.float64)[first]
    labels = sparse.csr_matrix(
        (np.ones(len(events)), (codes, events["_column"].to_numpy())), shape=(len(uniques), len(catalog))
    )
    labels.data[:] = 1.0  # several people giving the same emoji count once per message
    return ReactedMessages(texts, times, labels, np.asarray(labels.sum(axis=0)).ravel())


def message_vectors(texts: Sequence[str]) -> np.ndarray:
    """(M, 384) encoder vectors, computed once per text per process (a fit on a subset reuses them)."""
    digests = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = list(dict.fromkeys(t for t, d in zip(texts, digests, strict=True) if d not in _VECTORS))
    if missing:
        vectors = cached_encode([t[:2000] for t in missing], "workspace-messages")
        _VECTORS.update(zip((hashlib.sha1(t.encode()).hexdigest() for t in missing), vectors, strict=True))
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), np.float32)
    return np.stack([_VECTORS[d] for d in digests])


class _FromMessages(RankingMixin):
    """Shared fitting: the catalog, the reacted messages and their vectors."""

    reads_message = True
    catalog: Catalog | None

    def _fit_messages(self, events: pd.DataFrame) -> None:
        events = check_events(events)
        self.catalog_ = self.catalog or catalog_of_events(events)
        self.messages_ = reacted_messages(events, self.catalog_)
        self.vectors_ = message_vectors(self.messages_.texts)  # (M, 384)
        self.rankable_ = rankable_mask(self.catalog_, event_indices(events, self.catalog_))

    def step_aside(self, user: str | None, message: str | None) -> str | None:
        if not self.messages_.texts:
            return NO_TEXT_NOTE
        return super().step_aside(user, message)

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        check_fitted(self)
        return self.score_messages([message or ""])[0]

    @staticmethod
    def _silent_on_empty(scores: np.ndarray, batch: MessageBatch) -> np.ndarray:
        """Zero the rows of messages with no text: neither source has anything to say about them."""
        scores[np.array([not (t or "").strip() for t in batch.texts], dtype=bool)] = 0.0
        return scores


class NeighbourRecommender(_FromMessages):
    """The reactions given to the most similar earlier messages of this workspace."""

    def __init__(
        self,
        min_similarity: float = 0.3,
        neighbours: int = 50,
        half_life_days: float = 365.0,
        catalog: Catalog | None = None,
    ) -> None:
        self.min_similarity = min_similarity
        self.neighbours = neighbours
        self.half_life_days = half_life_days
        self.catalog = catalog

    def fit(self, events: pd.DataFrame) -> Self:
        if not -1.0 <= self.min_similarity <= 1.0 or self.neighbours < 1 or self.half_life_days <= 0:
            raise RecommenderInputError(
                "NeighbourRecommender needs -1 ≤ min_similarity ≤ 1, neighbours ≥ 1 and half_life_days > 0."
            )
        self._fit_messages(events)
        self.now_ = float(self.messages_.times.max()) if len(self.messages_.times) else 0.0
        return self

    def weights(self, batch: MessageBatch) -> np.ndarray:
        """(N, M) how much each reacted message counts for each query (0 below the threshold or not earlier)."""
        if not self.messages_.texts or not batch.texts:
            return np.zeros((len(batch.texts), len(self.messages_.texts)))
        similarity = batch.vectors @ self.vectors_.T  # (N, M)
        when = np.full(len(batch.texts), self.now_ + 1.0) if batch.times is None else np.asarray(batch.times)
        age = (when[:, None] - self.messages_.times[None, :]) / 86400.0  # (N, M) days
        weight = np.where((similarity >= self.min_similarity) & (age > 0), similarity, 0.0)
        weight *= np.exp2(-np.maximum(age, 0.0) / self.half_life_days)
        if weight.shape[1] > self.neighbours:
            cut = np.partition(weight, -self.neighbours, axis=1)[:, -self.neighbours][:, None]
            weight = np.where(weight >= cut, weight, 0.0)
        return weight

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray:
        check_fitted(self)
        batch = as_batch(messages)
        scores = (sparse.csr_matrix(self.weights(batch)) @ self.messages_.labels).toarray()  # (N, n_emoji)
        return self._silent_on_empty(scores, batch)

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        return "people reacted with it to similar messages here"


class ReactionModelRecommender(_FromMessages):
    """A per-workspace linear head over the encoder, with the catalog as a prior and the content model as back-off."""

    def __init__(
        self,
        prior_strength: float = 1.0,
        scale: float = 10.0,
        backoff_messages: float = 50.0,
        catalog: Catalog | None = None,
        content=None,
    ) -> None:
        self.prior_strength = prior_strength
        self.scale = scale
        self.backoff_messages = backoff_messages
        self.catalog = catalog
        self.content = content

    def fit(self, events: pd.DataFrame) -> Self:
        from emojiml import models
        from emojiml.recommend.content import ContentRecommender

        if self.prior_strength < 0 or self.scale <= 0 or self.backoff_messages < 0:
            raise RecommenderInputError("ReactionModelRecommender needs prior_strength ≥ 0, scale > 0, backoff ≥ 0.")
        self._fit_messages(events)
        content = self.content or ContentRecommender(catalog=self.catalog_)
        self.content_ = content if getattr(content, "catalog_", None) is self.catalog_ else content.fit(events)
        n_messages = len(self.messages_.texts)
        self.backoff_ = self.backoff_messages / (self.backoff_messages + n_messages)  # content model's share
        catalog_vectors = models.catalog_embeddings(self.catalog_)  # (n_emoji, 384)
        pool = np.flatnonzero(self.rankable_)
        prior = catalog_vectors - catalog_vectors[pool].mean(axis=0)
        counts = self.messages_.reactions  # (n_emoji,)
        if n_messages:
            self.mean_ = self.vectors_.mean(axis=0)
            sums = np.asarray(self.messages_.labels.T @ (self.vectors_ - self.mean_))  # (n_emoji, 384)
        else:
            self.mean_ = np.zeros(catalog_vectors.shape[1], np.float32)
            sums = np.zeros_like(catalog_vectors)
        self.head_ = (sums + self.prior_strength * prior) / (counts + self.prior_strength)[:, None]
        self.bias_ = np.log((counts + 0.5) / (n_messages + 0.5 * len(pool) + 1.0))
        return self

    def step_aside(self, user: str | None, message: str | None) -> str | None:
        return RankingMixin.step_aside(self, user, message)  # with no text it is the content model alone

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray:
        check_fitted(self)
        batch = as_batch(messages)
        if not batch.texts:
            return np.zeros((0, len(self.catalog_)))
        own = self.scale * (batch.vectors - self.mean_) @ self.head_.T + self.bias_  # (N, n_emoji)
        content = np.log(self.content_.score_messages(batch) + 1e-3)
        return self._silent_on_empty((1.0 - self.backoff_) * own + self.backoff_ * content, batch)

    def specificity(self, scores: np.ndarray) -> np.ndarray:
        """(N, n_emoji) how far each message raises each emoji over its usual rate here: ``score_messages``'s
        scores less the log-frequency bias (0 for a message without text)."""
        check_fitted(self)
        return np.where(scores != 0.0, scores - (1.0 - self.backoff_) * self.bias_[None, :], 0.0)

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        if self.messages_.reactions[index] > 0:
            return "this workspace reacts with it to messages like this"
        return "fits the message (no reactions here yet)"
