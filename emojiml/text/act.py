"""Dialogue act of each message (DailyDialog's four), from ``emojiml.models.act_classifier()``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emojiml.text.datasets import ACTS


@dataclass(frozen=True)
class Act:
    label: str
    """inform, question, directive or commissive."""
    scores: dict[str, float]


def acts_from_probabilities(probabilities: np.ndarray) -> list[Act]:
    """(B, 4) probabilities -> one ``Act`` each."""
    return [
        Act(ACTS[int(row.argmax())], {name: round(float(p), 4) for name, p in zip(ACTS, row, strict=True)})
        for row in probabilities
    ]
