"""What importers produce and what an import reports back, plus the errors a person can act on.

Every importer (Slack, Discord, CSV) returns the same ``ParsedExport``; the store turns it into rows and
answers with an ``ImportReport``. Keeping one shape means the page, the CLI and the tests read one thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec

from emojiml.errors import EmojimlError

MAX_LISTED_PROBLEMS = 50
"""Reports name at most this many invalid records (the count is always exact)."""
MAX_RECORDS = 1_000_000
"""Most messages + reactions one import parses (about 0.5 GB at the peak, 2 GB less than 3 M messages took); the
largest real export here has 25k. Past it the import is refused, whatever the file sizes (a 17 MB zip can hold
3 M messages); ``ArchiveLimits.max_records`` sets another bound."""
MAX_ID = 200
"""Longest user, channel or message id accepted; real ones are under 40 characters."""
EARLIEST_TS = 0.0
LATEST_TS = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
"""Timestamps outside (1970, 2100) are broken, not messages: they are refused at import, and rows stored
before this rule are left out when reading (pandas cannot even represent year 1 or 9999 in nanoseconds)."""


class ExportError(EmojimlError):
    """Bad input a person can fix; the message says what is wrong and what to do. Nothing is stored."""


class ExportFormatError(ExportError):
    """The files are readable but are not a Slack, Discord or CSV export we understand."""


class EmptyExportError(ExportFormatError):
    """The export parsed but holds no messages and no emoji events."""


class ArchiveError(ExportError):
    """The archive is not one, is corrupted or truncated, or is unsafe (zip-slip, zip bomb)."""


class UploadTooLargeError(ArchiveError):
    """The upload is over the size limit."""


class TooManyRecordsError(ArchiveError):
    """The export holds more messages and reactions than one import takes."""


def too_many_records(limit: int) -> TooManyRecordsError:
    return TooManyRecordsError(
        f"the export holds more than {limit:,} messages and reactions, the most one import takes: "
        "export fewer channels or a shorter date range and import the parts one by one."
    )


class ExportMessage(NamedTuple):
    """One chat message. ``message_id`` is unique within its channel (Slack's ``ts``, Discord's id).

    A NamedTuple, not a dataclass: exports hold tens of thousands, and a frozen dataclass's ``__init__``
    alone cost a quarter of the import time."""

    channel: str
    message_id: str
    timestamp: float  # seconds since the Unix epoch, UTC
    author: str | None
    text: str


class Event(NamedTuple):
    """One use of an emoji: a reaction by ``user`` to a message, or an emoji ``user`` wrote inline."""

    channel: str
    message_id: str
    timestamp: float  # seconds since the Unix epoch, UTC
    user: str
    author: str | None
    kind: str  # "reaction" | "inline"
    emoji: str  # catalog key without skin tone; custom emoji as ":name:"
    is_custom: bool
    skin_tone: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    """Something skipped during parsing: where it was and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class ParsedExport:
    """An export turned into tidy records, before it touches the database."""

    format: str
    messages: tuple[ExportMessage, ...]
    events: tuple[Event, ...]
    users: dict[str, tuple[str, bool]] = field(default_factory=dict)  # external id -> (display name, is_bot)
    channels: dict[str, str] = field(default_factory=dict)  # channel key -> display name
    skipped_files: tuple[Problem, ...] = ()
    invalid: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """The answer to an import: what was added, what was already there, and what was skipped and why."""

    workspace: str
    format: str
    messages_read: int
    messages_added: int
    events_read: int
    events_added: int
    reactions_added: int
    inline_added: int
    users: int
    channels: int
    custom_emoji: tuple[str, ...]
    skipped_files: tuple[Problem, ...]
    invalid: tuple[Problem, ...]
    seconds: float
    completed_unfinished_since: float | None = None
    """When an earlier import of this workspace that stopped part-way had started (None: none had stopped); the
    rows this import added include the ones that import never wrote."""

    @property
    def duplicates_skipped(self) -> int:
        """Messages and events that were already stored (re-importing the same export adds nothing)."""
        return (self.messages_read - self.messages_added) + (self.events_read - self.events_added)

    @property
    def messages_per_second(self) -> float:
        return self.messages_read / self.seconds if self.seconds > 0 else float("inf")

    @property
    def completion_note(self) -> str | None:
        """The line saying this import completed one that had stopped part-way (None when none had)."""
        if self.completed_unfinished_since is None:
            return None
        started = datetime.fromtimestamp(self.completed_unfinished_since, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Completed an import of this workspace that stopped part-way (started {started}): the rows it had "
            "stored were kept once, and the rest are among those added above."
        )

    def lines(self) -> list[str]:
        """A short human-readable summary, as the CLI prints it."""
        out = [
            f"Workspace {self.workspace!r} ({self.format}): {self.messages_read} messages read, "
            f"{self.messages_added} added; {self.events_read} emoji events read, {self.events_added} added "
            f"({self.reactions_added} reactions, {self.inline_added} inline); "
            f"{self.duplicates_skipped} duplicates skipped; {self.seconds:.2f} s",
            f"{self.users} users known, {self.channels} channels, {len(self.custom_emoji)} custom emoji"
            + (f": {', '.join(self.custom_emoji[:10])}" if self.custom_emoji else ""),
        ]
        if self.completion_note:
            out.append(self.completion_note)
        if self.skipped_files:
            out.append(f"{len(self.skipped_files)} file(s) skipped:")
            out += [f"  {p.where}: {p.reason}" for p in self.skipped_files[:MAX_LISTED_PROBLEMS]]
        if self.invalid:
            out.append(f"{len(self.invalid)} invalid record(s) skipped:")
            out += [f"  {p.where}: {p.reason}" for p in self.invalid[:MAX_LISTED_PROBLEMS]]
        return out


def decode_json(content: bytes) -> object:
    """``content`` as Python objects; ``msgspec.DecodeError`` for anything unreadable, so one except clause covers
    malformed JSON, JSON nested thousands deep (``RecursionError``) and integers past 64 bits."""
    try:
        return msgspec.json.decode(content)
    except RecursionError as error:
        raise msgspec.DecodeError("JSON nested too deeply") from error


def clean_id(value: object) -> str | None:
    """A user, channel or message id as a string, or ``None`` when it is missing, empty, absurdly long or of a
    type no export writes (a 100k-character id would be stored, shown and indexed for ever)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip() if isinstance(value, str) else (str(value) if abs(value) < 1 << 64 else "")
    return text if 0 < len(text) <= MAX_ID else None


def clean_name(value: object, fallback: str) -> str:
    """A display name: ``value`` when it is a non-empty string, else ``fallback``."""
    return value.strip() or fallback if isinstance(value, str) else fallback


def valid_timestamp(seconds: float | None) -> float | None:
    """``seconds`` when it is a plausible message time (see ``EARLIEST_TS``/``LATEST_TS``), else ``None``."""
    if seconds is None or not EARLIEST_TS < seconds < LATEST_TS:
        return None
    return seconds
