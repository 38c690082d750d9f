"""The content (semantic) source: which emoji fit this message — any catalog emoji, custom ones included.

Four parts, trained by ``emojiml train content`` (see ``train_content.py``) and shipped in ``assets/``:
  * a sparse n-gram SVM over the 20 frequent TweetEval emoji (strong on slang and hashtags);
  * the encoder's top layers fine-tuned on those 20 emoji (``tuned_layers.py``), sharing the encoder's pass;
  * two towers mapping a message and an emoji's text (name + keywords) into one space, so every catalog
    entry, custom ones too, gets a probability;
  * emoji written in the message itself ("we shipped it 🚀", ":tada:") are put on top.
For the 20 frequent emoji the SVM, the tuned layers and the towers are ensembled; the ensemble's probabilities share the
probability mass the towers gave those 20, so the catalog scores stay one distribution.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd
import torch
from scipy.special import log_softmax, softmax

from emojiml.catalog import Catalog, emoji_in_text
from emojiml.checkpoint import RESTORE, CheckpointError, read_json
from emojiml.recommend.base import (
    MessageBatch,
    RankingMixin,
    as_batch,
    catalog_of_events,
    check_fitted,
    rankable_mask,
)
from emojiml.recommend.emoji_tower import EmojiTower
from emojiml.recommend.sparse_text import SparseTextClassifier
from emojiml.recommend.tuned_layers import TunedLayers, encode_with_tuned, encoder_layers

CONTENT_FILES = (
    "content.json",
    "content-sparse.json",
    "content-sparse.safetensors",
    "content-tower.json",
    "content-tower.safetensors",
    "content-tuned.json",
    "content-tuned.safetensors",
)
SHORTCODE = re.compile(r":([a-z0-9_+\-']+):")
WORD = re.compile(r"[a-z][a-z']+")
MENTION_BONUS = 1.0  # added to the probability of an emoji the message itself contains
LABEL_TEMPERATURE = 16.0  # softens the SVM-dominated ensemble logits (margins × svm_weight) into probabilities


@dataclass(frozen=True)
class EnsembleConfig:
    """How the SVM, the tuned layers and the towers are combined for the frequent emoji (tuned on TweetEval val)."""

    labels: tuple[str, ...]  # catalog keys of the classifier's classes, in class order
    svm_weight: float  # logits = svm_weight * svm margins + log_softmax(tower logits over the labels)
    bias: tuple[float, ...]  # per-class offsets for the single-label decision (tuned for macro-F1)
    centering: float = 0.5  # share of the mean message subtracted before open-catalog scoring
    label_log_prior: tuple[float, ...] = ()  # log(training pairs of each label / pairs of a typical emoji)
    prior_adjustment: float = 0.5  # share of that log prior removed in open-catalog scoring (logit adjustment)
    usage_prior: float = 0.15  # weight of log(1 + tweets using the emoji) (Emoji Sentiment Ranking counts)
    tuned_weight: float = 0.0  # ... + tuned_weight * log_softmax(tuned layers' logits)


@dataclass(frozen=True)
class EncodedMessages:
    """What one encoder pass gives the content model: sentence vectors and the tuned layers' logits."""

    vectors: np.ndarray  # (N, 384) unit length, as ``models.encode``
    tuned_logits: np.ndarray  # (N, n_labels)

    def rows(self, index: list[int]) -> EncodedMessages:
        return EncodedMessages(self.vectors[index], self.tuned_logits[index])


class ContentModel:
    """Loaded once (``emojiml.models.content_model``); scores texts given their sentence vectors."""

    def __init__(
        self,
        sparse: SparseTextClassifier,
        tower: EmojiTower,
        ensemble: EnsembleConfig,
        tuned: TunedLayers,
    ) -> None:
        self.sparse = sparse
        self.tower = tower
        self.ensemble = ensemble
        self.tuned = tuned

    @classmethod
    def load(cls, directory: Path) -> ContentModel:
        """The four parts from ``directory``; :class:`CheckpointError` naming the file that is missing or corrupt."""
        meta = read_json(directory / "content.json")
        try:
            ensemble = EnsembleConfig(
                labels=tuple(meta["labels"]),
                svm_weight=float(meta["svm_weight"]),
                bias=tuple(meta["bias"]),
                centering=float(meta["centering"]),
                label_log_prior=tuple(meta["label_log_prior"]),
                prior_adjustment=float(meta["prior_adjustment"]),
                usage_prior=float(meta["usage_prior"]),
                tuned_weight=float(meta["tuned_weight"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(f"{directory / 'content.json'} lacks {error!r}; {RESTORE}.") from error
        model = cls(
            SparseTextClassifier.load(directory / "content-sparse"),
            EmojiTower.load(directory / "content-tower"),
            ensemble,
            TunedLayers.load(directory / "content-tuned", encoder_layers()),
        )
        counts = {len(ensemble.labels), len(ensemble.bias), len(model.sparse.intercept_), model.tuned.config.n_labels}
        if len(counts) > 1:
            raise CheckpointError(f"{directory} holds content model parts with different label counts; {RESTORE}.")
        return model

    def encode(self, texts: list[str]) -> EncodedMessages:
        """One pass of the shared encoder: sentence vectors and the tuned layers' logits."""
        return EncodedMessages(*encode_with_tuned(texts, self.tuned))

    def emoji_space(self, emoji_vectors: np.ndarray) -> np.ndarray:
        """(C, D) emoji-tower embeddings of catalog description vectors."""
        with torch.no_grad():
            return self.tower.embed_emoji(torch.from_numpy(emoji_vectors)).numpy()

    def tower_logits(self, vectors: np.ndarray, emoji_space: np.ndarray, centering: float = 0.0) -> np.ndarray:
        """(N, C) scaled cosine of projected messages (N, D) to projected emoji (C, D), optionally centred.

        The product runs in torch, not numpy: OpenBLAS's thread pool makes this (1, 384) × (384, C) product
        take 12 ms instead of 0.1 ms on a busy 2-core machine.
        """
        return self._tower_logits(self.tower_messages(vectors), emoji_space, centering)

    def tower_messages(self, vectors: np.ndarray) -> torch.Tensor:
        """(N, D) projected messages, computed once for both of ``catalog_probabilities``' tower products."""
        with torch.no_grad():
            return self.tower.embed_messages(torch.from_numpy(vectors))

    def _tower_logits(self, messages: torch.Tensor, emoji_space: np.ndarray, centering: float = 0.0) -> np.ndarray:
        with torch.no_grad():
            messages = messages - centering * self.tower.message_mean
            logits = self.tower.log_scale.exp() * messages @ torch.from_numpy(emoji_space).T  # (N, C)
        return logits.numpy()

    def label_logits(self, texts: list[str], label_tower_logits: np.ndarray, tuned_logits: np.ndarray) -> np.ndarray:
        """(N, n_labels) ensemble logits over the frequent emoji (no decision bias)."""
        svm = self.ensemble.svm_weight * self.sparse.decision_function(texts)
        tuned = self.ensemble.tuned_weight * log_softmax(tuned_logits, axis=1)
        return svm + log_softmax(label_tower_logits, axis=1) + tuned

    def predict_labels(self, texts: list[str], label_tower_logits: np.ndarray, tuned_logits: np.ndarray) -> np.ndarray:
        """Single-label decision over the frequent emoji, tuned for macro-F1."""
        logits = self.label_logits(texts, label_tower_logits, tuned_logits)
        return (logits + np.array(self.ensemble.bias)).argmax(axis=1)

    def catalog_probabilities(
        self,
        texts: list[str],
        encoded: EncodedMessages,
        emoji_space: np.ndarray,
        label_columns: np.ndarray,
        pool: np.ndarray,
        usage: np.ndarray,
        calibrated: bool = False,
    ) -> np.ndarray:
        """(N, C) probabilities over the ``pool`` columns (zeros elsewhere).

        Open-catalog logits are the towers' centred similarities, minus part of the frequent labels' training
        prior (TweetEval's 45k tweets would otherwise make ❤ win "happy birthday"), plus a small usage prior
        (``usage``: log(1 + tweets using each emoji), 0 for custom emoji). The frequent labels then share the
        probability mass they got, in proportion to the half-and-half blend of their own share and the
        SVM + tower ensemble's calibrated distribution.

        ``calibrated`` (a candidate list was given): the frequent labels share their mass by the tuned decision
        rule itself, softmax(ensemble logits + per-class offsets), so the best of those labels is exactly the
        label ``predict_labels`` picks, which is what macro-F1 was tuned for.
        """
        ensemble = self.ensemble
        vectors = encoded.vectors
        messages = self.tower_messages(vectors)  # (N, D)
        # only the pool's columns: the rest (skin-tone variants, half the catalog) get probability 0 anyway
        logits = self._tower_logits(messages, emoji_space[pool], ensemble.centering)  # (N, P)
        logits = logits + ensemble.usage_prior * usage[pool]
        present = label_columns >= 0
        columns = label_columns[present]
        position = np.full(len(emoji_space), -1)
        position[pool] = np.arange(len(pool))
        at = position[columns]  # each label's place in the pool, -1 outside it
        prior = ensemble.prior_adjustment * np.array(ensemble.label_log_prior)[present]
        logits[:, at[at >= 0]] -= prior[at >= 0]
        probabilities = np.zeros((len(texts), emoji_space.shape[0]))
        probabilities[:, pool] = softmax(logits, axis=1)
        mass = probabilities[:, columns].sum(axis=1, keepdims=True)  # (N, 1)
        own_share = probabilities[:, columns] / np.maximum(mass, 1e-12)
        tower = self._tower_logits(messages, emoji_space[columns])
        label_logits = self.label_logits(texts, tower, encoded.tuned_logits)[:, present]
        if calibrated:
            offsets = np.array(ensemble.bias)[present]
            probabilities[:, columns] = mass * softmax(label_logits + offsets, axis=1)
        else:
            blended = 0.5 * own_share + 0.5 * softmax(label_logits / LABEL_TEMPERATURE, axis=1)
            probabilities[:, columns] = mass * blended
        return probabilities


class ContentRecommender(RankingMixin):
    """Scores every emoji of the workspace catalog for a message; the person does not matter."""

    reads_message = True

    def __init__(self, model: ContentModel | None = None, catalog: Catalog | None = None) -> None:
        self.model = model
        self.catalog = catalog

    def fit(self, events: pd.DataFrame) -> Self:
        """Nothing to learn from a workspace: the catalog (with its custom emoji) is taken from the events."""
        from emojiml import models

        self.model_ = self.model or models.content_model()
        self.catalog_ = self.catalog or catalog_of_events(events)
        self.rankable_ = rankable_mask(self.catalog_, np.zeros(0, dtype=np.int64))
        self.emoji_space_ = self.model_.emoji_space(models.catalog_embeddings(self.catalog_))
        labels = [self.catalog_.index_of(key) for key in self.model_.ensemble.labels]
        self.label_columns_ = np.array([-1 if i is None else i for i in labels], dtype=np.int64)
        self.pool_ = np.flatnonzero(self.rankable_)
        self.usage_ = np.log1p([entry.sentiment_occurrences for entry in self.catalog_])
        return self

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        check_fitted(self)
        if not (message or "").strip():
            return np.zeros(len(self.catalog_))
        return self.score_messages([message])[0]

    def encode(self, texts: Sequence[str], times: np.ndarray | None = None, calibrated: bool = False) -> MessageBatch:
        """A batch with this model's one encoder pass, for every source.

        The tuned layers (three more transformer layers, half the encoder's cost again) run only for a
        ``calibrated`` batch: they serve the 20-label decision; in open-catalog ranking their share is
        ``tuned_weight / LABEL_TEMPERATURE`` (under 0.1) of the frequent labels' logits, so there the plain
        encoder's vectors are used and the tuned logits count as uniform."""
        check_fitted(self)
        texts = [t or "" for t in texts]
        if not texts:
            return MessageBatch(texts, None, times, calibrated)
        filled = [t if t.strip() else " " for t in texts]
        if calibrated:
            return MessageBatch(texts, self.model_.encode(filled), times, calibrated)
        from emojiml import models

        uniform = np.zeros((len(filled), len(self.model_.ensemble.labels)), np.float32)
        return MessageBatch(texts, EncodedMessages(models.encode(filled), uniform), times, calibrated)

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray:
        """(N, n_emoji) scores for many messages at once (one encoder batch); empty messages score 0.

        A batch that carries the encoding reuses it; ``calibrated`` batches use the tuned decision rule."""
        check_fitted(self)
        batch = as_batch(messages)
        texts = [m or "" for m in batch.texts]
        scores = np.zeros((len(texts), len(self.catalog_)))
        filled = [i for i, t in enumerate(texts) if t.strip()]
        if not filled:
            return scores
        chosen = [texts[i] for i in filled]
        if batch.encoded is None:
            batch = self.encode(texts, batch.times, batch.calibrated)
        encoded = batch.encoded.rows(filled)
        scores[filled] = self.model_.catalog_probabilities(
            chosen, encoded, self.emoji_space_, self.label_columns_, self.pool_, self.usage_, batch.calibrated
        )
        for row, text in zip(filled, chosen, strict=True):
            for index in self.mentioned(text):
                scores[row, index] += MENTION_BONUS
        return scores

    def mentioned(self, message: str) -> list[int]:
        """Catalog positions of emoji written in the message, as characters or ``:shortcodes:``."""
        return list(mentioned_emoji(self.catalog_, message))

    def reason(self, index: int, user: str | None, message: str | None) -> str:
        if not (message or "").strip():
            return "no message to match"
        if index in self.mentioned(message):
            return "written in the message"
        vocabulary = entry_words(self.catalog_, index)
        word = next((w for w in WORD.findall(message.lower()) if w in vocabulary or w.rstrip("s") in vocabulary), None)
        return f"matches '{word}'" if word else "fits the message"


@functools.lru_cache(maxsize=4096)
def entry_words(catalog: Catalog, index: int) -> frozenset[str]:
    """The lower-case words of an emoji's name and keywords (what ``reason`` matches a message against); cached,
    since a batch asks for the same few hundred emoji thousands of times."""
    entry = catalog[index]
    return frozenset(w for text in (entry.name, *entry.keywords) for w in WORD.findall(text.lower()))


@functools.lru_cache(maxsize=1024)
def mentioned_emoji(catalog: Catalog, message: str) -> tuple[int, ...]:
    """Catalog positions of the emoji written in ``message`` (characters or ``:shortcodes:``), first seen first.

    Cached: ``reason`` asks once per suggestion, and emoji parsing costs about half a millisecond."""
    tokens = emoji_in_text(message) + [f":{code}:" for code in SHORTCODE.findall(message.lower())]
    found = (catalog.index_of(token) for token in tokens)
    return tuple(dict.fromkeys(i for i in found if i is not None))
