"""MiniLM's top transformer layers fine-tuned on TweetEval, as a third voice beside the SVM and the towers.

Why only the top layers: fine-tuning all six layers costs about 12 minutes per epoch on the 2-core CPU and
a 90 MB checkpoint. The lower layers' output is computed once (cached on disk) and only the top
``tuned_layers`` are trained, so an epoch takes a fraction of that and the shipped weights are a few MB.
At run time the shared encoder runs once: its final output is the usual sentence vector (for the towers and
search), and its hidden state below the tuned layers feeds the tuned copy (``encode_with_tuned``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from emojiml import encoder
from emojiml.checkpoint import build_config, load_weights, read_config, save_model
from emojiml.encoder import EMBEDDING_DIM

DIM = EMBEDDING_DIM


@dataclass(frozen=True)
class TunedLayersConfig:
    tuned_layers: int = 3  # top transformer layers that are trained (the rest stay frozen and shared)
    n_labels: int = 20
    epochs: int = 5
    # A second run of this many epochs from the same seed; the weights that ship are the average of both runs'
    # final weights (a model soup: one network at run time). 0 = one run. In nested 5-fold CV of the shipped
    # ensemble on val (fold seeds 0-7) the 5 + 8 soup averaged 31.17 against 30.98 for the 5-epoch run alone
    # (ahead at 5 of 8 seeds), although alone it scores lower (28.34 against 28.46).
    soup_epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 1e-4  # tuned layers
    head_learning_rate: float = 2e-3  # the linear classifier
    weight_decay: float = 0.01
    class_weight_power: float = 0.5  # loss weight of a class ∝ frequency^-power (0 = none, 1 = balanced)
    max_tokens: int = 64  # training truncation; tweets are short
    seed: int = 1


class TunedLayers(nn.Module):
    """(hidden state below the top layers, mask) -> (B, n_labels) logits, through copies of the top layers."""

    def __init__(self, top_layers: list[nn.Module], config: TunedLayersConfig) -> None:
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList(copy.deepcopy(layer) for layer in top_layers)
        self.classifier = nn.Linear(DIM, config.n_labels)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``hidden`` (B, T, D) from the frozen lower layers, ``mask`` (B, T) 1 for real tokens."""
        attention = _attention_mask(mask, hidden)
        for layer in self.layers:
            hidden = layer(hidden, attention_mask=attention)
        return self.classifier(encoder.mean_pool(hidden, mask))  # (B, n_labels)

    def save(self, path: Path) -> None:
        save_model(self, asdict(self.config), path, dtype=torch.float16)

    @classmethod
    def load(cls, path: Path, encoder_layers: list[nn.Module]) -> TunedLayers:
        """Weights at ``path``; ``encoder_layers`` (the shared encoder's layers) give the architecture."""
        config = build_config(TunedLayersConfig, read_config(path), path.with_suffix(".json"))
        return load_weights(cls(list(encoder_layers[-config.tuned_layers :]), config), path)


def _attention_mask(mask: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
    """The additive (B, 1, 1, T) mask BERT's layers take: 0 where attended, a large negative elsewhere."""
    return (1.0 - mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min


def _bert(sentence_model) -> nn.Module:
    return sentence_model[0].auto_model


def encoder_layers() -> list[nn.Module]:
    """The shared encoder's transformer layers: the architecture (and starting weights) of the tuned copies."""
    return list(_bert(encoder.sentence_encoder()).encoder.layer)


@torch.no_grad()
def encode_with_tuned(texts: list[str], tuned: TunedLayers, batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """(sentence vectors (N, D) — the same as ``models.encode`` — and tuned logits (N, n_labels)) in one pass.

    Batches follow :func:`emojiml.encoder.batch_order` (fewest padding tokens), like ``models.encode``; the tuned
    layers run in the encoder's precision (:func:`emojiml.encoder.encoder_autocast`).
    """
    if not texts:
        return np.zeros((0, DIM), np.float32), np.zeros((0, tuned.config.n_labels), np.float32)
    features, order = encoder.sorted_features(texts, batch_size)  # encoder_passes cuts each batch to its width
    vectors, logits = [], []
    with encoder.encoder_autocast(len(texts)):  # one region for all batches: weights are cast once, not per batch
        for batch_vectors, hidden, mask in encoder.encoder_passes(features, tuned.config.tuned_layers, batch_size):
            vectors.append(batch_vectors)
            logits.append(tuned(hidden, mask).float())
    back = np.argsort(order)
    return torch.cat(vectors).numpy()[back], torch.cat(logits).numpy()[back]


@dataclass
class CachedHidden:
    """Hidden states of many texts below the tuned layers, concatenated: (sum of lengths, D) fp16 + offsets."""

    states: np.ndarray  # (sum_T, D) float16
    offsets: np.ndarray  # (N + 1,) int64

    def batch(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = self.offsets[rows + 1] - self.offsets[rows]
        hidden = np.zeros((len(rows), int(lengths.max()), DIM), np.float32)
        mask = np.zeros((len(rows), int(lengths.max())), np.int64)
        for i, (row, length) in enumerate(zip(rows, lengths, strict=True)):
            hidden[i, :length] = self.states[self.offsets[row] : self.offsets[row + 1]]
            mask[i, :length] = 1
        return torch.from_numpy(hidden), torch.from_numpy(mask)

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)


def cached_hidden(name: str, texts: list[str], config: TunedLayersConfig, cache_dir: Path, log=print) -> CachedHidden:
    """Hidden states of ``texts`` below the tuned layers, cached on disk by content (an encoder pass is minutes)."""
    from tqdm import tqdm

    key = f"{config.tuned_layers}-{config.max_tokens}-" + "\n".join(texts)
    path = cache_dir / f"tuned-hidden-{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            return CachedHidden(stored["states"], stored["offsets"])
    log(f"computing hidden states of {len(texts)} {name} texts (cached afterwards in {path.parent})")
    states, lengths = [], []
    batches = encoder.encoder_passes(encoder.tokenized(texts, config.max_tokens), config.tuned_layers, 64)
    for _, hidden, mask in tqdm(batches, total=(len(texts) + 63) // 64, unit="batch", desc=name):
        for row, length in zip(hidden, mask.sum(dim=1).tolist(), strict=True):
            states.append(row[:length].numpy().astype(np.float16))
            lengths.append(length)
    cached = CachedHidden(np.concatenate(states), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, states=cached.states, offsets=cached.offsets)
    return cached


def predict_logits(model: TunedLayers, hidden: CachedHidden, batch_size: int = 128) -> np.ndarray:
    """(N, n_labels) logits of cached texts (evaluation during training)."""
    model.eval()
    order = np.argsort(hidden.lengths(), kind="stable")
    out = np.zeros((len(order), model.config.n_labels), np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = model(*hidden.batch(rows)).numpy()
    return out


def train_tuned_layers(
    train: CachedHidden,
    labels: np.ndarray,
    config: TunedLayersConfig,
    evaluate: Callable[[TunedLayers], float] | None = None,
    log=print,
) -> TunedLayers:
    """The tuned layers that ship: one run of ``config.epochs`` epochs, averaged with a run of
    ``config.soup_epochs`` (same seed) when that is set. ``evaluate`` (e.g. val macro-F1) is only logged: each
    run keeps its final weights, so val chooses nothing here."""
    model = _train_run(train, labels, config, config.epochs, evaluate, log)
    if config.soup_epochs:
        second = _train_run(train, labels, config, config.soup_epochs, evaluate, log).state_dict()
        model.load_state_dict({key: (value + second[key]) / 2 for key, value in model.state_dict().items()})
    return model


def _train_run(
    train: CachedHidden,
    labels: np.ndarray,
    config: TunedLayersConfig,
    epochs: int,
    evaluate: Callable[[TunedLayers], float] | None,
    log,
) -> TunedLayers:
    """Fine-tune copies of the encoder's top layers + a linear head with class-weighted cross-entropy for
    ``epochs`` epochs of a one-cycle schedule. Batches group texts of similar length (little padding)."""
    from tqdm import tqdm

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = TunedLayers(encoder_layers()[-config.tuned_layers :], config)
    counts = np.bincount(labels, minlength=config.n_labels).astype(np.float64)
    class_weight = (counts.max() / np.maximum(counts, 1)) ** config.class_weight_power
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(class_weight / class_weight.mean(), dtype=torch.float32))
    optimizer = torch.optim.AdamW(
        [
            {"params": model.layers.parameters(), "lr": config.learning_rate},
            {"params": model.classifier.parameters(), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    steps_per_epoch = (len(labels) + config.batch_size - 1) // config.batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=[config.learning_rate, config.head_learning_rate],
        total_steps=steps_per_epoch * epochs,
        pct_start=0.1,
    )
    y = torch.from_numpy(labels.astype(np.int64))
    lengths = train.lengths()
    for epoch in range(epochs):
        model.train()
        batches = _length_bucketed_batches(lengths, config.batch_size, rng)
        bar = tqdm(batches, desc=f"tuned layers ({epochs}-epoch run) epoch {epoch + 1}/{epochs}", unit="batch")
        running = None
        for rows in bar:
            loss = loss_fn(model(*train.batch(rows)), y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            value = loss.item()
            running = value if running is None else 0.98 * running + 0.02 * value
            bar.set_postfix(loss=f"{running:.3f}")
        model.eval()
        score = f", validation score {evaluate(model):.2f}" if evaluate else ""
        log(f"tuned layers ({epochs}-epoch run) epoch {epoch + 1}: loss {running:.4f}{score}")
    return model.eval()


def _length_bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length: shuffle, sort within windows of 50 batches, cut, shuffle."""
    order = rng.permutation(len(lengths))
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = order[start : start + window]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]
