"""A task's own copy of the sentence encoder's top transformer layers, fine-tuned for that task.

The shared all-MiniLM-L6-v2 runs once per message; a model with an ``EncoderTop`` reads the token states that
enter the encoder's last ``n_layers`` layers (``emojiml.encoder.encoder_passes``) and runs its own fine-tuned
copy of those layers, then the same mean pooling and unit length as the encoder. So the bottom of the encoder is
shared and only the top is per task, which is what lets a task learn its own reading of a message ("broken",
"again" in a build log) at the cost of ``n_layers`` of the encoder's 6 layers.

Written out here rather than reusing ``transformers``' ``BertLayer``, whose call signature and mask format change
between versions: initialised from the encoder's own weights, it gives the encoder's output to float precision
(``tests/text/test_encoder_top.py``).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from emojiml.encoder import EMBEDDING_DIM, mean_pool

HEADS = 12
FFN = 1536
LAYER_NORM_EPS = 1e-12


class TransformerLayer(nn.Module):
    """One post-norm BERT layer: self-attention, add & norm, GELU feed-forward, add & norm."""

    def __init__(self, width: int = EMBEDDING_DIM, heads: int = HEADS, ffn: int = FFN, dropout: float = 0.1):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width)
        self.value = nn.Linear(width, width)
        self.attention_out = nn.Linear(width, width)
        self.attention_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.intermediate = nn.Linear(width, ffn)
        self.output = nn.Linear(ffn, width)
        self.output_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.dropout = nn.Dropout(dropout)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = states.shape  # (B, T, 384); mask (B, T), 1 on real tokens

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, self.heads, width // self.heads).transpose(1, 2)  # (B, H, T, 32)

        q, k, v = split(self.query(states)), split(self.key(states)), split(self.value(states))
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // self.heads)  # (B, H, T, T)
        scores = scores.masked_fill(~mask.bool()[:, None, None, :], torch.finfo(scores.dtype).min)
        attended = (self.dropout(torch.softmax(scores, dim=-1)) @ v).transpose(1, 2).reshape(batch, length, width)
        states = self.attention_norm(states + self.dropout(self.attention_out(attended)))
        inner = nn.functional.gelu(self.intermediate(states))  # (B, T, 1536)
        return self.output_norm(states + self.dropout(self.output(inner)))


class EncoderTop(nn.Module):
    """The last ``n_layers`` encoder layers, mean pooling over real tokens and unit length: (B, T, 384) -> (B, 384)."""

    def __init__(self, n_layers: int, dropout: float = 0.1):
        super().__init__()
        self.layers = nn.ModuleList(TransformerLayer(dropout=dropout) for _ in range(n_layers))

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            states = layer(states, mask)
        return nn.functional.normalize(mean_pool(states, mask), dim=-1)

    def copy_encoder(self, bert: nn.Module) -> EncoderTop:
        """Start from the shared encoder's own last layers (``bert``: its ``transformers`` ``BertModel``)."""
        source = bert.encoder.layer[len(bert.encoder.layer) - len(self.layers) :]
        for mine, theirs in zip(self.layers, source, strict=True):
            pairs = {
                mine.query: theirs.attention.self.query,
                mine.key: theirs.attention.self.key,
                mine.value: theirs.attention.self.value,
                mine.attention_out: theirs.attention.output.dense,
                mine.attention_norm: theirs.attention.output.LayerNorm,
                mine.intermediate: theirs.intermediate.dense,
                mine.output: theirs.output.dense,
                mine.output_norm: theirs.output.LayerNorm,
            }
            for target, origin in pairs.items():
                target.load_state_dict(origin.state_dict())
        return self
