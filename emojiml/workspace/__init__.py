"""Chat exports (Slack, Discord, CSV) -> one table of emoji events in a durable store.

What the rest of emojiml uses:
- ``open_store()`` -> ``WorkspaceStore`` with ``events_frame(workspace, channel=None)``, ``workspaces()``,
  ``channels(workspace)``, ``users(workspace)``, ``counts(...)``, ``record_feedback(...)``, ``feedback_frame(...)``;
- ``import_path(path, workspace)`` / ``import_upload(bytes, filename, workspace)`` -> ``ImportReport``;
- ``ensure_demo_workspace()`` -> the name of the built-in demo workspace, loading it on first use;
- ``catalog_with_custom(store.custom_emoji(name))`` -> the catalog with that workspace's custom emoji.
"""

from emojiml.workspace.archive import ArchiveLimits
from emojiml.workspace.demo import DEMO_WORKSPACE, ensure_demo_workspace
from emojiml.workspace.emoji_names import catalog_with_custom
from emojiml.workspace.importer import import_path, import_upload, parse_export
from emojiml.workspace.report import (
    ArchiveError,
    EmptyExportError,
    ExportError,
    ExportFormatError,
    ImportReport,
    TooManyRecordsError,
    UploadTooLargeError,
)
from emojiml.workspace.store import UnknownWorkspaceError, WorkspaceCounts, WorkspaceStore, open_store

__all__ = [
    "DEMO_WORKSPACE",
    "ArchiveError",
    "ArchiveLimits",
    "EmptyExportError",
    "ExportError",
    "ExportFormatError",
    "ImportReport",
    "TooManyRecordsError",
    "UnknownWorkspaceError",
    "UploadTooLargeError",
    "WorkspaceCounts",
    "WorkspaceStore",
    "catalog_with_custom",
    "ensure_demo_workspace",
    "import_path",
    "import_upload",
    "open_store",
    "parse_export",
]
