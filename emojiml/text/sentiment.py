"""Positive / neutral / negative with a score in [-1, 1]: VADER (rule-based, emoji-aware) plus the emotion model.

Why both: VADER reads emoji, capitals and "!!!" but knows nothing about context ("that's just great" after bad
news); the emotion model reads context but was trained on labels where most turns are neutral. The rule is

    polarity = P(joy) - P(anger) - P(disgust) - P(fear) - P(sadness)          (surprise counts as neither)
    score    = clip(VADER_WEIGHT * vader_compound + EMOTION_WEIGHT * polarity, -1, 1)
    label    = positive if score >= THRESHOLD, negative if score <= -THRESHOLD, else neutral

Calibrated by ``calibrate_sentiment()`` (run by ``emojiml evaluate context``, which prints the best rule as
``sentiment_best_rule_*``) on two validation sets whose emotion labels give a polarity — DailyDialog validation
turns (dialogue head) and GoEmotions-Ekman dev comments (comment head): joy/happiness -> positive; anger,
disgust, fear, sadness -> negative; neutral -> neutral; surprise left out. A grid search picked the weights and
threshold that maximise the mean of the two sets' macro-F1 over those three classes.
The search found VADER 0.3, emotion 1.4, threshold 0.6 (mean macro-F1 65.9 on the two validation sets, against
52.1 for VADER alone with its own best threshold); the shipped constants are the same rule halved, which gives
the same labels and keeps the score in a readable range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from emojiml.text.datasets import EMOTIONS

VADER_WEIGHT = 0.15
EMOTION_WEIGHT = 0.7
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


def combine(
    vader_compound: Sequence[float], probabilities: np.ndarray, unsure: Sequence[bool] | None = None
) -> list[Sentiment]:
    """The documented rule applied to a batch of messages.

    Rows marked ``unsure`` (emoji-only or non-English: the emotion model was not trained on such text) are scored
    by VADER alone, which reads emoji through its own lexicon, with the same threshold.
    """
    compound = np.asarray(vader_compound, dtype=np.float64)
    scores = sentiment_scores(compound, emotion_polarity(probabilities))
    if unsure is not None:
        scores = np.where(np.asarray(unsure, dtype=bool), compound, scores)
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
    """Mean over the calibration sets of the 3-class macro-F1, in percent."""
    vader_only_macro_f1: float
    rows: int


PolaritySet = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(VADER compound (B,), emotion probabilities (B, 7), gold polarity (B,) in -1/0/1) of one labelled set."""


def _macro_f1(gold: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    predicted = np.where(scores >= threshold, 1, np.where(scores <= -threshold, -1, 0))
    return 100 * f1_score(gold, predicted, labels=[-1, 0, 1], average="macro", zero_division=0)


def calibrate_sentiment(sets: Sequence[PolaritySet]) -> SentimentCalibration:
    """Grid-search the rule's weights and threshold for the mean macro-F1 over ``sets``.

    Several sets on purpose (DailyDialog turns and GoEmotions comments): DailyDialog alone is 83% neutral and
    polite, and would all but switch VADER off, although VADER is what reads emoji.
    """
    thresholds = np.arange(0.05, 0.91, 0.05)
    best = (-1.0, 0.0, 0.0, 0.0)
    for vader_weight in np.arange(0.0, 1.01, 0.1):
        for emotion_weight in np.arange(0.0, 1.51, 0.1):
            scored = [
                (gold, sentiment_scores(c, emotion_polarity(p), vader_weight, emotion_weight)) for c, p, gold in sets
            ]
            for threshold in thresholds:
                score = float(np.mean([_macro_f1(gold, scores, threshold) for gold, scores in scored]))
                if score > best[0]:
                    best = (score, vader_weight, emotion_weight, threshold)
    vader_only = max(float(np.mean([_macro_f1(gold, c, t) for c, _, gold in sets])) for t in thresholds)
    return SentimentCalibration(
        vader_weight=round(float(best[1]), 2),
        emotion_weight=round(float(best[2]), 2),
        threshold=round(float(best[3]), 2),
        macro_f1=round(best[0], 2),
        vader_only_macro_f1=round(vader_only, 2),
        rows=sum(len(gold) for _, _, gold in sets),
    )
