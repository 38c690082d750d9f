"""A task's fine-tuned copy of the encoder's top layers: a fresh copy reproduces the shared encoder, and a model
that carries one trains, saves and loads with it."""

import numpy as np
import pytest

from emojiml import models
from emojiml.config import settings
from emojiml.encoder import token_states
from emojiml.text.classifier import ClassifierConfig, ContextClassifier
from emojiml.text.datasets import POLARITIES
from emojiml.text.encoder_top import EncoderTop
from emojiml.text.train import LabelledTurns, fit, standalone_features, tuned_features

TEXTS = ["the build is broken again", "thanks, merged!", "deploy to prod failed again 😩", "ok", "LGTM " * 40]


@pytest.mark.parametrize("n_layers", [1, 2])
def test_an_untrained_copy_gives_the_encoders_own_vectors(n_layers):
    top = EncoderTop(n_layers).copy_encoder(models.sentence_encoder()[0].auto_model).eval()
    vectors, (tuned,) = models.encode_with_tops(TEXTS, [top])
    assert np.allclose(vectors, models.encode(TEXTS), atol=1e-5)
    assert np.allclose(tuned, vectors, atol=1e-5)


def test_tops_of_different_depths_are_refused_with_a_message():
    bert = models.sentence_encoder()[0].auto_model
    tops = [EncoderTop(1).copy_encoder(bert).eval(), EncoderTop(2).copy_encoder(bert).eval()]
    with pytest.raises(ValueError, match="different depths"):
        models.encode_with_tops(TEXTS, tops)
    assert models.encode_with_tops([], tops)[0].shape == (0, 384)


def test_token_states_cover_every_token():
    states = token_states(TEXTS, 1)
    assert [s.shape[1] for s in states] == [384] * len(TEXTS)
    assert len(states[3]) == 3  # [CLS] ok [SEP]
    assert len(states[1]) < len(states[4])


@pytest.mark.skipif(not settings().data_dir.is_dir(), reason="no data folder")
def test_a_model_with_tuned_layers_trains_and_round_trips(tmp_path):
    config = ClassifierConfig(heads={"sentiment": list(POLARITIES)}, buckets=1 << 10, hidden=32, tuned_layers=1)
    labels = np.array([0, 2, 0, 1, 1])
    features = standalone_features(TEXTS, models.encode(TEXTS), config)
    data = LabelledTurns(
        "sentiment", features, np.eye(3, dtype=np.float32)[labels], labels, tuple(token_states(TEXTS, 1))
    )
    model = fit(config, [data], [data], epochs=2, batch_size=4, top_learning_rate=1e-3)
    model.save(tmp_path, "sentiment")
    loaded = ContextClassifier.load(tmp_path, "sentiment")
    _, (at_run_time,) = models.encode_with_tops(TEXTS, [loaded.top.eval()])
    in_training = tuned_features(model, data).dense[:, :384]
    assert np.allclose(at_run_time, in_training, atol=2e-2)  # float16 storage
    assert not np.allclose(at_run_time, models.encode(TEXTS), atol=1e-3)  # the copy moved
