"""Positive / neutral / negative with a score in [-1, 1], for chat messages including developers' work chat.

Two readers, in this order of use:

* the polarity model (``emojiml.models.sentiment_classifier()``, trained by ``emojiml train sentiment`` on
  developers' GitHub and Jira comments rated by people): it reads "the build is broken again" and "thanks, merged"
  as work chat means them. Its label is the arg-max of its three probabilities (after offsets tuned on a held-out
  part of its train split) and its score is ``P(positive) - P(negative)``;
* the documented rule below, for callers that have only VADER and emotion probabilities (and the fallback when
  no polarity model output is passed). VADER reads emoji, capitals and "!!!"; the emotion model reads context:

    polarity = P(joy) - P(anger) - P(disgust) - P(fear) - P(sadness)          (surprise counts as neither)
    score    = clip(VADER_WEIGHT * vader_compound + EMOTION_WEIGHT * polarity, -1, 1)
    label    = positive if score >= THRESHOLD, negative if score <= -THRESHOLD, else neutral

  (VADER 0.3, emotion 1.4, threshold 0.6 maximised the mean macro-F1 of DailyDialog validation turns and
  GoEmotions-Ekman dev comments, 65.9 against 52.1 for VADER alone; the constants are that rule halved.)

Messages the models were not trained on (emoji-only, non-English) are scored by VADER alone, which reads emoji
through its own lexicon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from emojiml.catalog import Catalog, emoji_in_text
from emojiml.text.datasets import EMOTION_POLARITY, EMOTIONS

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

VADER_WEIGHT = 0.15
EMOTION_WEIGHT = 0.7
THRESHOLD = 0.3
EMOJI_NUDGE = 3.0
LABELS = ("negative", "neutral", "positive")
_POLARITY = np.array([{"positive": 1.0, "negative": -1.0}.get(EMOTION_POLARITY[name], 0.0) for name in EMOTIONS])


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


def emoji_polarity(text: str, catalog: Catalog, vader: SentimentIntensityAnalyzer) -> float:
    """Mean polarity of the emoji in ``text`` (0 without any): each emoji's Emoji Sentiment Ranking prior plus
    VADER's score of the emoji alone, clipped to [-1, 1] — the priors come from tweets and miss some emoji, VADER's
    lexicon knows others ("😩" -0.64, "🙏" 0.42, "🎂" 0.61, "🚀" 0.49)."""
    values = []
    for key in emoji_in_text(text):
        index = catalog.index_of(key)
        prior = (catalog[index].sentiment if index is not None else None) or 0.0
        values.append(float(np.clip(prior + vader.polarity_scores(key)["compound"], -1.0, 1.0)))
    return float(np.mean(values)) if values else 0.0


def combine(
    vader_compound: Sequence[float],
    probabilities: np.ndarray,
    unsure: Sequence[bool] | None = None,
    polarity: np.ndarray | None = None,
    emoji: Sequence[float] | None = None,
) -> list[Sentiment]:
    """The sentiment of a batch of messages from VADER's compound scores and (B, 7) emotion probabilities, or,
    when given, the polarity model's (B, 3) negative/neutral/positive probabilities.

    ``emoji`` (B,) is each message's ``emoji_polarity``: the polarity model learnt from developers' comments, which
    hold few emoji, so the emoji's own polarity moves its log-odds by ``EMOJI_NUDGE`` per unit ("deploy failed
    again 😩" is negative). Rows marked ``unsure`` (emoji-only or non-English: the models were not trained on such
    text) are scored by VADER, or by their emoji's polarity where VADER reads nothing, with the rule's threshold.
    """
    compound = np.asarray(vader_compound, dtype=np.float64)
    emoji_score = np.zeros(len(compound)) if emoji is None else np.asarray(emoji, dtype=np.float64)
    if polarity is None:
        scores = sentiment_scores(compound, emotion_polarity(probabilities))
        labels = [label_of(float(s)) for s in scores]
    else:
        nudged = np.log(polarity + 1e-9) + EMOJI_NUDGE * emoji_score[:, None] * np.array([-1.0, 0.0, 1.0])
        polarity = np.exp(nudged) / np.exp(nudged).sum(1, keepdims=True)
        scores = polarity[:, LABELS.index("positive")] - polarity[:, LABELS.index("negative")]
        labels = [LABELS[int(k)] for k in polarity.argmax(1)]
    if unsure is not None:
        unsure = np.asarray(unsure, dtype=bool)
        scores = np.where(unsure, np.where(compound != 0, compound, emoji_score), scores)
        labels = [label_of(float(s)) if u else label for s, u, label in zip(scores, unsure, labels, strict=True)]
    return [
        Sentiment(label, round(float(s), 4), round(float(v), 4))
        for label, s, v in zip(labels, scores, compound, strict=True)
    ]
