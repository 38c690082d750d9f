"""Deleting a workspace removes every row stored for it and every share of it, and says how many went."""

from __future__ import annotations

from emojiml.auth.accounts import AccountStore
from emojiml.cli import main
from emojiml.workspace.removal import removal_summary, remove_workspace
from emojiml.workspace.report import Event, ExportMessage, ParsedExport
from emojiml.workspace.store import WorkspaceStore


def _parsed() -> ParsedExport:
    messages = (ExportMessage("general", "1.0", 1_600_000_000.0, "U1", "the build is broken again"),)
    events = (Event("general", "1.0", 1_600_000_100.0, "U2", "U1", "reaction", "😢", False, 0),)
    return ParsedExport(
        format="slack",
        messages=messages,
        events=events,
        users={"U1": ("ada", False), "U2": ("bo", False)},
        channels={"general": "general"},
    )


def test_removal_empties_every_table_and_the_shares(tmp_path):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'store.db'}")
    store.import_parsed("team", _parsed())
    store.import_parsed("other", _parsed())
    store.record_feedback("team", "U1", "😢", 1)
    accounts = AccountStore(store)
    accounts.add("bob", "correct horse battery")
    accounts.share("bob", "team")

    removed = remove_workspace(store, "team")

    assert removed == {
        "messages": 1, "events": 1, "users": 2, "channels": 1, "emoji": 1, "feedback": 1, "workspaces": 1,
        "memberships": 1,
    }  # fmt: skip
    assert [info.name for info in store.workspaces()] == ["other"]
    assert store.counts("other").messages == 1  # the other workspace is untouched
    assert removal_summary("team", removed).startswith("Deleted team: 2 users, 1 ")


def test_a_reimported_workspace_never_reuses_a_revision(tmp_path, monkeypatch):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setattr("emojiml.workspace.store.time.time", lambda: 1_700_000_000.0)
    store.import_parsed("team", _parsed())
    first = store.workspace("team").revision
    remove_workspace(store, "team")
    monkeypatch.setattr("emojiml.workspace.store.time.time", lambda: 1_700_000_001.0)
    store.import_parsed("team", _parsed())
    # A page cache in another process keyed ("team", first) must not serve the deleted workspace's data.
    assert store.workspace("team").revision > first >= 1_700_000_000


def test_cli_asks_for_confirmation(capsys):
    assert main(["delete-workspace", "nope"]) == 2
    assert "--yes" in capsys.readouterr().err


def test_privacy_option_stores_emoji_events_without_message_text(tmp_path, monkeypatch):
    from emojiml.config import settings

    monkeypatch.setenv("EMOJIML_STORE_TEXT", "0")
    settings.cache_clear()
    try:
        store = WorkspaceStore(f"sqlite:///{tmp_path / 'store.db'}")
        store.import_parsed("team", _parsed())
    finally:
        monkeypatch.delenv("EMOJIML_STORE_TEXT")
        settings.cache_clear()
    events = store.events_frame("team")
    assert len(events) == 1 and events["emoji"].tolist() == ["😢"]
    assert store.counts("team").messages == 1
    assert set(events["text"].fillna("")) == {""}  # the message's words never reached the database


def test_workspace_page_deletes_only_after_the_name_is_typed(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from emojiml.config import REPO_DIR, settings

    monkeypatch.setenv("EMOJIML_DATABASE_URL", f"sqlite:///{tmp_path / 'page.db'}")
    settings.cache_clear()
    try:
        WorkspaceStore(f"sqlite:///{tmp_path / 'page.db'}").import_parsed("team", _parsed())
        at = AppTest.from_file(str(REPO_DIR / "app_pages" / "workspace.py"), default_timeout=120).run()
        at.selectbox(key="workspace").select("team").run()
        delete = next(button for button in at.button if button.label == "Delete workspace")
        assert delete.disabled
        at.text_input(key="delete_confirm").input("team").run()
        next(button for button in at.button if button.label == "Delete workspace").click().run()
        assert any("Deleted team:" in success.value for success in at.success)
        assert "team" not in at.selectbox(key="workspace").options
    finally:
        monkeypatch.delenv("EMOJIML_DATABASE_URL")
        settings.cache_clear()
        st.cache_resource.clear()  # the page cached a store on this test's database: later page tests need theirs
        st.cache_data.clear()
