"""Small widget helpers shared by several pages (Streamlit calls, no computation)."""

from __future__ import annotations

import streamlit as st

from emojiml.auth.page_gate import visible_workspaces
from emojiml.workspace import DEMO_WORKSPACE
from emojiml.workspace.store import WorkspaceStore


def workspace_picker(store: WorkspaceStore, key: str, container, empty_hint: str) -> str:
    """A select box of the stored workspaces, the demo picked first; stops the page with a hint when none is stored."""
    stored = visible_workspaces([info.name for info in store.workspaces()])
    if not stored:
        st.info(empty_hint)
        st.stop()
    if st.session_state.get(key) not in stored:
        st.session_state[key] = DEMO_WORKSPACE if DEMO_WORKSPACE in stored else stored[0]
    return container.selectbox("Workspace", stored, key=key)


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
