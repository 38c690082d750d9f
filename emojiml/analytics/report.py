"""One analytics report for a workspace, as the Analytics page shows it and ``emojiml report`` prints it.

``build_report`` is data in, data out (events and feedback frames -> named tables); ``workspace_report`` reads
them from the store first. Both the page and the CLI call these, so their numbers are the same.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from emojiml.analytics import engagement
from emojiml.analytics.feedback import (
    RETIRED,
    UNRECORDED,
    AnalyticsInputError,
    acceptance,
    acceptance_over_time,
    auto_frequency,
    before_after,
    prepare_feedback,
    utc_day,
)

NO_FEEDBACK = (
    "No votes yet: rate suggestions with 👍/👎 on the Recommend page, then come back to see which source, "
    "mix and model people accept."
)


@dataclass(frozen=True)
class AnalyticsReport:
    """Named tables (each a DataFrame with its counts), a few headline numbers and notices to show."""

    workspace: str
    filters: dict[str, str | None]
    summary: dict[str, float | int | str | None]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    def to_json(self) -> str:
        tables = {
            name: json.loads(table.to_json(orient="records", date_format="iso")) for name, table in self.tables.items()
        }
        body = {
            "workspace": self.workspace,
            "filters": self.filters,
            "summary": self.summary,
            "notices": list(self.notices),
            "tables": tables,
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_csv(self) -> str:
        """Every table in one CSV: a ``table`` column first, then the union of the tables' columns."""
        # nullable dtypes keep whole counts whole (3, not 3.0) where another table leaves the cell empty
        frames = [table.assign(table=name).convert_dtypes() for name, table in self.tables.items() if not table.empty]
        if not frames:
            return "table\n"
        combined = pd.concat(frames, ignore_index=True)
        combined = combined[["table", *[c for c in combined.columns if c != "table"]]]
        buffer = io.StringIO()
        combined.to_csv(buffer, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
        return buffer.getvalue()


def in_range(frame: pd.DataFrame, since=None, until=None) -> pd.DataFrame:
    """Rows with ``since`` <= timestamp < ``until`` + 1 day (dates are whole UTC days, both ends included)."""
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= frame["timestamp"] >= utc_day(since)
    if until is not None:
        keep &= frame["timestamp"] < utc_day(until) + pd.Timedelta(days=1)
    return frame[keep]


def default_pivot(feedback: pd.DataFrame) -> pd.Timestamp | None:
    """Where to split before/after: the start (UTC midnight) of the day the latest model version got its first
    vote, if there were earlier ones; else of the day in the middle of the votes' time range. Whole days,
    because that is what ``--pivot`` and the page's date box can express. None without votes."""
    if feedback.empty:
        return None
    versions = feedback.groupby("model_version")["timestamp"].min().sort_values()
    if len(versions) > 1:
        return versions.iloc[-1].floor("D")
    return (feedback["timestamp"].min() + (feedback["timestamp"].max() - feedback["timestamp"].min()) / 2).floor("D")


def build_report(
    workspace: str,
    events: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    messages: int | None = None,
    messages_per_channel: Mapping[str, int] | None = None,
    channel: str | None = None,
    since=None,
    until=None,
    pivot=None,
    current_versions: set[str] | None = None,
) -> AnalyticsReport:
    """Every analytics table for already loaded events (one channel or all) and feedback."""
    if since is not None and until is not None and utc_day(since) > utc_day(until):
        raise AnalyticsInputError(f"The range starts ({since}) after it ends ({until}): swap the dates.")
    events = in_range(events, since, until)
    votes = in_range(prepare_feedback(feedback, current_versions), since, until)
    freq = auto_frequency(events["timestamp"]) if not events.empty else auto_frequency(votes["timestamp"])
    pivot = utc_day(pivot) if pivot is not None else default_pivot(votes)
    tables = {
        "acceptance_by_source": acceptance(votes, "source"),
        "acceptance_by_mix": acceptance(votes, "mix"),
        "acceptance_by_model_version": acceptance(votes, "model_version"),
        "acceptance_by_person": acceptance(votes, "user"),
        "acceptance_over_time": acceptance_over_time(votes, "source", freq),
        "acceptance_by_person_over_time": acceptance_over_time(votes, "user", freq),
        "before_after": before_after(votes, pivot),
        "before_after_by_source": before_after(votes, pivot, "source"),
        "reactions_per_message": engagement.reactions_per_message(
            events, *((messages, messages_per_channel) if not (since or until) else (None, None))
        ),
        "people": engagement.person_diversity(events),
        "diversity_over_time": engagement.diversity_over_time(events, freq),
        "channel_trends": engagement.channel_trends(events, freq),
        "rising_and_falling": engagement.rising_and_falling(events),
        "custom_adoption": engagement.custom_adoption(events),
        "custom_adoption_curve": engagement.custom_adoption_curve(events),
    }
    notices = []
    if votes.empty:
        notices.append(NO_FEEDBACK if feedback.empty else "No votes in this date range: widen it.")
    if events.empty:
        notices.append(
            "No emoji events in this date range: widen it."
            if since is not None or until is not None
            else "No emoji events here yet: import an export with reactions on the Workspaces page."
        )
    retired = int(votes["model_version"].str.endswith(RETIRED).sum()) if not votes.empty else 0
    if retired:
        notices.append(f"{retired} vote(s) came from model versions that no longer exist; they are kept and marked.")
    if channel is not None and not votes.empty:
        notices.append("Votes are not tied to a channel: acceptance covers the whole workspace.")
    people = tables["people"]
    summary = {
        "events": len(events),
        "reactions": int((events["kind"] == "reaction").sum()) if not events.empty else 0,
        "people": len(people),
        "distinct_emoji": int(events["emoji"].nunique()) if not events.empty else 0,
        "median_entropy_bits": float(people["entropy_bits"].median()) if not people.empty else None,
        "votes": len(votes),
        "acceptance": float(votes["accepted"].mean()) if not votes.empty else None,
        "unrecorded_version_votes": int((votes["model_version"] == UNRECORDED).sum()) if not votes.empty else 0,
        "retired_version_votes": retired,
        "period": {"D": "day", "W": "week", "M": "month"}[freq],
        "pivot": pivot.isoformat() if pivot is not None else None,
    }
    filters = {
        "channel": channel,
        "since": str(since) if since is not None else None,
        "until": str(until) if until is not None else None,
    }
    return AnalyticsReport(workspace, filters, summary, tables, tuple(notices))


def workspace_report(
    workspace: str, store=None, channel: str | None = None, since=None, until=None, pivot=None
) -> AnalyticsReport:
    """``build_report`` on the stored events and feedback of ``workspace``; the current model version is the
    one fitted on the workspace's current revision."""
    from emojiml.recommend.version import model_version
    from emojiml.workspace import open_store

    store = store or open_store()
    events = store.events_frame(workspace, channel)
    info = store.workspace(workspace)
    counts = store.counts(workspace, channel)
    return build_report(
        workspace,
        events,
        store.feedback_frame(workspace),
        messages=counts.messages,
        messages_per_channel=store.messages_per_channel(workspace),
        channel=channel,
        since=since,
        until=until,
        pivot=pivot,
        current_versions={model_version(info.revision)} if info else set(),
    )
