"""Sentiment: the polarity model's probabilities decide when given; the documented VADER + emotion rule otherwise."""

import numpy as np

from emojiml import models
from emojiml.text.datasets import EMOTIONS
from emojiml.text.sentiment import combine


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


def test_unsure_rows_use_vader_alone():
    (result,) = combine([0.8], one_hot("neutral"), unsure=[True])
    assert result.label == "positive" and result.score == 0.8


def test_polarity_model_output_decides_label_and_score():
    polarity = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.6, 0.2]])
    results = combine([0.9, -0.9, 0.0], np.vstack([one_hot("joy")] * 3), polarity=polarity)
    assert [r.label for r in results] == ["negative", "positive", "neutral"]
    assert results[0].score == -0.6 and results[1].score == 0.5 and results[2].score == 0.0
    (unsure,) = combine([0.8], one_hot("neutral"), unsure=[True], polarity=polarity[:1])
    assert unsure.label == "positive" and unsure.score == 0.8
