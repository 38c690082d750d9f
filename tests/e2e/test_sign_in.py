"""Sign-in in a real browser: an OIDC provider started here on loopback, real redirects through Chromium.

The provider is ``oidc-provider-mock`` (PyPI): it shows an authorisation form where a tester types the subject,
and returns ``email = subject``. Nothing is mocked on the app's side: Streamlit's own ``st.login`` talks to it.
"""

from __future__ import annotations

import socket

import pytest

from emojiml.auth.accounts import AccountStore
from emojiml.workspace import DEMO_WORKSPACE
from emojiml.workspace.report import Event, ParsedExport
from emojiml.workspace.store import WorkspaceStore
from tests.e2e.conftest import save_screenshot, serve_app, wait_until_idle

pytestmark = pytest.mark.e2e

MEMBER = "dana@example.org"
PRIVATE = "private-team"


def _event() -> Event:
    return Event("general", "1", 1_600_000_000.0, "U1", None, "reaction", "🎉", False, 0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory):
    from oidc_provider_mock import run_server_in_thread

    home = tmp_path_factory.mktemp("oidc-home")
    database = f"sqlite:///{home / 'emojiml.db'}"
    accounts = AccountStore(WorkspaceStore(database))
    accounts.add(MEMBER, None)  # an OIDC account: no password
    accounts.share(MEMBER, DEMO_WORKSPACE)
    store = WorkspaceStore(database)
    store.import_parsed(PRIVATE, ParsedExport(format="csv", messages=(), events=(_event(),)))
    app_port = _free_port()
    with run_server_in_thread(port=_free_port()) as provider:
        secrets = home / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
            'client_id = "emojiml-test"\n'
            'client_secret = "emojiml-test-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        env = {"EMOJIML_AUTH": "oidc", "EMOJIML_DATABASE_URL": database}
        with serve_app(home, env, ["--secrets.files", str(secrets)], port=app_port) as url:
            yield url


def _sign_in_as(page, url: str, subject: str) -> None:
    page.goto(url)
    wait_until_idle(page)
    assert page.get_by_text("Sign in to emojiml").count() == 1
    assert page.get_by_text(DEMO_WORKSPACE).count() == 0  # nothing of a workspace before sign-in
    page.get_by_role("button", name="Sign in with your identity provider").click()
    page.locator('input[name="sub"]').wait_for(timeout=30_000)  # the provider's own page, after a real redirect
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_until_idle(page)


def test_a_member_signs_in_through_the_provider_and_sees_only_shared_workspaces(page, oidc_app):
    _sign_in_as(page, oidc_app, MEMBER)
    page.get_by_text(f"Signed in as {MEMBER}").wait_for(timeout=60_000)
    save_screenshot(page, "sign-in-oidc-member")
    page.goto(f"{oidc_app}/workspace")
    wait_until_idle(page)
    page.locator('[data-testid="stSelectbox"]').first.click()  # open the workspace list
    page.get_by_role("option", name=DEMO_WORKSPACE).wait_for(timeout=30_000)
    assert page.get_by_text(PRIVATE).count() == 0  # stored, but not shared with this member
    save_screenshot(page, "sign-in-oidc-member-workspaces")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_an_identity_without_an_account_is_turned_away(page, oidc_app):
    _sign_in_as(page, oidc_app, "eve@example.org")
    page.get_by_text("has no emojiml account here").wait_for(timeout=60_000)
    save_screenshot(page, "sign-in-oidc-unknown")
    assert page.get_by_text("Signed in as").count() == 0


def test_a_page_url_opened_directly_still_asks_for_sign_in(page, oidc_app):
    page.goto(f"{oidc_app}/workspace")
    wait_until_idle(page)
    page.get_by_text("Sign in to emojiml").wait_for(timeout=60_000)
    assert page.get_by_text(DEMO_WORKSPACE).count() == 0 and page.get_by_text(PRIVATE).count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0  # no statistic of any workspace


def test_a_fresh_server_asked_for_a_page_first_still_asks_for_sign_in(page, tmp_path):
    """The first request a new process gets is for a page URL: that page must not run without app.py's gate.

    Streamlit runs a ``pages/`` folder's scripts on their own before the entry point has declared
    ``st.navigation``; the page scripts live in ``app_pages/`` so that no such path exists."""
    with serve_app(tmp_path, {"EMOJIML_AUTH": "local"}) as url:
        page.goto(f"{url}/workspace")
        wait_until_idle(page)
        page.get_by_text("Sign in to emojiml").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.get_by_text(DEMO_WORKSPACE).count() == 0


def test_an_expired_provider_session_returns_to_the_sign_in_page(page, oidc_app):
    """Streamlit's identity cookie gone (expired or cleared): the next page load asks for sign-in again."""
    _sign_in_as(page, oidc_app, MEMBER)
    page.get_by_text(f"Signed in as {MEMBER}").wait_for(timeout=60_000)
    page.context.clear_cookies()
    page.goto(f"{oidc_app}/workspace")
    wait_until_idle(page)
    page.get_by_text("Sign in to emojiml").wait_for(timeout=60_000)
    assert page.get_by_text(f"Signed in as {MEMBER}").count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
