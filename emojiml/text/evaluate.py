"""``emojiml evaluate context``: the shipped emotion and act models, and the sentiment rule, on a data split.

Metrics (in percent), as the published results report them:
* DailyDialog emotion: micro-F1 over the six non-neutral classes (dialogue head, previous turns as context);
* DailyDialog dialogue act: accuracy;
* GoEmotions-Ekman: macro-F1 over the 7 classes on single-label rows (comment head);
* sentiment: macro-F1 of positive/neutral/negative against DailyDialog emotion polarity, for the shipped rule,
  for VADER alone, and for the best rule a grid search finds on this split (``sentiment_best_rule_*``: on the
  validation split these are the calibration that ``emojiml.text.sentiment`` ships).
"""

from __future__ import annotations

import numpy as np

from emojiml import models
from emojiml.text.datasets import EMOTIONS
from emojiml.text.sentiment import calibrate_sentiment, emotion_polarity, label_of, sentiment_scores
from emojiml.text.train import (
    act_accuracy,
    comment_emotion_f1,
    dailydialog_turns,
    dialogue_emotion_f1,
    goemotions_comments,
)

NEGATIVE = [EMOTIONS.index(name) for name in ("anger", "disgust", "fear", "sadness")]


def dailydialog_polarity(labels: np.ndarray) -> np.ndarray:
    """-1/0/1 per turn from its emotion label; surprise (neither) is -2 and left out of sentiment metrics."""
    polarity = np.zeros(len(labels), dtype=np.int64)
    polarity[np.isin(labels, NEGATIVE)] = -1
    polarity[labels == EMOTIONS.index("joy")] = 1
    polarity[labels == EMOTIONS.index("surprise")] = -2
    return polarity


def sentiment_inputs(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """VADER compound, dialogue-head emotion probabilities and gold polarity of a DailyDialog split's turns
    (surprise turns removed): the data the sentiment rule is calibrated and scored on."""
    emotion = models.emotion_classifier()
    turns = dailydialog_turns(split, emotion.config.buckets, "emotion")
    probabilities = emotion.probabilities(turns.features, "dialogue")
    compound = turns.features.cues[:, 6].astype(np.float64)  # cue 6 is VADER's compound (features.cue_vector)
    gold = dailydialog_polarity(turns.labels)
    keep = gold > -2
    return compound[keep], probabilities[keep], gold[keep]


def evaluate_context(split: str = "validation") -> dict[str, float]:
    """All figures for one split ("validation" or, where present, "test")."""
    from sklearn.metrics import f1_score

    emotion, act = models.emotion_classifier(), models.act_classifier()
    results: dict[str, float] = {}
    dialogue = dailydialog_turns(split, emotion.config.buckets, "emotion")
    predicted = emotion.probabilities(dialogue.features, "dialogue").argmax(1)
    results["dailydialog_emotion_micro_f1"] = round(dialogue_emotion_f1(dialogue.labels, predicted), 2)
    acts = dailydialog_turns(split, act.config.buckets, "act")
    results["dailydialog_act_accuracy"] = round(
        act_accuracy(acts.labels, act.probabilities(acts.features, "act").argmax(1)), 2
    )
    comments = goemotions_comments(split, emotion.config.buckets)
    predicted = emotion.probabilities(comments.features, "comment").argmax(1)
    results["goemotions_ekman_macro_f1"] = round(comment_emotion_f1(comments.labels, predicted), 2)

    compound, probabilities, gold = sentiment_inputs(split)
    rule = np.array(
        [
            {"positive": 1, "negative": -1}.get(label_of(s), 0)
            for s in sentiment_scores(compound, emotion_polarity(probabilities))
        ]
    )
    vader_only = np.array([{"positive": 1, "negative": -1}.get(label_of(s, 0.05), 0) for s in compound])
    results["sentiment_macro_f1"] = round(100 * f1_score(gold, rule, labels=[-1, 0, 1], average="macro"), 2)
    results["sentiment_vader_only_macro_f1"] = round(
        100 * f1_score(gold, vader_only, labels=[-1, 0, 1], average="macro"), 2
    )
    calibration = calibrate_sentiment(compound, probabilities, gold)
    results["sentiment_best_rule_macro_f1"] = calibration.macro_f1
    results["sentiment_best_rule_vader_weight"] = calibration.vader_weight
    results["sentiment_best_rule_emotion_weight"] = calibration.emotion_weight
    results["sentiment_best_rule_threshold"] = calibration.threshold
    results["dailydialog_turns"] = len(dialogue.labels)
    results["goemotions_single_label_rows"] = int((comments.labels >= 0).sum())
    return results
