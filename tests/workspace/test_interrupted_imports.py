"""An import that stops part-way, then the same export imported again: every row once, none lost, and the
report (and the error of the stopped one) say what happened."""

from __future__ import annotations

import pytest

from emojiml.workspace.report import Event, ExportMessage, ParsedExport
from emojiml.workspace.store import StoreError, WorkspaceStore

N = 2_000
BATCH = 300


def export() -> ParsedExport:
    messages = tuple(ExportMessage("general", f"{i}", 1_600_000_000.0 + i, "U1", f"message {i}") for i in range(N))
    events = tuple(
        Event("general", f"{i}", 1_600_000_000.0 + i, f"U{i % 40}", "U1", "reaction", "👍🎉"[i % 2], False)
        for i in range(N)
    )
    return ParsedExport("csv", messages, events)


def stored_rows(store: WorkspaceStore, workspace: str) -> list[tuple]:
    events = store.events_frame(workspace)
    return sorted(events[["channel", "message_id", "user", "emoji", "kind"]].itertuples(index=False, name=None))


def fail_after(monkeypatch, batches: int, error: BaseException) -> None:
    """The store's batch writer raises ``error`` once ``batches`` batches have been written."""
    original = WorkspaceStore._insert_new
    written = {"batches": 0}

    def insert_new(self, connection, table, rows, keys, *, count=False):
        if table.name in ("messages", "events"):
            if written["batches"] == batches:
                raise error
            written["batches"] += 1
        return original(self, connection, table, rows, keys, count=count)

    monkeypatch.setattr(WorkspaceStore, "_insert_new", insert_new)


@pytest.fixture
def clean(tmp_path) -> list[tuple]:
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'clean.db'}")
    store.import_parsed("team", export())
    rows = stored_rows(store, "team")
    store.dispose()
    assert len(rows) == N
    return rows


def test_a_reimport_that_fails_after_some_batches_is_completed_by_the_next(sqlite_store, monkeypatch, clean):
    monkeypatch.setattr("emojiml.workspace.store.WRITE_BATCH", BATCH)
    half = ParsedExport("csv", export().messages[: N // 2], export().events[: N // 2])
    sqlite_store.import_parsed("team", half)  # the workspace exists: a failure keeps what it wrote
    with monkeypatch.context() as patch:
        fail_after(patch, 5, StoreError("The workspace store failed: disk I/O error"))
        with pytest.raises(StoreError, match=r"disk I/O error.*importing the same export again completes it"):
            sqlite_store.import_parsed("team", export())
    stored_before = sqlite_store.counts("team").messages
    assert N // 2 < stored_before < N  # some batches were committed, not all

    report = sqlite_store.import_parsed("team", export())

    assert report.messages_added == N - stored_before
    assert sqlite_store.counts("team").messages == N and stored_rows(sqlite_store, "team") == clean
    assert report.completed_unfinished_since is not None
    assert any("stopped part-way" in line for line in report.lines())
    again = sqlite_store.import_parsed("team", export())  # complete now: nothing to add, nothing to report
    assert (again.messages_added, again.events_added, again.completed_unfinished_since) == (0, 0, None)


def test_a_first_import_whose_process_died_is_completed_by_the_next(sqlite_store, monkeypatch, clean):
    """A process killed mid-import cannot remove what it wrote: the next import completes the workspace."""
    monkeypatch.setattr("emojiml.workspace.store.WRITE_BATCH", BATCH)
    with monkeypatch.context() as patch:
        fail_after(patch, 4, KeyboardInterrupt())
        patch.setattr(WorkspaceStore, "_remove_partial", lambda self, workspace: False)  # died: no clean-up ran
        with pytest.raises(KeyboardInterrupt):
            sqlite_store.import_parsed("team", export())
    assert 0 < sqlite_store.counts("team").messages < N

    report = sqlite_store.import_parsed("team", export())

    assert stored_rows(sqlite_store, "team") == clean
    assert "Completed an import of this workspace that stopped part-way" in "\n".join(report.lines())


def test_a_failed_first_import_keeps_nothing_and_says_so(sqlite_store, monkeypatch):
    monkeypatch.setattr("emojiml.workspace.store.WRITE_BATCH", BATCH)
    with monkeypatch.context() as patch:
        fail_after(patch, 3, StoreError("The workspace store failed: disk I/O error"))
        with pytest.raises(StoreError, match="Nothing of this first import was kept"):
            sqlite_store.import_parsed("team", export())
    assert sqlite_store.workspace("team") is None
    report = sqlite_store.import_parsed("team", export())
    assert report.messages_added == N and report.completed_unfinished_since is None
