"""Slack exports -> messages and emoji events.

Two layouts are read:
- the standard export: ``users.json``, ``channels.json``, ``<channel>/<YYYY-MM-DD>.json`` (any folder prefix,
  monthly channel folders, ``users.json`` missing or broken: names then come from ``user_profile``);
- the slack-log layout (haskell-jp): ``<CHANNEL_ID>/<N>.json`` pages plus ``<CHANNEL_ID>/<N>/<ts>.json`` thread
  files, ``.users.json``/``.groups.json`` as id -> name maps; messages carry only ``ts/user/text``.

A message is keyed by (channel folder, ``ts``), so a thread reply listed twice is stored once. Reactions give
one event per (channel, ts, reactor, emoji without skin tone); inline emoji one event per (message, emoji).
Day files are decoded with msgspec into the few fields we need (4x faster than ``json``); a file whose
messages do not fit that shape is re-read message by message, so one odd message does not cost a day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import msgspec

from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import (
    MAX_ID,
    MAX_RECORDS,
    Event,
    ExportMessage,
    ParsedExport,
    Problem,
    clean_id,
    clean_name,
    decode_json,
    too_many_records,
    valid_timestamp,
)

DAY_FILE = re.compile(r"^(?P<prefix>(?:.*/)?)(?P<channel>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})\.json$")
LOG_PAGE = re.compile(r"^(?P<prefix>(?:.*/)?)(?P<channel>[A-Z][A-Z0-9]{6,})/(?:\d+|\d+/\d+\.\d+)\.json$")


class _Reaction(msgspec.Struct):
    name: str
    users: list[str] = []


class _Profile(msgspec.Struct):
    real_name: str = ""
    display_name: str = ""
    name: str = ""


class _SlackMessage(msgspec.Struct):
    ts: str | float | None = None
    user: str | None = None
    text: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    username: str | None = None
    reactions: list[_Reaction] | None = None
    user_profile: _Profile | None = None


_DAY_DECODER = msgspec.json.Decoder(list[_SlackMessage])


def looks_like_slack(files: Iterable[str]) -> bool:
    return any(DAY_FILE.match(name) or LOG_PAGE.match(name) for name in files)


def _decode_messages(content: bytes, where: str, skipped: list[Problem], invalid: list[Problem]) -> list[_SlackMessage]:
    try:
        return _DAY_DECODER.decode(content)
    except (msgspec.ValidationError, RecursionError):
        pass  # valid JSON of another shape (or too deep for the typed decoder): look closer below
    except msgspec.DecodeError as error:
        skipped.append(Problem(where, f"malformed JSON ({error})"))
        return []
    try:
        raw = decode_json(content)
    except msgspec.DecodeError as error:
        skipped.append(Problem(where, f"unreadable JSON ({error})"))
        return []
    if not isinstance(raw, list):
        skipped.append(Problem(where, f"expected a list of messages, found a JSON {type(raw).__name__}"))
        return []
    messages = []
    for position, item in enumerate(raw):
        try:
            messages.append(msgspec.convert(item, _SlackMessage))
        except (msgspec.ValidationError, RecursionError) as error:
            invalid.append(Problem(f"{where}#{position}", f"message skipped: {error}"))
    return messages


def _timestamp(ts: str | float | None) -> float | None:
    try:
        value = float(ts)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return valid_timestamp(value)


def _users_json(content: bytes) -> dict[str, tuple[str, bool]]:
    """Standard ``users.json`` (a list of user objects) or slack-log ``.users.json`` (an id -> name map)."""
    raw = decode_json(content)
    if isinstance(raw, dict):
        return {uid: (clean_name(v, uid), False) for k, v in raw.items() if (uid := clean_id(k))}
    users = {}
    for item in raw if isinstance(raw, list) else []:
        uid = clean_id(item.get("id")) if isinstance(item, dict) else None
        if uid is None:
            continue
        profile = item.get("profile") if isinstance(item.get("profile"), dict) else {}
        names = (profile.get("display_name"), profile.get("real_name"), item.get("real_name"), item.get("name"))
        name = next((n for n in names if isinstance(n, str) and n.strip()), uid)
        users[uid] = (clean_name(name, uid), item.get("is_bot") is True)
    return users


def _channel_names(content: bytes) -> dict[str, str]:
    """slack-log ``.groups.json``/``.channels.json``: id -> name (standard exports name folders already)."""
    raw = decode_json(content)
    if not isinstance(raw, dict):
        return {}
    return {key: clean_name(v, key) for k, v in raw.items() if (key := clean_id(k))}


def _message_id(
    messages: dict[tuple[str, str], ExportMessage], channel: str, ts: str | float | None, author: str | None
) -> str:
    """The message's id within its channel: its ``ts``, or ``ts#2``, ``ts#3``… when a message by someone else
    already has that ``ts`` in the channel (a broken or merged export), so neither replaces the other. The same
    person's message listed twice (a thread reply in the thread and the channel, or before and after an edit)
    keeps one id, and the later listing wins, as before."""
    base = ts if isinstance(ts, str) else f"{ts:.6f}"
    message_id, copy = base, 1
    while (found := messages.get((channel, message_id))) is not None and found.author != author:
        copy += 1
        message_id = f"{base}#{copy}"
    return message_id


def parse_slack(files: Mapping[str, bytes], names: EmojiNames, max_records: int = MAX_RECORDS) -> ParsedExport:
    """Parse every day file (or slack-log page) of an export; refuse one with over ``max_records`` messages and
    reactions (an export that big is a bomb or a mistake, and would not fit in memory)."""
    skipped: list[Problem] = []
    invalid: list[Problem] = []
    users: dict[str, tuple[str, bool]] = {}
    channel_names: dict[str, str] = {}
    day_files: list[tuple[str, str]] = []  # (path, channel)
    layout = "slack"
    for path in sorted(files):
        base = path.rsplit("/", 1)[-1]
        if base in ("users.json", ".users.json", "groups.json", ".groups.json", ".channels.json"):
            try:
                if "users" in base:
                    users.update(_users_json(files[path]))
                else:
                    channel_names.update(_channel_names(files[path]))
            except msgspec.DecodeError as error:
                skipped.append(Problem(path, f"malformed JSON ({error}); names fall back to ids"))
            continue
        if match := DAY_FILE.match(path):
            day_files.append((path, match["channel"]))
        elif match := LOG_PAGE.match(path):
            layout = "slack-log"
            day_files.append((path, match["channel"]))
        elif base == "channels.json":
            try:
                decode_json(files[path])
            except msgspec.DecodeError as error:
                skipped.append(Problem(path, f"malformed JSON ({error}); channel names come from folder names"))

    messages: dict[tuple[str, str], ExportMessage] = {}
    reactions: dict[tuple[str, str, str, str], Event] = {}
    authors: dict[tuple[str, str], bool] = {}  # (channel, message id) -> written by a bot
    for path, channel in day_files:
        for message in _decode_messages(files[path], path, skipped, invalid):
            timestamp = _timestamp(message.ts)
            if timestamp is None:
                invalid.append(
                    Problem(
                        path, f"message with ts {message.ts!r:.40} skipped: it does not parse as a time in 1970-2100"
                    )
                )
                continue
            author_given = message.user or message.bot_id or message.username
            author = clean_id(author_given)
            if author_given and author is None:
                invalid.append(Problem(path, f"author id of {len(author_given)} characters dropped (over {MAX_ID})"))
            text = message.text or ""
            message_id = _message_id(messages, channel, message.ts, author)
            is_bot = message.subtype == "bot_message" or (message.user is None and message.bot_id is not None)
            if author and author not in users:
                profile = message.user_profile
                name = (profile.display_name or profile.real_name or profile.name) if profile else ""
                users[author] = (name or message.username or author, is_bot)
            key = (channel, message_id)
            messages[key] = ExportMessage(channel, message_id, timestamp, author, text)
            authors[key] = is_bot
            for reaction in message.reactions or ():
                resolved = names.name(reaction.name)
                if resolved is None:
                    invalid.append(Problem(path, f"reaction {reaction.name!r:.80} is not an emoji name"))
                    continue
                emoji, is_custom, tone = resolved
                for given in reaction.users:
                    user = clean_id(given)
                    if user is None:
                        invalid.append(Problem(path, f"reaction by an empty or over-long user id ({len(given)} chars)"))
                        continue
                    users.setdefault(user, (user, False))
                    reactions[(channel, message_id, user, emoji)] = Event(
                        channel, message_id, timestamp, user, author, "reaction", emoji, is_custom, tone
                    )
            if len(messages) + len(reactions) > max_records:  # per message: one day file can hold a million
                raise too_many_records(max_records)
    # Inline emoji after all reactions, so a custom emoji first seen as a reaction is recognised in text too.
    inline = [
        Event(m.channel, m.message_id, m.timestamp, m.author, m.author, "inline", emoji, is_custom, tone)
        for key, m in messages.items()
        if m.author and m.text and not authors[key]
        for emoji, is_custom, tone in names.in_text(m.text)
    ]
    channels = {channel: channel_names.get(channel, channel) for channel, _ in messages}
    return ParsedExport(
        format=layout,
        messages=tuple(messages.values()),
        events=(*reactions.values(), *inline),
        users=users,
        channels=channels,
        skipped_files=tuple(skipped),
        invalid=tuple(invalid),
    )
