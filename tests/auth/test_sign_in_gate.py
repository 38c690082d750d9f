"""The sign-in gate in app.py: nothing of a workspace reaches a visitor who is not signed in."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from emojiml.auth.accounts import account_store
from emojiml.auth.page_gate import ACCOUNT_KEY, is_loopback
from emojiml.config import REPO_DIR, settings

APP = str(REPO_DIR / "app.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def auth_mode(monkeypatch, tmp_path):
    """Run the app against a fresh database in the given sign-in mode."""

    def use(mode: str) -> None:
        monkeypatch.setenv("EMOJIML_AUTH", mode)
        monkeypatch.setenv("EMOJIML_DATABASE_URL", f"sqlite:///{tmp_path / 'gate.db'}")
        settings.cache_clear()

    yield use
    monkeypatch.delenv("EMOJIML_AUTH")
    monkeypatch.delenv("EMOJIML_DATABASE_URL")
    settings.cache_clear()
    st.cache_resource.clear()  # nothing cached on this test's database may serve later page tests
    st.cache_data.clear()


def _page_text(at: AppTest) -> str:
    parts = [element.value for element in (*at.title, *at.markdown, *at.caption, *at.info, *at.error)]
    return " ".join(str(part) for part in parts)


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("") and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


GATED_SCRIPT = """
import streamlit as st
from emojiml.auth.page_gate import allowed_pages
def protected():
    st.markdown("the protected page")
st.navigation(allowed_pages([st.Page(protected, title="Protected")])).run()
"""


def test_app_shows_a_visitor_only_the_sign_in_form(auth_mode):
    auth_mode("local")
    account_store().add("alice", PASSWORD, role="admin")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert [title.value for title in at.title] == ["Sign in to emojiml"]
    assert "Houston" not in _page_text(at) and not at.selectbox  # no page ran: no workspace, no statistic


def test_local_mode_lets_in_only_the_right_password(auth_mode):
    auth_mode("local")
    account_store().add("alice", PASSWORD, role="admin")
    at = AppTest.from_string(GATED_SCRIPT, default_timeout=60).run()
    assert "the protected page" not in _page_text(at)

    at.text_input[0].input("alice")
    at.text_input[1].input("wrong password!")
    at.button[0].click().run()
    assert [error.value for error in at.error] == ["Wrong name or password."]
    assert ACCOUNT_KEY not in at.session_state

    at.text_input[0].input("alice")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state[ACCOUNT_KEY].name == "alice"
    assert "the protected page" in _page_text(at) and "Signed in as" in _page_text(at)


def test_single_user_mode_refuses_to_serve_beyond_loopback(auth_mode):
    auth_mode("none")
    streamlit_config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_string(GATED_SCRIPT, default_timeout=60).run()
    finally:
        streamlit_config.set_option("server.address", None)
    assert "sign-in off" in at.error[0].value and "the protected page" not in _page_text(at)


def test_oidc_mode_without_a_provider_says_what_to_configure(auth_mode):
    auth_mode("oidc")
    at = AppTest.from_string(GATED_SCRIPT, default_timeout=60).run()
    assert "secrets.toml has no [auth] section" in at.error[0].value


def test_an_unreachable_database_gives_a_message_not_a_traceback(monkeypatch):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on: the database "went away"
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EMOJIML_AUTH", "local")
    monkeypatch.setenv("EMOJIML_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{port}/gone")
    settings.cache_clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
    finally:
        monkeypatch.delenv("EMOJIML_AUTH")
        monkeypatch.delenv("EMOJIML_DATABASE_URL")
        settings.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()
    assert not at.exception
    assert "cannot be reached right now" in at.error[0].value or "failed" in at.error[0].value


IMPORT_SCRIPT = """
import streamlit as st
from emojiml.auth.accounts import Account
from emojiml.auth.page_gate import ACCOUNT_KEY, import_refusal, record_import, visible_workspaces
st.session_state[ACCOUNT_KEY] = Account(name="bob", role="member")
existing = ["team-a", "team-b"]
for requested in (None, "team-a", "team-new"):
    st.text(f"{requested}: {import_refusal(existing, requested)}")
record_import("team-new", "new.zip")
st.text(f"visible: {visible_workspaces(existing + ['team-new'])}")
"""


def test_a_member_imports_only_into_new_or_shared_workspaces_and_then_sees_them(auth_mode):
    auth_mode("local")
    accounts = account_store()
    accounts.add("bob", PASSWORD)
    at = AppTest.from_string(IMPORT_SCRIPT, default_timeout=60).run()
    lines = [element.value for element in at.text]
    assert lines[0].startswith("None: Name the workspace")  # a member must name the import
    assert lines[1].startswith("team-a: A workspace named 'team-a' exists and is not shared")
    assert lines[2] == "team-new: None"
    assert lines[3] == "visible: ['team-new']"  # the import is shared with the member who made it
    assert [(who, source) for who, source, _ in accounts.imports("team-new")] == [("bob", "new.zip")]
