"""A synthetic workspace of any size, for measuring how fitting and suggesting grow with the number of people.

Why synthetic: no public export has 10^5-10^6 people, and the scale bench needs the same shape at every size.
The generator (fixed seed, numpy's PCG64) draws, in this order:

* **activity** — events per person ``1 + floor(15 * Lomax(1.5))``, capped at 10,000: a power law (Pareto tail
  exponent 1.5) with mean ~31 and median ~10, so most people react a few times and a few react thousands of times;
* **emoji** — ``n_emoji`` keys: every skin-tone base of the Unicode catalog, then custom emoji (``:team-0001:``)
  up to ``n_emoji``; global popularity is Zipf (exponent 1.1) over a fixed random order of the keys;
* **taste** — 16 styles, each a Zipf over its own 300 emoji; a person has one style and draws 60 % of their
  events from it, 40 % from the global popularity (so the collaborative factoriser has structure to find);
* **where and when** — channel Zipf (exponent 1.2) over ``max(1, min(100, people // 10))`` channels; timestamps
  uniform over the 365 days before 2026-01-01 UTC; every event is a reaction.

The frame has the columns the recommenders read from ``WorkspaceStore.events_frame`` (``user``, ``emoji``,
``timestamp``, ``channel``, ``kind``, ``is_custom``) with the same dtypes; message text is not generated (see
the README's scale section for how the message-aware sources are handled at scale).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emojiml.catalog import Catalog, default_catalog

SEED = 0
STYLES = 16
STYLE_SIZE = 300
STYLE_SHARE = 0.6
ACTIVITY_TAIL = 1.5
ACTIVITY_SCALE = 15
MAX_EVENTS_PER_PERSON = 10_000
EMOJI_ZIPF = 1.1
CHANNEL_ZIPF = 1.2
END = pd.Timestamp("2026-01-01", tz="UTC")
DAYS = 365


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def synthetic_emoji_keys(n_emoji: int, catalog: Catalog | None = None) -> list[str]:
    """The Unicode skin-tone bases (in catalog order), then ``:team-NNNN:`` custom emoji up to ``n_emoji``."""
    catalog = catalog or default_catalog()
    unicode_keys = [catalog[i].key for i in sorted(catalog.base_indices)][:n_emoji]
    return unicode_keys + [f":team-{i:04d}:" for i in range(1, n_emoji - len(unicode_keys) + 1)]


def synthetic_events(people: int, n_emoji: int = 4000, seed: int = SEED) -> pd.DataFrame:
    """One row per reaction of a synthetic workspace with ``people`` people (see the module doc)."""
    if people < 1 or n_emoji < 1:
        raise ValueError("A synthetic workspace needs at least one person and one emoji.")
    rng = np.random.default_rng(seed)
    counts = np.minimum(1 + np.floor(ACTIVITY_SCALE * rng.pareto(ACTIVITY_TAIL, people)), MAX_EVENTS_PER_PERSON)
    counts = counts.astype(np.int64)
    n_events = int(counts.sum())
    person = np.repeat(np.arange(people, dtype=np.int32), counts)  # (M,)

    keys = synthetic_emoji_keys(n_emoji)
    order = rng.permutation(len(keys))  # popularity rank -> key
    global_pick = order[rng.choice(len(keys), n_events, p=_zipf_weights(len(keys), EMOJI_ZIPF))]
    style_emoji = np.stack([rng.choice(len(keys), min(STYLE_SIZE, len(keys)), replace=False) for _ in range(STYLES)])
    style_of = rng.integers(0, STYLES, people)[person]  # (M,)
    in_style = rng.choice(style_emoji.shape[1], n_events, p=_zipf_weights(style_emoji.shape[1], EMOJI_ZIPF))
    emoji_code = np.where(rng.random(n_events) < STYLE_SHARE, style_emoji[style_of, in_style], global_pick)

    n_channels = max(1, min(100, people // 10))
    channel_code = rng.choice(n_channels, n_events, p=_zipf_weights(n_channels, CHANNEL_ZIPF))
    seconds = rng.uniform(-DAYS * 86400.0, 0.0, n_events)
    by_time = np.argsort(seconds, kind="stable")  # oldest first, as the store returns events
    timestamps = END + pd.to_timedelta(np.round(seconds[by_time] * 1e6).astype(np.int64), unit="us")

    def strings(names: list[str], codes: np.ndarray) -> pd.Series:
        return pd.Series(pd.Index(names, dtype="str").take(codes[by_time]))  # Arrow take: no Python strings

    frame = pd.DataFrame(
        {
            "channel": strings([f"channel-{i:03d}" for i in range(n_channels)], channel_code),
            "timestamp": timestamps,
            "user": strings([f"u{i:07d}" for i in range(people)], person),
            "kind": "reaction",
            "emoji": strings(keys, emoji_code),
        }
    )
    frame["is_custom"] = np.char.startswith(np.array(keys), ":")[emoji_code[by_time]]
    return frame


DISCORD_REACTIONS = ("👍", "😂", "❤️", "🎉", "🔥", "👀", "🙏", "😢", "✅", "🚀")
DISCORD_TEXTS = (
    "shipped the fix, thanks everyone 🎉",
    "can someone review my pull request?",
    "lol that is exactly what happened 😂",
    "build is red again <:sadparrot:811111111111111111>",
    "good morning",
    "meeting moved to 3pm",
)


def synthetic_discord_export(messages: int, reactors: int = 8, people: int = 500, seed: int = SEED) -> bytes:
    """A DiscordChatExporter channel file (JSON bytes) of ``messages`` messages, each with two reactions shared
    by ``reactors`` people in all: the shape of a large export near the importer's limits (a 62 MB file of
    ~100k messages and ~900k reactions for ``messages=100_000``), for the Discord import bench.

    Why this shape: reactor lists dominate a busy server's export (every reaction names everyone who reacted),
    and they are what the parser walks most; the texts mix plain words, Unicode and custom emoji."""
    import json
    from datetime import UTC, datetime

    rng = np.random.default_rng(seed)
    people_ids = [str(300_000_000_000_000_000 + i) for i in range(people)]
    start = pd.Timestamp("2024-01-01", tz="UTC").timestamp()
    parts = []
    for i in range(messages):
        author = int(rng.integers(people))  # drawn message by message: a smaller export is a prefix of a larger
        when = datetime.fromtimestamp(start + i * 37.0, UTC).isoformat(timespec="milliseconds")
        chosen = rng.choice(people, reactors, replace=False)
        first, second = rng.choice(len(DISCORD_REACTIONS), 2, replace=False)
        half = reactors // 2 + 1
        reactions = [
            {
                "emoji": {"id": "", "name": DISCORD_REACTIONS[int(code)], "isAnimated": False},
                "count": len(group),
                "users": [{"id": people_ids[int(p)], "name": f"person{int(p)}"} for p in group],
            }
            for code, group in ((first, chosen[:half]), (second, chosen[half:]))
            if len(group)
        ]
        parts.append(
            {
                "id": str(900_000_000_000_000_000 + i),
                "type": "Default",
                "timestamp": when,
                "content": DISCORD_TEXTS[i % len(DISCORD_TEXTS)],
                "author": {"id": people_ids[author], "name": f"person{author}", "nickname": f"Person {author}"},
                "reactions": reactions,
            }
        )
    channel = {"id": "700000000000000001", "type": "GuildTextChat", "name": "general"}
    export = {"guild": {"id": "1", "name": "Synthetic"}, "channel": channel, "messages": parts}
    return json.dumps(export, separators=(",", ":")).encode()
