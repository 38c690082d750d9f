"""A store holding the shipped demo workspace (Houston Data Visualization Slack, MIT): real events to analyse."""

from __future__ import annotations

import pytest

from emojiml.workspace import DEMO_WORKSPACE, import_path
from emojiml.workspace.demo import demo_export_path
from emojiml.workspace.store import WorkspaceStore


@pytest.fixture(scope="session")
def demo_events(tmp_path_factory):
    store = WorkspaceStore(f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'demo.db'}")
    import_path(demo_export_path(), DEMO_WORKSPACE, store=store)
    events = store.events_frame(DEMO_WORKSPACE)
    store.dispose()
    return events


@pytest.fixture
def store(tmp_path):
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.dispose()


@pytest.fixture
def demo_store(store):
    """A fresh store with the demo workspace imported (votes are added per test)."""
    import_path(demo_export_path(), DEMO_WORKSPACE, store=store)
    return store
