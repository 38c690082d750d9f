"""Workspaces on the command line: ``import`` an export, list the stored ``workspaces``. Registered by
``register`` (one line in ``emojiml.cli``); ``delete-workspace`` sits with the accounts (``emojiml.auth``)."""

from __future__ import annotations

import argparse
import sys


def _say_waiting(waiting: bool) -> None:
    if waiting:
        print("emojiml: waiting for another import to finish writing…", file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    from emojiml.workspace import import_path
    from emojiml.workspace.store import lock_wait_notice

    with lock_wait_notice(_say_waiting):
        report = import_path(args.path, args.workspace)
    print("\n".join(report.lines()))
    return 0


def cmd_workspaces(args: argparse.Namespace) -> int:
    from emojiml.workspace import open_store

    store = open_store()
    stored = store.workspaces()
    if not stored:
        print("No workspaces yet: `emojiml import PATH` (the app loads its demo workspace on first start).")
    for info in stored:
        c = store.counts(info.name)
        print(
            f"{info.name}\t{info.format}\t{c.messages} messages\t{c.people} people\t{c.reactions} reactions "
            f"({c.reactors} reactors)\t{c.inline} inline\t{c.emoji} emoji ({c.custom_emoji} custom)"
        )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``import`` and ``workspaces``."""
    imports = commands.add_parser("import", help="import a Slack/Discord/CSV export into the workspace store")
    imports.add_argument("path", help="a .zip/.tar.gz export, an export folder, a DiscordChatExporter .json or a .csv")
    imports.add_argument("--workspace", help="workspace name (default: from the file or folder name)")
    imports.set_defaults(func=cmd_import)
    listing = commands.add_parser("workspaces", help="list the stored workspaces with their counts")
    listing.set_defaults(func=cmd_workspaces)
