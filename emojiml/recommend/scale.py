"""How fitting and suggesting grow with a workspace: ``emojiml bench --only scale [--sizes N ...]``.

Each size runs in its own Python process (``python -m emojiml.recommend.scale N``) so that its peak resident
memory is its own, not the high-water mark of an earlier, larger size. The process draws the synthetic
workspace (``emojiml.workspace.synthetic``), fits the product hybrid with ``workspace_hybrid`` — the function the
Recommend page and ``emojiml suggest`` use, so every source the hybrid uses is fitted, at its default mix — and times
``HybridRecommender.suggest`` for one message at a time, as the page asks.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence

import numpy as np

from emojiml.errors import EmojimlError

SIZES = (1_000, 10_000, 100_000, 1_000_000)
MIN_PEOPLE, MAX_PEOPLE = 10, 1_000_000
N_EMOJI = 4000
SUGGESTIONS = 100
MESSAGES = (
    "happy birthday, hope you have a great day!",
    "the build is broken again on main",
    "pizza tonight?",
    "we shipped the new release, thanks everyone",
    "can someone look at my pull request",
)


class ScaleSizeError(EmojimlError):
    """A bench size outside what one machine is measured for."""


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """The sizes, validated: whole numbers of people from ``MIN_PEOPLE`` to ``MAX_PEOPLE``."""
    bad = [n for n in sizes if not MIN_PEOPLE <= n <= MAX_PEOPLE]
    if bad:
        raise ScaleSizeError(
            f"Scale sizes must lie between {MIN_PEOPLE:,} and {MAX_PEOPLE:,} people, not {', '.join(map(str, bad))}: "
            "past 10^6 one machine is not the design (see the README's Spark MLlib ALS section)."
        )
    return list(sizes)


def parse_size(text: str) -> int:
    """``"1000"``, ``"1e6"`` or ``"10_000"`` -> an int; anything else raises ``ScaleSizeError``."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        value = float("nan")
    if not value.is_integer():
        raise ScaleSizeError(f"Scale size {text!r} is not a whole number of people (e.g. 1000 or 1e5).")
    return int(value)


def measure_scale(people: int, n_emoji: int = N_EMOJI, suggestions: int = SUGGESTIONS) -> dict:
    """Draw, fit and suggest at one size in this process; returns one row of the scale table."""
    import torch

    from emojiml import models
    from emojiml.recommend.base import catalog_of_events
    from emojiml.recommend.hybrid import DEFAULT_WEIGHTS, workspace_hybrid
    from emojiml.workspace.synthetic import SEED, synthetic_events

    load = os.getloadavg()[0]
    started = time.perf_counter()
    events = synthetic_events(people, n_emoji, SEED)
    generate_s = time.perf_counter() - started
    # once per server process, not per fit: the content model's weights and the custom emoji names' vectors
    started = time.perf_counter()
    models.content_model()
    models.catalog_embeddings(catalog_of_events(events))
    models_load_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    # the default mix, not the automatic choice: choosing scores every validation case against every emoji
    # (and trending against every event per case), which does not fit in memory past ~10^4 people (README)
    hybrid = workspace_hybrid(events, weights=DEFAULT_WEIGHTS)
    fit_s, fit_cpu_s = time.perf_counter() - started, time.process_time() - cpu

    torch.set_num_threads(1)  # one message gains nothing from intra-op threads (as ``bench_recommend``)
    rng = np.random.default_rng(1)
    asked = rng.choice(events["user"].unique(), size=suggestions + 1)  # people who have reacted
    hybrid.suggest(str(asked[0]), MESSAGES[0], k=10)  # warm up: the encoder's first call builds kernels
    times, cpu_times = [], []
    for i, user in enumerate(asked[1:]):
        t0, c0 = time.perf_counter(), time.process_time()
        hybrid.suggest(str(user), MESSAGES[i % len(MESSAGES)], k=10)
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # where the fit time goes: each source fitted again alone (after the peak was read)
    sources_s, sources_cpu_s = {}, {}
    for name, source in hybrid.sources.items():
        t0, c0 = time.perf_counter(), time.process_time()
        source.fit(events)
        sources_s[name] = round(time.perf_counter() - t0, 2)
        sources_cpu_s[name] = round(time.process_time() - c0, 2)
    return {
        "people": people,
        "emoji": int(events["emoji"].nunique()),
        "events": len(events),
        "fit_s": round(fit_s, 2),
        "suggest_p50_ms": round(float(np.percentile(np.array(times) * 1000, 50)), 2),
        "suggest_p95_ms": round(float(np.percentile(np.array(times) * 1000, 95)), 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        # CPU seconds of this process: on a shared, loaded machine they show what free cores would do
        "fit_cpu_s": round(fit_cpu_s, 2),
        "suggest_cpu_p50_ms": round(float(np.percentile(np.array(cpu_times) * 1000, 50)), 2),
        "fit_by_source_s": sources_s,
        "fit_by_source_cpu_s": sources_cpu_s,
        "generate_s": round(generate_s, 2),
        "models_load_s": round(models_load_s, 2),
        "load_1min_at_start": round(load, 2),
    }


def bench_scale(sizes: Sequence[int] = SIZES) -> list[dict]:
    """One row per size, each measured in a fresh subprocess (honest peak RSS)."""
    rows = []
    for people in check_sizes(sizes):
        done = subprocess.run(
            [sys.executable, "-m", "emojiml.recommend.scale", str(people)], capture_output=True, text=True
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ScaleSizeError(f"The scale run at {people:,} people failed: {tail[0]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == "__main__":
    print(json.dumps(measure_scale(check_sizes([parse_size(sys.argv[1])])[0])))
