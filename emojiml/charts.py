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


# --- Conversation context (emojiml.text): charts over analyze.analysis_table() frames ----------------------

STATE_ORDER = ("greeting", "question", "agreement", "disagreement", "farewell", "excitement", "concern", "neutral")


def sentiment_timeline(table: pd.DataFrame) -> go.Figure:
    """Sentiment score per turn, in [-1, 1], with the message on hover."""
    figure = px.line(
        table,
        x="turn",
        y="score",
        markers=True,
        hover_data=["user", "text", "sentiment"],
        title="Sentiment over the turns",
    )
    figure.add_hline(y=0, line_dash="dot", line_color="grey")
    figure.update_layout(yaxis={"range": [-1.05, 1.05], "title": "sentiment score"}, height=300)
    return figure


def emotion_area(table: pd.DataFrame) -> go.Figure:
    """Stacked area of the 7 emotion probabilities per turn."""
    columns = [c for c in table.columns if c.startswith("p_")]
    long = table.melt(id_vars=["turn"], value_vars=columns, var_name="emotion", value_name="probability")
    long["emotion"] = long["emotion"].str.removeprefix("p_")
    figure = px.area(long, x="turn", y="probability", color="emotion", title="Emotion probabilities over the turns")
    figure.update_layout(yaxis={"range": [0, 1]}, height=320)
    return figure


def state_sequence(table: pd.DataFrame) -> go.Figure:
    """Each turn's conversation state as a marker on a categorical axis."""
    figure = px.scatter(
        table, x="turn", y="state", color="state", hover_data=["user", "text", "act"], title="Conversation states"
    )
    figure.update_traces(marker={"size": 14})
    figure.update_layout(
        yaxis={"categoryorder": "array", "categoryarray": list(STATE_ORDER[::-1])}, height=320, showlegend=False
    )
    return figure
