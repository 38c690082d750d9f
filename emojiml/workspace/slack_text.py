"""Slack message markup made readable, and Slack's system messages told apart from what people wrote.

Slack exports store text in its wire format: ``<@U061A1R2R|micahstubbs>`` for a mention, ``<https://x.io|the
docs>`` for a link, ``:tada:`` for an emoji, ``&amp;`` for "&", and "has joined the channel" lines as messages.
The Context page's channel mode (``text.inputs.channel_messages``) reads stored messages through ``readable`` so
that a person (and the sentiment, entity and topic models) sees what Slack's own client shows: "@micahstubbs",
"the docs", 🎉, "&". (The recommenders still train on the stored text as it was, so their figures stand.)

The store keeps a message's text and author but not Slack's ``subtype``, so ``is_system_message`` recognises the
system lines by their fixed wording (the one Slack writes in every export) as well as by subtype when it is known.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping

from emojiml.catalog import SKIN_TONES, Catalog, clean_shortcode, default_catalog

# One alternation, scanned left to right, so a ``:word:`` inside a link or a code span is never taken for an emoji.
_MARKUP = re.compile(
    r"(?P<code>```.*?```|`[^`\n]+`)"
    r"|<(?P<angle>[^<>\n]+)>"
    r"|:(?P<shortcode>[a-z0-9_+'\-]+(?:::skin-tone-[2-6])?):"
    r"|(?P<user_id>(?-i:\b[UW][A-Z0-9]{8,}\b))",
    re.IGNORECASE | re.DOTALL,
)
_DISCORD_EMOJI = re.compile(r"a?:(\w+):\d+")
SLACK_LEGACY_NAMES = {"simple_smile": "slightly_smiling_face"}
"""Names Slack's client still renders but the Unicode shortcode tables dropped (Slack shows 🙂 for both)."""
BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone", "group": "@group"}

SYSTEM_SUBTYPES = frozenset(
    {
        "bot_add",
        "bot_message",
        "bot_remove",
        "channel_archive",
        "channel_canvas_updated",
        "channel_join",
        "channel_leave",
        "channel_name",
        "channel_purpose",
        "channel_tab_added",
        "channel_topic",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "pinned_item",
        "reminder_add",
        "slackbot_response",
        "tombstone",
        "unpinned_item",
        "welcome_party",
    }
)
"""Subtypes Slack writes for events, not for what a person said (a ``file_share`` or ``me_message`` is a person's)."""
_SYSTEM_TEXT = re.compile(
    r"^\s*(?:<@[^>]+>|@\S+)?\s*(?:"
    r"has (?:joined|left) the (?:channel|group)"
    r"|joined #\S+"
    r"|(?:set|cleared) (?:the )?(?:channel|group) (?:topic|purpose|description)"
    r"|(?:has )?renamed the (?:channel|group)"
    r"|(?:un-?)?archived the (?:channel|group)"
    r"|(?:un)?pinned .{0,200}? (?:to|from) this (?:channel|conversation)"
    r"|(?:added|removed) an integration (?:to|from) this channel"
    r"|set up a reminder"
    r"|this message was deleted\."
    r")",
    re.IGNORECASE | re.DOTALL,
)


def is_system_message(text: str, *, subtype: str | None = None, author_is_bot: bool = False) -> bool:
    """True for the lines Slack writes itself (joins, leaves, topic changes, pins, integrations, deletions) and
    for messages by bots: what the Context page hides and never offers for suggestions.

    ``text`` is the stored (raw) Slack text; ``subtype`` is Slack's field when the caller still has it.
    """
    if author_is_bot or (subtype is not None and subtype in SYSTEM_SUBTYPES):
        return True
    return bool(_SYSTEM_TEXT.match(text or ""))


_NOT_WORDS = re.compile(r"(?:https?|ftp|mailto):\S+|www\.\S+|<[^<>\n]*>|:[\w+'\-]+:|@\S+|#\S+")


def has_words(text: str) -> bool:
    """Whether ``text`` (raw or readable) says something in words, beyond links, mentions and emoji: the
    messages worth picking first for suggestions ("👍" or a bare URL gives the models little to read)."""
    return any(ch.isalpha() for ch in _NOT_WORDS.sub(" ", text or ""))


def _emoji_for(code: str, custom_emoji: Collection[str], catalog: Catalog) -> str | None:
    """The emoji a ``:code:`` (optionally ``::skin-tone-N``) shows as; a custom one stays ``:name:``."""
    bare, tone = clean_shortcode(code)
    if bare.startswith("skin-tone-") and bare[10:].isdigit() and 2 <= int(bare[10:]) <= 6:
        return SKIN_TONES[int(bare[10:]) - 2]  # a tone written after an emoji: Slack draws the modifier
    name = SLACK_LEGACY_NAMES.get(bare, bare)  # before custom names: importers store unknown reactions as custom
    if name == bare and (bare in custom_emoji or f":{bare}:" in custom_emoji):
        return f":{bare}:"
    entry = catalog.get(f"{name}::skin-tone-{tone + 1}" if tone else name)  # a missing tone falls back to the base
    return None if entry is None or entry.is_custom else entry.char


def _angle(token: str, users: Mapping[str, str]) -> str:
    """One ``<...>`` token as Slack's client shows it. Slack escapes ``&<>`` in labels and links, not in the
    names ``users`` holds, so only the former are unescaped."""
    target, _, label = (html.unescape(part) for part in token.partition("|"))
    if target.startswith("@"):  # <@U123|name> or <@U123>
        return "@" + (users.get(target[1:]) or label or target[1:])
    if target.startswith("#"):  # <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^...|fallback>
        name = target[1:].split("^", 1)[0]
        return label or BROADCASTS.get(name, "@" + name)
    if custom := _DISCORD_EMOJI.fullmatch(target):  # Discord writes its custom emoji as <:name:id>
        return f":{custom[1]}:"
    return label or target.removeprefix("mailto:")


def readable(
    text: str,
    users: Mapping[str, str] | None = None,
    custom_emoji: Collection[str] = (),
    catalog: Catalog | None = None,
) -> str:
    """``text`` as Slack's client shows it: mentions as ``@display name``, links as their label (or URL),
    channels as ``#name``, ``:shortcodes:`` as the emoji (a workspace's own ``custom_emoji`` stay ``:name:``),
    bare user ids as names, HTML entities unescaped. Code spans are kept as written.

    ``users`` maps user ids to display names (``WorkspaceStore.users``); ``custom_emoji`` holds names or
    ``:name:`` keys. Unknown ``:words:`` and ids stay as they are, so nothing a person wrote is lost.
    """
    if not text:
        return ""
    users = users or {}
    catalog = catalog or default_catalog()
    out: list[str] = []
    position = 0
    for match in _MARKUP.finditer(text):
        out.append(html.unescape(text[position : match.start()]))
        position = match.end()
        if match["code"] is not None:
            out.append(html.unescape(match["code"]))
        elif match["angle"] is not None:
            out.append(_angle(match["angle"], users))
        elif match["shortcode"] is not None:
            out.append(_emoji_for(match["shortcode"], custom_emoji, catalog) or match.group(0))
        else:
            out.append(users.get(match["user_id"], match["user_id"]))
    out.append(html.unescape(text[position:]))
    return "".join(out)
