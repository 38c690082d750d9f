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
