"""Hostile sources and contention: devices and FIFOs, rows stored before the time rule, many processes opening
a brand-new database, a vote during a long import, and a store that stays locked."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time

import pytest

from emojiml.cli import main
from emojiml.workspace import ExportFormatError, import_path
from emojiml.workspace.report import Event, ExportMessage, ParsedExport
from emojiml.workspace.store import StoreBusyError, WorkspaceStore


def finishes_within(seconds: float, action) -> object:
    """``action()``'s result, failing the test (instead of hanging the suite) when it blocks."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = action()
        except Exception as error:  # handed to the test below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_a_device_is_refused_before_anything_is_read(sqlite_store):
    with pytest.raises(ExportFormatError, match="not a regular file or folder"):
        finishes_within(10, lambda: import_path("/dev/zero", store=sqlite_store))


def test_a_fifo_is_refused_without_blocking(tmp_path, sqlite_store, capsys):
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    with pytest.raises(ExportFormatError, match="FIFO"):
        finishes_within(10, lambda: import_path(fifo, store=sqlite_store))
    assert finishes_within(10, lambda: main(["import", str(fifo)])) == 2
    assert "not a regular file" in capsys.readouterr().err


def synthetic_export(n_messages: int, start: float = 1_600_000_000.0) -> ParsedExport:
    messages = tuple(ExportMessage("general", f"{i}", start + i, "U1", f"message {i}") for i in range(n_messages))
    events = tuple(
        Event("general", f"{i}", start + i, f"U{i % 50}", "U1", "reaction", "👍", False) for i in range(n_messages)
    )
    return ParsedExport("csv", messages, events)


def test_rows_stored_with_impossible_times_are_left_out_when_reading(sqlite_store):
    """Rows stored before imports refused year 1 and 9999 (here written directly) must not break readers."""
    good = synthetic_export(3)
    broken = ParsedExport(
        "csv",
        (
            ExportMessage("general", "old", -62135596800.0, "U1", "year 1"),
            ExportMessage("general", "far", 253402300799.0, "U1", ""),
        ),
        (
            Event("general", "old", -62135596800.0, "U2", "U1", "reaction", "👍", False),
            Event("general", "far", 253402300799.0, "U2", "U1", "reaction", "🎉", False),
        ),
    )
    sqlite_store.import_parsed("team", good)
    sqlite_store.import_parsed("team", broken)
    events = sqlite_store.events_frame("team")
    assert len(events) == 3 and events["timestamp"].dt.year.eq(2020).all()
    sqlite_store.record_feedback("team", "U1", "👍", 1, timestamp=-62135596800.0)
    assert sqlite_store.feedback_frame("team").empty


def _open_and_import(url: str, index: int) -> int:
    store = WorkspaceStore(url)
    store.import_parsed(f"team-{index}", synthetic_export(200, start=1_600_000_000.0 + index))
    return store.counts(f"team-{index}").messages


def test_eight_processes_open_a_new_database_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with multiprocessing.get_context("fork").Pool(8) as pool:
        counts = pool.starmap(_open_and_import, [(url, i) for i in range(8)])
    assert counts == [200] * 8


def test_a_vote_during_a_long_import_waits_for_one_batch_not_the_import(sqlite_store, monkeypatch):
    monkeypatch.setattr("emojiml.workspace.store.WRITE_BATCH", 500)
    export = synthetic_export(30_000)
    importing = threading.Thread(target=sqlite_store.import_parsed, args=("big", export))
    importing.start()
    while sqlite_store.workspace("big") is None:  # the import has begun writing
        time.sleep(0.005)
    started = time.perf_counter()
    sqlite_store.record_feedback("big", "U1", "👍", 1)
    waited = time.perf_counter() - started
    still_importing = importing.is_alive()
    importing.join()
    assert still_importing, "the import ended before the vote: make the export bigger"
    assert waited < 5
    assert sqlite_store.counts("big").messages == 30_000 and len(sqlite_store.feedback_frame("big")) == 1


def test_a_store_locked_past_the_timeout_says_so_in_one_line(tmp_path):
    path = tmp_path / "locked.db"
    store = WorkspaceStore(f"sqlite:///{path}", busy_timeout_s=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusyError, match=r"stayed busy for 0\.2 s .*try again") as raised:
            store.record_feedback("team", "U1", "👍", 1)
        assert "\n" not in str(raised.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.dispose()
    store = WorkspaceStore(f"sqlite:///{path}")
    store.record_feedback("team", "U1", "👍", 1)  # nothing was left half-written
    assert len(store.feedback_frame("team")) == 1
    store.dispose()
