"""The whole report and ``emojiml report``: filters, empty ranges, JSON and CSV."""

import io
import json

import pandas as pd
import pytest

from emojiml.analytics import AnalyticsInputError, build_report, workspace_report
from emojiml.analytics.report import NO_FEEDBACK
from emojiml.cli import main
from emojiml.config import settings
from emojiml.recommend.version import model_version
from emojiml.workspace import DEMO_WORKSPACE


def test_a_workspace_without_feedback_reports_engagement_and_says_how_to_get_votes(demo_store):
    report = workspace_report(DEMO_WORKSPACE, demo_store)
    assert NO_FEEDBACK in report.notices
    assert report.summary["votes"] == 0 and report.summary["acceptance"] is None
    assert report.tables["acceptance_by_source"].empty
    assert report.summary["events"] == len(demo_store.events_frame(DEMO_WORKSPACE)) > 0
    per_channel = report.tables["reactions_per_message"]
    assert per_channel["reactions_per_message"].notna().all()  # channels too, over their stored messages
    assert (per_channel["reactions_per_message"] <= per_channel["reactions_per_reacted_message"]).all()


def test_a_date_range_with_no_events_says_so(demo_store):
    report = workspace_report(DEMO_WORKSPACE, demo_store, since="2030-01-01", until="2030-12-31")
    assert report.summary["events"] == 0
    assert "No emoji events in this date range: widen it." in report.notices
    assert all(table.empty for table in report.tables.values())
    with pytest.raises(AnalyticsInputError, match="swap the dates"):
        workspace_report(DEMO_WORKSPACE, demo_store, since="2016-01-01", until="2015-01-01")


def test_the_channel_and_range_filters_narrow_the_events(demo_store):
    events = demo_store.events_frame(DEMO_WORKSPACE)
    report = workspace_report(DEMO_WORKSPACE, demo_store, channel="general", since="2016-01-01")
    expected = events[(events["channel"] == "general") & (events["timestamp"] >= pd.Timestamp("2016-01-01", tz="UTC"))]
    assert report.summary["events"] == len(expected) > 0


def test_current_and_retired_votes_in_one_report(demo_store):
    revision = demo_store.workspace(DEMO_WORKSPACE).revision
    for day, version in enumerate([model_version(revision - 1), model_version(revision)]):
        demo_store.record_feedback(
            DEMO_WORKSPACE, "U1", "🎉", 1, sources={"content": 1.0}, timestamp=1.7e9 + day, model_version=version
        )
    report = workspace_report(DEMO_WORKSPACE, demo_store)
    assert report.summary["retired_version_votes"] == 1
    assert any("no longer exist" in notice for notice in report.notices)
    assert report.summary["pivot"] == pd.Timestamp(1.7e9 + 1, unit="s", tz="UTC").floor("D").isoformat()


def test_report_cli_prints_json_and_csv_with_the_same_numbers(demo_store, monkeypatch, capsys):
    monkeypatch.setenv("EMOJIML_DATABASE_URL", demo_store.url)
    settings.cache_clear()
    try:
        assert main(["report", "--workspace", DEMO_WORKSPACE, "--since", "2016-01-01"]) == 0
        body = json.loads(capsys.readouterr().out)
        assert main(["report", "--workspace", DEMO_WORKSPACE, "--since", "2016-01-01", "--format", "csv"]) == 0
        table = pd.read_csv(io.StringIO(capsys.readouterr().out))
        assert main(["report", "--workspace", "no-such-workspace"]) == 2
        assert "No workspace named 'no-such-workspace'" in capsys.readouterr().err
    finally:
        settings.cache_clear()
    people = table[table["table"] == "people"]
    assert len(people) == len(body["tables"]["people"]) == body["summary"]["people"]
    assert people["events"].sum() == body["summary"]["events"]


def test_build_report_needs_no_store(demo_events):
    report = build_report(
        "x", demo_events, pd.DataFrame(columns=["user", "emoji", "vote", "weights", "sources", "message", "timestamp"])
    )
    assert report.summary["distinct_emoji"] == demo_events["emoji"].nunique()
