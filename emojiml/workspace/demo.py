"""The built-in demo workspace: the MIT-licensed Houston Data Visualization Slack export, shipped compressed.

Loaded into the store the first time any page (or the CLI) asks, so a fresh install has real data to show.
Later calls only look the workspace up; a re-import would add nothing anyway (unique keys).
"""

from __future__ import annotations

import threading
from pathlib import Path

from emojiml.config import settings
from emojiml.workspace.importer import import_path
from emojiml.workspace.store import WorkspaceStore, open_store

DEMO_WORKSPACE = "houstondatavis-demo"
DEMO_FILE = "houstondatavis-slack.tar.gz"

_lock = threading.Lock()


def demo_export_path() -> Path:
    return settings().asset_dir / "demo" / DEMO_FILE


def ensure_demo_workspace(store: WorkspaceStore | None = None) -> str:
    """Make sure the demo workspace is stored and return its name (fast after the first call)."""
    store = store or open_store()
    with _lock:
        if store.workspace(DEMO_WORKSPACE) is None:
            import_path(demo_export_path(), DEMO_WORKSPACE, store=store)
    return DEMO_WORKSPACE
