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
from emojiml.text.sentiment import PolaritySet, calibrate_sentiment, emotion_polarity, label_of, sentiment_scores
from emojiml.text.train import (
    act_accuracy,
    comment_emotion_f1,
    dailydialog_turns,
    dialogue_emotion_f1,
    goemotions_comments,
)

NEGATIVE = [EMOTIONS.index(name) for name in ("anger", "disgust", "fear", "sadness")]


def polarity_of(labels: np.ndarray) -> np.ndarray:
    """-1/0/1 per row from its emotion label; surprise (neither) and multi-label rows (-1) are -2: left out."""
    polarity = np.zeros(len(labels), dtype=np.int64)
    polarity[np.isin(labels, NEGATIVE)] = -1
    polarity[labels == EMOTIONS.index("joy")] = 1
    polarity[(labels == EMOTIONS.index("surprise")) | (labels < 0)] = -2
    return polarity


def sentiment_sets(split: str) -> dict[str, PolaritySet]:
    """(VADER compound, emotion probabilities, gold polarity) of DailyDialog turns and GoEmotions single-label
    comments of a split, surprise left out: the data the sentiment rule is calibrated and scored on."""
    emotion = models.emotion_classifier()
    sets = {}
    for name, data in (
        ("dailydialog", dailydialog_turns(split, emotion.config.buckets, "emotion")),
        ("goemotions", goemotions_comments(split, emotion.config.buckets)),
    ):
        probabilities = emotion.probabilities(data.features, data.head)
        compound = data.features.cues[:, 6].astype(np.float64)  # cue 6 is VADER's compound (features.cue_vector)
        gold = polarity_of(data.labels)
        keep = gold > -2
        sets[name] = (compound[keep], probabilities[keep], gold[keep])
    return sets


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

    sets = sentiment_sets(split)
    for name, (compound, probabilities, gold) in sets.items():
        scores = sentiment_scores(compound, emotion_polarity(probabilities))
        rule = np.array([{"positive": 1, "negative": -1}.get(label_of(s), 0) for s in scores])
        vader = np.array([{"positive": 1, "negative": -1}.get(label_of(s, 0.05), 0) for s in compound])
        results[f"sentiment_{name}_macro_f1"] = round(100 * f1_score(gold, rule, labels=[-1, 0, 1], average="macro"), 2)
        results[f"sentiment_{name}_vader_only_macro_f1"] = round(
            100 * f1_score(gold, vader, labels=[-1, 0, 1], average="macro"), 2
        )
    calibration = calibrate_sentiment(list(sets.values()))
    results["sentiment_best_rule_mean_macro_f1"] = calibration.macro_f1
    results["sentiment_vader_only_best_mean_macro_f1"] = calibration.vader_only_macro_f1
    results["sentiment_best_rule_vader_weight"] = calibration.vader_weight
    results["sentiment_best_rule_emotion_weight"] = calibration.emotion_weight
    results["sentiment_best_rule_threshold"] = calibration.threshold
    results["dailydialog_turns"] = len(dialogue.labels)
    results["goemotions_single_label_rows"] = int((comments.labels >= 0).sum())
    return results
