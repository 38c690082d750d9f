"""One entry point for every export: read it safely, recognise its format, parse it, store it.

The page and the CLI both call ``import_path``/``import_upload``; ``progress(fraction, text)`` lets the page
draw a progress bar without this module knowing about Streamlit.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import msgspec

from emojiml.catalog import Catalog, default_catalog
from emojiml.workspace.archive import DEFAULT_LIMITS, LOCAL_LIMITS, ArchiveLimits, ExportFiles, read_path, read_upload
from emojiml.workspace.csv import parse_csv
from emojiml.workspace.discord import is_discord_export, parse_discord
from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import (
    MAX_RECORDS,
    EmptyExportError,
    ExportFormatError,
    ImportReport,
    ParsedExport,
    decode_json,
)
from emojiml.workspace.slack import looks_like_slack, parse_slack
from emojiml.workspace.store import WorkspaceStore, open_store

Progress = Callable[[float, str], None]
GENERIC_NAMES = re.compile(r"^(slack[_-]?export.*|slack[_-]?log.*|export|upload|slack|discord|data)$", re.I)
WORKSPACE_NAME = re.compile(r"^[\w .@+\-]{1,100}$")


def _quiet(_fraction: float, _text: str) -> None:
    return None


_gc_lock = threading.Lock()
_gc_pause = {"imports": 0, "was_enabled": True}  # imports now holding the collector, and its state before them


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Hold Python's cycle collector while an import builds its million small objects.

    Why: parsing makes no reference cycles (reference counting frees everything), yet each collection of the
    oldest generation walks every decoded dict and record: a third of a large Discord import's CPU time. The
    pause is process-wide, so it is counted: with concurrent imports, collection resumes when the last ends."""
    with _gc_lock:
        if _gc_pause["imports"] == 0:
            _gc_pause["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_pause["imports"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pause["imports"] -= 1
            if _gc_pause["imports"] == 0 and _gc_pause["was_enabled"]:
                gc.enable()


def parse_export(files: ExportFiles, catalog: Catalog | None = None, max_records: int = MAX_RECORDS) -> ParsedExport:
    """Recognise the export's format from its files and parse it (nothing is stored); over ``max_records``
    messages and reactions refuses it."""
    names = EmojiNames(catalog or default_catalog())
    paths = list(files.files)
    if not paths:
        raise EmptyExportError(f"{files.source} holds no files.")
    csvs = [p for p in paths if p.lower().endswith(".csv")]
    if csvs and not looks_like_slack(paths):
        if len(csvs) > 1:
            raise ExportFormatError(f"{files.source} holds {len(csvs)} CSV files; import them one at a time.")
        return parse_csv(csvs[0], files.files[csvs[0]], names, max_records)
    if looks_like_slack(paths):
        return parse_slack(files.files, names, max_records)
    jsons = [p for p in paths if p.lower().endswith(".json")]
    unreadable: list[str] = []  # the first reason a JSON file could not be read, for the message below
    for path in jsons:
        try:
            raw = decode_json(files.files[path])
        except msgspec.DecodeError as error:
            unreadable.append(f"{path} is not readable JSON: {error}")
            continue
        if is_discord_export(raw):  # the parser takes this file as decoded here: decoding it is a quarter of the time
            return parse_discord(files.files, names, max_records, decoded={path: raw})
        del raw
    if len(jsons) == 1 and files.files[jsons[0]].lstrip()[:1] == b"[":  # one channel's messages: a Slack day file
        stem = jsons[0].rsplit("/", 1)[-1][:-5]
        channel = stem if not re.match(r"^\d{4}-\d{2}-\d{2}$", stem) else "general"
        return parse_slack({f"{channel}/1970-01-01.json": files.files[jsons[0]]}, names, max_records)
    raise ExportFormatError(
        f"{files.source} is not a Slack export (no <channel>/<YYYY-MM-DD>.json files), nor a Discord export "
        f"(DiscordChatExporter JSON), nor a CSV; it holds {len(paths)} file(s), e.g. {', '.join(sorted(paths)[:3])}"
        + (f" ({unreadable[0]})." if unreadable else ".")
    )


def workspace_name(files: ExportFiles, requested: str | None) -> str:
    """The name asked for, else the export's own, else its folder's, else ``workspace``.

    Why the folder: exports are often saved under a generic file name (``slack_export_raw.tar.gz``) in a folder
    named for the team (``slack-exports/<team>/``, the shared data's layout); naming them all ``workspace`` would
    pour two teams' events into one workspace when both are imported or evaluated in the same store."""
    name = (requested or files.name or "").strip()
    if not requested and (not name or GENERIC_NAMES.match(name)):
        parent = Path(files.source).parent  # "." for an upload, which has no folder
        folder = parent.resolve().name if str(parent) not in ("", ".") else ""
        usable = folder and WORKSPACE_NAME.match(folder) and not GENERIC_NAMES.match(folder)
        name = folder if usable else "workspace"
    if not WORKSPACE_NAME.match(name):
        raise ExportFormatError(
            f"Workspace name {name!r} is not allowed: use 1-100 letters, digits, spaces, '.', '-', '_', '@' or '+'."
        )
    return name


def import_files(
    files: ExportFiles,
    workspace: str | None = None,
    *,
    store: WorkspaceStore | None = None,
    catalog: Catalog | None = None,
    progress: Progress = _quiet,
    max_records: int = MAX_RECORDS,
) -> ImportReport:
    """Parse ``files`` whole, then store them: a bad export is refused before anything is written."""
    started = time.perf_counter()
    name = workspace_name(files, workspace)
    with _cyclic_gc_paused():
        progress(0.3, f"Parsing {len(files.files)} file(s)…")
        parsed = parse_export(files, catalog, max_records)
        if not parsed.messages and not parsed.events:
            problems = "; ".join(f"{p.where}: {p.reason}" for p in (*parsed.skipped_files, *parsed.invalid)[:3])
            raise EmptyExportError(
                f"{files.source} holds no messages and no emoji events" + (f" ({problems})." if problems else ".")
            )
        progress(0.6, f"Storing {len(parsed.messages)} messages and {len(parsed.events)} emoji events…")
        report = (store or open_store()).import_parsed(name, parsed, source=Path(files.source).name)
    progress(1.0, "Done.")
    return replace(report, seconds=time.perf_counter() - started)


def import_path(
    path: str | Path,
    workspace: str | None = None,
    *,
    store: WorkspaceStore | None = None,
    limits: ArchiveLimits = LOCAL_LIMITS,
    progress: Progress = _quiet,
) -> ImportReport:
    """Import a local export (archive, folder, JSON or CSV file). Raises ``ExportError`` subclasses."""
    progress(0.05, f"Reading {path}…")
    files = read_path(Path(path), limits)
    return import_files(files, workspace, store=store, progress=progress, max_records=limits.max_records)


def import_upload(
    data: bytes,
    filename: str,
    workspace: str | None = None,
    *,
    store: WorkspaceStore | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    progress: Progress = _quiet,
) -> ImportReport:
    """Import an uploaded file's bytes. The upload limit is checked before anything is unpacked."""
    progress(0.05, f"Unpacking {filename}…")
    files = read_upload(data, filename, limits)
    return import_files(files, workspace, store=store, progress=progress, max_records=limits.max_records)
