"""A learned blend of the hybrid's sources, fitted per workspace on a validation part of its own history.

Why learned, not a weighted sum: the reaction model alone beat every 0.2-step mix of the five sources on
r-contributors, because a weighted sum of min-max scores cannot say "trust the reaction model, unless the person's
own habit or a near-identical earlier message says otherwise". A small gradient-boosted classifier
(scikit-learn ``HistGradientBoostingClassifier``) over a few features per (message, emoji) can: each source's
normalised score and reciprocal rank, how often the person used the emoji, whether the message wrote it, the
tone terms (a negative message × a cheerful emoji, ...), so tone and the echo are learned too, not added on top, and
how far the message raises the emoji over its usual rate in this workspace (the reaction model's score less its
log-frequency bias): a normalised score cannot tell 🎉 on "happy birthday!!" from a habitual 👍, this can.

Only the *candidates* are scored by the blend (each source's top ``TOP_K``, the person's own top ``TOP_K`` and the
emoji written in the message): they hold nearly every reaction, the classifier sees hard negatives, and scoring
stays cheap at any catalog size. Everything else ranks below them, in the weighted mix's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

TOP_K = 30
FEATURES_PER_SOURCE = ("score", "reciprocal rank")
EXTRA_FEATURES = (
    "own use",
    "used before",
    "written in the message",
    "negative × cheerful",
    "positive × sad",
    "negative × sad",
    "message specificity",
)


@dataclass(frozen=True)
class BlendInputs:
    """What the blend reads for a batch of N messages over the catalog (n_emoji columns)."""

    normalized: Mapping[str, np.ndarray]  # source -> (N, n_emoji) min-max scores over the pool
    raw: Mapping[str, np.ndarray]  # source -> (N, n_emoji) the sources' own scores (for ranks)
    own: np.ndarray  # (N, n_emoji) how often the asking person used each emoji
    echo: np.ndarray  # (N, n_emoji) 1 where the message writes the emoji
    negative: np.ndarray  # (N,) how negative each message reads, in [0, 1]
    positive: np.ndarray  # (N,)
    positivity: np.ndarray  # (n_emoji,) each emoji's positivity in [-1, 1]
    minds: np.ndarray  # (n_emoji,) how much this workspace minds the emoji on bad news, in [0, 1]
    specific: np.ndarray | None = None  # (N, n_emoji) how far the message raises each emoji over its usual rate


def candidates(inputs: BlendInputs, pool: np.ndarray, top_k: int = TOP_K) -> np.ndarray:
    """(N, n_emoji) bool: each source's top ``top_k`` over the pool, the person's own top ``top_k``, echoes."""
    chosen = inputs.echo > 0
    for matrix in (*inputs.raw.values(), inputs.own):
        view = matrix[:, pool]
        k = min(top_k, pool.size)
        if k == 0:
            continue
        top = np.argpartition(-view, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(view.shape[0]), k)
        positive = view[rows, top.ravel()] > 0 if matrix is inputs.own else np.ones(rows.size, dtype=bool)
        chosen[rows[positive], pool[top.ravel()[positive]]] = True
    return chosen


def features(
    inputs: BlendInputs, rows: np.ndarray, columns: np.ndarray, sources: Sequence[str], pool: np.ndarray
) -> np.ndarray:
    """(n_pairs, n_features) for the (message row, emoji column) pairs, ``rows`` sorted ascending."""
    out = []
    starts = np.searchsorted(rows, np.arange(len(inputs.own) + 1))
    for name in sources:
        raw = inputs.raw[name]
        ordered = np.sort(raw[:, pool], axis=1)  # (N, n_pool) ascending
        above = np.empty(rows.size)  # how many pool emoji of the row score strictly higher
        for row in np.flatnonzero(np.diff(starts)):
            part = slice(starts[row], starts[row + 1])
            above[part] = pool.size - np.searchsorted(ordered[row], raw[row, columns[part]], side="right")
        out += [inputs.normalized[name][rows, columns], 1.0 / (1.0 + above)]
    own = np.log1p(inputs.own)
    own_max = np.maximum(own.max(axis=1), 1e-9)
    cheer = np.maximum(inputs.positivity, 0.0)[columns]
    sad = np.maximum(-inputs.positivity, 0.0)[columns]
    negative, positive = inputs.negative[rows], inputs.positive[rows]
    out += [
        own[rows, columns] / own_max[rows],
        (inputs.own[rows, columns] > 0).astype(np.float64),
        inputs.echo[rows, columns],
        negative * cheer * inputs.minds[columns],
        positive * sad,
        negative * sad,
        np.zeros(rows.size) if inputs.specific is None else inputs.specific[rows, columns],
    ]
    return np.stack(out, axis=1)


class LearnedBlend:
    """fit(inputs, relevant, pool) learns which candidates get reactions; ``score`` ranks a batch."""

    def __init__(self, sources: Sequence[str], max_iter: int = 200, random_state: int = 0) -> None:
        self.sources = tuple(sources)
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, inputs: BlendInputs, relevant: np.ndarray, pool: np.ndarray) -> Self:
        """``relevant``: (N, n_emoji) 1 where the validation message got that emoji from that person."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        rows, columns = np.nonzero(candidates(inputs, pool))
        labels = relevant[rows, columns] > 0
        self.model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=0.05,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=self.random_state,
        )
        if labels.all() or not labels.any():
            raise ValueError("The blend needs both reacted and unreacted candidates.")
        self.model_.fit(features(inputs, rows, columns, self.sources, pool), labels)
        return self

    def score(self, inputs: BlendInputs, pool: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        """(N, n_emoji): the probability of a reaction for candidates; everything else below every candidate
        (``fallback - 3``, ``fallback`` being the weighted mix with tone and echo, which stays within [-1, 2])."""
        scores = fallback - 3.0
        rows, columns = np.nonzero(candidates(inputs, pool))
        if rows.size:
            scores[rows, columns] = self.model_.predict_proba(features(inputs, rows, columns, self.sources, pool))[:, 1]
        return scores
