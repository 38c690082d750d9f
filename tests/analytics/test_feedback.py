"""Acceptance tables from real stored votes: counts, Wilson intervals, before/after, old and retired rows."""

import math

import pandas as pd
import pytest
from sqlalchemy import text
from statsmodels.stats.proportion import proportion_confint

from emojiml.analytics.feedback import (
    RETIRED,
    UNRECORDED,
    AnalyticsInputError,
    acceptance,
    acceptance_over_time,
    before_after,
    mix_name,
    prepare_feedback,
)
from emojiml.workspace.store import WorkspaceStore

DAY = 86400.0
START = 1_760_000_000.0  # 2025-10-09 UTC
MIX = {"collaborative": 0.4, "content": 0.1, "popularity": 0.5}


def vote(store, day, up, source="content", version="hybrid@r1+content-aaaa", user="U1"):
    store.record_feedback(
        "team",
        user,
        "🎉",
        1 if up else -1,
        weights=MIX,
        sources={"collaborative": 0.1, "content": 0.2, "popularity": 0.05} | {source: 0.9},
        message="we shipped it",
        timestamp=START + day * DAY,
        model_version=version,
    )


def test_acceptance_by_source_counts_votes_and_gives_wilson_intervals(store):
    for day, up, source in [(0, 1, "content"), (1, 1, "content"), (2, 0, "content"), (3, 0, "popularity")]:
        vote(store, day, up, source)
    table = acceptance(prepare_feedback(store.feedback_frame("team")), "source").set_index("source")
    assert table.loc["content", ["votes", "accepted"]].tolist() == [3, 2]
    assert table.loc["popularity", ["votes", "accepted"]].tolist() == [1, 0]
    low, high = proportion_confint(2, 3, 0.05, method="wilson")
    assert table.loc["content", "ci_low"] == pytest.approx(low) and table.loc["content", "ci_high"] == pytest.approx(
        high
    )
    assert table.loc["content", "share"] == pytest.approx(2 / 3)


def test_origin_is_stored_and_defaults_to_the_leading_source_and_the_weights(store):
    vote(store, 0, True, "popularity")
    store.record_feedback("team", "U2", "👍", 1, mix="auto", source="content", model_version="v2")
    frame = store.feedback_frame("team")
    assert frame["source"].tolist() == ["popularity", "content"]
    assert frame["mix"].tolist() == ["collaborative 0.40 · content 0.10 · popularity 0.50", "auto"]
    assert frame["model_version"].tolist() == ["hybrid@r1+content-aaaa", "v2"]


def test_no_feedback_gives_empty_tables_with_their_columns(store):
    frame = prepare_feedback(store.feedback_frame("nobody-voted-yet"))
    assert frame.empty
    assert list(acceptance(frame, "mix").columns) == ["mix", "votes", "accepted", "share", "ci_low", "ci_high"]
    assert acceptance_over_time(frame, "user").empty
    assert before_after(frame, "2025-01-01").empty


def test_before_after_gives_the_change_with_an_interval_that_excludes_zero_when_it_should(store):
    for day in range(8):
        vote(store, day, up=day >= 4)  # 👎 for four days, then 👍
    frame = prepare_feedback(store.feedback_frame("team"))
    row = before_after(frame, pd.Timestamp(START + 4 * DAY, unit="s")).iloc[0]
    assert (row["votes_before"], row["share_before"], row["votes_after"], row["share_after"]) == (4, 0.0, 4, 1.0)
    assert row["change"] == 1.0 and 0 < row["change_low"] < row["change_high"] <= 1.0
    only_after = before_after(frame, "2000-01-01").iloc[0]
    assert only_after["votes_before"] == 0 and math.isnan(only_after["change_low"])


def test_rows_stored_before_origins_were_recorded_still_load(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = WorkspaceStore(url)
    old.record_feedback("team", "U1", "🎉", 1, weights=MIX, sources={"content": 0.7, "popularity": 0.2})
    with old.engine.begin() as connection:  # the store as it was before feedback_origin existed
        connection.execute(text("DROP TABLE feedback_origin"))
    old.dispose()
    reopened = WorkspaceStore(url)
    frame = prepare_feedback(reopened.feedback_frame("team"))
    reopened.dispose()
    assert frame[["source", "model_version"]].iloc[0].tolist() == ["content", UNRECORDED]
    assert frame["mix"].iloc[0].startswith("collaborative 0.40")


def test_feedback_from_a_model_version_that_no_longer_exists_is_kept_and_marked(store):
    vote(store, 0, True, version="hybrid@r0+content-gone")
    vote(store, 1, False, version="hybrid@r1+content-aaaa")
    frame = prepare_feedback(store.feedback_frame("team"), current_versions={"hybrid@r1+content-aaaa"})
    table = acceptance(frame, "model_version").set_index("model_version")
    assert table.loc["hybrid@r0+content-gone" + RETIRED, "votes"] == 1
    assert table.loc["hybrid@r1+content-aaaa", "votes"] == 1


def test_an_unknown_grouping_or_period_is_refused_with_the_valid_ones(store):
    vote(store, 0, True)
    frame = prepare_feedback(store.feedback_frame("team"))
    with pytest.raises(AnalyticsInputError, match="source, mix, model_version, user"):
        acceptance(frame, "channel")
    with pytest.raises(AnalyticsInputError, match=r"D \(day\), W \(week\) or M \(month\)"):
        acceptance_over_time(frame, "source", "Y")


def test_a_mix_is_named_by_the_preset_it_matches_else_written_out():
    presets = {"habits first": {"collaborative": 0.5, "popularity": 0.5}}
    assert mix_name({"collaborative": 0.501, "popularity": 0.499, "content": 0.0}, presets) == "habits first"
    assert mix_name({"collaborative": 0.4, "popularity": 0.6}, presets) == "collaborative 0.40 · popularity 0.60"
