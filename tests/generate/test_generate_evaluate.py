"""The evaluation maths on known inputs, and one full evaluation run on the tiny Noto subset."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from emojiml.generate.evaluate import (
    evaluate_generation,
    evaluation_split,
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

    probe = evaluate_generation("vae", trainer.model.eval(), judge, tiny_dataset, split="train")
    assert "TRAINING emoji" in probe.output and "TRAINING" not in report.output


def test_the_training_probe_split_takes_whole_training_emoji_and_never_held_out_ones(tiny_dataset):
    probe, reference = evaluation_split(tiny_dataset, "train")
    emoji = lambda rows: {tiny_dataset.samples[i].emoji for i in rows}  # noqa: E731
    assert emoji(probe) and not emoji(probe) & emoji(reference)  # by emoji, as the held-out split is
    assert not set(probe) & set(tiny_dataset.indices("holdout"))
    assert len(emoji(probe)) == len(emoji(tiny_dataset.indices("holdout")))
    assert np.array_equal(probe, evaluation_split(tiny_dataset, "train")[0])  # seeded: the same every time
    with pytest.raises(ValueError, match="Unknown evaluation split"):
        evaluation_split(tiny_dataset, "test")


def test_the_vae_renders_at_its_checkpoint_temperature(tiny_dataset, tmp_path):
    from dataclasses import replace

    from emojiml.generate.vae import ConditionalVAE

    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    vae = train("vae", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=1).model
    cold = ConditionalVAE(replace(vae.config, temperature=0.0)).eval()
    cold.load_state_dict(vae.state_dict())
    cond = cold.condition(torch.from_numpy(tiny_dataset.text_vectors[:2]), torch.zeros(2).long(), torch.zeros(2).long())
    with torch.no_grad():
        a, b = (cold.render(cond, torch.Generator().manual_seed(s)) for s in (0, 1))
        assert torch.equal(a, b)  # temperature 0: the prior's mean, whatever the seed
        assert not torch.equal(vae.eval().render(cond, torch.Generator().manual_seed(0)), a)
