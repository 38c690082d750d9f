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
from collections.abc import Iterable

import msgspec

from emojiml.workspace.emoji_names import EmojiNames
from emojiml.workspace.report import Event, Message, ParsedExport, Problem

DAY_FILE = re.compile(r"^(?P<prefix>(?:.*/)?)(?P<channel>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})\.json$")
LOG_PAGE = re.compile(r"^(?P<prefix>(?:.*/)?)(?P<channel>[A-Z][A-Z0-9]{6,})/(?:\d+|\d+/\d+\.\d+)\.json$")
LATEST_TS = 4_102_444_800.0  # 2100-01-01: anything later is a broken timestamp, not a message


class _Reaction(msgspec.Struct):
    name: str
    users: list[str] = []


class _Profile(msgspec.Struct):
    real_name: str = ""
    display_name: str = ""
    name: str = ""


class _Message(msgspec.Struct):
    ts: str | float | None = None
    user: str | None = None
    text: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    username: str | None = None
    reactions: list[_Reaction] | None = None
    user_profile: _Profile | None = None


_DAY_DECODER = msgspec.json.Decoder(list[_Message])


def looks_like_slack(files: Iterable[str]) -> bool:
    return any(DAY_FILE.match(name) or LOG_PAGE.match(name) for name in files)


def _decode_messages(content: bytes, where: str, skipped: list[Problem], invalid: list[Problem]) -> list[_Message]:
    try:
        return _DAY_DECODER.decode(content)
    except msgspec.ValidationError:
        pass  # valid JSON of another shape: look closer below
    except msgspec.DecodeError as error:
        skipped.append(Problem(where, f"malformed JSON ({error})"))
        return []
    raw = msgspec.json.decode(content)
    if not isinstance(raw, list):
        skipped.append(Problem(where, f"expected a list of messages, found a JSON {type(raw).__name__}"))
        return []
    messages = []
    for position, item in enumerate(raw):
        try:
            messages.append(msgspec.convert(item, _Message))
        except msgspec.ValidationError as error:
            invalid.append(Problem(f"{where}#{position}", f"message skipped: {error}"))
    return messages


def _timestamp(ts: str | float | None) -> float | None:
    try:
        value = float(ts)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if 0 < value < LATEST_TS else None


def _users_json(content: bytes) -> dict[str, tuple[str, bool]]:
    """Standard ``users.json`` (a list of user objects) or slack-log ``.users.json`` (an id -> name map)."""
    raw = msgspec.json.decode(content)
    if isinstance(raw, dict):
        return {str(k): (str(v) or str(k), False) for k, v in raw.items()}
    users = {}
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        profile = item.get("profile") if isinstance(item.get("profile"), dict) else {}
        name = profile.get("display_name") or profile.get("real_name") or item.get("real_name") or item.get("name")
        users[str(item["id"])] = (str(name or item["id"]), bool(item.get("is_bot")))
    return users


def _channel_names(content: bytes) -> dict[str, str]:
    """slack-log ``.groups.json``/``.channels.json``: id -> name (standard exports name folders already)."""
    raw = msgspec.json.decode(content)
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def parse_slack(files: dict[str, bytes], names: EmojiNames) -> ParsedExport:
    """Parse every day file (or slack-log page) of an export held in memory."""
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
                msgspec.json.decode(files[path])
            except msgspec.DecodeError as error:
                skipped.append(Problem(path, f"malformed JSON ({error}); channel names come from folder names"))

    messages: dict[tuple[str, str], Message] = {}
    reactions: dict[tuple[str, str, str, str], Event] = {}
    authors: dict[tuple[str, str], bool] = {}  # (channel, ts) -> written by a bot
    for path, channel in day_files:
        for message in _decode_messages(files[path], path, skipped, invalid):
            timestamp = _timestamp(message.ts)
            if timestamp is None:
                invalid.append(Problem(path, f"message with ts {message.ts!r} skipped: the timestamp does not parse"))
                continue
            message_id = message.ts if isinstance(message.ts, str) else f"{message.ts:.6f}"
            author = message.user or message.bot_id or message.username
            is_bot = message.subtype == "bot_message" or (message.user is None and message.bot_id is not None)
            if author and author not in users:
                profile = message.user_profile
                name = (profile.display_name or profile.real_name or profile.name) if profile else ""
                users[author] = (name or message.username or author, is_bot)
            key = (channel, message_id)
            messages[key] = Message(channel, message_id, timestamp, author, message.text or "")
            authors[key] = is_bot
            for reaction in message.reactions or ():
                resolved = names.name(reaction.name)
                if resolved is None:
                    invalid.append(Problem(path, f"reaction {reaction.name!r} is not an emoji name"))
                    continue
                emoji, is_custom, tone = resolved
                for user in reaction.users:
                    users.setdefault(user, (user, False))
                    reactions[(channel, message_id, user, emoji)] = Event(
                        channel, message_id, timestamp, user, author, "reaction", emoji, is_custom, tone
                    )
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
