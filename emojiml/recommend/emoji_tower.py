"""Two towers over frozen sentence embeddings: messages and emoji descriptions projected into one space.

Why: a classifier over 20 TweetEval labels cannot score 🍕 or a workspace's ``:partyr:``. Here an emoji is
represented by the encoder's vector of its *text* (name + keywords), so any catalog entry — custom ones
included — gets a score. The towers are trained on TweetEval (tweet -> its emoji) plus pairs derived from
the catalog itself (a keyword or name -> its emoji), with a softmax over every catalog emoji. Each tower is
a residual linear map (identity at start), so training begins from plain cosine similarity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from emojiml.checkpoint import build_config, load_weights, read_config, save_model


@dataclass(frozen=True)
class EmojiTowerConfig:
    dim: int = 384
    epochs: int = 6
    batch_size: int = 512
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    initial_scale: float = 20.0
    catalog_pair_weight: float = 3.0
    seed: int = 0


class EmojiTower(nn.Module):
    """logits(messages (B, D), emoji (C, D)) -> (B, C) scaled cosine similarities in the shared space."""

    def __init__(self, config: EmojiTowerConfig) -> None:
        super().__init__()
        self.config = config
        self.message = nn.Linear(config.dim, config.dim)
        self.emoji = nn.Linear(config.dim, config.dim)
        for layer in (self.message, self.emoji):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
        self.log_scale = nn.Parameter(torch.tensor(float(np.log(config.initial_scale))))
        # mean projected training message (D,): subtracting part of it scores "fits this message more than
        # it fits messages in general", which stops the 20 frequent tweet emoji from winning every message
        self.register_buffer("message_mean", torch.zeros(config.dim))

    def embed_messages(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(x + self.message(x), dim=-1)  # (B, D)

    def embed_emoji(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(x + self.emoji(x), dim=-1)  # (C, D)

    def forward(self, messages: torch.Tensor, emoji: torch.Tensor) -> torch.Tensor:
        return self.log_scale.exp() * self.embed_messages(messages) @ self.embed_emoji(emoji).T  # (B, C)

    def save(self, path: Path) -> None:
        save_model(self, asdict(self.config), path)

    @classmethod
    def load(cls, path: Path) -> EmojiTower:
        return load_weights(cls(build_config(EmojiTowerConfig, read_config(path), path.with_suffix(".json"))), path)


def train_tower(
    messages: np.ndarray,
    labels: np.ndarray,
    emoji: np.ndarray,
    sample_weight: np.ndarray | None = None,
    config: EmojiTowerConfig | None = None,
    log=print,
    mean_of: int | None = None,
) -> EmojiTower:
    """Fit on (message vector, emoji row) pairs with a softmax over all rows of ``emoji`` (C, D).

    ``mean_of``: the first rows that are real messages (the rest are catalog pairs); their mean projection
    becomes ``message_mean``.
    """
    config = config or EmojiTowerConfig()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = EmojiTower(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    x_all = torch.from_numpy(messages.astype(np.float32))  # (N, D)
    y_all = torch.from_numpy(labels.astype(np.int64))  # (N,)
    w_all = torch.from_numpy((np.ones(len(labels)) if sample_weight is None else sample_weight).astype(np.float32))
    e_all = torch.from_numpy(emoji.astype(np.float32))  # (C, D)
    model.train()
    for epoch in range(config.epochs):
        order = torch.from_numpy(rng.permutation(len(labels)))
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            loss_each = nn.functional.cross_entropy(model(x_all[batch], e_all), y_all[batch], reduction="none")
            loss = (loss_each * w_all[batch]).sum() / w_all[batch].sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(batch)
        log(f"tower epoch {epoch + 1}/{config.epochs}: loss {total / len(order):.4f}")
    model.eval()
    with torch.no_grad():
        n_mean = len(labels) if mean_of is None else mean_of
        model.message_mean.copy_(model.embed_messages(x_all[:n_mean]).mean(dim=0))
    return model
