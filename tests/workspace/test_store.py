"""The store, on SQLite and on a real PostgreSQL server: idempotent imports, atomic failures, the reader API,
feedback, and 8 threads importing and voting at once without losing a row."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from emojiml.workspace import workspace_catalog
from emojiml.workspace.archive import ExportFiles
from emojiml.workspace.importer import parse_export
from emojiml.workspace.report import Message, ParsedExport
from emojiml.workspace.store import EVENT_COLUMNS, FEEDBACK_COLUMNS, ORIGIN_COLUMNS, StoreError, UnknownWorkspaceError


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture(scope="module")
def parsed(small_export) -> ParsedExport:
    return parse_export(ExportFiles(small_export, "small", "small.zip"))


def test_reimport_adds_nothing(store, parsed):
    first = store.import_parsed("team", parsed)
    again = store.import_parsed("team", parsed)
    assert first.messages_added == len(parsed.messages) > 100
    assert first.events_added == len(parsed.events) > 10
    assert (again.messages_added, again.events_added) == (0, 0)
    assert again.duplicates_skipped == len(parsed.messages) + len(parsed.events)
    assert len(store.events_frame("team")) == len(parsed.events)


def test_failed_import_leaves_stored_data_untouched(store, parsed):
    store.import_parsed("team", parsed)
    before = store.counts("team")
    broken_message = Message("general", "9999999999.000001", None, "U0", "no timestamp")  # NOT NULL violated
    broken = replace(parsed, messages=(*parsed.messages, broken_message))
    with pytest.raises(StoreError, match="refused a write"):
        store.import_parsed("team", broken)
    with pytest.raises(StoreError, match="refused a write"):
        store.import_parsed("other", broken)
    assert store.counts("team") == before
    assert [w.name for w in store.workspaces()] == ["team"]


def test_reader_api(store, parsed):
    store.import_parsed("team", parsed)
    events = store.events_frame("team")
    assert list(events.columns) == EVENT_COLUMNS
    assert str(events["timestamp"].dt.tz) == "UTC"
    assert set(events["kind"]) == {"reaction", "inline"}
    assert set(store.channels("team")) == {"general", "datasets", "tools"}
    general = store.events_frame("team", channel="general")
    assert 0 < len(general) < len(events) and set(general["channel"]) == {"general"}
    users = store.users("team")
    assert set(events["user"]) <= set(users["user"])
    counts = store.counts("team")
    assert counts.reactions == (events["kind"] == "reaction").sum()
    assert counts.emoji == events["emoji"].nunique()
    with pytest.raises(UnknownWorkspaceError):
        store.events_frame("nobody")


def test_custom_emoji_join_the_workspace_catalog(store, parsed, catalog):
    store.import_parsed("team", parsed)
    custom = store.custom_emoji("team")
    assert custom == [":simple_smile:"]
    extended = workspace_catalog(custom, catalog)
    assert len(extended) == len(catalog) + 1 and extended.get(":simple_smile:").is_custom


def test_feedback_round_trip(store):
    store.record_feedback(
        "team", "U1", "🎉", +1, weights={"content": 0.7, "collaborative": 0.3}, sources=["content"], message="we won"
    )
    store.record_feedback("team", "U2", ":partyr:", -1)
    frame = store.feedback_frame("team")
    assert list(frame.columns) == FEEDBACK_COLUMNS + ORIGIN_COLUMNS
    assert list(frame["vote"]) == [1, -1]
    assert frame["weights"][0] == {"content": 0.7, "collaborative": 0.3}
    assert frame["sources"][0] == ["content"]
    with pytest.raises(ValueError, match="vote"):
        store.record_feedback("team", "U1", "🎉", 0)


def test_eight_threads_importing_and_voting_lose_no_rows(store, parsed):
    threads, votes_each = 8, 25
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            store.import_parsed(f"ws{worker % 3}", parsed)
            for vote in range(votes_each):
                store.record_feedback("ws0", f"U{worker}", "👍", 1 if vote % 2 else -1, weights={"n": vote})
                if vote == votes_each // 2:
                    store.import_parsed(f"ws{(worker + 1) % 3}", parsed)
        except BaseException as error:  # collected and asserted below: a lost write must fail the test
            errors.append(error)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert len(store.feedback_frame("ws0")) == threads * votes_each
    for name in ("ws0", "ws1", "ws2"):
        counts = store.counts(name)
        assert counts.messages == len(parsed.messages)
        assert counts.reactions + counts.inline == len(parsed.events)
