"""Small widget helpers shared by several pages (Streamlit calls, no computation)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from emojiml.auth.page_gate import visible_workspaces
from emojiml.workspace import DEMO_WORKSPACE
from emojiml.workspace.store import StoreBusyError, WorkspaceStore, lock_wait_notice

WAITING_FOR_WRITER = "Waiting for another import to finish writing… your change is saved as soon as it has."


def workspace_picker(store: WorkspaceStore, key: str, container, empty_hint: str) -> str:
    """A select box of the stored workspaces, the demo picked first; stops the page with a hint when none is stored."""
    stored = visible_workspaces([info.name for info in store.workspaces()])
    if not stored:
        st.info(empty_hint)
        st.stop()
    if st.session_state.get(key) not in stored:
        st.session_state[key] = DEMO_WORKSPACE if DEMO_WORKSPACE in stored else stored[0]
    return container.selectbox("Workspace", stored, key=key)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def escape_markdown(text: str) -> str:
    """``text`` (file names, reaction names, display names from an export) shown literally by ``st.error``,
    ``st.warning`` and ``st.markdown``: no link, image, HTML tag, ``:color[...]`` directive or emoji shortcode."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def emoji_picker(search, label: str, key: str, default_query: str, container=st):
    """A search box and a select box of its hits: the catalog emoji picked, or ``None`` when nothing matches.

    Used wherever a page asks for one emoji (mashups, interpolation ends); ``search`` is an ``EmojiSearch``, so a
    workspace's custom emoji are offered when its index includes them.
    """
    query = container.text_input(f"{label}: search", value=default_query, key=f"{key}_query")
    hits = search.search(query, top=12).hits
    if not hits:
        container.caption("Type a word or an emoji to pick one.")
        return None
    options = [hit.emoji for hit in hits]
    return container.selectbox(label, options, format_func=lambda e: f"{e.char}  {e.name}", key=f"{key}_pick")


@contextmanager
def waiting_for_writers(container=st) -> Iterator[None]:
    """Store writes in this block that must wait for another writer (an import holds SQLite's one write lock,
    batch after batch) show ``WAITING_FOR_WRITER`` in ``container`` while they wait, instead of a silent hang."""
    notice = container.empty()

    def waiting(started: bool) -> None:
        if started:
            notice.info(WAITING_FOR_WRITER, icon="⏳")
        else:
            notice.empty()

    with lock_wait_notice(waiting):
        yield


def write_to_store(action: Callable[[], object], container=st) -> bool:
    """Run one store write of a page (a vote, a rating): a notice while it waits for another writer, and, if the
    store stays busy past its timeout, its one-line message as ``st.error`` (never a traceback). True if written."""
    try:
        with waiting_for_writers(container):
            action()
    except StoreBusyError as error:
        container.error(escape_markdown(str(error)))
        return False
    return True
