"""Deleting a workspace: its events, messages, feedback and everyone's access to it, with a count of what went."""

from __future__ import annotations

from emojiml.workspace.store import WorkspaceStore


def remove_workspace(store: WorkspaceStore, name: str) -> dict[str, int]:
    """Delete ``name`` from the store and its shares from the accounts; rows removed per table.

    Page caches need no clearing: they are keyed by the workspace's revision, which a re-import under the same
    name never repeats (it starts at the creation second), in this process or any other.
    """
    from emojiml.auth.accounts import AccountStore

    removed = store.delete_workspace(name)
    removed["memberships"] = AccountStore(store).forget_workspace(name)
    return {table: count for table, count in removed.items() if count}


def removal_summary(name: str, removed: dict[str, int]) -> str:
    """One line for the CLI and the page: "Deleted demo: 1,382 messages, 199 events, …"."""
    parts = [f"{count:,} {table}" for table, count in sorted(removed.items(), key=lambda item: -item[1])]
    return f"Deleted {name}: " + (", ".join(parts) if parts else "nothing was stored") + "."
