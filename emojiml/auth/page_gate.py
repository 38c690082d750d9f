"""The sign-in gate in front of every page, and who is signed in.

``app.py`` passes its page list through :func:`allowed_pages` before ``st.navigation``. Until someone is signed
in, the navigation holds one page, the sign-in form, whatever URL was opened: no other page's script runs, so no
workspace name, message or statistic reaches the browser. Three modes (``EMOJIML_AUTH``): ``none`` is one person
on their own machine, so it refuses to serve on any address but loopback; ``local`` asks for a name and password
checked against :class:`~emojiml.auth.AccountStore`; ``oidc`` uses Streamlit's own ``st.login`` with the provider
in ``.streamlit/secrets.toml``.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from emojiml.auth.accounts import Account, SignInError, account_store
from emojiml.config import settings

ACCOUNT_KEY = "emojiml_account"
LOOPBACK_NAMES = ("localhost", "::1", "[::1]")


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` (Streamlit's ``server.address``; empty means every interface) is this machine only."""
    address = (address or "").strip()
    return address in LOOPBACK_NAMES or address.startswith("127.")


def current_account() -> Account | None:
    """The signed-in account, or ``None`` in single-user mode (which sees every workspace)."""
    return st.session_state.get(ACCOUNT_KEY)


def visible_workspaces(names: list[str]) -> list[str]:
    """The stored workspaces the signed-in person may open (all of them in single-user mode)."""
    account = current_account()
    if account is None:
        return names
    return account_store().visible(account, names)


def allowed_pages(pages: list) -> list:
    """``pages`` when the visitor may use the app; otherwise a single page that says how to get in."""
    mode = settings().auth_mode
    if mode == "none":
        if not is_loopback(st.get_option("server.address")):
            return [st.Page(_exposed_single_user, title="emojiml", icon="🔒")]
        st.sidebar.caption("Single-user mode: no sign-in, every workspace visible (this machine only).")
        return pages
    gate = _local_account() if mode == "local" else _oidc_account()
    if not isinstance(gate, Account):
        return [st.Page(gate, title="Sign in", icon="🔒")]
    with st.sidebar:
        st.caption(f"Signed in as `{gate.name}` ({gate.role})")  # names are [A-Za-z0-9._@+-]: no markup
        if st.button("Sign out", key="emojiml_sign_out"):
            st.session_state.pop(ACCOUNT_KEY, None)
            if mode == "oidc":
                st.logout()
            st.rerun()
    return pages


def _exposed_single_user() -> None:
    where = st.get_option("server.address") or "every network interface"
    st.error(
        f"emojiml is being served on {where} with sign-in off (EMOJIML_AUTH=none), so anyone who reaches the port "
        "would read every workspace. Either serve on 127.0.0.1 (`make run` does), or turn sign-in on: "
        "`EMOJIML_AUTH=local` and an admin from `emojiml users add NAME --role admin` (or `EMOJIML_AUTH=oidc` with "
        "a provider in .streamlit/secrets.toml)."
    )


def _local_account():
    """The signed-in account, or the sign-in form page."""
    return current_account() or _local_sign_in_form


def _local_sign_in_form() -> None:
    accounts = account_store()
    st.title("Sign in to emojiml")
    if accounts.is_empty():
        st.info("No account exists yet. An admin creates the first one with `emojiml users add NAME --role admin`.")
    with st.form("emojiml_sign_in"):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            st.session_state[ACCOUNT_KEY] = accounts.authenticate(name, password)
        except SignInError as error:
            st.error(str(error))
        else:
            st.rerun()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets.toml at all
        return False


def _oidc_account():
    """The account for the provider's signed-in identity, or the page that explains what is missing."""
    if not _oidc_configured():
        return _oidc_not_configured
    if not st.user.is_logged_in:
        st.session_state.pop(ACCOUNT_KEY, None)
        return _oidc_sign_in_button
    try:
        account = account_store().oidc_account(st.user.get("email"))
    except SignInError as error:
        st.session_state["emojiml_sign_in_error"] = str(error)
        return _oidc_refused
    st.session_state[ACCOUNT_KEY] = account
    return account


def _oidc_not_configured() -> None:
    st.error(
        "Sign-in is set to OIDC (EMOJIML_AUTH=oidc) but .streamlit/secrets.toml has no [auth] section: add "
        "redirect_uri, cookie_secret, client_id, client_secret and server_metadata_url (see the README)."
    )


def _oidc_sign_in_button() -> None:
    st.title("Sign in to emojiml")
    st.button("Sign in with your identity provider", type="primary", on_click=st.login)


def _oidc_refused() -> None:
    st.title("Sign in to emojiml")
    st.error(st.session_state.get("emojiml_sign_in_error", "This identity has no emojiml account here."))
    st.button("Sign out", on_click=st.logout)


def may_delete_workspaces() -> bool:
    """Admins may delete workspaces; so may the one person of single-user mode."""
    account = current_account()
    return account is None or account.is_admin


def import_refusal(existing: list[str], requested: str | None) -> str | None:
    """Why the signed-in person may not import under ``requested`` (``None``: they may).

    A member names the workspace, and it must be new or shared with them: importing into someone else's workspace
    would add to (and reveal) data they cannot see.
    """
    account = current_account()
    if account is None or account.is_admin:
        return None
    if not requested:
        return "Name the workspace you are importing (members import into new or shared workspaces only)."
    if requested in existing and requested not in visible_workspaces(existing):
        return f"A workspace named {requested!r} exists and is not shared with you: choose another name."
    return None


def record_import(workspace: str, source: str = "") -> None:
    """Remember who imported, and share a member's import with them so they can open what they imported."""
    account = current_account()
    accounts = account_store()
    accounts.record_import(workspace, account.name if account else "single user", source)
    if account is not None and not account.is_admin:
        accounts.share(account.name, workspace)
