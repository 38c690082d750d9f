"""The real app in headless Chromium: every page loads without an exception box; search works."""

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import REPO, save_screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def nav_links(page, app_url):
    """(title, url) of every page in the sidebar; Streamlit hides the sidebar nav when there is one page."""
    page.goto(app_url)
    wait_until_idle(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    with contextlib.suppress(PlaywrightTimeout):  # a loaded machine can look idle before the sidebar is drawn
        links.first.wait_for(timeout=60_000)
    found = [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href")) for i in range(links.count())]
    return found or [("search", app_url)]


def test_every_page_loads_without_an_exception(page, app_url):
    links = nav_links(page, app_url)
    assert len(links) == len(list((REPO / "app_pages").glob("*.py"))), "every page file is listed in the app"
    for title, href in links:
        page.goto(href if href.startswith("http") else app_url + href)
        wait_until_idle(page)
        save_screenshot(page, re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "home")
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on page {title}"


def test_search_for_party_shows_partying_face(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    box = page.locator('input[aria-label="Search"]')
    box.fill("party")
    box.press("Enter")
    page.get_by_text("partying face").first.wait_for(timeout=90_000)
    wait_until_idle(page)
    assert page.get_by_text("🥳").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    save_screenshot(page, "search-party")


def test_an_absurd_query_shows_a_notice_not_a_traceback(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    box = page.locator('input[aria-label="Search"]')
    box.fill("q" * 5000)
    box.press("Enter")
    page.get_by_text("characters; searched its first").wait_for(timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
