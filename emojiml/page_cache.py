"""Streamlit cache wrappers around ``emojiml.models``: one copy per server process, shared by all pages.

Pages import from here instead of calling the loaders directly, so a rerun never reloads weights.
"""

from __future__ import annotations

import streamlit as st

from emojiml import models
from emojiml.search import EmojiSearch


@st.cache_resource(show_spinner="Indexing the emoji catalog (first run only, about a minute)…")
def emoji_search() -> EmojiSearch:
    return models.emoji_search()


# --- Conversation context ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the emotion, act and entity models…")
def context_analyzer():
    """The ``ContextAnalyzer`` with every model loaded once per server process."""
    from emojiml.text.analyze import ContextAnalyzer

    return ContextAnalyzer(search=emoji_search())
