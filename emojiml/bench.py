"""``emojiml bench``: speed figures, printed as JSON. Quality lives in ``emojiml evaluate``.

Each section is a function returning a flat dict of figures; later features add their own section to
``SECTIONS``. Timings are wall-clock on the current machine, after models are loaded ("warm").
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from emojiml import models
from emojiml.catalog import default_catalog
from emojiml.config import settings
from emojiml.search import EmojiSearch

SENTENCES = [
    "happy birthday, hope you have a great day!",
    "the build is broken again on main",
    "pizza tonight?",
    "ugh my flight got cancelled",
    "we shipped it",
    "thanks for the quick review",
    "can someone look at my pull request",
    "good morning everyone",
]


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}


def search_queries(n: int = 200, seed: int = 0) -> list[str]:
    """A fixed, realistic query mix: catalog words, their prefixes, unseen phrases, shortcodes, emoji."""
    rng = random.Random(seed)
    catalog = default_catalog()
    words = EmojiSearch.vocabulary_terms(catalog)
    entries = [catalog[i] for i in catalog.base_indices]
    queries = rng.sample(words, n // 2)
    queries += [w[: max(2, len(w) // 2)] for w in rng.sample(words, n // 5)]
    queries += [f":{e.shortcodes[0]}:" for e in rng.sample(entries, n // 10) if e.shortcodes]
    queries += [e.char for e in rng.sample(entries, n // 10)]
    queries += [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(n - len(queries))]
    return queries[:n]


def bench_search() -> dict:
    """Search latency over 200 distinct queries, each run once with models loaded (no query cache hits)."""
    started = time.perf_counter()
    catalog = default_catalog()
    models._cached_catalog_embeddings.cache_clear()
    load_started = time.perf_counter()
    models.catalog_embeddings(catalog)
    embeddings_load_s = time.perf_counter() - load_started
    search = models.emoji_search()
    setup_s = time.perf_counter() - started
    times = []
    for query in search_queries():
        t0 = time.perf_counter()
        search.search(query, top=10)
        times.append(time.perf_counter() - t0)
    return {
        "search_queries": len(times),
        **{f"search_{k}": v for k, v in _percentiles(times).items()},
        "catalog_embeddings_load_s": round(embeddings_load_s, 4),
        "search_index_setup_s": round(setup_s, 3),
    }


def bench_encoder() -> dict:
    """Single-sentence encode latency (the encoder alone), 50 runs over fresh sentences."""
    models.encode(["warm up"])
    times = []
    for i in range(50):
        sentence = f"{SENTENCES[i % len(SENTENCES)]} #{i}"
        t0 = time.perf_counter()
        models.encode([sentence])
        times.append(time.perf_counter() - t0)
    return {f"encode_one_{k}": v for k, v in _percentiles(times).items()}


def bench_process() -> dict:
    """App import time in a fresh interpreter, and peak RSS of this process with encoder + spaCy loaded."""
    code = (
        "import time; t = time.perf_counter(); import streamlit, emojiml.models, emojiml.charts; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    models.sentence_encoder()
    models.spacy_english()("Warm up spaCy in Paris on Friday.")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"app_import_s": round(float(out.stdout.strip()), 3), "peak_rss_mb": round(peak_kb / 1024, 1)}


def bench_generate() -> dict:
    """GAN images/s (batch 64, native resolution, tensors only) and one 16-frame VAE interpolation (128 px PIL)."""
    import torch

    from emojiml.generate.sample import interpolate_emoji

    generator = models.gan_generator()
    cond = generator.condition(
        torch.from_numpy(models.encode(["party popper"]).repeat(64, 0)),
        torch.zeros(64, dtype=torch.long),
        torch.zeros(64, dtype=torch.long),
    )
    with torch.no_grad():
        generator.sample(cond)  # warm up
        runs, t0 = 5, time.perf_counter()
        for seed in range(runs):
            generator.sample(cond, torch.Generator().manual_seed(seed))
        per_batch = (time.perf_counter() - t0) / runs
    interpolate_emoji("😀", "🐱", steps=16)  # warm up (loads the VAE and the font)
    times = []
    for pair in (("😀", "🐱"), ("🍕", "🚀"), ("❤", "💙")):
        t0 = time.perf_counter()
        interpolate_emoji(*pair, steps=16)
        times.append(time.perf_counter() - t0)
    return {
        "gan_native_px": generator.config.size,
        "gan_images_per_s_batch64": round(64 / per_batch, 1),
        "vae_interpolation_16_frames_s": round(float(np.median(times)), 3),
    }


SECTIONS: dict[str, Callable[[], dict]] = {
    "search": bench_search,
    "encoder": bench_encoder,
    "process": bench_process,
    "generate": bench_generate,
}


def run_bench(only: list[str] | None = None) -> dict:
    """Run the named sections (all by default) and return their figures, keyed by section."""
    unknown = sorted(set(only or []) - set(SECTIONS))
    if unknown:
        raise ValueError(f"Unknown bench section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}.")
    results = {"machine": {"cpus": _cpu_count(), "device": settings().device}}
    for name, section in SECTIONS.items():
        if not only or name in only:
            results[name] = section()
    return results


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
