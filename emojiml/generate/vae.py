"""Conditional VAE: encoder q(z | x, c), a *learned conditional prior* p(z | c) and the shared decoder.

Why a conditional prior: with a fixed N(0, I) prior, samples for a prompt come from regions the encoder
never used for that prompt and look like blobs; learning p(z | c) puts prior samples where that prompt's
training images live. The latent space is what the Interpolate page walks through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from emojiml.checkpoint import JsonConfig, load_checkpoint
from emojiml.generate.blocks import ConditionEncoder, ImageDecoder

NATIVE_SIZE = 64  # what the sampling pipeline (the 2x upscaler to 128 px) expects


@dataclass(frozen=True)
class VAEConfig(JsonConfig):
    styles: tuple[str, ...]
    groups: tuple[str, ...]
    size: int = 64
    z_dim: int = 32
    cond_dim: int = 128
    widths: tuple[int, ...] = (128, 64, 32, 16, 8)  # decoder, 4x4 -> size
    enc_widths: tuple[int, ...] = (16, 32, 64, 128)  # encoder, size -> 4x4
    temperature: float = 1.0  # scale of the prior's noise when sampling; chosen on training emoji, not held-out


class ImageEncoder(nn.Module):
    """(B, 4, S, S) -> (B, C * 16) features through stride-2 convs down to 4x4."""

    def __init__(self, size: int, widths: tuple[int, ...]) -> None:
        super().__init__()
        n_down = int(math.log2(size // 4))
        if len(widths) != n_down:
            raise ValueError(f"size {size} needs {n_down} encoder widths, got {len(widths)}")
        layers: list[nn.Module] = []
        c_in = 4
        for c_out in widths:
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.net = nn.Sequential(*layers)
        self.out_dim = c_in * 16

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten(1)


class ConditionalVAE(nn.Module):
    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        self.config = config
        self.condition = ConditionEncoder(len(config.styles), len(config.groups), config.cond_dim)
        self.encoder = ImageEncoder(config.size, config.enc_widths)
        self.posterior = nn.Linear(self.encoder.out_dim + config.cond_dim, 2 * config.z_dim)
        self.prior = nn.Sequential(
            nn.Linear(config.cond_dim, config.cond_dim), nn.LeakyReLU(0.2), nn.Linear(config.cond_dim, 2 * config.z_dim)
        )
        self.decoder = ImageDecoder(config.z_dim, config.cond_dim, config.size, config.widths)

    def encode(self, x: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.posterior(torch.cat([self.encoder(x), cond], dim=1)).chunk(2, dim=1)
        return mu, logvar.clamp(-8, 4)  # (B, z), (B, z)

    def prior_params(self, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.prior(cond).chunk(2, dim=1)
        return mu, logvar.clamp(-8, 4)

    def decode(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.decoder(z, cond)  # (B, 4, S, S) premultiplied RGBA in [-1, 1]

    def sample(self, cond: torch.Tensor, generator: torch.Generator | None = None, temperature: float = 1.0):
        """Samples from the learned prior at the native size; ``generator`` (a CPU generator) fixes them."""
        mu, logvar = self.prior_params(cond)
        eps = torch.randn(mu.shape, generator=generator).to(mu.device) * temperature
        return self.decode(mu + eps * (0.5 * logvar).exp(), cond)

    def render(self, cond: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The decoder's output for a seed (what ``sample.finish`` turns into 128 px files), at the
        checkpoint's sampling temperature."""
        return self.sample(cond, generator, self.config.temperature)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Reconstruction and the per-sample KL(q(z|x,c) || p(z|c)), summed over latent dims."""
        mu_q, logvar_q = self.encode(x, cond)
        mu_p, logvar_p = self.prior_params(cond)
        z = mu_q + torch.randn_like(mu_q) * (0.5 * logvar_q).exp()
        kl = 0.5 * (logvar_p - logvar_q + (logvar_q.exp() + (mu_q - mu_p) ** 2) / logvar_p.exp() - 1).sum(dim=1)
        return self.decode(z, cond), kl


def reconstruction_loss(recon: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L1 at full and half resolution: the half-resolution term rewards getting shapes right before detail."""
    return F.l1_loss(recon, target) + F.l1_loss(F.avg_pool2d(recon, 2), F.avg_pool2d(target, 2))


def load_vae(path: Path) -> ConditionalVAE:
    """The conditional VAE saved at ``path`` (.safetensors + .json); :class:`CheckpointError` when unusable."""
    return load_checkpoint(path, "vae", VAEConfig, ConditionalVAE, native_size=NATIVE_SIZE)
