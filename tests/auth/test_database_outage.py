"""The database goes away while the app runs, then comes back: a message meanwhile, no traceback, no lost rows."""

from __future__ import annotations

import psycopg
import pytest
import streamlit as st
from sqlalchemy.engine import make_url
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from emojiml.config import REPO_DIR, settings
from emojiml.workspace.report import Event, ParsedExport
from emojiml.workspace.store import WorkspaceStore
from tests.workspace.conftest import postgres_url  # noqa: F401  (the throw-away PostgreSQL server fixture)

pytestmark = pytest.mark.postgres


def _admin(url: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, dbname="postgres", autocommit=True)


def _allow_connections(url: str, allowed: bool) -> None:
    database = make_url(url).database
    with _admin(url) as connection:
        connection.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS {'true' if allowed else 'false'}")
        if not allowed:  # drop every open session too: the server "went away" for this database
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


def test_an_outage_mid_session_shows_a_message_and_loses_nothing(postgres_url, monkeypatch):  # noqa: F811
    store = WorkspaceStore(postgres_url)
    events = tuple(
        Event("general", str(i), 1_600_000_000.0 + i, f"U{i % 3}", None, "reaction", "🎉", False, 0) for i in range(12)
    )
    store.import_parsed("outage-team", ParsedExport(format="csv", messages=(), events=events))
    monkeypatch.setenv("EMOJIML_DATABASE_URL", postgres_url)
    settings.cache_clear()
    streamlit_config.set_option("server.address", "127.0.0.1")
    try:
        at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=180).run()
        assert not at.exception and not at.error

        _allow_connections(postgres_url, False)
        try:
            at.run()
            assert not at.exception  # a message, never a traceback
            assert at.error and ("cannot be reached" in at.error[0].value or "failed" in at.error[0].value)
        finally:
            _allow_connections(postgres_url, True)

        at.run()
        assert not at.exception and not at.error  # back to normal once the database returns
    finally:
        streamlit_config.set_option("server.address", None)
        monkeypatch.delenv("EMOJIML_DATABASE_URL")
        settings.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()
    assert store.counts("outage-team").reactions == 12  # nothing stored was lost
    store.dispose()
