"""The encoder's precision setting: bf16 autocast keeps the vectors of fp32, and a bad value is a clear error."""

import numpy as np
import pytest

from emojiml import models
from emojiml.config import settings
from emojiml.encoder import tokenized

TEXTS = [
    "happy birthday!!",
    "pizza tonight?",
    "ugh my flight got cancelled",
    "we shipped it 🚀",
    "ok",
    "the build is red again",
    "congrats on the new job, so proud of you",
    "coffee first",
    "who broke main",
    "see you all at the offsite next week",
]


@pytest.fixture
def precision(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv("EMOJIML_ENCODER_PRECISION", value)
        settings.cache_clear()

    yield use
    monkeypatch.delenv("EMOJIML_ENCODER_PRECISION", raising=False)
    settings.cache_clear()


def test_bf16_vectors_match_fp32(precision):
    precision("fp32")
    assert models.encoder_precision() == "fp32"
    full = models.encode(TEXTS)
    precision("bf16")
    assert models.encoder_precision() == "bf16"
    assert len(TEXTS) >= models.BF16_MIN_TEXTS  # so the call below really runs in bf16
    half = models.encode(TEXTS)
    assert half.dtype == np.float32 and half.shape == full.shape
    assert np.allclose(np.linalg.norm(half, axis=1), 1.0, atol=1e-4)
    assert (half * full).sum(axis=1).min() > 0.9995


def test_auto_resolves_to_a_concrete_precision(precision):
    precision("auto")
    assert models.encoder_precision() in ("bf16", "fp32")


def test_unknown_precision_names_the_choices(precision):
    precision("fp8")
    with pytest.raises(ValueError, match="EMOJIML_ENCODER_PRECISION='fp8' is not one of auto, fp32, bf16"):
        settings()


def test_a_few_texts_stay_in_fp32(precision):
    """Casting the weights costs more than bf16 saves on one message, so small calls never autocast."""
    import torch

    precision("bf16")
    with models.encoder_autocast(1):
        assert not torch.is_autocast_enabled("cpu")
    with models.encoder_autocast(models.BF16_MIN_TEXTS):
        assert torch.is_autocast_enabled("cpu") == (models.encoder_precision() == "bf16")


def test_batches_in_token_order_keep_each_text_in_its_row(precision):
    """Texts are batched by token count; every vector must still come back in its own text's row."""
    precision("fp32")
    texts = [f"{text} {'#tag ' * (i % 4)}" for i, text in enumerate(TEXTS * 3)]
    one_by_one = np.concatenate([models.encode([text]) for text in texts])
    batched = models.encode(texts, batch_size=4)
    assert (one_by_one * batched).sum(axis=1).min() > 0.9999
    order = models.batch_order(texts, batch_size=4)
    counts = [len(models.sentence_encoder().tokenizer(texts[i])["input_ids"]) for i in order]
    assert counts == sorted(counts, reverse=True) and sorted(order) == list(range(len(texts)))
    counted = tokenized(texts)["attention_mask"].sum(dim=1).numpy()  # what the tuned pass already has
    assert list(models.batch_order(texts, batch_size=4, token_counts=counted)) == list(order)
    assert list(models.batch_order(texts[:4], batch_size=4)) == [0, 1, 2, 3]  # one batch: kept as given
