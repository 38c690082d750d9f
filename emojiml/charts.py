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


# --- workspace charts (emojiml.workspace events frames: one row per emoji event) ---
KIND_COLORS = {"reaction": "#F5A623", "inline": "#4A90E2"}


def _no_events(title: str) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text="No emoji events here yet", showarrow=False, font={"size": 16})
    figure.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False}, height=260)
    return figure


def top_emoji(events: pd.DataFrame, top: int = 20) -> go.Figure:
    """The most used emoji, reactions and inline uses stacked."""
    title = f"Top {top} emoji"
    if events.empty:
        return _no_events(title)
    counts = events.groupby(["emoji", "kind"]).size().rename("uses").reset_index()
    order = counts.groupby("emoji")["uses"].sum().nlargest(top).index
    return _stacked_emoji_bars(counts[counts["emoji"].isin(order)], list(order), title, tick_size=18)


def _stacked_emoji_bars(counts: pd.DataFrame, order: list[str], title: str, tick_size: int) -> go.Figure:
    """Horizontal bars of uses per emoji in ``order``, reactions and inline uses stacked."""
    figure = px.bar(
        counts,
        x="uses",
        y="emoji",
        color="kind",
        orientation="h",
        title=title,
        color_discrete_map=KIND_COLORS,
        category_orders={"emoji": order},
    )
    figure.update_layout(yaxis={"title": None, "tickfont": {"size": tick_size}}, height=max(320, 120 + 26 * len(order)))
    return figure


def weekly_usage(events: pd.DataFrame) -> go.Figure:
    """Emoji events per week (UTC weeks starting Monday), one line per kind."""
    title = "Emoji use per week"
    if events.empty:
        return _no_events(title)
    weeks = events["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    counts = events.assign(week=weeks).groupby(["week", "kind"]).size().rename("events").reset_index()
    figure = px.line(counts, x="week", y="events", color="kind", title=title, color_discrete_map=KIND_COLORS)
    figure.update_traces(mode="lines+markers", marker={"size": 4})
    figure.update_layout(xaxis_title=None, height=340)
    return figure


def people_emoji_heatmap(events: pd.DataFrame, people: int = 15, top: int = 15) -> go.Figure:
    """How often each of the most active people used each of the most used emoji."""
    title = f"Most active {people} people × top {top} emoji"
    if events.empty:
        return _no_events(title)
    names = events["user_name"].where(events["user_name"].astype(bool), events["user"])
    frame = events.assign(person=names)
    active = frame["person"].value_counts().head(people).index
    popular = frame["emoji"].value_counts().head(top).index
    table = (
        frame[frame["person"].isin(active) & frame["emoji"].isin(popular)]
        .groupby(["person", "emoji"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=active, columns=popular, fill_value=0)
    )
    figure = px.imshow(table, text_auto=True, aspect="auto", color_continuous_scale="Oranges", title=title)
    figure.update_layout(
        xaxis={"title": None, "tickfont": {"size": 18}, "side": "top"},
        yaxis_title=None,
        height=160 + 28 * len(active),
    )
    return figure


def custom_emoji_usage(events: pd.DataFrame) -> go.Figure:
    """The workspace's own emoji (``:partyr:``) and how often each was used."""
    title = "Custom emoji"
    custom = events[events["is_custom"]] if not events.empty else events
    if custom.empty:
        return _no_events(title)
    counts = custom.groupby(["emoji", "kind"]).size().rename("uses").reset_index()
    order = counts.groupby("emoji")["uses"].sum().sort_values(ascending=False).index
    return _stacked_emoji_bars(counts, list(order), title, tick_size=14)


# --- recommend (issue 4) ------------------------------------------------------------------------------------
SOURCE_COLORS = {"collaborative": "#4C78A8", "content": "#F58518", "popularity": "#54A24B"}


def contribution_bars(suggestions: Sequence) -> go.Figure:
    """Stacked horizontal bars: each suggestion's score split into what each source contributed."""
    rows = [
        {"emoji": f"{s.emoji.char}  {s.emoji.name}", "source": source, "contribution": value}
        for s in suggestions
        for source, value in s.contributions.items()
    ]
    frame = pd.DataFrame(rows, columns=["emoji", "source", "contribution"])
    figure = px.bar(
        frame,
        x="contribution",
        y="emoji",
        color="source",
        orientation="h",
        title="Why each emoji: weight × normalised score of each source",
        color_discrete_map=SOURCE_COLORS,
    )
    figure.update_layout(
        barmode="stack", yaxis={"autorange": "reversed", "title": None}, height=120 + 30 * len(suggestions)
    )
    return figure


def factor_heatmap(loadings: pd.DataFrame, title: str, max_rows: int = 30) -> go.Figure:
    """NMF loadings (rows: emoji or people, columns: components); the rows with the largest loadings."""
    shown = loadings.loc[loadings.max(axis=1).sort_values(ascending=False).index[:max_rows]]
    figure = px.imshow(shown, aspect="auto", color_continuous_scale="Blues", title=title)
    figure.update_layout(
        yaxis={"title": None, "tickfont": {"size": 16}}, xaxis_title="component", height=140 + 22 * len(shown)
    )
    return figure


def ternary_ndcg(sweep: pd.DataFrame, current: dict[str, float], variant: str = "any", k: int = 10) -> go.Figure:
    """NDCG@k of every hybrid mix on the weight simplex, the best mix starred and the current sliders marked."""
    column = f"ndcg_{variant}"
    best = sweep.loc[sweep[column].idxmax()]
    figure = go.Figure(
        go.Scatterternary(
            a=sweep["collaborative"],
            b=sweep["content"],
            c=sweep["popularity"],
            mode="markers",
            marker={"color": sweep[column], "colorscale": "Viridis", "size": 11, "colorbar": {"title": f"NDCG@{k}"}},
            text=[f"NDCG@{k} {v:.3f}" for v in sweep[column]],
            hoverinfo="text",
            name="mixes",
        )
    )
    figure.add_trace(
        go.Scatterternary(
            a=[best["collaborative"]],
            b=[best["content"]],
            c=[best["popularity"]],
            mode="markers",
            marker={"symbol": "star", "size": 18, "color": "gold", "line": {"width": 1, "color": "black"}},
            name=f"best ({best[column]:.3f})",
        )
    )
    figure.add_trace(
        go.Scatterternary(
            a=[current.get("collaborative", 0)],
            b=[current.get("content", 0)],
            c=[current.get("popularity", 0)],
            mode="markers",
            marker={"symbol": "x", "size": 16, "color": "red"},
            name="your sliders",
        )
    )
    figure.update_layout(
        title=f"NDCG@{k} over the weight simplex ({variant} emoji)",
        ternary={"aaxis": {"title": "collaborative"}, "baxis": {"title": "content"}, "caxis": {"title": "popularity"}},
        height=480,
        legend={"orientation": "h"},
    )
    return figure


def acceptance_by_source(feedback: pd.DataFrame) -> go.Figure:
    """Share of 👍 among the votes, grouped by the source that contributed most to the voted suggestion."""
    title = "Acceptance rate by leading source"
    if feedback.empty:
        figure = go.Figure()
        figure.add_annotation(text="No votes yet: rate a suggestion with 👍 or 👎", showarrow=False, font={"size": 15})
        figure.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False}, height=240)
        return figure

    def leading(sources) -> str:
        if isinstance(sources, dict) and sources:
            return max(sources, key=lambda name: float(sources[name] or 0))
        return "unknown"

    frame = feedback.assign(source=feedback["sources"].map(leading), accepted=feedback["vote"] > 0)
    table = frame.groupby("source").agg(rate=("accepted", "mean"), votes=("accepted", "size")).reset_index()
    figure = px.bar(
        table,
        x="source",
        y="rate",
        text=table["votes"].map(lambda n: f"{n} vote(s)"),
        color="source",
        color_discrete_map=SOURCE_COLORS,
        title=title,
        range_y=[0, 1],
    )
    figure.update_layout(showlegend=False, yaxis_title="👍 share", xaxis_title=None)
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


# --- Studio: the VAE latent space (emojiml.generate.latent) ---
def latent_map(
    coords,
    groups: Sequence[str],
    labels: Sequence[str],
    path=None,
    path_labels: Sequence[str] = (),
    explained: tuple[float, float] | None = None,
) -> go.Figure:
    """Real emoji's latent codes on their PCA plane, coloured by Unicode group, the emoji on hover, with an
    interpolation path (one marker per frame, A and B labelled) drawn on top."""
    frame = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "group": list(groups), "emoji": list(labels)})
    figure = px.scatter(
        frame,
        x="x",
        y="y",
        color="group",
        hover_name="emoji",
        hover_data={"x": False, "y": False, "group": True},
        title="The VAE's latent space: real emoji (PCA of their codes)",
        opacity=0.55,
    )
    figure.update_traces(marker={"size": 6})
    if path is not None and len(path):
        names = list(path_labels) or [f"frame {k + 1}" for k in range(len(path))]
        figure.add_trace(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines+markers",
                name="interpolation",
                text=names,
                hoverinfo="text",
                line={"color": "#1F2430", "width": 3},
                marker={"size": 9, "color": "#F5A623", "line": {"color": "#1F2430", "width": 1}},
            )
        )
        for index, tag in ((0, "A"), (len(path) - 1, "B")):
            figure.add_annotation(x=path[index, 0], y=path[index, 1], text=f"<b>{tag}</b>", showarrow=True, arrowhead=2)
    axis = ("PC1", "PC2")
    if explained:
        axis = (f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})")
    figure.update_layout(xaxis_title=axis[0], yaxis_title=axis[1], height=520, legend_title=None)
    return figure
