"""Turn what exports write (``+1::skin-tone-3``, ``:partyr:``, ``👍🏽``, Discord's emoji objects) into catalog keys.

All importers share this so one emoji is one key everywhere: the catalog key with the skin tone stripped
(the tone is kept separately), and ``:name:`` for a workspace's custom emoji.
"""

from __future__ import annotations

import re

from emojiml.catalog import Catalog, clean_shortcode, emoji_in_text, normalize_key, skin_tones_of, strip_skin_tones

SHORTCODE_IN_TEXT = re.compile(r":([a-z0-9_+'\-]+(?:::skin-tone-[2-6])?):", re.IGNORECASE)
CUSTOM_NAME = re.compile(r"^[a-z0-9_+'\-]+$")
# A cheap pre-filter: text without any of these code points holds no Unicode emoji, so the (slow) exact
# scan is skipped for most messages, including CJK text.
MAYBE_EMOJI = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935"
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)


class EmojiNames:
    """Resolves emoji names and characters against a catalog, remembering the workspace's custom emoji."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.custom: set[str] = set()
        self._names: dict[str, tuple[str, bool, int] | None] = {}

    def name(self, name: str, *, allow_custom: bool = True) -> tuple[str, bool, int] | None:
        """``(key, is_custom, skin_tone)`` for a Slack-style name; unknown names become custom emoji.

        Returns ``None`` when the name is unknown and ``allow_custom`` is off, or is not a plausible name.
        """
        cache_key = f"{name}\t{allow_custom}"
        if cache_key in self._names:
            return self._names[cache_key]
        bare, tone = clean_shortcode(name)
        index = self.catalog.index_of(bare) if bare else None
        result: tuple[str, bool, int] | None
        if index is not None:
            entry = self.catalog[index]
            result = (entry.base_key, entry.is_custom, tone or entry.skin_tone)
        elif allow_custom and CUSTOM_NAME.match(bare):
            self.custom.add(bare)
            result = (f":{bare}:", True, tone)
        else:
            result = None
        self._names[cache_key] = result
        return result

    def character(self, text: str) -> tuple[str, bool, int] | None:
        """A Unicode emoji as written (any qualification, with or without a skin tone)."""
        key = normalize_key(text)
        if not key:
            return None
        index = self.catalog.index_of(key)
        if index is not None:
            return self.catalog[index].base_key, False, skin_tones_of(key)
        base = strip_skin_tones(key)
        return (base, False, skin_tones_of(key)) if emoji_in_text(key) else None

    def token(self, value: str) -> tuple[str, bool, int] | None:
        """A CSV cell: an emoji character, ``:shortcode:`` or a bare name (unknown names become custom)."""
        value = value.strip()
        if not value:
            return None
        return self.name(value) if value.isascii() else self.character(value)

    def in_text(self, text: str) -> list[tuple[str, bool, int]]:
        """Distinct emoji written in a message: ``:shortcodes:`` the catalog (or this workspace) knows, and
        Unicode emoji. Unknown ``:words:`` are ignored in text (``std::vector::`` is no emoji), unless the
        workspace already uses them as custom reactions."""
        found: dict[str, tuple[str, bool, int]] = {}
        if ":" in text:
            for match in SHORTCODE_IN_TEXT.finditer(text):
                bare = clean_shortcode(match.group(1))[0]
                hit = self.name(match.group(1), allow_custom=bare in self.custom)
                if hit:
                    found.setdefault(hit[0], hit)
        if not text.isascii() and MAYBE_EMOJI.search(text):
            for key in emoji_in_text(text):
                hit = self.character(key)
                if hit:
                    found.setdefault(hit[0], hit)
        return list(found.values())
