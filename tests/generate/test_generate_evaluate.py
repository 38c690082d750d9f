"""The evaluation maths on known inputs, and one full evaluation run on the tiny Noto subset."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from emojiml.generate.evaluate import (
    evaluate_generation,
    frechet_distance,
    kernel_distance,
    r_precision,
    real_floor,
)
from emojiml.generate.judge import load_judge, train_judge
from emojiml.generate.train import TrainConfig, train


def test_fid_and_kid_are_zero_for_the_same_distribution_and_grow_with_a_shift():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    assert frechet_distance(a, b) < 0.3
    assert frechet_distance(a, b + 2) > 30
    assert abs(kernel_distance(a, b)) < 0.05 < kernel_distance(a, b + 2)


def test_the_real_floor_averages_draws_so_it_barely_moves_between_seeds():
    rng = np.random.default_rng(0)
    train, held = rng.normal(size=(3000, 16)), rng.normal(size=(200, 16))
    single = [real_floor(train, held, np.random.default_rng(seed), draws=1)[0] for seed in range(8)]
    averaged = [real_floor(train, held, np.random.default_rng(seed), draws=40)[0] for seed in range(8)]
    assert np.std(averaged) < np.std(single) / 3
    assert abs(np.mean(averaged) - np.mean(single)) < 2 * np.std(single)


def test_r_precision_is_one_for_perfect_and_low_for_unrelated_images():
    rng = np.random.default_rng(0)
    text = rng.normal(size=(50, 384))
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    emoji = [f"e{i}" for i in range(50)]
    assert r_precision(text, text, emoji) == 1.0
    assert r_precision(np.roll(text, 1, axis=0), text, emoji) < 0.3


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # a dozen samples: singular covariances
def test_full_evaluation_runs_on_a_tiny_subset(tiny_dataset, tmp_path):
    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    trainer = train("vae", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=2)
    train_judge(tiny_dataset, tmp_path / "judge", minutes=10, batch=16, max_steps=2)
    judge = load_judge(tmp_path / "judge")
    torch.manual_seed(0)
    report = evaluate_generation("vae", trainer.model.eval(), judge, tiny_dataset)
    assert report.n_samples == len(tiny_dataset.indices("holdout"))
    assert all(math.isfinite(v) for v in (report.fid, report.fid_floor, report.kid, report.diversity))
    assert 0 <= report.r_precision <= 1 and 0 <= report.memorised_share <= 1
