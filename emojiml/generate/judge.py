"""The evaluation model ("judge"): a small CNN trained on the *real training images only*.

One backbone, three heads, trained jointly: Unicode group and art style (classification) and a projection
into the sentence encoder's space trained contrastively (InfoNCE against each image's name + keywords
vector). Its pooled features are the feature space for FID/KID (the emoji analogue of Inception features);
its projection scores R-precision (does a generated image match its prompt better than 9 other prompts?).
Why one network: on a shared 2-core CPU one short training run is affordable, two are not; the joint text
head also makes the FID features care about *what* is drawn, not only colour and style.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from emojiml.checkpoint import JsonConfig, load_checkpoint, save_model
from emojiml.generate.blocks import TEXT_DIM, augment_real


@dataclass(frozen=True)
class JudgeConfig(JsonConfig):
    styles: tuple[str, ...]
    groups: tuple[str, ...]
    size: int = 32
    widths: tuple[int, ...] = (48, 96, 160)


class EmojiJudge(nn.Module):
    def __init__(self, config: JudgeConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        c_in = 4
        for c_out in config.widths:
            stride = 2  # 32 -> 16 -> 8 -> 4 (64 px: one more layer): cheap enough to train well on a shared CPU
            layers += [nn.Conv2d(c_in, c_out, 3, stride, 1), nn.BatchNorm2d(c_out), nn.ReLU()]
            c_in = c_out
        self.backbone = nn.Sequential(*layers)
        self.feature_dim = c_in
        self.group_head = nn.Linear(c_in, len(config.groups))
        self.style_head = nn.Linear(c_in, len(config.styles))
        self.text_head = nn.Sequential(nn.Linear(c_in, 256), nn.ReLU(), nn.Linear(256, TEXT_DIM))
        self.log_temperature = nn.Parameter(torch.tensor(np.log(1 / 0.07), dtype=torch.float32))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 4, S, S) premultiplied RGBA in [-1, 1] -> (B, F) pooled features (FID/KID space)."""
        if x.shape[-1] != self.config.size:
            x = F.interpolate(x, size=(self.config.size, self.config.size), mode="area")
        return self.backbone(x).mean(dim=(2, 3))

    def text_vectors(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 384) unit vectors in the sentence encoder's space: what the image seems to show."""
        return F.normalize(self.text_head(self.features(x)), dim=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        h = self.features(x)
        return self.group_head(h), self.style_head(h), F.normalize(self.text_head(h), dim=1)


@dataclass(frozen=True)
class JudgeReport:
    steps: int
    minutes: float
    holdout_group_accuracy: float
    holdout_style_accuracy: float


def train_judge(
    dataset,
    out,
    minutes: float = 4.0,
    batch: int = 64,
    seed: int = 0,
    max_steps: int | None = None,
    size: int = 32,
    device: str = "cpu",
) -> JudgeReport:
    """Fit the judge on the training split for ``minutes`` and save ``out.safetensors`` + ``out.json``.
    ``size`` 64 adds a fourth stride-2 layer, so a 64 px judge sees the detail 64 px models can draw."""
    from emojiml.generate.train import Batches

    torch.manual_seed(seed)
    widths = (48, 96, 160) if size == 32 else (32, 64, 128, 192)
    config = JudgeConfig(dataset.styles, dataset.groups, size=size, widths=widths)
    model = EmojiJudge(config).to(device)
    batches = Batches(dataset, config.size, batch, seed, device=device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    started, steps = time.monotonic(), 0
    while time.monotonic() - started < minutes * 60 and (max_steps is None or steps < max_steps):
        x, text, style, group = batches.next()
        model.train()
        group_logits, style_logits, image_text = model(augment_real(x))
        logits = image_text @ text.T * model.log_temperature.exp().clamp(max=100)  # (B, B)
        same = (text @ text.T) > 0.999  # the same emoji in another style is not a negative
        logits = logits.masked_fill(same & ~torch.eye(len(x), dtype=torch.bool, device=x.device), -1e4)
        target = torch.arange(len(x), device=x.device)
        loss = (
            F.cross_entropy(group_logits, group)
            + F.cross_entropy(style_logits, style)
            + (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        steps += 1
    held = Batches(dataset, config.size, 10**9, seed, split="holdout", device=device)
    model.eval()
    with torch.no_grad():
        group_logits, style_logits, _ = model(held.images)
    report = JudgeReport(
        steps=steps,
        minutes=round((time.monotonic() - started) / 60, 1),
        holdout_group_accuracy=round(float((group_logits.argmax(1) == held.group).float().mean()), 3),
        holdout_style_accuracy=round(float((style_logits.argmax(1) == held.style).float().mean()), 3),
    )
    save_model(model, {"kind": "judge", "config": config.to_dict(), **asdict(report)}, out)
    return report


def load_judge(path: Path) -> EmojiJudge:
    """The evaluation judge saved at ``path`` (.safetensors + .json); :class:`CheckpointError` when unusable."""
    return load_checkpoint(path, "judge", JudgeConfig, EmojiJudge)
