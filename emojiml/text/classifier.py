"""The small network behind the emotion and act models: an MLP over frozen-encoder features, one head per task.

Why a head on a frozen encoder rather than fine-tuning: the encoder is shared with search and every other
feature (one copy in memory, one encode per message), and fine-tuning MiniLM on this project's 2 shared CPU
cores would take hours. The n-gram bag and the cues recover what the frozen embedding loses.
Saved as ``NAME.safetensors`` (weights) + ``NAME.json`` (``ClassifierConfig``) in the asset folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from emojiml.checkpoint import build_config, load_weights, read_config, save_model
from emojiml.text.encoder_top import EncoderTop
from emojiml.text.features import DIM, N_CUES, TurnFeatures, dense_size, first_turns, turn_features


@dataclass(frozen=True)
class ClassifierConfig:
    """Architecture, labels and decision offsets of one shipped classifier."""

    heads: dict[str, list[str]]
    """Head name -> its class labels, in logit order."""
    buckets: int = 1 << 16
    ngram_dim: int = 32
    hidden: int = 384
    dropout: float = 0.3
    next_turn: bool = False
    """Whether the features include the next turn of the conversation (``emojiml.text.features``)."""
    wide: bool = False
    """Whether each head also has a linear path straight from the hashed n-grams to its logits ("wide and
    deep"): wording such as "sorry" or "thanks" then counts as itself, not only through the 32-wide bag."""
    tuned_layers: int = 0
    """When > 0, the model carries its own fine-tuned copy of the encoder's last ``tuned_layers`` layers
    (``emojiml.text.encoder_top``) and the turn's own vector in its features comes from that copy, not from the
    shared encoder (the other turns' vectors still do)."""
    sentence_ngrams: bool = False
    """Whether the hashed n-grams include the last sentence's keys (``emojiml.text.features.ngram_keys``)."""
    sequence: int = 0
    """When > 0, a bidirectional GRU of this width per direction reads the hidden vectors of every turn of a
    conversation in order, and each head sees its output beside the turn's own hidden vector: the acts of all
    the turns around a message (a question is answered, an offer accepted), not only the neighbours that the
    features hold. Conversations are the runs of rows that start at a first turn (``features.first_turns``)."""
    offsets: dict[str, list[float]] = field(default_factory=dict)
    """Per-head additive logit offsets tuned on validation for the task's metric (0 when absent)."""
    metrics: dict[str, float] = field(default_factory=dict)
    training: dict[str, object] = field(default_factory=dict)


class ContextClassifier(nn.Module):
    """features -> hidden -> one logit vector per head."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        self.ngrams = nn.EmbeddingBag(config.buckets, config.ngram_dim, mode="mean")
        self.input_dropout = nn.Dropout(0.1)
        self.body = nn.Sequential(
            nn.Linear(dense_size(config.next_turn) + N_CUES + config.ngram_dim, config.hidden),
            nn.GELU(),
            nn.Dropout(config.dropout),
        )
        head_input = config.hidden
        if config.sequence:
            self.context = nn.GRU(config.hidden, config.sequence, batch_first=True, bidirectional=True)
            self.context_dropout = nn.Dropout(config.dropout)
            head_input += 2 * config.sequence
        self.heads = nn.ModuleDict({name: nn.Linear(head_input, len(labels)) for name, labels in config.heads.items()})
        if config.tuned_layers:
            self.top = EncoderTop(config.tuned_layers)
        if config.wide:
            self.wide = nn.ModuleDict(
                {
                    name: nn.EmbeddingBag(config.buckets, len(labels), mode="mean")
                    for name, labels in config.heads.items()
                }
            )
            for bag in self.wide.values():
                nn.init.zeros_(bag.weight)

    def forward(
        self,
        dense: torch.Tensor,
        cues: torch.Tensor,
        ids: torch.Tensor,
        offsets: torch.Tensor,
        states: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> dict:
        """Logits per head; with ``states`` (B, T, 384) and ``mask`` (B, T), the token states entering the
        encoder's last layers (training), ``top`` recomputes the turn's own vector, the first slot of ``dense``."""
        if states is not None:
            dense = torch.cat([self.top(states, mask), dense[:, DIM:]], dim=1)
        bag = self.ngrams(ids, offsets)  # (B, ngram_dim)
        hidden = self.body(torch.cat([self.input_dropout(dense), cues, bag], dim=1))  # (B, hidden)
        if self.config.sequence:
            around = self.context_dropout(self._along_conversations(hidden, first_turns(cues)))
            hidden = torch.cat([hidden, around], dim=1)  # (B, hidden + 2 * sequence)
        logits = {name: head(hidden) for name, head in self.heads.items()}  # name -> (B, n_classes)
        if self.config.wide:
            logits = {name: value + self.wide[name](ids, offsets) for name, value in logits.items()}
        return logits

    def _along_conversations(self, hidden: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
        """(B, 2 * sequence): the GRU's two directions at each row, run over each conversation's rows in order."""
        if not len(hidden):  # no message to read (a channel of only join messages)
            return hidden.new_zeros(0, 2 * self.config.sequence)
        first = torch.nonzero(starts).flatten()  # (S,) each conversation's first row; row 0 always starts one
        lengths = torch.diff(first, append=torch.tensor([len(hidden)]))  # (S,) turns per conversation
        conversation = torch.repeat_interleave(torch.arange(len(first)), lengths)  # (B,)
        turn = torch.arange(len(hidden)) - first[conversation]  # (B,) position within its conversation
        padded = hidden.new_zeros(len(first), int(lengths.max()), hidden.shape[1])  # (S, T, hidden)
        padded[conversation, turn] = hidden
        packed = nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        out, _ = nn.utils.rnn.pad_packed_sequence(self.context(packed)[0], batch_first=True)  # (S, T, 2 * sequence)
        return out[conversation, turn]

    def turn_features(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray,
        previous: Sequence[int | None],
        positions: Sequence[int],
        vader: Sequence[dict[str, float]],
        own: np.ndarray | None = None,
    ) -> TurnFeatures:
        """The inputs this model was trained on (its hash buckets, with or without the next turn). ``own`` (N, 384):
        for a model with ``tuned_layers``, its top's vectors of ``texts``, which replace each turn's own slot (the
        other turns' slots keep the shared encoder's ``embeddings``, as in training)."""
        features = turn_features(
            texts,
            embeddings,
            previous,
            positions,
            vader,
            self.config.buckets,
            self.config.next_turn,
            self.config.sentence_ngrams,
        )
        if own is not None:
            features.dense[:, :DIM] = own
        return features

    def own_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """(N, 384) the vectors this model reads for ``texts`` themselves: the shared encoder's ``vectors``, or,
        for a model with ``tuned_layers``, its own top layers' (one more encoder pass: callers that can, such as
        ``ContextAnalyzer``, get both from one pass with ``emojiml.encoder.encode_with_tops``)."""
        if not self.config.tuned_layers:
            return vectors
        from emojiml.encoder import encode_with_tops

        return encode_with_tops([t or " " for t in texts], [self.top.eval()])[1][0]

    @torch.no_grad()
    def head_probabilities(self, features: TurnFeatures, with_offsets: bool = True) -> dict[str, np.ndarray]:
        """Head name -> (B, n_classes) class probabilities, after the tuned offsets; one forward pass."""
        if self.training:  # eval() walks every submodule: 1 ms a call, once is enough
            self.eval()
        result = {}
        for head, logits in self(*_tensors(features)).items():
            if with_offsets and head in self.config.offsets:
                logits = logits + torch.tensor(self.config.offsets[head])
            result[head] = torch.softmax(logits, dim=1).numpy()
        return result

    def probabilities(self, features: TurnFeatures, head: str, with_offsets: bool = True) -> np.ndarray:
        """(B, n_classes) class probabilities of ``head``."""
        return self.head_probabilities(features, with_offsets)[head]

    def save(self, directory: Path, name: str) -> None:
        # float16 halves the file; the rounding moves validation metrics by well under 0.1 point
        save_model(self, asdict(self.config), directory / name, dtype=torch.float16)

    @classmethod
    def load(cls, directory: Path, name: str) -> ContextClassifier:
        config = build_config(ClassifierConfig, read_config(directory / name), directory / f"{name}.json")
        return load_weights(cls(config), directory / name)


def _tensors(features: TurnFeatures) -> tuple[torch.Tensor, ...]:
    return (
        torch.from_numpy(features.dense),
        torch.from_numpy(features.cues),
        torch.from_numpy(features.ngram_ids),
        torch.from_numpy(features.ngram_offsets),
    )
