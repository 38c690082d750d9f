"""DiscordChatExporter JSON (one file per channel) -> messages and emoji events.

Reactions name their emoji as ``{id, name, isAnimated}``: an empty ``id`` means a Unicode emoji (``name`` is the
character), otherwise a server's custom emoji, stored as ``:name:``. Reactions are attributed only when the
export lists ``users`` (newer exporter versions do); a bare ``count`` cannot say who reacted, so it is reported.
"""

from __future__ import annotations

import re
from datetime import datetime

import msgspec

from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import Event, ExportFormatError, Message, ParsedExport, Problem

CUSTOM_IN_TEXT = re.compile(r"<a?:([A-Za-z0-9_~\-]+):\d+>")


def is_discord_export(raw: object) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("messages"), list) and "channel" in raw


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # the exporter always writes an offset; without one the instant is ambiguous
    return parsed.timestamp()


def _emoji(names: EmojiNames, emoji: object) -> tuple[str, bool, int] | None:
    if not isinstance(emoji, dict):
        return None
    name = str(emoji.get("name") or "")
    if emoji.get("id"):
        return names.custom(name)  # a server's own emoji, whatever its name
    return names.character(name) or names.name(str(emoji.get("code") or name), allow_custom=False)


def parse_discord(files: dict[str, bytes], names: EmojiNames) -> ParsedExport:
    skipped: list[Problem] = []
    invalid: list[Problem] = []
    users: dict[str, tuple[str, bool]] = {}
    channels: dict[str, str] = {}
    messages: dict[tuple[str, str], Message] = {}
    events: dict[tuple[str, str, str, str, str], Event] = {}
    for path in sorted(p for p in files if p.lower().endswith(".json")):
        try:
            raw = msgspec.json.decode(files[path])
        except msgspec.DecodeError as error:
            skipped.append(Problem(path, f"malformed JSON ({error})"))
            continue
        if not is_discord_export(raw):
            skipped.append(Problem(path, "not a DiscordChatExporter channel file (no 'channel' and 'messages')"))
            continue
        channel_info = raw["channel"] if isinstance(raw["channel"], dict) else {}
        channel = str(channel_info.get("name") or channel_info.get("id") or path)
        channels[channel] = channel
        for position, item in enumerate(raw["messages"]):
            where = f"{path}#{position}"
            if not isinstance(item, dict) or not item.get("id"):
                invalid.append(Problem(where, "message without an id"))
                continue
            timestamp = _timestamp(item.get("timestamp"))
            if timestamp is None:
                invalid.append(Problem(where, f"timestamp {item.get('timestamp')!r} does not parse"))
                continue
            message_id = str(item["id"])
            author_info = item.get("author") if isinstance(item.get("author"), dict) else {}
            author = str(author_info["id"]) if author_info.get("id") else None
            if author:
                name = author_info.get("nickname") or author_info.get("name") or author
                users[author] = (str(name), bool(author_info.get("isBot")))
            text = item.get("content") if isinstance(item.get("content"), str) else ""
            messages[(channel, message_id)] = Message(channel, message_id, timestamp, author, text)
            for reaction in item.get("reactions") or ():
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
                    if not isinstance(reactor, dict) or not reactor.get("id"):
                        continue
                    user = str(reactor["id"])
                    users.setdefault(user, (str(reactor.get("nickname") or reactor.get("name") or user), False))
                    events[(channel, message_id, user, emoji, "reaction")] = Event(
                        channel, message_id, timestamp, user, author, "reaction", emoji, is_custom, tone
                    )
            if author and text and not author_info.get("isBot"):
                found = [names.custom(m) for m in CUSTOM_IN_TEXT.findall(text)] + names.in_text(text)
                for emoji, is_custom, tone in filter(None, found):
                    events[(channel, message_id, author, emoji, "inline")] = Event(
                        channel, message_id, timestamp, author, author, "inline", emoji, is_custom, tone
                    )
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
