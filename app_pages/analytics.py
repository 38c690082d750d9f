"""Analytics: do the suggestions help (👍 share by source, mix, model and person) and how do people use emoji."""

import pandas as pd
import streamlit as st

from emojiml import charts
from emojiml.analytics import build_report
from emojiml.errors import EmojimlError
from emojiml.page_cache import workspace_events, workspace_store
from emojiml.page_widgets import workspace_picker
from emojiml.recommend.version import model_version
from emojiml.workspace import UnknownWorkspaceError

ALL_CHANNELS = "All channels"

st.title("📈 Analytics")
st.caption(
    "Votes from the Recommend page say which source, mix and model people accept; the workspace's emoji events "
    "say how people react. Every table can be downloaded as CSV; `emojiml report --workspace W` prints the same."
)

store = workspace_store()
left, middle, right = st.columns([1, 1, 2])
workspace = workspace_picker(
    store, "analytics_workspace", left, "No workspace is stored yet: import one on the Workspaces page."
)
info = store.workspace(workspace)
revision = info.revision if info else 0
try:
    channel_choice = middle.selectbox("Channel", [ALL_CHANNELS, *store.channels(workspace)], key="analytics_channel")
    channel = None if channel_choice == ALL_CHANNELS else channel_choice
    events = workspace_events(workspace, channel, revision)
    feedback = store.feedback_frame(workspace)
except UnknownWorkspaceError as error:
    st.error(f"{error} Pick another workspace.")
    st.stop()

if events.empty and feedback.empty:
    st.info(
        "Nothing to analyse yet: this workspace has no emoji events and no votes. Import a Slack, Discord or CSV "
        "export with reactions on the **Workspaces** page, then rate suggestions with 👍/👎 on **Recommend**."
    )
    st.stop()

stamps = pd.concat([events["timestamp"], feedback["timestamp"]])
first_day, last_day = stamps.min().date(), stamps.max().date()
picked = right.date_input(
    "Date range (UTC)", value=(first_day, last_day), min_value=first_day, max_value=last_day, key="analytics_range"
)
since, until = (picked[0], picked[1]) if isinstance(picked, tuple) and len(picked) == 2 else (first_day, last_day)

try:
    report = build_report(
        workspace,
        events,
        feedback,
        messages=store.counts(workspace, channel).messages,
        channel=channel,
        since=since if since > first_day else None,
        until=until if until < last_day else None,
        pivot=st.session_state.get("analytics_pivot"),
        current_versions={model_version(revision)},
    )
except EmojimlError as error:
    st.error(str(error))
    st.stop()
for notice in report.notices:
    st.info(notice)
tables, summary = report.tables, report.summary
freq = {"day": "D", "week": "W", "month": "M"}[summary["period"]]


def table_with_download(name: str, caption: str) -> None:
    """A table and its CSV download button."""
    table = tables[name]
    st.caption(caption)
    dates = {c: st.column_config.DateColumn(format="YYYY-MM-DD") for c in ("period",) if c in table.columns}
    # every ratio to 3 decimals (unformatted, one column read 2.236 beside 1.9487); the Styler's display values
    # are what the grid shows, while sorting and the CSV keep the full numbers
    floats = list(table.select_dtypes("float").columns)
    shown = table.style.format(precision=3, subset=floats) if floats else table
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(400, 40 + 35 * max(1, len(table))), column_config=dates
    )
    st.download_button(
        f"⬇️ {name}.csv",
        table.to_csv(index=False).encode(),
        file_name=f"{workspace}-{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )


st.download_button(
    "⬇️ Every table in one CSV",
    report.to_csv().encode(),
    file_name=f"{workspace}-analytics.csv",
    mime="text/csv",
    key="download_all",
)

st.header("Do the suggestions help?")
metrics = st.columns(4)
metrics[0].metric("Votes", summary["votes"])
metrics[1].metric("👍 share", f"{summary['acceptance']:.0%}" if summary["acceptance"] is not None else "—")
metrics[2].metric("Votes on retired models", summary["retired_version_votes"])
metrics[3].metric("Votes without a version", summary["unrecorded_version_votes"])
if summary["votes"]:
    by_source, by_mix = st.columns(2)
    by_source.plotly_chart(
        charts.acceptance_bars(tables["acceptance_by_source"], "source", "👍 share by leading source"), width="stretch"
    )
    by_mix.plotly_chart(
        charts.acceptance_bars(tables["acceptance_by_model_version"], "model_version", "👍 share by model version"),
        width="stretch",
    )
    table_with_download("acceptance_by_source", "Votes per source that contributed most to the voted suggestion.")
    table_with_download("acceptance_by_mix", "Votes per mix (the blend's weights, or its name).")
    table_with_download("acceptance_by_model_version", "Votes per model version; retired versions stay listed.")
    st.plotly_chart(charts.acceptance_timeline(tables["acceptance_over_time"], "source", freq), width="stretch")
    table_with_download("acceptance_over_time", f"👍 share per {summary['period']} and source.")

    st.subheader("Before and after a change")
    default_pivot = pd.Timestamp(summary["pivot"]).date() if summary["pivot"] else last_day
    st.date_input(
        "Split at (UTC day; default: when the latest model got its first vote)",
        value=min(max(default_pivot, first_day), last_day),
        min_value=first_day,
        max_value=last_day,
        key="analytics_pivot",
    )
    st.plotly_chart(charts.before_after_chart(tables["before_after_by_source"], summary["pivot"]), width="stretch")
    table_with_download(
        "before_after", "All votes: share before/after with 95 % Wilson intervals; change with Newcombe's interval."
    )
    table_with_download("before_after_by_source", "The same per leading source.")
    st.subheader("By person")
    table_with_download("acceptance_by_person", "Votes per person (their workspace id, or 'anonymous').")
    table_with_download("acceptance_by_person_over_time", f"Per person and {summary['period']}.")

st.header("How people use emoji")
if events.empty or not summary["events"]:
    st.info("No emoji events in this selection: widen the date range or pick another channel.")
    st.stop()
metrics = st.columns(4)
metrics[0].metric("Emoji events", summary["events"])
metrics[1].metric("People", summary["people"])
metrics[2].metric("Distinct emoji", summary["distinct_emoji"])
metrics[3].metric("Median diversity", f"{summary['median_entropy_bits']:.2f} bits")
table_with_download(
    "reactions_per_message", "Reactions per message that got any; the first row also over every stored message."
)
st.plotly_chart(charts.people_diversity(tables["people"]), width="stretch")
table_with_download("people", "Entropy 0 = always the same emoji; log2(k) = k emoji used equally often.")
st.plotly_chart(charts.diversity_timeline(tables["diversity_over_time"], freq), width="stretch")
table_with_download("diversity_over_time", f"Per {summary['period']}.")

st.subheader("Rise and fall per channel")
trend_channels = sorted(tables["channel_trends"]["channel"].unique()) if not tables["channel_trends"].empty else []
if trend_channels:
    shown = st.selectbox("Channel to draw", trend_channels, key="analytics_trend_channel")
    st.plotly_chart(charts.channel_trend_lines(tables["channel_trends"], shown, freq), width="stretch")
table_with_download("channel_trends", "Each channel's top 5 emoji per period (0 where unused).")
table_with_download("rising_and_falling", "Share of the channel's emoji use in the first vs second half of the range.")

st.subheader("Custom emoji adoption")
st.plotly_chart(charts.custom_adoption_curves(tables["custom_adoption_curve"]), width="stretch")
table_with_download(
    "custom_adoption", "Exports do not record when an emoji was added: its first use stands in (generated ones too)."
)
table_with_download("custom_adoption_curve", "Cumulative people per day since first use.")
