"""Building blocks the GAN and the VAE share: the condition encoder, conditional batch norm, the
upsampling decoder that turns (z, condition) into a premultiplied RGBA image, and DiffAugment.

Why a shared decoder: both models answer the same question (an image for a prompt, a style and a group)
and differ in how they are trained, not in what they draw; one decoder keeps them comparable.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import nn

TEXT_DIM = 384


class ConditionEncoder(nn.Module):
    """(text vector, style id, group id) -> one condition vector (B, cond_dim).

    The text vector is the sentence embedding of the emoji's name + keywords (any prompt at sampling time).
    """

    def __init__(self, n_styles: int, n_groups: int, cond_dim: int = 128) -> None:
        super().__init__()
        self.text = nn.Sequential(nn.Linear(TEXT_DIM, cond_dim), nn.LeakyReLU(0.2), nn.Linear(cond_dim, cond_dim))
        self.style = nn.Embedding(n_styles, cond_dim)
        self.group = nn.Embedding(n_groups, cond_dim)

    def forward(self, text: torch.Tensor, style: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
        return self.text(text) + self.style(style) + self.group(group)  # (B, cond_dim)


class ConditionalBatchNorm(nn.Module):
    """BatchNorm whose scale and shift come from the condition: the cheapest strong way to condition a decoder."""

    def __init__(self, channels: int, cond_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.scale = nn.Linear(cond_dim, channels)
        self.shift = nn.Linear(cond_dim, channels)
        nn.init.zeros_(self.scale.weight)
        nn.init.zeros_(self.scale.bias)
        nn.init.zeros_(self.shift.weight)
        nn.init.zeros_(self.shift.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        gamma = 1 + self.scale(cond)[:, :, None, None]
        beta = self.shift(cond)[:, :, None, None]
        return self.norm(x) * gamma + beta


class NoiseInjection(nn.Module):
    """Adds per-pixel Gaussian noise scaled by a learned per-channel weight (StyleGAN's noise inputs).

    Why: with z entering only at 4x4, the GAN learned to ignore it (four seeds of a prompt drew the same
    blob); fresh noise at every resolution gives the generator randomness it cannot route around. The
    weights start at zero, so a model starts as if it had none.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        b, _, h, w = x.shape
        if generator is None:
            noise = torch.randn((b, 1, h, w), device=x.device, dtype=x.dtype)
        else:  # a seeded CPU generator: the same seed gives the same image on any device
            noise = torch.randn((b, 1, h, w), generator=generator).to(x.device, x.dtype)
        return x + self.weight * noise


class UpBlock(nn.Module):
    """Conditional norm, ReLU, nearest-neighbour x2, one 3x3 conv (+ noise): cheap on a CPU, no checkerboards."""

    def __init__(self, c_in: int, c_out: int, cond_dim: int, noise: bool = False) -> None:
        super().__init__()
        self.norm = ConditionalBatchNorm(c_in, cond_dim)
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.noise = NoiseInjection(c_out) if noise else None

    def forward(self, x: torch.Tensor, cond: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        x = self.conv(F.interpolate(F.relu(self.norm(x, cond)), scale_factor=2, mode="nearest"))
        return x if self.noise is None else self.noise(x, generator)


class ImageDecoder(nn.Module):
    """(z, cond) -> premultiplied RGBA in [-1, 1], (B, 4, S, S).

    The head predicts straight colour and alpha and premultiplies them, so a transparent pixel is always
    (0, 0, 0, 0): the model never has to learn to keep the background clean.
    """

    def __init__(self, z_dim: int, cond_dim: int, size: int, widths: tuple[int, ...], noise: bool = False) -> None:
        super().__init__()
        n_up = int(math.log2(size // 4))
        if 4 * 2**n_up != size or len(widths) != n_up + 1:
            raise ValueError(f"size {size} needs {n_up + 1} widths, got {len(widths)}")
        self.start = nn.Linear(z_dim + cond_dim, widths[0] * 16)
        self.blocks = nn.ModuleList(UpBlock(a, b, cond_dim, noise) for a, b in itertools.pairwise(widths))
        self.out_norm = nn.BatchNorm2d(widths[-1])
        self.out = nn.Conv2d(widths[-1], 4, 3, padding=1)
        self.width0 = widths[0]

    def forward(self, z: torch.Tensor, cond: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        h = self.start(torch.cat([z, cond], dim=1)).view(-1, self.width0, 4, 4)  # (B, C0, 4, 4)
        for block in self.blocks:
            h = block(h, cond, generator)  # (B, Ck, 4*2^k, 4*2^k)
        raw = torch.sigmoid(self.out(F.relu(self.out_norm(h))))  # (B, 4, S, S) straight RGB + alpha in [0, 1]
        alpha = raw[:, 3:]
        return torch.cat([raw[:, :3] * alpha, alpha], dim=1) * 2 - 1


def diff_augment(x: torch.Tensor, translation: float = 0.125, cutout: float = 0.25) -> torch.Tensor:
    """DiffAugment (Zhao et al. 2020): colour, translation and cutout, differentiable, applied to real and
    fake alike before the discriminator, the known remedy for GANs on a few thousand images."""
    b = x.shape[0]
    rgb, alpha = x[:, :3], x[:, 3:]
    rgb = rgb + (torch.rand(b, 1, 1, 1, device=x.device) - 0.5) * alpha  # brightness, only where drawn
    mean = rgb.mean(dim=1, keepdim=True)
    rgb = (rgb - mean) * (torch.rand(b, 1, 1, 1, device=x.device) * 2) + mean  # saturation
    x = torch.cat([rgb, alpha], dim=1)
    size = x.shape[-1]
    shift = int(size * translation + 0.5)
    if shift:
        padded = F.pad(x, (shift, shift, shift, shift), value=-1.0)
        dx, dy = torch.randint(0, 2 * shift + 1, (2,)).tolist()
        x = padded[:, :, dy : dy + size, dx : dx + size]
    hole = int(size * cutout + 0.5)
    if hole:
        ys = torch.randint(0, size - hole + 1, (b,), device=x.device)
        xs = torch.randint(0, size - hole + 1, (b,), device=x.device)
        grid = torch.arange(size, device=x.device)
        inside_y = (grid[None] >= ys[:, None]) & (grid[None] < ys[:, None] + hole)
        inside_x = (grid[None] >= xs[:, None]) & (grid[None] < xs[:, None] + hole)
        mask = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]  # (B, 1, S, S)
        x = torch.where(mask, torch.full_like(x, -1.0), x)
    return x


def augment_real(x: torch.Tensor, degrees: float = 8.0, scale: float = 0.08, hue: bool = True) -> torch.Tensor:
    """Training-data augmentation: small rotation and scale (no flips: text and arrows have a side),
    and a mild colour jitter. ``x`` is premultiplied RGBA in [-1, 1]; the background stays transparent."""
    b = x.shape[0]
    angle = (torch.rand(b, device=x.device) * 2 - 1) * math.radians(degrees)
    factor = 1 + (torch.rand(b, device=x.device) * 2 - 1) * scale
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack(
        [torch.stack([cos, -sin, torch.zeros_like(cos)], 1), torch.stack([sin, cos, torch.zeros_like(cos)], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x01 = F.grid_sample((x + 1) / 2, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if hue:
        gain = 1 + (torch.rand(b, 3, 1, 1, device=x.device) * 2 - 1) * 0.06  # per-channel gain: a small hue shift
        rgb = torch.minimum(x01[:, :3] * gain, x01[:, 3:])  # premultiplied colour never exceeds alpha
        x01 = torch.cat([rgb, x01[:, 3:]], dim=1)
    return x01 * 2 - 1


def ssim_loss(a: torch.Tensor, b: torch.Tensor, window: int = 7) -> torch.Tensor:
    """1 - mean SSIM with a box window: structure and contrast, which L1 alone blurs away."""
    c1, c2 = 0.01**2, 0.03**2
    a, b = (a + 1) / 2, (b + 1) / 2
    pool = lambda t: F.avg_pool2d(t, window, 1, window // 2, count_include_pad=False)  # noqa: E731
    mu_a, mu_b = pool(a), pool(b)
    var_a = pool(a * a) - mu_a**2
    var_b = pool(b * b) - mu_b**2
    cov = pool(a * b) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return 1 - ssim.mean()
