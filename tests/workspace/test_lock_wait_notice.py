"""A write that must wait for another writer's SQLite lock says so (store signal + page notice), and one that
stays locked past the timeout ends as one st.error, never a traceback. The other writer is a real second
connection holding ``BEGIN IMMEDIATE``, as an import between two batches does."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from emojiml.page_widgets import WAITING_FOR_WRITER, waiting_for_writers
from emojiml.workspace.store import LOCK_NOTICE_AFTER_S, StoreBusyError, WorkspaceStore, lock_wait_notice


def hold_write_lock(path: Path, seconds: float | None) -> sqlite3.Connection:
    """Another writer: takes SQLite's write lock now and, if ``seconds`` is given, releases it then."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    if seconds is not None:
        threading.Timer(seconds, lambda: holder.execute("COMMIT")).start()
    return holder


def test_a_write_that_waits_for_the_lock_signals_it_then_proceeds(tmp_path):
    path = tmp_path / "store.db"
    store = WorkspaceStore(f"sqlite:///{path}")
    calls: list[tuple[bool, float]] = []
    started = time.perf_counter()
    hold_write_lock(path, 1.5)
    with lock_wait_notice(lambda waiting: calls.append((waiting, time.perf_counter() - started))):
        store.record_feedback("team", "U1", "👍", 1)
    assert [waiting for waiting, _ in calls] == [True, False]
    assert LOCK_NOTICE_AFTER_S * 0.9 < calls[0][1] < 1.4 and calls[1][1] >= 1.4
    assert len(store.feedback_frame("team")) == 1
    calls.clear()
    with lock_wait_notice(lambda waiting: calls.append((waiting, 0.0))):
        store.record_feedback("team", "U1", "👎", -1)  # nobody else writing: no notice
    assert calls == []
    store.dispose()


def test_a_write_locked_past_the_timeout_signals_then_raises_store_busy(tmp_path):
    path = tmp_path / "store.db"
    store = WorkspaceStore(f"sqlite:///{path}", busy_timeout_s=1.0)
    holder = hold_write_lock(path, None)
    calls: list[bool] = []
    with lock_wait_notice(calls.append), pytest.raises(StoreBusyError, match="stayed busy for 1 s"):
        store.record_feedback("team", "U1", "👍", 1)
    assert calls == [True, False]
    holder.execute("ROLLBACK")
    started = time.perf_counter()
    store.record_feedback("team", "U1", "👍", 1)  # the connection's full timeout is back, and it is not needed
    assert time.perf_counter() - started < LOCK_NOTICE_AFTER_S and len(store.feedback_frame("team")) == 1
    store.dispose()


class Placeholder:
    """What ``st.empty()`` returns, recording what the page shows in it."""

    def __init__(self, shown: list[str]) -> None:
        self.shown = shown

    def info(self, text: str, icon: str | None = None) -> None:
        self.shown.append(f"info: {text}")

    def empty(self) -> None:
        self.shown.append("cleared")


class Page:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def empty(self) -> Placeholder:
        return Placeholder(self.shown)


def test_the_page_shows_the_waiting_notice_while_the_write_waits_and_clears_it(tmp_path):
    path = tmp_path / "store.db"
    store = WorkspaceStore(f"sqlite:///{path}")
    page = Page()
    hold_write_lock(path, 1.0)
    with waiting_for_writers(page):
        store.record_feedback("team", "U1", "👍", 1)
    assert page.shown == [f"info: {WAITING_FOR_WRITER}", "cleared"]
    store.dispose()


def vote_page(store) -> None:
    """The Recommend page's vote, reduced to the write: the store exists (the app opened it at start)."""
    import streamlit as st

    from emojiml.page_widgets import write_to_store

    if write_to_store(lambda: store.record_feedback("team", "U1", "👍", 1)):
        st.success("Saved 👍")


def test_a_vote_during_an_import_batch_is_saved_after_the_wait(tmp_path):
    path = tmp_path / "store.db"
    store = WorkspaceStore(f"sqlite:///{path}")
    hold_write_lock(path, 1.0)
    at = AppTest.from_function(vote_page, args=(store,), default_timeout=30).run()
    assert not at.exception and [s.value for s in at.success] == ["Saved 👍"] and not at.info
    assert len(store.feedback_frame("team")) == 1
    store.dispose()


def test_a_vote_on_a_store_locked_past_the_timeout_is_one_error_not_a_traceback(tmp_path):
    path = tmp_path / "store.db"
    store = WorkspaceStore(f"sqlite:///{path}", busy_timeout_s=1.0)
    holder = hold_write_lock(path, None)
    at = AppTest.from_function(vote_page, args=(store,), default_timeout=30).run()
    holder.execute("ROLLBACK")
    assert not at.exception and not at.success
    assert len(at.error) == 1 and "stayed busy for 1 s" in at.error[0].value
    store.dispose()
