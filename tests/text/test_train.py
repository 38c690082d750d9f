"""Training on a tiny real slice runs end to end and round-trips through safetensors; the shipped models stay
above a recorded floor on a slice of DailyDialog validation."""

import numpy as np
import pytest

from emojiml import models
from emojiml.config import settings
from emojiml.text.classifier import ClassifierConfig, ContextClassifier
from emojiml.text.datasets import ACTS, EMOTIONS
from emojiml.text.features import first_turns
from emojiml.text.train import (
    act_accuracy,
    dailydialog_turns,
    dialogue_emotion_f1,
    fit,
    tune_offsets,
    tuned_features,
)

pytestmark = pytest.mark.skipif(
    not (settings().data_dir / "dailydialog" / "validation").is_dir(), reason="DailyDialog is not under EMOJIML_DATA"
)


def test_fit_a_few_steps_and_round_trip(tmp_path):
    config = ClassifierConfig(heads={"act": list(ACTS)}, buckets=1 << 10, hidden=32)
    train = dailydialog_turns("validation", config, "act", max_rows=150)
    model = fit(config, [train], [train], epochs=2, batch_size=64)
    assert model.config.offsets["act"] and "act_validation" in model.config.metrics
    model.save(tmp_path, "act")
    loaded = ContextClassifier.load(tmp_path, "act")
    before = model.probabilities(train.features, "act")
    after = loaded.probabilities(train.features, "act")
    assert np.allclose(before.sum(1), 1, atol=1e-5)
    assert np.allclose(before, after, atol=2e-2)  # float16 storage


def test_offsets_only_ever_improve_the_metric():
    log_probs = np.log(np.array([[0.6, 0.4], [0.7, 0.3], [0.2, 0.8]]))
    labels = np.array([1, 0, 1])
    offsets = tune_offsets(log_probs, labels, act_accuracy)
    assert act_accuracy(labels, (log_probs + offsets).argmax(1)) >= act_accuracy(labels, log_probs.argmax(1))


def test_next_turn_features_see_the_reply():
    config = ClassifierConfig(heads={"act": list(ACTS)}, buckets=1 << 10, hidden=32, next_turn=True)
    turns = dailydialog_turns("validation", config, "act", max_rows=40)
    assert turns.features.dense.shape[1] == 5 * 384
    first_dialogue_length = int(np.flatnonzero(turns.features.cues[:, 3])[1])  # cue 3: first turn of a dialogue
    assert np.abs(turns.features.dense[: first_dialogue_length - 1, 4 * 384 :]).sum(1).min() > 0
    assert np.abs(turns.features.dense[first_dialogue_length - 1, 4 * 384 :]).sum() == 0  # the last turn: none


def test_shipped_models_stay_above_their_floor():
    # recorded on the first 1000 validation turns (see the model cards for the full validation figures)
    act = models.act_classifier()
    turns = dailydialog_turns("validation", act.config, "act", max_rows=1000)
    features = tuned_features(act, turns)  # a model with a tuned top reads its own vectors
    # 79.46 (the model before the conversation GRU and the sentence n-grams: 78.35)
    assert act_accuracy(turns.labels, act.probabilities(features, "act").argmax(1)) >= 79
    emotion_model = models.emotion_classifier()
    emotion = dailydialog_turns("validation", emotion_model.config, "emotion", max_rows=1000)
    predicted = emotion_model.probabilities(tuned_features(emotion_model, emotion), "dialogue").argmax(1)
    assert dialogue_emotion_f1(emotion.labels, predicted) >= 42
    assert {"dialogue", "comment"} <= set(emotion_model.config.heads)
    assert emotion_model.config.heads["dialogue"] == list(EMOTIONS)


def test_one_model_learns_emotion_and_act_from_the_same_turns():
    from emojiml.text.train import _held_out

    heads = {"dialogue": list(EMOTIONS), "comment": list(EMOTIONS), "act": list(ACTS)}
    config = ClassifierConfig(heads=heads, buckets=1 << 10, hidden=32, next_turn=True)
    turns = dailydialog_turns("validation", config, "emotion+act", max_rows=150)
    assert [head for head, _, _ in turns.labelled_heads()] == ["dialogue", "act"]
    kept, held = _held_out(turns, 0.3, seed=0)
    for part in (kept, held):  # the act labels follow their rows
        assert len(part.also[0][2]) == len(part.labels) == len(part.features.cues)
    acts_of = {tuple(row): act for row, act in zip(turns.features.dense[:, :4], turns.also[0][2], strict=True)}
    assert all(acts_of[tuple(row)] == act for row, act in zip(held.features.dense[:, :4], held.also[0][2], strict=True))
    model = fit(config, [kept], [held], epochs=2, batch_size=64, class_weight_power={"act": 0.0})
    assert {"dialogue_validation", "act_validation"} <= set(model.config.metrics)
    assert set(model.config.offsets) == {"dialogue", "act"}
    assert model.config.training["class_weight_power"] == {"act": 0.0}


def test_sequence_model_reads_the_whole_conversation_and_only_it(tmp_path):
    from emojiml.text.train import _subset

    config = ClassifierConfig(heads={"act": list(ACTS)}, buckets=1 << 10, hidden=32, next_turn=True, sequence=8)
    turns = dailydialog_turns("validation", config, "act", max_rows=80)
    model = fit(config, [turns], [turns], epochs=1, batch_size=32)
    model.save(tmp_path, "act")
    assert ContextClassifier.load(tmp_path, "act").config.sequence == 8
    firsts = np.flatnonzero(first_turns(turns.features.cues))
    first, second, third = firsts[0], firsts[1], firsts[2]
    assert second - first >= 5  # the first dialogue is long enough to look beyond the neighbours
    everything = model.probabilities(turns.features, "act")
    alone = model.probabilities(_subset(turns.features, np.arange(second, third)), "act")
    assert np.allclose(alone, everything[second:third], atol=1e-6)  # other conversations do not matter
    changed = _subset(turns.features, np.arange(first, second))
    changed.dense[0] = 0.0  # the first turn says something else
    moved = model.probabilities(changed, "act")[-1] - everything[second - 1]
    assert np.abs(moved).max() > 1e-6  # ... and the last turn, four or more turns on, reads it
