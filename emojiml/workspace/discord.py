"""DiscordChatExporter JSON (one file per channel) -> messages and emoji events.

Reactions name their emoji as ``{id, name, isAnimated}``: an empty ``id`` means a Unicode emoji (``name`` is the
character), otherwise a server's custom emoji, stored as ``:name:``. Reactions are attributed only when the
export lists ``users`` (newer exporter versions do); a bare ``count`` cannot say who reacted, so it is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

import msgspec

from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import (
    MAX_RECORDS,
    Event,
    ExportFormatError,
    ExportMessage,
    ParsedExport,
    Problem,
    clean_id,
    clean_name,
    decode_json,
    too_many_records,
    valid_timestamp,
)

CUSTOM_IN_TEXT = re.compile(r"<a?:([A-Za-z0-9_~\-]+):\d+>")


def is_discord_export(raw: object) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("messages"), list) and "channel" in raw


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None  # the exporter always writes an offset; without one the instant is ambiguous
        return valid_timestamp(parsed.timestamp())
    except (ValueError, OverflowError):
        return None


def _emoji(names: EmojiNames, emoji: object) -> tuple[str, bool, int] | None:
    if not isinstance(emoji, dict):
        return None
    name = clean_name(emoji.get("name"), "")
    if emoji.get("id"):
        return names.custom(name)  # a server's own emoji, whatever its name
    return names.character(name) or names.name(clean_name(emoji.get("code"), name), allow_custom=False)


def parse_discord(
    files: Mapping[str, bytes],
    names: EmojiNames,
    max_records: int = MAX_RECORDS,
    decoded: dict[str, object] | None = None,
) -> ParsedExport:
    """Parse every channel file; values of the wrong type are skipped and named, never trusted. ``decoded`` holds
    files the caller already decoded (recognising the format), taken from it as they are parsed."""
    decoded = decoded if decoded is not None else {}
    skipped: list[Problem] = []
    invalid: list[Problem] = []
    users: dict[str, tuple[str, bool]] = {}
    channels: dict[str, str] = {}
    messages: dict[tuple[str, str], ExportMessage] = {}
    events: dict[tuple[str, str, str, str, str], Event] = {}
    for path in sorted(p for p in files if p.lower().endswith(".json")):
        try:
            raw = decoded.pop(path) if path in decoded else decode_json(files[path])
        except msgspec.DecodeError as error:
            skipped.append(Problem(path, f"malformed JSON ({error})"))
            continue
        if not is_discord_export(raw):
            skipped.append(Problem(path, "not a DiscordChatExporter channel file (no 'channel' and 'messages')"))
            continue
        channel_info = raw["channel"] if isinstance(raw["channel"], dict) else {}
        channel = clean_id(channel_info.get("name")) or clean_id(channel_info.get("id")) or path
        channels[channel] = channel
        for position, item in enumerate(raw["messages"]):
            where = f"{path}#{position}"
            message_id = clean_id(item.get("id")) if isinstance(item, dict) else None
            if message_id is None:
                invalid.append(Problem(where, "message without a usable id"))
                continue
            timestamp = _timestamp(item.get("timestamp"))
            if timestamp is None:
                invalid.append(
                    Problem(where, f"timestamp {item.get('timestamp')!r:.40} does not parse as a time in 1970-2100")
                )
                continue
            author_info = item.get("author") if isinstance(item.get("author"), dict) else {}
            author = clean_id(author_info.get("id"))
            if author_info.get("id") and author is None:
                invalid.append(Problem(where, "author id dropped: empty, over-long or not text"))
            if author:
                name = clean_name(author_info.get("nickname"), "") or clean_name(author_info.get("name"), author)
                users[author] = (name, author_info.get("isBot") is True)
            text = item.get("content") if isinstance(item.get("content"), str) else ""
            messages[(channel, message_id)] = ExportMessage(channel, message_id, timestamp, author, text)
            item_reactions = item.get("reactions") or []
            if not isinstance(item_reactions, list):
                invalid.append(Problem(where, f"reactions {item_reactions!r:.40} is not a list; skipped"))
                item_reactions = []
            for reaction in item_reactions:
                resolved = _emoji(names, reaction.get("emoji") if isinstance(reaction, dict) else None)
                if resolved is None:
                    invalid.append(Problem(where, f"reaction emoji {reaction!r:.80} is not an emoji"))
                    continue
                reactors = reaction.get("users")
                if not isinstance(reactors, list):
                    invalid.append(Problem(where, "reaction without a list of users: who reacted is unknown"))
                    continue
                emoji, is_custom, tone = resolved
                for reactor in reactors:
                    user = clean_id(reactor.get("id")) if isinstance(reactor, dict) else None
                    if user is None:
                        invalid.append(Problem(where, "reactor without a usable id skipped"))
                        continue
                    name = clean_name(reactor.get("nickname"), "") or clean_name(reactor.get("name"), user)
                    users.setdefault(user, (name, False))
                    events[(channel, message_id, user, emoji, "reaction")] = Event(
                        channel, message_id, timestamp, user, author, "reaction", emoji, is_custom, tone
                    )
            if author and text and author_info.get("isBot") is not True:
                found = [names.custom(m) for m in CUSTOM_IN_TEXT.findall(text)] + names.in_text(text)
                for emoji, is_custom, tone in filter(None, found):
                    events[(channel, message_id, author, emoji, "inline")] = Event(
                        channel, message_id, timestamp, author, author, "inline", emoji, is_custom, tone
                    )
            if len(messages) + len(events) > max_records:  # per message: one channel file can hold a million
                raise too_many_records(max_records)
    if not channels and skipped:
        raise ExportFormatError(f"No readable Discord channel file: {skipped[0].where}: {skipped[0].reason}.")
    return ParsedExport(
        format="discord",
        messages=tuple(messages.values()),
        events=tuple(events.values()),
        users=users,
        channels=channels,
        skipped_files=tuple(skipped),
        invalid=tuple(invalid),
    )
