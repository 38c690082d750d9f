"""The Analytics page in Streamlit's AppTest: the demo workspace, an empty workspace, a range without events."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emojiml.config import settings
from emojiml.workspace import DEMO_WORKSPACE, open_store
from emojiml.workspace.report import ParsedExport

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "analytics.py")


@pytest.fixture
def page_store(tmp_path, monkeypatch):
    """The page's store is a fresh database for each test (the demo is loaded by the page itself)."""
    monkeypatch.setenv("EMOJIML_DATABASE_URL", f"sqlite:///{tmp_path / 'page.db'}")
    settings.cache_clear()
    st.cache_resource.clear()  # the page's store and events are cached per process
    st.cache_data.clear()
    yield open_store()
    settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_page_shows_engagement_and_asks_for_votes_on_the_demo(page_store):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception and not at.error
    assert any("No votes yet" in info.value for info in at.info)
    downloads = [button.label for button in at.get("download_button")]
    assert "⬇️ people.csv" in downloads and "⬇️ custom_adoption.csv" in downloads
    assert len(at.get("plotly_chart")) >= 4


def test_votes_appear_with_their_tables_and_the_before_after_split(page_store):
    for day, vote in enumerate([1, -1, 1, 1]):
        page_store.record_feedback(
            DEMO_WORKSPACE, "U1", "🎉", vote, sources={"content": 1.0}, timestamp=1.45e9 + day * 86400
        )
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric][:2] == ["4", "75%"]
    assert "⬇️ before_after.csv" in [button.label for button in at.get("download_button")]


def test_an_empty_workspace_says_what_to_do(page_store):
    page_store.import_parsed("empty-team", ParsedExport("csv", (), ()))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["analytics_workspace"] = "empty-team"
    at.run()
    assert not at.exception
    assert any("Nothing to analyse yet" in info.value and "Workspaces" in info.value for info in at.info)
    assert not at.get("plotly_chart")
