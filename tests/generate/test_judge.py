"""The judge's training split and targets on the tiny Noto subset (fast: a couple of steps at most)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emojiml.checkpoint import CheckpointError, save_model
from emojiml.generate.judge import (
    EmojiJudge,
    JudgeConfig,
    _ema_update,
    _split,
    join_judges,
    load_judge,
    soft_targets,
    train_judge,
)


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


def test_the_weight_average_moves_a_step_towards_the_model_and_copies_counters():
    config = JudgeConfig(("noto",), ("smileys-emotion",), widths=(8, 8, 8))
    model, averaged = EmojiJudge(config), EmojiJudge(config)
    model.backbone[0].weight.data.fill_(1.0)
    averaged.backbone[0].weight.data.fill_(0.0)
    model.backbone[1].num_batches_tracked.fill_(7)
    _ema_update(averaged, model, decay=0.9)
    assert torch.allclose(averaged.backbone[0].weight, torch.full_like(averaged.backbone[0].weight, 0.1))
    assert int(averaged.backbone[1].num_batches_tracked) == 7  # integer buffers are copied, not averaged


def test_a_judge_trained_with_an_average_ships_the_averaged_weights(tiny_dataset, tmp_path):
    weights = {}
    for ema in (0.0, 0.5):
        train_judge(tiny_dataset, tmp_path / f"j{ema}", minutes=10, batch=16, max_steps=2, ema=ema, name_weight=0.5)
        weights[ema] = load_judge(tmp_path / f"j{ema}").backbone[0].weight.detach()
    assert not torch.allclose(weights[0.0], weights[0.5])  # same seed and steps: only the average differs


def test_joined_judges_keep_the_first_ones_features_and_average_their_text_vectors(tmp_path):
    config = JudgeConfig(("noto",), ("smileys-emotion",), widths=(8, 8, 8))
    torch.manual_seed(0)
    for name in ("a", "b"):
        save_model(EmojiJudge(config), {"kind": "judge", "config": config.to_dict(), "steps": 1}, tmp_path / name)
    joined = join_judges([tmp_path / "a", tmp_path / "b"], tmp_path / "ab")
    a, b, ab = (load_judge(tmp_path / n).eval() for n in ("a", "b", "ab"))
    x = torch.rand(2, 4, 32, 32) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(ab.features(x), a.features(x))  # the FID space is the first judge's
        mean = torch.nn.functional.normalize(a.text_vectors(x) + b.text_vectors(x), dim=1)
        assert torch.allclose(ab.text_vectors(x), mean, atol=1e-6)
    assert joined.config.members == 2 and [m["steps"] for m in ab.meta["members"]] == [1, 1]
    wider = JudgeConfig(("noto",), ("smileys-emotion",), widths=(8, 8, 16))
    save_model(EmojiJudge(wider), {"kind": "judge", "config": wider.to_dict()}, tmp_path / "c")
    with pytest.raises(CheckpointError, match="one architecture"):
        join_judges([tmp_path / "a", tmp_path / "c"], tmp_path / "ac")
