"""A few real training steps on the tiny Noto subset: shapes, alpha, checkpoints, resume, loaders."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from emojiml.checkpoint import CheckpointError
from emojiml.generate.gan import load_generator
from emojiml.generate.train import TrainConfig, train
from emojiml.generate.vae import load_vae


@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_a_few_steps_train_save_and_resume(kind, tiny_dataset, tmp_path):
    config = TrainConfig(model=kind, batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    trainer = train(kind, tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=2)
    assert trainer.step_count == 2
    assert (tmp_path / "samples" / f"{kind}-000002.png").exists()
    resumed = train(kind, tiny_dataset.root, tmp_path, minutes=10, resume=True, progress=False, max_steps=3)
    assert resumed.step_count == 3
    assert resumed.budget_seconds == 600
    assert json.loads((tmp_path / f"{kind}.json").read_text())["steps"] == 3

    model = (load_generator if kind == "gan" else load_vae)(tmp_path / kind)
    cond = model.condition(
        torch.from_numpy(tiny_dataset.text_vectors[:4]),
        torch.zeros(4, dtype=torch.long),
        torch.zeros(4, dtype=torch.long),
    )
    with torch.no_grad():
        x = model.sample(cond, torch.Generator().manual_seed(0))
    assert x.shape == (4, 4, 64, 64)
    assert x.min() >= -1 and x.max() <= 1
    rgb, alpha = (x[:, :3] + 1) / 2, (x[:, 3:] + 1) / 2
    assert (rgb <= alpha + 1e-5).all()  # premultiplied: no colour where nothing is drawn


def test_corrupt_or_mismatched_checkpoint_is_a_clear_error(tiny_dataset, tmp_path):
    config = TrainConfig(model="gan", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("gan", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=1)
    meta = json.loads((tmp_path / "gan.json").read_text())
    meta["config"]["widths"] = [64, 32, 16, 8, 4]
    (tmp_path / "gan.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="does not match its config"):
        load_generator(tmp_path / "gan")
    (tmp_path / "gan.safetensors").write_bytes(b"\x80\x04 not a safetensors file")
    with pytest.raises(CheckpointError, match="not a readable safetensors"):
        load_generator(tmp_path / "gan")
    with pytest.raises(CheckpointError, match="not a vae checkpoint"):
        load_vae(tmp_path / "gan")


def test_anchor_weight_holds_then_falls_linearly_over_the_second_half(tiny_dataset, tmp_path):
    from emojiml.generate.data import load_dataset
    from emojiml.generate.train import GANTrainer

    config = TrainConfig(model="gan", rec_weight=5.0, rec_final_weight=1.0)
    trainer = GANTrainer(load_dataset(tiny_dataset.root), config, tmp_path, encode=_fake_encode)
    trainer.budget_seconds = 100.0
    weights = []
    for seconds in (0, 50, 75, 100, 130):
        trainer.trained_seconds = seconds
        weights.append(trainer.anchor_weight())
    assert weights == pytest.approx([5.0, 5.0, 3.0, 1.0, 1.0])


def _fake_encode(texts):
    import numpy as np

    return np.ones((len(texts), 384), dtype=np.float32)


def test_resuming_with_another_budget_warns_that_the_schedule_moves(tiny_dataset, tmp_path, caplog):
    config = TrainConfig(model="gan", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("gan", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=1)
    with caplog.at_level("WARNING", logger="emojiml.generate.train"):
        resumed = train("gan", tiny_dataset.root, tmp_path, minutes=20, resume=True, progress=False, max_steps=2)
    assert resumed.budget_seconds == 1200
    assert "20-minute budget instead of 10" in caplog.text


def test_a_config_the_architecture_cannot_be_built_from_is_a_clear_error(tiny_dataset, tmp_path):
    config = TrainConfig(model="gan", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("gan", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=1)
    meta = json.loads((tmp_path / "gan.json").read_text())
    meta["config"]["widths"] = [64, 32]  # too few for 64 px
    (tmp_path / "gan.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="has an invalid config"):
        load_generator(tmp_path / "gan")


@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_init_from_an_exported_checkpoint_starts_from_its_weights_and_records_it(kind, tiny_dataset, tmp_path):
    config = TrainConfig(model=kind, batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    first = train(kind, tiny_dataset.root, tmp_path / "a", minutes=10, config=config, progress=False, max_steps=2)
    exported = tmp_path / "a" / kind
    start = (load_generator if kind == "gan" else load_vae)(exported).state_dict()
    warm = train(
        kind, tiny_dataset.root, tmp_path / "b", 10, config=config, progress=False, max_steps=0, init_from=exported
    )
    own = (warm.ema if kind == "gan" else warm.model).state_dict()
    assert all(torch.equal(own[k], v) for k, v in start.items())  # no steps: exactly the exported weights
    assert warm.step_count == 0 and first.step_count == 2
    if kind == "vae":
        assert warm.config.kl_warmup_steps == 0  # the exported model is past its KL warm-up
        train(
            kind,
            tiny_dataset.root,
            tmp_path / "c",
            10,
            config=replace(config, temperature=1.3),
            max_steps=0,
            progress=False,
            init_from=exported,
        )  # a sampling temperature is no architecture change: it may differ from the start's
        assert load_vae(tmp_path / "c" / "vae").config.temperature == 1.3
    warm = train(kind, tiny_dataset.root, tmp_path / "b", 10, resume=True, progress=False, max_steps=1)
    meta = json.loads((tmp_path / "b" / f"{kind}.json").read_text())
    assert meta["steps"] == 1  # this run's steps; the start's are recorded beside them
    assert meta["initialised_from"]["steps"] == 2 and meta["initialised_from"]["path"] == kind


def test_init_from_a_checkpoint_of_another_config_or_kind_is_a_clear_error(tiny_dataset, tmp_path):
    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("vae", tiny_dataset.root, tmp_path / "a", minutes=10, config=config, progress=False, max_steps=1)
    meta = json.loads((tmp_path / "a" / "vae.json").read_text())
    meta["config"]["styles"] = ["twemoji"]  # same shapes, another meaning: style 0 was Noto here
    (tmp_path / "a" / "vae.json").write_text(json.dumps(meta))
    start = tmp_path / "a" / "vae"
    with pytest.raises(CheckpointError, match=r"another vae config \(styles differ"):
        train("vae", tiny_dataset.root, tmp_path / "b", 10, config=config, max_steps=0, init_from=start)
    with pytest.raises(CheckpointError, match=r"starts from a VAE only .*styles differ"):
        train("gan", tiny_dataset.root, tmp_path / "c", 10, max_steps=0, init_from=start)
    with pytest.raises(ValueError, match="pass one of them"):
        train("vae", tiny_dataset.root, tmp_path / "a", 10, resume=True, init_from=start)


def test_a_gan_started_from_a_vae_draws_what_the_vae_draws_until_it_trains(tiny_dataset, tmp_path):
    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("vae", tiny_dataset.root, tmp_path / "a", minutes=10, config=config, progress=False, max_steps=2)
    vae = load_vae(tmp_path / "a" / "vae").eval()
    gan_config = TrainConfig(model="gan", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    warm = train(
        "gan",
        tiny_dataset.root,
        tmp_path / "b",
        10,
        config=gan_config,
        progress=False,
        max_steps=0,
        init_from=tmp_path / "a" / "vae",
    )
    generator = load_generator(tmp_path / "b" / "gan").eval()
    assert generator.config.prior and generator.config.z_dim == vae.config.z_dim
    assert warm.config.d_warmup_steps > 0  # a fresh discriminator must not steer the VAE's decoder at once
    cond = vae.condition(torch.randn(3, 384), torch.tensor([0, 0, 0]), torch.tensor([0, 0, 0]))
    with torch.no_grad():
        expected = vae.sample(cond, torch.Generator().manual_seed(5))
        drawn = generator.sample(cond, torch.Generator().manual_seed(5))  # noise inputs start at zero
    assert torch.allclose(drawn, expected, atol=1e-6)
    assert torch.equal(warm.encoder.state_dict()["net.0.weight"], vae.encoder.state_dict()["net.0.weight"])
    trained = train("gan", tiny_dataset.root, tmp_path / "b", 10, resume=True, progress=False, max_steps=2)
    assert trained.step_count == 2 and trained.generator.prior is not None  # the anchor's KL uses the prior


def test_text_jitter_keeps_vectors_unit_and_moves_them_by_about_the_length_asked():
    from emojiml.generate.train import jitter_text

    text = torch.nn.functional.normalize(torch.randn(256, 384), dim=1)
    moved = jitter_text(text, 0.4)
    assert torch.allclose(moved.norm(dim=1), torch.ones(256), atol=1e-5)
    cos = (moved * text).sum(1).mean().item()
    assert abs(cos - 1 / (1 + 0.4**2) ** 0.5) < 0.02  # noise of length 0.4, orthogonal in high dimension
    assert torch.allclose(jitter_text(text, 0.0), text, atol=1e-6)


def test_kept_checkpoints_are_written_at_the_first_kept_step_and_every_doubling(tiny_dataset, tmp_path):
    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9, keep_from_step=2)
    train("vae", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=9)
    kept = sorted(p.name for p in (tmp_path / "kept").glob("*.json"))
    assert kept == ["vae-000002.json", "vae-000004.json", "vae-000008.json"]
    assert json.loads((tmp_path / "kept" / "vae-000004.json").read_text())["steps"] == 4
    assert load_vae(tmp_path / "kept" / "vae-000008").config.size == 64


def test_no_checkpoints_are_kept_unless_asked(tiny_dataset, tmp_path):
    config = TrainConfig(model="vae", batch=8, sample_every_s=1e9, checkpoint_every_s=1e9)
    train("vae", tiny_dataset.root, tmp_path, minutes=10, config=config, progress=False, max_steps=2)
    assert not (tmp_path / "kept").exists()
