"""Plotly figure builders: data in, figure out. No Streamlit calls, so every chart is unit-testable."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from emojiml.search import SearchHit


def search_scores(hits: Sequence[SearchHit]) -> go.Figure:
    """Horizontal bars of each hit's blended search score, coloured by the signal that found it."""
    frame = pd.DataFrame(
        {
            "emoji": [f"{h.emoji.char} {h.emoji.name}" for h in hits],
            "score": [h.score for h in hits],
            "matched by": [h.reason for h in hits],
        }
    )
    figure = px.bar(frame, x="score", y="emoji", color="matched by", orientation="h", title="Why these results")
    figure.update_layout(yaxis={"autorange": "reversed", "title": None}, height=80 + 28 * len(frame))
    return figure
