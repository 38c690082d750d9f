"""Conditional GAN: generator (z, condition) -> RGBA, and a spectral-norm projection discriminator.

Training (``train.py``) uses the hinge loss, DiffAugment on everything the discriminator sees, an EMA copy
of the generator (what ships), a reconstruction anchor in the style of BicycleGAN's cVAE-GAN (a small
encoder maps a real image to z and the generator must redraw it: shapes within minutes) and, against seed
collapse, per-layer noise inputs and a mode-seeking term (two seeds of one prompt must differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils import spectral_norm

from emojiml.checkpoint import JsonConfig, load_checkpoint
from emojiml.generate.blocks import ConditionEncoder, ImageDecoder

NATIVE_SIZE = 64  # what the sampling pipeline (the 2x upscaler to 128 px) expects


@dataclass(frozen=True)
class GANConfig(JsonConfig):
    styles: tuple[str, ...]
    groups: tuple[str, ...]
    size: int = 64
    z_dim: int = 64
    cond_dim: int = 128
    widths: tuple[int, ...] = (128, 64, 32, 16, 8)  # generator, 4x4 -> size
    d_widths: tuple[int, ...] = (16, 32, 64, 128)  # discriminator, size -> 4x4
    noise: bool = True  # per-layer noise inputs (``blocks.NoiseInjection``)
    prior: bool = False  # a learned conditional prior p(z | c) maps the seed's noise to z (a GAN started from the VAE)
    temperature: float = 1.0  # scale of the seed's noise when sampling; chosen on training emoji, not held-out


class Generator(nn.Module):
    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        self.config = config
        self.condition = ConditionEncoder(len(config.styles), len(config.groups), config.cond_dim)
        self.decoder = ImageDecoder(config.z_dim, config.cond_dim, config.size, config.widths, config.noise)
        self.prior = (  # the VAE's prior network, with the same parameter names, so VAE weights load as they are
            nn.Sequential(
                nn.Linear(config.cond_dim, config.cond_dim),
                nn.LeakyReLU(0.2),
                nn.Linear(config.cond_dim, 2 * config.z_dim),
            )
            if config.prior
            else None
        )

    def forward(self, z: torch.Tensor, cond: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.decoder(z, cond, generator)  # (B, 4, S, S) premultiplied RGBA in [-1, 1]

    def prior_params(self, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of p(z | c), (B, z) each: N(0, I) without a learned prior."""
        if self.prior is None:
            zeros = cond.new_zeros((cond.shape[0], self.config.z_dim))
            return zeros, zeros
        mu, logvar = self.prior(cond).chunk(2, dim=1)
        return mu, logvar.clamp(-8, 4)

    def latent(self, noise: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """The decoder's z for standard-normal ``noise`` (B, z): the noise itself, or mu(c) + sigma(c) noise."""
        if self.prior is None:
            return noise
        mu, logvar = self.prior_params(cond)
        return mu + noise * (0.5 * logvar).exp()

    def sample(self, cond: torch.Tensor, generator: torch.Generator | None = None, temperature: float = 1.0):
        """Samples at the native size; ``generator`` (a CPU generator) fixes z and the layer noise."""
        noise = torch.randn((cond.shape[0], self.config.z_dim), generator=generator).to(cond.device) * temperature
        return self(self.latent(noise, cond), cond, generator)

    def render(self, cond: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The decoder's output for a seed (what ``sample.finish`` turns into 128 px files), at the
        checkpoint's sampling temperature."""
        return self.sample(cond, generator, self.config.temperature)


class Discriminator(nn.Module):
    """Spectral-norm conv stack + projection (Miyato & Koyama 2018): score = psi(h) + <embed(c), h>."""

    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        self.condition = ConditionEncoder(len(config.styles), len(config.groups), config.cond_dim)
        layers: list[nn.Module] = []
        c_in = 4
        for c_out in config.d_widths:
            layers += [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.net = nn.Sequential(*layers)
        self.linear = spectral_norm(nn.Linear(c_in, 1))
        self.embed = spectral_norm(nn.Linear(config.cond_dim, c_in))

    def forward(self, x: torch.Tensor, text: torch.Tensor, style: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
        h = self.net(x).sum(dim=(2, 3))  # (B, C) global sum pooling
        cond = self.condition(text, style, group)
        return self.linear(h).squeeze(1) + (self.embed(cond) * h).sum(dim=1)  # (B,)


def load_generator(path: Path) -> Generator:
    """The GAN generator (EMA copy) at ``path`` (.safetensors + .json); :class:`CheckpointError` when unusable."""
    return load_checkpoint(path, "gan", GANConfig, Generator, native_size=NATIVE_SIZE)
