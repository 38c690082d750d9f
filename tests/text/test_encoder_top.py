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


def test_tops_of_different_depths_share_one_pass():
    bert = models.sentence_encoder()[0].auto_model
    tops = [EncoderTop(1).copy_encoder(bert).eval(), EncoderTop(2).copy_encoder(bert).eval()]
    tops[0].layers[0].output_norm.bias.data += 0.5  # the depth-1 top no longer reproduces the encoder
    vectors, (one, two) = models.encode_with_tops(TEXTS, tops)
    assert np.allclose(two, vectors, atol=1e-5)
    assert np.allclose(one, models.encode_with_tops(TEXTS, tops[:1])[1][0], atol=1e-6)
    assert not np.allclose(one, vectors, atol=1e-3)
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


@pytest.mark.skipif(not settings().data_dir.is_dir(), reason="no data folder")
def test_analysis_reads_emotion_and_act_from_one_model_with_its_own_top(analyzer):
    from emojiml.text.analyze import ContextAnalyzer, Message
    from emojiml.text.datasets import ACTS, EMOTIONS
    from emojiml.text.train import dailydialog_turns

    heads = {"dialogue": list(EMOTIONS), "comment": list(EMOTIONS), "act": list(ACTS)}
    config = ClassifierConfig(heads=heads, buckets=1 << 10, hidden=32, next_turn=True, tuned_layers=1)
    turns = dailydialog_turns("validation", config, "emotion+act", max_rows=60)
    model = fit(config, [turns], [turns], epochs=1, batch_size=16, top_learning_rate=1e-3)
    combined = ContextAnalyzer(search=analyzer.search, emotion_model=model, act_model=model)
    assert combined.act_model is model
    texts = ["the build is broken again", "can you look at it?", "sure, on it"]
    results = combined.analyze([Message(t, "c") for t in texts])
    vectors, (own,) = models.encode_with_tops(texts, [model.top.eval()])
    vader = [models.vader().polarity_scores(t) for t in texts]
    features = model.turn_features(texts, vectors, [None, 0, 1], [0, 1, 2], vader, own)
    expected = model.head_probabilities(features)
    assert np.allclose([list(r.act.scores.values()) for r in results], expected["act"], atol=1e-3)
    assert np.allclose([list(r.emotion.scores.values()) for r in results], expected["dialogue"], atol=1e-3)
    shared = model.head_probabilities(model.turn_features(texts, vectors, [None, 0, 1], [0, 1, 2], vader))
    assert not np.allclose(shared["act"], expected["act"], atol=1e-3)  # the top's vectors, not the shared ones


def test_tops_can_read_only_the_first_rows():
    # an analysis's entity and topic queries need the shared vectors only
    top = EncoderTop(1).copy_encoder(models.sentence_encoder()[0].auto_model).eval()
    top.layers[0].output_norm.bias.data += 0.5
    queries = ["build", "the main branch", "Marco", "a much longer query about the release train " * 3]
    vectors, (tuned,) = models.encode_with_tops(TEXTS + queries, [top], batch_size=4, top_rows=len(TEXTS))
    all_vectors, (every,) = models.encode_with_tops(TEXTS + queries, [top], batch_size=4)
    assert tuned.shape == (len(TEXTS), 384)
    assert np.allclose(tuned, every[: len(TEXTS)], atol=1e-6)  # the same batches (bf16 depends on them)
    assert np.allclose(vectors, all_vectors, atol=1e-6)
