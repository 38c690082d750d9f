"""Reading messages for ``emojiml analyze``: a .txt (one message per line, one conversation) or a .jsonl file.

JSONL lines are objects with ``text`` and optional ``conversation`` and ``user``; a blank line counts as an empty
message so that the output keeps one line per input line. A line that is not such an object stops the run with
an error naming its line number, because silently skipping it would shift every later result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from emojiml.errors import EmojimlError
from emojiml.text.analyze import Message
from emojiml.workspace.slack_text import is_system_message, readable

FORMATS = ("txt", "jsonl")


class InputFormatError(EmojimlError, ValueError):
    """The input file cannot be read as messages; the message names the file and line."""


def input_format(path: Path, declared: str | None) -> str:
    """``declared`` when given, else from the file extension (.jsonl/.json -> jsonl, anything else -> txt)."""
    if declared:
        if declared not in FORMATS:
            raise InputFormatError(f"Unknown format {declared!r}; use one of {', '.join(FORMATS)}.")
        return declared
    return "jsonl" if path.suffix.lower() in (".jsonl", ".json", ".ndjson") else "txt"


def parse_messages(content: str, fmt: str, source: str = "input") -> list[Message]:
    """Messages of a file's ``content`` in format ``fmt`` ("txt" or "jsonl")."""
    lines = content.splitlines()
    if fmt == "txt":
        return [Message(line) for line in lines]
    messages = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            messages.append(Message(""))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputFormatError(f"{source}: line {number} is not valid JSON ({error.msg}).") from error
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputFormatError(f'{source}: line {number} needs an object with a "text" string.')
        conversation, user = record.get("conversation"), record.get("user")
        messages.append(
            Message(
                record["text"],
                conversation=None if conversation is None else str(conversation),
                user=None if user is None else str(user),
            )
        )
    return messages


def read_messages(path: Path, declared_format: str | None = None) -> list[Message]:
    if not path.is_file():
        raise InputFormatError(f"Input file not found: {path}")
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputFormatError(f"{path} is not UTF-8 text (byte {error.start}).") from error
    return parse_messages(content, input_format(path, declared_format), str(path))


_SPEAKER = re.compile(r"^\s*([^\s:][^:]{0,39}?)\s*:\s+(\S.*)$")


def parse_pasted_conversation(pasted: str) -> list[Message]:
    """A pasted conversation: "Name: message" lines (the name becomes ``user``) or plain lines; blanks dropped."""
    messages = []
    for line in pasted.splitlines():
        if not line.strip():
            continue
        match = _SPEAKER.match(line)
        if match and not match.group(1).lower().startswith(("http", "https")):
            messages.append(Message(match.group(2), user=match.group(1)))
        else:
            messages.append(Message(line.strip()))
    return messages


def channel_messages(
    events: pd.DataFrame,
    channel: str,
    limit: int = 60,
    people: pd.DataFrame | None = None,
    custom_emoji: Collection[str] = (),
) -> list[Message]:
    """A stored channel's latest ``limit`` messages by people, oldest first, readable, from a workspace events frame.

    The workspace store exposes messages through their emoji events (``WorkspaceStore.events_frame``), so this
    is the part of the channel that people reacted to or wrote emoji in — the part emoji suggestions are about.
    ``people`` is ``WorkspaceStore.users`` (``user``, ``name``, ``is_bot``): authors become display names and
    bots' messages are left out, as are the lines Slack writes itself (joins, topic changes, pins), so none of
    them is ever analysed or offered for suggestions. Text is read through ``slack_text.readable``.
    """
    names: dict[str, str] = {}
    bots: set[str] = set()
    if people is not None and len(people):
        names = {str(u): str(n) for u, n in zip(people["user"], people["name"], strict=True) if n}
        bots = {str(u) for u, is_bot in zip(people["user"], people["is_bot"], strict=True) if is_bot}
    rows = events[(events["channel"] == channel) & (events["text"].str.strip() != "")]
    rows = rows.drop_duplicates("message_id").sort_values("timestamp")
    messages = []
    for text, author in zip(rows["text"], rows["author"], strict=True):
        author = str(author) if isinstance(author, str) and author else None
        if is_system_message(str(text), author_is_bot=author in bots):
            continue
        shown = readable(str(text), names, custom_emoji).strip()
        if shown:
            messages.append(Message(shown, conversation=channel, user=names.get(author, author) if author else None))
    return messages[-limit:] if limit > 0 else []
