"""A CSV of emoji uses -> events: for tools that are neither Slack nor Discord.

Required columns ``user, emoji, timestamp``; optional ``message, channel, kind, message_id, author``.
``emoji`` may be a character (``👍``), a shortcode (``:+1:``) or a bare name (``partyr``: unknown names become
the workspace's custom emoji). ``timestamp`` is ISO 8601 (no offset means UTC) or Unix seconds.
Bad rows are skipped and named in the report; a missing required column refuses the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime

from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import (
    MAX_ID,
    MAX_RECORDS,
    Event,
    ExportFormatError,
    Message,
    ParsedExport,
    Problem,
    too_many_records,
    valid_timestamp,
)

REQUIRED = ("user", "emoji", "timestamp")
OPTIONAL = ("message", "channel", "kind", "message_id", "author")
KINDS = ("reaction", "inline")
DEFAULT_CHANNEL = "general"


def parse_timestamp(value: str) -> float | None:
    """Unix seconds or ISO 8601 -> Unix seconds (UTC); ``None`` when it does not parse or is not in 1970-2100."""
    value = value.strip()
    if not value:
        return None
    try:
        return valid_timestamp(float(value))
    except (ValueError, OverflowError):
        pass
    try:
        parsed = datetime.fromisoformat(value.replace(" UTC", "+00:00"))
        return valid_timestamp((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())
    except (ValueError, OverflowError):
        return None


def parse_csv(name: str, content: bytes, names: EmojiNames, max_records: int = MAX_RECORDS) -> ParsedExport:
    """The CSV's rows as events; a missing or repeated column refuses the file (which copy would be meant?)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExportFormatError(f"{name} is not UTF-8 text ({error}); save the CSV as UTF-8.") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(column or "").strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "no header row"
        raise ExportFormatError(
            f"{name} is missing the column(s) {', '.join(missing)} (found: {found}). "
            f"A CSV needs {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)}."
        )
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        raise ExportFormatError(
            f"{name} has the column(s) {', '.join(repeated)} more than once; keep one of each and import it again."
        )
    reader.fieldnames = header
    invalid: list[Problem] = []
    users: dict[str, tuple[str, bool]] = {}
    messages: dict[tuple[str, str], Message] = {}
    events: dict[tuple[str, str, str, str, str], Event] = {}
    try:
        for row in reader:
            where = f"{name} line {reader.line_num}"
            cells = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
            user, token = cells.get("user", ""), cells.get("emoji", "")
            timestamp = parse_timestamp(cells.get("timestamp", ""))
            kind = cells.get("kind") or "reaction"
            if not user or len(user) > MAX_ID:
                invalid.append(Problem(where, "empty user" if not user else f"user longer than {MAX_ID} characters"))
                continue
            if max(len(cells.get(k, "")) for k in ("channel", "message_id", "author")) > MAX_ID:
                invalid.append(Problem(where, f"channel, message_id or author longer than {MAX_ID} characters"))
                continue
            if timestamp is None:
                invalid.append(
                    Problem(
                        where, f"timestamp {cells.get('timestamp', '')!r:.40} does not parse as a time in 1970-2100"
                    )
                )
                continue
            if kind not in KINDS:
                invalid.append(Problem(where, f"kind {kind!r} is not one of {', '.join(KINDS)}"))
                continue
            resolved = names.token(token)
            if resolved is None:
                invalid.append(Problem(where, f"emoji {token!r} is neither an emoji nor an emoji name"))
                continue
            channel = cells.get("channel") or DEFAULT_CHANNEL
            text = cells.get("message", "")
            author = cells.get("author") or (user if kind == "inline" else None)
            message_id = cells.get("message_id") or hashlib.sha1(f"{timestamp}\t{text}".encode()).hexdigest()[:16]
            users.setdefault(user, (user, False))
            if author:
                users.setdefault(author, (author, False))
            if text or author:
                messages.setdefault((channel, message_id), Message(channel, message_id, timestamp, author, text))
            emoji, is_custom, tone = resolved
            events[(channel, message_id, user, emoji, kind)] = Event(
                channel, message_id, timestamp, user, author, kind, emoji, is_custom, tone
            )
            if len(events) + len(messages) > max_records:
                raise too_many_records(max_records)
    except csv.Error as error:
        raise ExportFormatError(f"{name} line {reader.line_num} is not valid CSV ({error}).") from error
    return ParsedExport(
        format="csv",
        messages=tuple(messages.values()),
        events=tuple(events.values()),
        users=users,
        channels={channel: channel for channel, *_ in events},
        invalid=tuple(invalid),
    )
