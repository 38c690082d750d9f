"""Plotly figure builders: data in, figure out. No Streamlit calls, so every chart is unit-testable."""

from __future__ import annotations

import html
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


# --- analytics (emojiml.analytics tables) --------------------------------------------------------------------
DAY_MS = 86_400_000
PERIOD_TICKS = {"D": DAY_MS, "W": 7 * DAY_MS, "M": "M1"}
PERIOD_STEP = {"D": pd.Timedelta(days=1), "W": pd.Timedelta(days=7), "M": pd.Timedelta(days=31)}
PERIOD_WORDS = {"D": "day", "W": "week", "M": "month"}


def _escaped(values: pd.Series) -> pd.Series:
    """User-provided names (people, channels, custom emoji) as literal text: Plotly reads tags such as <b>."""
    return values.astype(str).map(html.escape)


def _note(title: str, text: str, height: int = 240) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=text, showarrow=False, font={"size": 15})
    figure.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False}, height=height)
    return figure


def _subtitle(figure: go.Figure, note: str) -> None:
    """A short note under the title (where it cannot collide with axes or legends)."""
    figure.update_layout(title_text=f"{figure.layout.title.text}<br><sup>{note}</sup>")


def _date_axis(figure: go.Figure, periods: pd.Series, freq: str) -> None:
    """Whole-period ticks on a padded range: a single week is drawn as a week, never as milliseconds."""
    first, last = pd.Timestamp(periods.min()), pd.Timestamp(periods.max())
    step = PERIOD_STEP[freq]
    tick = "%b %Y" if freq == "M" else "%d %b %Y"
    figure.update_xaxes(type="date", range=[first - step / 2, last + step / 2], tickformat=tick, title=None)
    if (last - first) <= 8 * step:
        figure.update_xaxes(dtick=PERIOD_TICKS[freq], tick0=first)


def acceptance_bars(table: pd.DataFrame, by: str, title: str) -> go.Figure:
    """👍 share per group with its 95 % Wilson interval; each label carries its number of votes."""
    if table.empty:
        return _note(title, "No votes yet: rate suggestions with 👍/👎 on the Recommend page")
    votes = table["votes"].astype(int)
    labels = _escaped(table[by]) + [f" ({n} vote{'s' if n != 1 else ''})" for n in votes]
    figure = go.Figure(
        go.Bar(
            x=table["share"],
            y=labels,
            orientation="h",
            marker_color=[SOURCE_COLORS.get(str(v), "#4C78A8") for v in table[by]],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": table["ci_high"] - table["share"],
                "arrayminus": table["share"] - table["ci_low"],
            },
            hovertemplate="%{y}: %{x:.0%} 👍<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis={"range": [0, 1], "tickformat": ".0%", "title": "👍 share (bars: 95 % Wilson interval)"},
        yaxis={"autorange": "reversed", "title": None},
        height=max(240, 130 + 36 * len(table)),
    )
    if len(table) == 1:  # a lone bar compares nothing: say so
        _subtitle(figure, f"Only one {by.replace('_', ' ')} so far: nothing to compare yet")
    return figure


def acceptance_timeline(table: pd.DataFrame, by: str, freq: str) -> go.Figure:
    """👍 share per period and group; marker size grows with the period's votes."""
    title = f"👍 share per {PERIOD_WORDS[freq]} by {by.replace('_', ' ')}"
    if table.empty:
        return _note(title, "No votes yet: rate suggestions with 👍/👎 on the Recommend page")
    frame = table.assign(group=_escaped(table[by]))
    figure = px.line(
        frame,
        x="period",
        y="share",
        color="group",
        markers=True,
        custom_data=["votes"],
        title=title,
        color_discrete_map=SOURCE_COLORS,
    )
    figure.update_traces(hovertemplate="%{x|%d %b %Y}: %{y:.0%} of %{customdata[0]} vote(s)<extra></extra>")
    figure.update_layout(
        yaxis={"range": [-0.05, 1.05], "tickformat": ".0%", "title": "👍 share"},
        legend_title_text=by.replace("_", " "),
        height=340,
    )
    _date_axis(figure, frame["period"], freq)
    if frame["period"].nunique() == 1:
        _subtitle(figure, f"All votes fall in one {PERIOD_WORDS[freq]}: the trend needs a second one")
    return figure


def before_after_chart(table: pd.DataFrame, pivot: str | None) -> go.Figure:
    """Before and after ``pivot``: each group's 👍 share with its Wilson interval, side by side."""
    title = f"Before and after {pivot[:10]}" if pivot else "Before and after"
    if table.empty:
        return _note(title, "No votes yet: rate suggestions with 👍/👎 on the Recommend page")
    figure = go.Figure()
    for side, color in (("before", "#9E9E9E"), ("after", "#4C78A8")):
        share = table[f"share_{side}"]
        figure.add_trace(
            go.Bar(
                name=side,
                x=_escaped(table["group"]),
                y=share,
                marker_color=color,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": table[f"ci_high_{side}"] - share,
                    "arrayminus": share - table[f"ci_low_{side}"],
                },
                text=[f"{v} vote{'s' if v != 1 else ''}" for v in table[f"votes_{side}"]],
                textposition="outside",
            )
        )
    figure.update_layout(
        title=title, barmode="group", yaxis={"range": [0, 1.15], "tickformat": ".0%", "title": "👍 share"}, height=360
    )
    if not table["votes_before"].sum():
        _subtitle(figure, "No votes before this day: pick a later split to compare")
    elif not table["votes_after"].sum():
        _subtitle(figure, "No votes from this day on: pick an earlier split to compare")
    return figure


def diversity_timeline(table: pd.DataFrame, freq: str) -> go.Figure:
    """Per period: distinct emoji (bars) and the entropy of the emoji used (line, bits)."""
    title = f"Emoji diversity per {PERIOD_WORDS[freq]}"
    if table.empty:
        return _no_events(title)
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=table["period"], y=table["distinct_emoji"], name="distinct emoji", marker_color="#BBD4EA")
    )
    figure.add_trace(
        go.Scatter(
            x=table["period"],
            y=table["entropy_bits"],
            name="entropy (bits)",
            mode="lines+markers",
            yaxis="y2",
            line={"color": "#F58518"},
        )
    )
    figure.update_layout(
        title=title,
        yaxis={"title": "distinct emoji", "rangemode": "tozero"},
        yaxis2={"title": "entropy (bits)", "overlaying": "y", "side": "right", "rangemode": "tozero", "dtick": 1},
        legend={"orientation": "h", "y": -0.2},
        height=360,
    )
    _date_axis(figure, table["period"], freq)
    if len(table) == 1:
        _subtitle(figure, f"One {PERIOD_WORDS[freq]} of events: widen the date range to compare periods")
    return figure


def channel_trend_lines(table: pd.DataFrame, channel: str, freq: str) -> go.Figure:
    """Uses per period of a channel's top emoji, stacked: which rise and which fall (bars stay readable when
    most periods are empty, where zero-filled lines turn into spikes)."""
    title = f"Top emoji in #{html.escape(str(channel))} per {PERIOD_WORDS[freq]}"
    shown = table[table["channel"] == channel] if not table.empty else table
    if shown.empty:
        return _no_events(title)
    frame = shown.assign(emoji=_escaped(shown["emoji"]))
    figure = px.bar(frame, x="period", y="uses", color="emoji", title=title)
    figure.update_layout(yaxis={"title": "uses", "rangemode": "tozero"}, height=360, bargap=0.1)
    _date_axis(figure, frame["period"], freq)
    if frame["period"].nunique() == 1:
        _subtitle(figure, f"One {PERIOD_WORDS[freq]} of events: widen the date range to see a trend")
    return figure


def people_diversity(table: pd.DataFrame) -> go.Figure:
    """Each person: how many emoji events (x, log) and how varied their emoji are (entropy, y)."""
    title = "People: activity and emoji diversity"
    if table.empty:
        return _no_events(title)
    frame = table.assign(who=_escaped(table["name"]), top=_escaped(table["top_emoji"]))
    figure = px.scatter(
        frame,
        x="events",
        y="entropy_bits",
        size="distinct_emoji",
        log_x=True,
        title=title,
        custom_data=["who", "distinct_emoji", "top"],
    )
    figure.update_traces(
        hovertemplate="%{customdata[0]}: %{x} events, %{customdata[1]} distinct emoji, mostly %{customdata[2]}"
        "<br>entropy %{y:.2f} bits<extra></extra>"
    )
    figure.update_layout(
        xaxis={"title": "emoji events (log scale)", "dtick": 1},  # ticks at 1, 10, 100: no crowded minor labels
        yaxis_title="entropy (bits)",
        height=380,
    )
    return figure


def custom_adoption_curves(curve: pd.DataFrame) -> go.Figure:
    """Cumulative people using each custom emoji, by days since its first use."""
    title = "Custom emoji adoption"
    if curve.empty:
        return _note(title, "No custom emoji used here yet: add one (or a generated one) to the workspace")
    frame = curve.assign(emoji=_escaped(curve["emoji"]))
    figure = px.line(
        frame, x="days_since_first_use", y="people_so_far", color="emoji", markers=True, line_shape="hv", title=title
    )
    figure.update_layout(
        xaxis={"title": "days since first use", "rangemode": "tozero"},
        yaxis={
            "title": "people who used it",
            "rangemode": "tozero",
            "dtick": 1 if frame["people_so_far"].max() <= 10 else None,
        },
        height=360,
    )
    return figure
