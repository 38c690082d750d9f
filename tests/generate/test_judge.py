"""The judge's training split and targets on the tiny Noto subset (fast: a couple of steps at most)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emojiml.generate.judge import _split, load_judge, soft_targets, train_judge


def test_validation_emoji_come_from_the_training_emoji_only(tiny_dataset):
    train, validation = _split(tiny_dataset, validation=True)
    emoji = lambda index: {tiny_dataset.samples[i].emoji for i in index}  # noqa: E731
    held = emoji(tiny_dataset.indices("holdout"))
    assert validation.size and not emoji(validation) & held and not emoji(train) & held
    assert not emoji(train) & emoji(validation)  # split by emoji: no style of a validation emoji is trained on
    assert emoji(train) | emoji(validation) == emoji(tiny_dataset.indices("train"))


def test_soft_targets_keep_most_weight_on_the_emoji_and_the_rest_on_similar_texts():
    text = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]), dim=1)
    targets = soft_targets(text)
    assert torch.allclose(targets.sum(1), torch.ones(3))
    assert targets[0, 0] > 0.6 and targets[0, 1] > 10 * targets[0, 2]  # "cow" lends to "ox", not to "rocket"


@pytest.mark.parametrize("size", [32, 64])
def test_both_judge_sizes_save_load_and_score_unit_vectors(tiny_dataset, tmp_path, size):
    report = train_judge(tiny_dataset, tmp_path / "judge", minutes=10, batch=16, max_steps=1, size=size)
    judge = load_judge(tmp_path / "judge").eval()
    assert judge.config.size == size and report.evaluated_on == "holdout" and 0 <= report.holdout_r_precision <= 1
    x = torch.zeros(3, 4, 64, 64)
    vectors = judge.text_vectors(x).detach().numpy()
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
