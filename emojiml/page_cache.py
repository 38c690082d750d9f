"""Streamlit cache wrappers around ``emojiml.models``: one copy per server process, shared by all pages.

Pages import from here instead of calling the loaders directly, so a rerun never reloads weights.
"""

from __future__ import annotations

import streamlit as st

from emojiml import models
from emojiml.search import EmojiSearch

models.limit_cpu_threads(default=models.APP_CPU_THREADS)  # small batches, shared CPU: ``Settings.cpu_threads``


@st.cache_resource(show_spinner="Indexing the emoji catalog (first run only, about a minute)…")
def emoji_search() -> EmojiSearch:
    return models.emoji_search()


# --- workspaces (emojiml.workspace) ---
@st.cache_resource(show_spinner="Opening the workspace store (loads the demo workspace on first run)…")
def workspace_store():
    """The store, with the demo workspace loaded, once per server process."""
    from emojiml.workspace import ensure_demo_workspace, open_store

    store = open_store()
    ensure_demo_workspace(store)
    return store


@st.cache_data(show_spinner="Loading emoji events…", max_entries=32)
def workspace_events(workspace: str, channel: str | None, revision: int):
    """Events of a workspace (or one channel). ``revision`` changes with every import, so the cache follows."""
    return workspace_store().events_frame(workspace, channel)


# --- recommend (emojiml.recommend) ---
@st.cache_resource(show_spinner="Fitting the recommenders (NMF, content model, trending)…", max_entries=8)
def recommend_hybrid(workspace: str, revision: int):
    """The workspace's fitted hybrid, refitted when an import changes the workspace (``revision``)."""
    from emojiml.generate.studio import workspace_catalog
    from emojiml.recommend.hybrid import workspace_hybrid

    catalog = workspace_catalog(workspace_store(), workspace)  # with the custom emoji the Generate page added
    return workspace_hybrid(workspace_events(workspace, None, revision), catalog=catalog)


@st.cache_data(show_spinner=False, max_entries=8)
def recommend_evaluation(workspace: str, revision: int, k: int = 10):
    """Temporal-split metrics of every method and the hybrid weight sweep (seconds; cached per revision)."""
    from emojiml.recommend.evaluate import evaluate_workspace

    return evaluate_workspace(workspace_events(workspace, None, revision), k=k)


# --- Conversation context ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the emotion, act and entity models…")
def context_analyzer():
    """The ``ContextAnalyzer`` with every model loaded once per server process."""
    from emojiml.text.analyze import ContextAnalyzer

    return ContextAnalyzer(search=emoji_search())


# --- Studio: Generate and Interpolate (emojiml.generate.studio, emojiml.generate.latent) ---
@st.cache_resource(show_spinner="Drawing the real emoji to compare results with (first run only)…")
def studio_reference():
    """Every curated emoji in Noto with its judge features: what each result's nearest real emoji comes from."""
    from emojiml.generate.studio import real_emoji_index

    return real_emoji_index()


@st.cache_resource(show_spinner="Encoding the real emoji with the VAE (first run only)…")
def latent_atlas():
    """The real emoji's VAE codes and their PCA plane, for the Interpolate page's map and attributes."""
    from emojiml.generate.latent import latent_atlas

    return latent_atlas()


@st.cache_resource(show_spinner="Indexing this workspace's emoji…", max_entries=16)
def workspace_search(workspace: str, revision: int):
    """Search over the Unicode catalog plus the workspace's custom emoji (generated ones with their keywords);
    ``revision`` moves on when an emoji is added, so the index follows."""
    from emojiml.generate.studio import workspace_catalog

    return models.emoji_search(workspace_catalog(workspace_store(), workspace))
