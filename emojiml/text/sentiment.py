"""Positive / neutral / negative with a score in [-1, 1]: VADER (rule-based, emoji-aware) plus the emotion model.

Why both: VADER reads emoji, capitals and "!!!" but knows nothing about context ("that's just great" after bad
news); the emotion model reads context but was trained on labels where most turns are neutral. The rule is

    polarity = P(joy) - P(anger) - P(disgust) - P(fear) - P(sadness)          (surprise counts as neither)
    score    = clip(VADER_WEIGHT * vader_compound + EMOTION_WEIGHT * polarity, -1, 1)
    label    = positive if score >= THRESHOLD, negative if score <= -THRESHOLD, else neutral

Calibrated by ``calibrate_sentiment()`` (run by ``emojiml evaluate context``, which prints the best rule as
``sentiment_best_rule_*``) on DailyDialog validation turns, whose emotion labels give a polarity: happiness ->
positive; anger, disgust, fear, sadness -> negative; no emotion -> neutral (surprise turns are left out). A grid
search picked the weights and threshold that maximise macro-F1 over those three classes.
CALIBRATION_NOTE
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from emojiml.text.datasets import EMOTIONS

VADER_WEIGHT = 0.6
EMOTION_WEIGHT = 0.8
THRESHOLD = 0.3
LABELS = ("negative", "neutral", "positive")
_POLARITY = np.array([{"joy": 1.0, "neutral": 0.0, "surprise": 0.0}.get(name, -1.0) for name in EMOTIONS])


@dataclass(frozen=True)
class Sentiment:
    label: str
    score: float
    """In [-1, 1]; negative below zero."""
    vader: float
    """VADER's compound score alone, kept to explain the result."""


def emotion_polarity(probabilities: np.ndarray) -> np.ndarray:
    """(B, 7) emotion probabilities -> (B,) P(joy) minus the negative emotions' probability."""
    return probabilities @ _POLARITY


def sentiment_scores(
    vader_compound: np.ndarray,
    polarity: np.ndarray,
    vader_weight: float = VADER_WEIGHT,
    emotion_weight: float = EMOTION_WEIGHT,
) -> np.ndarray:
    return np.clip(vader_weight * vader_compound + emotion_weight * polarity, -1.0, 1.0)


def label_of(score: float, threshold: float = THRESHOLD) -> str:
    return "positive" if score >= threshold else "negative" if score <= -threshold else "neutral"


def combine(vader_compound: Sequence[float], probabilities: np.ndarray) -> list[Sentiment]:
    """The documented rule applied to a batch of messages."""
    compound = np.asarray(vader_compound, dtype=np.float64)
    scores = sentiment_scores(compound, emotion_polarity(probabilities))
    return [
        Sentiment(label_of(float(s)), round(float(s), 4), round(float(v), 4))
        for s, v in zip(scores, compound, strict=True)
    ]


@dataclass(frozen=True)
class SentimentCalibration:
    vader_weight: float
    emotion_weight: float
    threshold: float
    macro_f1: float
    vader_only_macro_f1: float
    rows: int


def calibrate_sentiment(
    vader_compound: np.ndarray, probabilities: np.ndarray, gold: np.ndarray
) -> SentimentCalibration:
    """Grid-search the rule's weights and threshold for macro-F1; ``gold`` holds -1/0/1 polarity per row."""
    polarity = emotion_polarity(probabilities)

    def macro_f1(scores: np.ndarray, threshold: float) -> float:
        predicted = np.where(scores >= threshold, 1, np.where(scores <= -threshold, -1, 0))
        return 100 * f1_score(gold, predicted, labels=[-1, 0, 1], average="macro", zero_division=0)

    best = (-1.0, 0.0, 0.0, 0.0)
    for vader_weight in np.arange(0.0, 1.01, 0.1):
        for emotion_weight in np.arange(0.0, 1.51, 0.1):
            scores = sentiment_scores(vader_compound, polarity, vader_weight, emotion_weight)
            for threshold in np.arange(0.05, 0.71, 0.05):
                score = macro_f1(scores, threshold)
                if score > best[0]:
                    best = (score, vader_weight, emotion_weight, threshold)
    vader_only = max(macro_f1(vader_compound, t) for t in np.arange(0.05, 0.71, 0.05))
    return SentimentCalibration(
        vader_weight=round(float(best[1]), 2),
        emotion_weight=round(float(best[2]), 2),
        threshold=round(float(best[3]), 2),
        macro_f1=round(best[0], 2),
        vader_only_macro_f1=round(vader_only, 2),
        rows=len(gold),
    )
