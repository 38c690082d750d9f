"""Image tensors to and from the models' format: (B, 4, S, S) premultiplied RGBA in [-1, 1].

Shared by training, sampling and evaluation, so inference code never imports the training loop for them.
Why premultiplied: resizing and blending straight-alpha pixels bleeds the colour of transparent pixels into
the edges; premultiplied pixels average correctly.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def premultiplied(images: np.ndarray, size: int) -> torch.Tensor:
    """(N, S, S, 4) uint8 RGBA -> (N, 4, size, size) premultiplied float in [-1, 1] (area-downsampled)."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    x = torch.cat([x[:, :3] * x[:, 3:], x[:, 3:]], dim=1)
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="area")
    return x * 2 - 1


def to_rgba_images(x: torch.Tensor) -> list[Image.Image]:
    """(B, 4, S, S) premultiplied [-1, 1] -> straight-alpha RGBA PIL images."""
    x = ((x.detach().clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).cpu().numpy()  # (B, S, S, 4)
    alpha = x[..., 3:]
    rgb = np.where(alpha > 1e-3, x[..., :3] / np.maximum(alpha, 1e-3), 0.0).clip(0, 1)
    arrays = (np.concatenate([rgb, alpha], axis=-1) * 255 + 0.5).astype(np.uint8)
    return [Image.fromarray(a, "RGBA") for a in arrays]
