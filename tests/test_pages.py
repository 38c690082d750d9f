"""Page logic through Streamlit's AppTest: every page renders, bad input never becomes an exception."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(str(p.relative_to(REPO)) for p in (REPO / "app_pages").glob("*.py"))


def run_page(path: str) -> AppTest:
    return AppTest.from_file(str(REPO / path), default_timeout=120).run()


def test_app_shell_runs_the_home_page():
    from streamlit import config

    config.set_option("server.address", "127.0.0.1")  # as `make run` serves; elsewhere single-user mode refuses
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    finally:
        config.set_option("server.address", None)
    assert not at.exception
    assert at.title[0].value.startswith("🔎")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    assert not run_page(page).exception


def test_search_page_finds_party():
    at = run_page("app_pages/search.py")
    at.text_input(key="query").input("party").run()
    assert not at.exception
    shown = " ".join(block.value for block in at.markdown)
    assert "🥳" in shown and "🎉" in shown
    assert any(code.value == "🥳" for code in at.code), "each result offers a copyable code block"


@pytest.mark.parametrize(
    ("query", "expected"),
    # Lone surrogates cannot cross the browser-server wire; clean_query's handling of them is in test_search.
    [("", "info"), ("   ", "info"), ("x" * 10_000, "warning"), ("\x00\x07", "info")],
)
def test_search_page_handles_bad_queries_with_a_message(query, expected):
    at = run_page("app_pages/search.py")
    at.text_input(key="query").input(query).run()
    assert not at.exception
    assert len(getattr(at, expected)) >= 1


def test_search_page_skin_tone_preference_persists_across_searches():
    at = run_page("app_pages/search.py")
    at.selectbox(key="_skin_tone").set_value(4).run()
    at.text_input(key="query").input("thumbs up").run()
    assert not at.exception and at.session_state["skin_tone"] == 4
    assert any(code.value == "👍🏾" for code in at.code)
    at.text_input(key="query").input("wave").run()
    assert any(code.value == "👋🏾" for code in at.code), "the preference carries to the next search"


def test_search_page_says_when_nothing_matches_well():
    at = run_page("app_pages/search.py")
    at.text_input(key="query").input("xqzvbnrt").run()
    assert not at.exception
    assert any("No good match" in box.value for box in at.info)
    assert at.expander and "closest guesses" in at.expander[0].label


def test_search_page_empty_hint_keeps_shortcodes_as_code():
    at = run_page("app_pages/search.py")
    assert "`:+1:`" in at.info[0].value
