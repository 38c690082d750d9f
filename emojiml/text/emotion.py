"""Ekman emotion of each message, from the trained classifier in ``emojiml.models.emotion_classifier()``.

The classifier has two heads (see ``emojiml.text.train``): ``dialogue`` learnt on DailyDialog turns with their
previous turns, ``comment`` on standalone GoEmotions comments. A message with earlier turns in its conversation
is read by the dialogue head; a message on its own by the comment head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emojiml.text.datasets import EMOTIONS

UNSURE_BLEND = 0.5
"""Share of a uniform distribution mixed into the probabilities of messages the models were not trained on
(emoji-only, non-English): their output stays valid but says it is less sure."""


@dataclass(frozen=True)
class Emotion:
    label: str
    scores: dict[str, float]
    """Probability of each of the 7 classes (sums to 1)."""

    @property
    def confidence(self) -> float:
        return self.scores[self.label]


def emotions_from_probabilities(probabilities: np.ndarray, unsure: np.ndarray) -> list[Emotion]:
    """(B, 7) probabilities -> one ``Emotion`` each; rows flagged ``unsure`` are flattened towards uniform."""
    probabilities = np.where(
        unsure[:, None], (1 - UNSURE_BLEND) * probabilities + UNSURE_BLEND / len(EMOTIONS), probabilities
    )
    return [
        Emotion(EMOTIONS[int(row.argmax())], {name: round(float(p), 4) for name, p in zip(EMOTIONS, row, strict=True)})
        for row in probabilities
    ]


def neutral_emotion() -> Emotion:
    """What an empty message gets: certainly neutral."""
    return Emotion("neutral", {name: float(name == "neutral") for name in EMOTIONS})
