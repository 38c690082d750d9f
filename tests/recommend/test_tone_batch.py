"""Tone over a batch: the shared n-gram features and cached per-message tone give what separate reads give."""

import numpy as np
import pytest

from emojiml import models
from emojiml.recommend.hybrid import content_hybrid
from emojiml.recommend.tone import MessageTone, implied_polarity, nudged
from emojiml.text.sentiment import combine, emoji_polarity

MESSAGES = [
    "the build is broken again",
    "my dog passed away",
    "happy birthday!! 🎂",
    "we shipped the new release 🚀",
    "",
    "lunch?",
]


def test_tone_of_a_batch_matches_each_model_reading_its_own_features():
    hybrid = content_hybrid()
    batch = hybrid.encode(MESSAGES)
    tone = hybrid.tone_.of(batch)
    vader = models.vader()
    scores = [vader.polarity_scores(t) for t in MESSAGES]
    n = len(MESSAGES)
    unsure = [False, False, False, False, False, False]
    polarity = models.tone_polarity_classifier()
    # the polarity model reads its own vectors (the shared ones unless it has tuned layers)
    alone = polarity.turn_features(MESSAGES, polarity.own_vectors(MESSAGES, batch.vectors), [None] * n, [0] * n, scores)
    emoji = [emoji_polarity(t, hybrid.catalog_, vader) for t in MESSAGES]
    # its log-odds moved by the emoji the content model's towers expect for each message
    moved = nudged(polarity.probabilities(alone, "sentiment"), implied_polarity(batch.vectors))
    by_polarity = combine([s["compound"] for s in scores], None, unsure, moved, emoji)
    emotion = models.tone_emotion_classifier()
    own = emotion.turn_features(MESSAGES, batch.vectors, [None] * n, [0] * n, scores)  # the emotion model's own
    by_emotion = combine([s["compound"] for s in scores], emotion.probabilities(own, "comment"), unsure)
    expected = np.minimum([s.score for s in by_polarity], [s.score for s in by_emotion])
    expected[4] = 0.0  # the empty message
    assert np.array_equal(tone.score, expected)
    assert tone.score[0] < 0 and tone.score[1] < 0


def test_message_tone_reads_the_same_each_time():
    tone = MessageTone(np.array([-0.5, -0.1, 0.0, 0.4]))
    first = (tone.negative.copy(), tone.positive.copy())
    assert np.array_equal(tone.negative, first[0]) and np.array_equal(tone.positive, first[1])
    assert tone.negative[0] > 0 and tone.negative[1] == 0 and tone.positive[3] > 0


def test_the_tone_step_reads_polarity_and_emotion_models_without_tuned_layers():
    """Suggest's one encoder pass serves the tone step: its polarity and emotion models need no pass of their
    own (given the shared vectors, a model with tuned layers would read vectors it was not trained on)."""
    assert not models.tone_polarity_classifier().config.tuned_layers
    assert not models.tone_emotion_classifier().config.tuned_layers
    assert models.sentiment_classifier().config.tuned_layers  # the Context page's models do have them
    assert models.emotion_classifier().config.tuned_layers


def test_a_missing_tone_model_names_the_command_that_rebuilds_it(tmp_path, monkeypatch):
    from emojiml.config import settings
    from emojiml.errors import ModelUnavailableError

    monkeypatch.setenv("EMOJIML_ASSETS", str(tmp_path))
    settings.cache_clear()
    models.tone_polarity_classifier.cache_clear()
    try:
        with pytest.raises(ModelUnavailableError, match="emojiml train sentiment --out emojiml/assets/tone"):
            models.tone_polarity_classifier()
    finally:
        monkeypatch.delenv("EMOJIML_ASSETS")
        settings.cache_clear()
        models.tone_polarity_classifier.cache_clear()
