"""The fine-tuned top layers: one encoder pass gives the usual vectors, training learns, weights round-trip."""

from dataclasses import replace

import numpy as np
import torch

from emojiml import models
from emojiml.recommend.tuned_layers import (
    TunedLayers,
    TunedLayersConfig,
    cached_hidden,
    encode_with_tuned,
    encoder_layers,
    predict_logits,
    train_tuned_layers,
)

TEXTS = ["happy birthday!!", "ugh my flight got cancelled and I am stuck at the airport", "pizza tonight?", "ok"]


def test_shared_pass_gives_the_same_vectors_as_the_encoder():
    config = TunedLayersConfig(tuned_layers=2, n_labels=3)
    tuned = TunedLayers(encoder_layers()[-2:], config).eval()
    vectors, logits = encode_with_tuned(TEXTS, tuned, batch_size=3)
    assert np.allclose(vectors, models.encode(TEXTS), atol=1e-5)
    assert logits.shape == (len(TEXTS), 3)


def test_shared_pass_in_bf16_matches_the_encoder(monkeypatch):
    """A batch big enough for bf16: the shared pass still gives ``models.encode``'s vectors (both in bf16)."""
    from emojiml.config import settings

    texts = [f"{text} #{i}" for i in range(3) for text in TEXTS]
    assert len(texts) >= models.BF16_MIN_TEXTS
    tuned = TunedLayers(encoder_layers()[-2:], TunedLayersConfig(tuned_layers=2, n_labels=3)).eval()
    monkeypatch.setenv("EMOJIML_ENCODER_PRECISION", "bf16")
    settings.cache_clear()
    try:
        vectors = encode_with_tuned(texts, tuned)[0]
        reference = models.encode(texts)
    finally:
        monkeypatch.delenv("EMOJIML_ENCODER_PRECISION")
        settings.cache_clear()
    assert (vectors * reference).sum(axis=1).min() > 0.9999


def test_untrained_copy_of_the_top_layers_reproduces_the_encoder():
    """With the head removed, the copied layers on the cached lower state give the encoder's own vectors."""
    tuned = TunedLayers(encoder_layers()[-2:], TunedLayersConfig(tuned_layers=2)).eval()
    tuned.classifier = torch.nn.Identity()
    pooled = encode_with_tuned(TEXTS, tuned)[1]
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.allclose(pooled, models.encode(TEXTS), atol=1e-5)


def test_training_learns_a_separable_task_and_weights_round_trip(tmp_path):
    texts = ["i love you so much", "love this", "merry christmas all", "christmas tree up"] * 8
    labels = np.array([0, 0, 1, 1] * 8)
    config = TunedLayersConfig(
        tuned_layers=1, n_labels=2, epochs=3, soup_epochs=0, batch_size=8, head_learning_rate=1e-2
    )
    hidden = cached_hidden("test", texts, config, tmp_path, log=lambda _: None)
    assert hidden.lengths().min() >= 3 and len(hidden.offsets) == len(texts) + 1
    model = train_tuned_layers(hidden, labels, config, log=lambda _: None)
    logits = predict_logits(model, hidden)
    assert (logits.argmax(axis=1) == labels).mean() == 1.0
    model.save(tmp_path / "tuned")
    loaded = TunedLayers.load(tmp_path / "tuned", encoder_layers())
    assert np.allclose(predict_logits(loaded, hidden), logits, atol=0.05)  # stored as fp16
    assert not list(tmp_path.glob("*.pkl"))


def test_the_soup_is_the_average_of_its_runs_final_weights(tmp_path):
    texts = ["i love you so much", "merry christmas all", "love this", "christmas tree up"] * 4
    labels = np.array([0, 1, 0, 1] * 4)
    config = TunedLayersConfig(tuned_layers=1, n_labels=2, epochs=1, soup_epochs=2, batch_size=8)
    hidden = cached_hidden("test", texts, config, tmp_path, log=lambda _: None)
    logged: list[str] = []
    soup = train_tuned_layers(hidden, labels, config, evaluate=lambda _: 50.0, log=logged.append).state_dict()
    runs = [
        train_tuned_layers(hidden, labels, replace(config, epochs=epochs, soup_epochs=0), log=lambda _: None)
        for epochs in (1, 2)
    ]
    first, second = (run.state_dict() for run in runs)
    assert not torch.equal(first["classifier.weight"], second["classifier.weight"])
    for key, value in soup.items():
        assert torch.allclose(value, (first[key] + second[key]) / 2, atol=1e-6), key
    assert len(logged) == 3 and all("validation score 50.00" in line for line in logged)
