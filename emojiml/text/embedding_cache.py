"""Sentence embeddings of whole data sets, computed once and kept on disk.

Encoding DailyDialog and GoEmotions (~140k utterances) takes a long time on a shared CPU; every training
run and evaluation reuses the same vectors, so they are cached under ``settings().cache_dir`` in shards of
``CHUNK`` texts, each keyed by a hash of its texts and the encoder's name. A changed text list never reads
stale vectors, an interrupted run resumes where it stopped, and a prefix of a data set reuses its shards.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time

import numpy as np

from emojiml import models
from emojiml.config import settings

log = logging.getLogger(__name__)
CHUNK = 2048


def dataset_embeddings(texts: list[str], tag: str) -> np.ndarray:
    """(len(texts), 384) unit vectors of ``texts``, shard by shard from the cache or encoded and saved."""
    folder = settings().cache_dir / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    parts = []
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        digest = hashlib.sha256("\x00".join(chunk).encode()).hexdigest()[:16]
        path = folder / f"{tag}-{models.ENCODER_NAME}-{digest}.npy"
        vectors = np.load(path, allow_pickle=False) if path.exists() else None
        if vectors is None or vectors.shape != (len(chunk), 384):
            vectors = models.encode(chunk, batch_size=128)
            temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
            np.save(temporary, vectors)
            temporary.replace(path)  # atomic: a concurrent reader never sees half a file
            elapsed = time.perf_counter() - started
            log.info("%s: encoded %d/%d texts (%.0f s so far)", tag, start + len(chunk), len(texts), elapsed)
        parts.append(vectors)
    return np.concatenate(parts) if parts else np.zeros((0, 384), np.float32)
