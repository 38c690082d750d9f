"""The documented sentiment rule: VADER and the emotion polarity both move the score, within [-1, 1]."""

import numpy as np

from emojiml import models
from emojiml.text.datasets import EMOTIONS
from emojiml.text.sentiment import calibrate_sentiment, combine


def one_hot(name):
    return np.eye(len(EMOTIONS))[[EMOTIONS.index(name)]]


def test_emotion_moves_a_neutral_vader_score():
    assert combine([0.0], one_hot("joy"))[0].label == "positive"
    assert combine([0.0], one_hot("sadness"))[0].label == "negative"
    assert combine([0.0], one_hot("neutral"))[0].label == "neutral"


def test_vader_reads_emoji_and_scores_stay_bounded():
    compound = models.vader().polarity_scores("🎉😍")["compound"]
    assert compound > 0.5
    strongest, weakest = combine([1.0, -1.0], np.vstack([one_hot("joy"), one_hot("anger")]))
    assert 0 < strongest.score <= 1 and strongest.label == "positive"
    assert -1 <= weakest.score < 0 and weakest.label == "negative"


def test_calibration_finds_a_rule_at_least_as_good_as_vader_alone():
    rng = np.random.default_rng(0)
    gold = rng.integers(-1, 2, 300)
    compound = np.clip(gold * 0.5 + rng.normal(0, 0.5, 300), -1, 1)
    probabilities = np.where(
        (gold == 1)[:, None], one_hot("joy"), np.where((gold == -1)[:, None], one_hot("anger"), one_hot("neutral"))
    )
    result = calibrate_sentiment([(compound, probabilities, gold)])
    assert result.macro_f1 >= result.vader_only_macro_f1
    assert result.emotion_weight > 0


def test_unsure_rows_use_vader_alone():
    (result,) = combine([0.8], one_hot("neutral"), unsure=[True])
    assert result.label == "positive" and result.score == 0.8
