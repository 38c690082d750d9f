"""Round 2 of the image models: the upscaler, the sharpness figure, noise inputs, the diversity term, the
refusal of the first release's 32 px checkpoints and CPU loading of any checkpoint."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F

from emojiml.checkpoint import CheckpointError, save_model
from emojiml.generate.evaluate import laplacian_energy, sharpness_ratio
from emojiml.generate.gan import GANConfig, Generator, load_generator
from emojiml.generate.sample import lanczos, upscale
from emojiml.generate.upscale import Upscaler, UpscalerConfig, degrade, psnr

STYLES, GROUPS = ("noto", "twemoji"), ("animals-nature", "smileys-emotion")


def _disc(size: int = 64) -> torch.Tensor:
    """A premultiplied RGBA test image: an opaque orange disc with a hard edge on a transparent canvas."""
    grid = torch.linspace(-1, 1, size)
    inside = ((grid[None] ** 2 + grid[:, None] ** 2) < 0.5).float()
    rgb = torch.stack([inside, inside * 0.6, inside * 0.1])
    return (torch.cat([rgb, inside[None]])[None] * 2 - 1).repeat(2, 1, 1, 1)


def test_untrained_upscaler_is_bilinear_and_keeps_colour_within_alpha():
    model = Upscaler(UpscalerConfig(in_size=64)).eval()
    x = _disc()
    with torch.no_grad():
        y = model(x)
    assert y.shape == (2, 4, 128, 128)
    torch.testing.assert_close(y, F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
    model.net[-2].bias.data.fill_(0.5)  # a trained model may overshoot: the output is clamped to premultiplied
    with torch.no_grad():
        y = model(x)
    assert y.min() >= -1 and y.max() <= 1 and ((y[:, :3] + 1) / 2 <= (y[:, 3:] + 1) / 2 + 1e-6).all()


def test_upscale_uses_the_upscaler_only_for_the_size_it_was_trained_for():
    model = Upscaler(UpscalerConfig(in_size=64)).eval()
    x = _disc()
    with torch.no_grad():
        assert torch.equal(upscale(x, model, 128), model(x))
        assert upscale(x, None, 128).shape == (2, 4, 128, 128)
        assert torch.equal(upscale(x, model, 64), x)  # nothing to do at the native size


def test_degrade_halves_and_sometimes_blurs_and_psnr_ranks_lanczos_above_nearest():
    hr = _disc(128)
    lr = degrade(hr, 2, torch.Generator().manual_seed(0))
    assert lr.shape == (2, 4, 64, 64)
    near = F.interpolate(F.avg_pool2d(hr, 2), scale_factor=2, mode="nearest")
    assert psnr(hr, hr) > 90
    assert psnr(lanczos(F.avg_pool2d(hr, 2), 128), hr) > psnr(near, hr) - 0.5


def test_sharpness_is_one_for_the_reference_and_falls_with_blur():
    x = _disc(128)
    assert sharpness_ratio(x, x) == pytest.approx(1.0)
    soft = lanczos(F.avg_pool2d(x, 4), 128)
    assert sharpness_ratio(soft, x) < 0.5
    assert (laplacian_energy(x) >= 0).all()


def test_noise_inputs_make_seeds_differ_and_a_seed_repeat():
    torch.manual_seed(0)
    generator = Generator(GANConfig(STYLES, GROUPS)).eval()
    for block in generator.decoder.blocks:
        block.noise.weight.data.fill_(0.5)
    cond = generator.condition(
        torch.randn(1, 384).repeat(2, 1), torch.zeros(2, dtype=torch.long), torch.zeros(2, dtype=torch.long)
    )
    with torch.no_grad():
        a = generator.render(cond, torch.Generator().manual_seed(3))
        b = generator.render(cond, torch.Generator().manual_seed(3))
    torch.testing.assert_close(a, b)
    assert (a[0] - a[1]).abs().mean() > 1e-3  # two samples of one batch (one prompt) differ


def test_diversity_term_rewards_different_seeds_up_to_its_cap(tiny_dataset, tmp_path):
    from emojiml.generate.train import GANTrainer, TrainConfig

    trainer = GANTrainer(tiny_dataset, TrainConfig(model="gan", ds_cap=0.2), tmp_path, encode=_ones)
    same = torch.zeros(4, 4, 64, 64)
    z1, z2 = torch.zeros(4, 8), torch.ones(4, 8)
    assert float(trainer.diversity(same, same, z1, z2)) == 0.0
    assert float(trainer.diversity(same, same + 1, z1, z2)) == pytest.approx(0.2)  # capped


def test_a_32px_checkpoint_is_refused_naming_its_resolution(tmp_path):
    config = GANConfig(STYLES, GROUPS, size=32, widths=(128, 64, 32, 16), d_widths=(32, 64, 128), noise=False)
    save_model(Generator(config), {"kind": "gan", "config": config.to_dict()}, tmp_path / "gan")
    with pytest.raises(CheckpointError, match="is a 32 px gan model; this version draws at 64 px"):
        load_generator(tmp_path / "gan")


def test_a_checkpoint_written_from_cuda_training_loads_on_the_cpu(tmp_path):
    config = GANConfig(STYLES, GROUPS)
    model = Generator(config)
    save_model(model, {"kind": "gan", "config": config.to_dict(), "device": "cuda (NVIDIA H200)"}, tmp_path / "gan")
    meta = json.loads((tmp_path / "gan.json").read_text())
    assert meta["device"].startswith("cuda")
    loaded = load_generator(tmp_path / "gan")
    assert all(p.device.type == "cpu" for p in loaded.parameters())
    assert loaded.config.size == 64


def _ones(texts):
    import numpy as np

    return np.ones((len(texts), 384), dtype=np.float32) / np.sqrt(384)


def test_train_on_a_missing_gpu_is_a_one_line_error(tiny_dataset, capsys):
    from emojiml.cli import main

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(["train", "gan", "--minutes", "1", "--device", "cuda", "--data", str(tiny_dataset.root)]) == 2
    assert "torch sees no CUDA device here" in capsys.readouterr().err


def test_upscaler_trains_on_training_pairs_and_is_scored_against_lanczos(tiny_dataset, tmp_path):
    from emojiml.generate.upscale import evaluate_upscaler, load_upscaler, train_upscaler

    report = train_upscaler(tiny_dataset, tmp_path / "upscaler", minutes=1, batch=4, max_steps=2)
    assert report.steps == 2 and report.train_pairs == len(tiny_dataset.indices("train"))
    scores = evaluate_upscaler(load_upscaler(tmp_path / "upscaler"), tiny_dataset)
    assert scores["held_out_images"] == len(tiny_dataset.indices("holdout"))
    assert scores["psnr_upscaler"] > 10 and scores["psnr_lanczos"] > 10
    assert 0 < scores["sharpness_lanczos"] < 1.5
