"""Workspace: import a Slack / Discord / CSV export or pick one already stored, and see who uses which emoji."""

import pandas as pd
import streamlit as st

from emojiml import charts
from emojiml.auth import account_store
from emojiml.auth.page_gate import import_refusal, may_delete_workspaces, record_import
from emojiml.errors import EmojimlError
from emojiml.page_cache import workspace_events, workspace_store
from emojiml.page_widgets import escape_markdown, waiting_for_writers, workspace_picker
from emojiml.workspace import import_upload
from emojiml.workspace.archive import DEFAULT_LIMITS, MB
from emojiml.workspace.removal import removal_summary, remove_workspace
from emojiml.workspace.store import StoreError

ALL_CHANNELS = "All channels"

st.title("🗂️ Workspaces")
st.caption(
    "Emoji reactions and inline emoji from real chat exports. The Houston Data Visualization Slack (MIT) is "
    "loaded as a demo; import your own Slack export (.zip), DiscordChatExporter JSON, or a CSV of "
    "`user, emoji, timestamp`."
)

store = workspace_store()
if note := st.session_state.pop("deleted_note", None):
    st.success(note)

with st.expander("Import an export"):
    upload = st.file_uploader(
        f"Slack export (.zip, or an export folder zipped), Discord .json, or .csv — up to "
        f"{DEFAULT_LIMITS.max_upload_bytes // MB} MB",
        type=["zip", "json", "csv", "gz", "tgz"],
    )
    name = st.text_input("Workspace name", placeholder="default: the file name", max_chars=100)
    refusal = import_refusal([info.name for info in store.workspaces()], name.strip() or None)
    if upload is not None and refusal and st.button("Import", type="primary"):
        st.error(escape_markdown(refusal))
    elif upload is not None and st.button("Import", type="primary"):
        bar = st.progress(0.0, text=f"Reading {escape_markdown(upload.name)}…")
        try:
            with waiting_for_writers():
                report = import_upload(
                    upload.getvalue(),
                    upload.name,
                    name.strip() or None,
                    store=store,
                    progress=lambda fraction, text: bar.progress(fraction, text=escape_markdown(text)),
                )
        except StoreError as error:  # stopped while writing: what was stored stays, once, and a retry adds the rest
            bar.empty()
            st.error(f"The import did not finish: {escape_markdown(str(error))}")
        except EmojimlError as error:
            bar.empty()
            st.error(f"Nothing was imported: {escape_markdown(str(error))}")
        else:
            record_import(report.workspace, upload.name)
            st.session_state["workspace"] = report.workspace
            st.success(escape_markdown(report.lines()[0]))
            if report.completion_note:
                st.info(escape_markdown(report.completion_note))
            details = [line for line in report.lines()[1:] if line != report.completion_note]
            if report.skipped_files or report.invalid:
                problems = len(report.skipped_files) + len(report.invalid)
                st.warning(f"{problems} file(s) or record(s) were skipped; the reasons, as the export wrote them:")
                st.text("\n".join(line.strip() for line in details[1:]))  # st.text: names shown, never rendered
            st.caption(escape_markdown(details[0]))

left, right = st.columns([2, 2])
workspace = workspace_picker(store, "workspace", left, "No workspace is stored yet: import an export above.")
try:
    channel_names = store.channels(workspace)
except EmojimlError as error:
    st.error(escape_markdown(str(error)))
    st.stop()
picked = right.selectbox("Channel", [ALL_CHANNELS, *channel_names])
channel = None if picked == ALL_CHANNELS else picked

info = store.workspace(workspace)
counts = store.counts(workspace, channel)
for column, (label, value) in zip(
    st.columns(6),
    [
        ("Messages", counts.messages),
        ("People", counts.people),
        ("Reactions", counts.reactions),
        ("Inline emoji", counts.inline),
        ("Distinct emoji", counts.emoji),
        ("Custom emoji", counts.custom_emoji),
    ],
    strict=True,
):
    column.metric(label, f"{value:,}")

events: pd.DataFrame = workspace_events(workspace, channel, info.revision if info else 0)

top_column, custom_column = st.columns([3, 2])
top_column.plotly_chart(charts.top_emoji(events), width="stretch")
custom_column.plotly_chart(charts.custom_emoji_usage(events), width="stretch")
st.plotly_chart(charts.weekly_usage(events), width="stretch")


@st.fragment
def heatmap(events: pd.DataFrame) -> None:
    people_column, emoji_column = st.columns(2)
    people = people_column.slider("People", 5, 40, 15, key="heatmap_people")
    top = emoji_column.slider("Emoji", 5, 40, 15, key="heatmap_emoji")
    st.plotly_chart(charts.people_emoji_heatmap(events, people=people, top=top), width="stretch")


heatmap(events)

if may_delete_workspaces():
    history = account_store().imports(workspace)
    if history:
        # st.text, not Markdown: file names come from uploads and must not render as links or images
        st.text("Imported by " + "; ".join(f"{who} ({source or 'a file'})" for who, source, _ in history[-5:]))
    with st.expander("Delete this workspace"):
        st.warning(f"This removes every message, emoji event and piece of feedback stored for {workspace!r}.")
        confirm = st.text_input("Type the workspace's name to confirm", key="delete_confirm")
        if st.button("Delete workspace", disabled=confirm != workspace):
            removed = remove_workspace(store, workspace)
            st.session_state.pop("workspace", None)
            st.session_state["deleted_note"] = removal_summary(workspace, removed)
            st.rerun()
