"""Small event tables for the recommender tests, built on the fly in the events-table shape."""

from __future__ import annotations

import pandas as pd
import pytest

DAY = 86400.0
START = 1_600_000_000.0


def make_events(rows: list[tuple[str, str, float, str]], text: str = "") -> pd.DataFrame:
    """rows: (user, emoji, day offset, channel) -> an events frame (one message per row)."""
    return pd.DataFrame(
        {
            "workspace": "test",
            "channel": [r[3] for r in rows],
            "message_id": [f"m{i}" for i in range(len(rows))],
            "timestamp": pd.to_datetime([START + r[2] * DAY for r in rows], unit="s", utc=True),
            "user": [r[0] for r in rows],
            "author": "someone",
            "kind": "reaction",
            "emoji": [r[1] for r in rows],
            "is_custom": [r[1].startswith(":") for r in rows],
            "text": text,
        }
    )


@pytest.fixture
def team_events() -> pd.DataFrame:
    """Three people with distinct habits, a custom emoji, two channels, spread over 60 days."""
    rows = []
    for day in range(30):
        rows.append(("ana", "👍", day, "general"))
        rows.append(("ben", "🎉", day + 0.5, "random"))
        if day % 3 == 0:
            rows.append(("ana", "🎉", day + 0.2, "general"))
            rows.append(("cy", ":partyr:", day + 0.3, "random"))
        if day % 5 == 0:
            rows.append(("ben", "👀", day + 0.7, "random"))
            rows.append(("cy", "🎉", day + 0.4, "random"))
    for day in range(50, 60):
        rows.append(("dee", "🚀", day, "general"))
    return make_events(rows)
