"""A learned 2x upscaler from the models' native 64 px to the 128 px files people download.

Why learned: Lanczos from 64 px keeps edges soft and the old fix, an unsharp mask picked on the judge's
figures, is a filter tuned to the yardstick. This small residual network (ESPCN-style: a few 3x3 convs at
the input size, then a pixel shuffle) adds to a bilinear upsample what real emoji have at 128 px. It is
trained on pairs of *real training-split* emoji only: the 128 px render is the target, its area-shrunk
64 px copy (sometimes blurred a little, as a generator's output is softer than a real render) the input.
It never sees the judge, generated images or held-out emoji.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from emojiml.checkpoint import JsonConfig, load_checkpoint, save_model
from emojiml.generate.blocks import ssim_loss


@dataclass(frozen=True)
class UpscalerConfig(JsonConfig):
    scale: int = 2
    in_size: int = 64
    width: int = 16  # 16 wide, 3 deep: about 2x the generator's arithmetic per image (100 images/s target)
    depth: int = 3  # 3x3 convs between the first and the last


class Upscaler(nn.Module):
    """(B, 4, S, S) premultiplied RGBA in [-1, 1] -> (B, 4, S * scale, S * scale), premultiplied again."""

    def __init__(self, config: UpscalerConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = [nn.Conv2d(4, config.width, 3, padding=1), nn.ReLU()]
        for _ in range(config.depth):
            layers += [nn.Conv2d(config.width, config.width, 3, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(config.width, 4 * config.scale**2, 3, padding=1), nn.PixelShuffle(config.scale)]
        self.net = nn.Sequential(*layers)
        nn.init.zeros_(layers[-2].weight)  # starts as the bilinear upsample
        nn.init.zeros_(layers[-2].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(x, scale_factor=self.config.scale, mode="bilinear", align_corners=False)
        out = base + self.net(x)
        alpha = out[:, 3:].clamp(-1, 1)
        return torch.cat([torch.minimum(out[:, :3].clamp(-1, 1), alpha), alpha], dim=1)  # colour <= alpha


def degrade(hr: torch.Tensor, scale: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """A training input from a real 128 px image: area-shrunk by ``scale``, then for 60% of images a Gaussian
    blur of sigma 0.3-1.0 px (a generator draws softer edges than a real render)."""
    lr = F.avg_pool2d(hr, scale)
    b = lr.shape[0]
    sigma = torch.rand(b, generator=generator) * 0.7 + 0.3
    blur = torch.rand(b, generator=generator) < 0.6
    taps = torch.arange(-2, 3, dtype=torch.float32)
    kernel = torch.exp(-(taps[None] ** 2) / (2 * sigma[:, None] ** 2))
    kernel = (kernel / kernel.sum(1, keepdim=True)).to(lr.device, lr.dtype)  # (B, 5)
    c, s = lr.shape[1], lr.shape[-1]
    padded = F.pad(lr, (2, 2, 2, 2), mode="replicate").reshape(1, b * c, s + 4, s + 4)
    k = kernel.repeat_interleave(c, 0)  # (B*C, 5)
    out = F.conv2d(padded, k[:, None, None, :], groups=b * c)
    out = F.conv2d(out, k[:, None, :, None], groups=b * c).reshape(b, c, s, s)
    return torch.where(blur[:, None, None, None].to(lr.device), out, lr)


@dataclass(frozen=True)
class UpscalerReport:
    steps: int
    minutes: float
    train_pairs: int
    device: str


def train_upscaler(
    dataset,
    out: Path,
    minutes: float = 4.0,
    batch: int = 32,
    seed: int = 0,
    device: str = "cpu",
    max_steps: int | None = None,
    config: UpscalerConfig | None = None,
) -> UpscalerReport:
    """Fit the upscaler on the training split's (shrunk, 128 px) pairs for ``minutes``; save ``out.*``."""
    from emojiml.generate.train import premultiplied

    if dataset.hires is None:
        raise ValueError(
            "The data set has no high-resolution images: rebuild it with `emojiml build-dataset --hires 128`."
        )
    hr_size = dataset.hires.shape[1]
    config = config or UpscalerConfig(scale=2, in_size=hr_size // 2)
    if config.in_size * config.scale != hr_size:
        raise ValueError(f"A {config.scale}x upscaler from {config.in_size} px needs {hr_size} px targets.")
    torch.manual_seed(seed)
    train = np.flatnonzero(np.isin(dataset.hires_index, dataset.indices("train")))  # rows of ``hires``
    hr = premultiplied(dataset.hires[train], hr_size).to(device)
    model = Upscaler(config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    use_amp = device.startswith("cuda")
    started, steps, budget = time.monotonic(), 0, minutes * 60
    while time.monotonic() - started < budget and (max_steps is None or steps < max_steps):
        target = hr[torch.from_numpy(rng.choice(len(train), min(batch, len(train)), replace=False)).to(device)]
        lr = degrade(target, config.scale)
        for group in optimizer.param_groups:  # cosine decay over the budget: the last steps polish
            group["lr"] = 1e-3 * 0.5 * (1 + math.cos(math.pi * min(1.0, (time.monotonic() - started) / budget)))
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
            pred = model(lr).float()
        loss = F.l1_loss(pred, target) + 0.5 * ssim_loss(pred, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        steps += 1
    report = UpscalerReport(
        steps=steps,
        minutes=round((time.monotonic() - started) / 60, 1),
        train_pairs=len(train),
        device=device if device == "cpu" else f"{device} ({torch.cuda.get_device_name()})",
    )
    save_model(model, {"kind": "upscaler", "config": config.to_dict(), **asdict(report)}, out)
    return report


def load_upscaler(path: Path) -> Upscaler:
    """The upscaler saved at ``path`` (.safetensors + .json); :class:`CheckpointError` when unusable."""
    return load_checkpoint(path, "upscaler", UpscalerConfig, Upscaler)


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean PSNR (dB) over images of premultiplied RGBA in [-1, 1], measured in [0, 1] units."""
    mse = (((a - b) / 2) ** 2).mean(dim=(1, 2, 3)).clamp(min=1e-10)
    return float((10 * torch.log10(1 / mse)).mean())


def evaluate_upscaler(model: Upscaler, dataset, judge=None) -> dict:
    """The upscaler against Lanczos on held-out *real* emoji: each 128 px render shrunk to the model's input
    size and blown up again by both; PSNR and sharpness (vs the render) and, given a ``judge``, FID against
    the renders. A packed data set carries training pairs only: then nothing is measured."""
    import torch.nn.functional as F

    from emojiml.generate.evaluate import _features, frechet_distance, sharpness_ratio
    from emojiml.generate.sample import lanczos
    from emojiml.generate.train import premultiplied

    held = np.flatnonzero(np.isin(dataset.hires_index, dataset.indices("holdout")))  # rows of ``hires``
    if not len(held):
        return {"held_out_images": 0}
    size = dataset.hires.shape[1]
    hr = premultiplied(dataset.hires[held], size)
    lr = F.avg_pool2d(hr, size // model.config.in_size)
    with torch.no_grad():
        outputs = {"upscaler": torch.cat([model(chunk) for chunk in lr.split(128)]), "lanczos": lanczos(lr, size)}
    report: dict = {"held_out_images": len(held)}
    for name, x in outputs.items():
        report[f"psnr_{name}"] = round(psnr(x, hr), 3)
        report[f"sharpness_{name}"] = round(sharpness_ratio(x, hr), 3)
        if judge is not None:
            report[f"fid_{name}"] = round(frechet_distance(_features(judge, x), _features(judge, hr)), 3)
    return report
