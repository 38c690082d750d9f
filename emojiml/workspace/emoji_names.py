"""Turn what exports write (``+1::skin-tone-3``, ``:partyr:``, ``👍🏽``, Discord's emoji objects) into catalog keys.

All importers share this so one emoji is one key everywhere: the catalog key with the skin tone stripped
(the tone is kept separately), and ``:name:`` for a workspace's custom emoji.
"""

from __future__ import annotations

import re

from emojiml.catalog import (
    Catalog,
    clean_shortcode,
    custom_emoji,
    default_catalog,
    emoji_in_text,
    normalize_key,
    skin_tones_of,
    strip_skin_tones,
)

SHORTCODE_IN_TEXT = re.compile(r":([a-z0-9_+'\-]+(?:::skin-tone-[2-6])?):", re.IGNORECASE)
CUSTOM_NAME = re.compile(r"^[a-z0-9_+'\-]{1,100}$")
MAX_REMEMBERED = 100_000  # distinct emoji texts remembered per import: bounds the caches whatever the export
SKIN_TONE_ONLY = re.compile(r"^skin-tone-\d$")  # ``::skin-tone-3`` alone: a tone without its emoji, not a custom one
# Runs of code points that can make up an emoji (plus joiners, variation selectors, keycaps, tags). The exact
# scan (``emoji_in_text``, a Python-level tokenizer) then reads only these runs and the character before each
# (a keycap's digit), not whole messages: most text, CJK included, holds none and costs one regex search.
EMOJI_RUN = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935"
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff\u200d\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f]+"
)


class EmojiNames:
    """Resolves emoji names and characters against a catalog, remembering the workspace's custom emoji."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.custom_names: set[str] = set()
        self._names: dict[str, tuple[str, bool, int] | None] = {}
        # An export repeats a few emoji hundreds of thousands of times: each is resolved once per import.
        self._characters: dict[str, tuple[str, bool, int] | None] = {}
        self._runs: dict[str, list[str]] = {}

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
        elif allow_custom and CUSTOM_NAME.match(bare) and not SKIN_TONE_ONLY.match(bare):
            self.custom_names.add(bare)
            result = (f":{bare}:", True, tone)
        else:
            result = None
        self._names[cache_key] = result
        return result

    def custom(self, name: str) -> tuple[str, bool, int] | None:
        """A name the export marks as the workspace's own (Discord emoji with an id): custom even if the
        catalog knows the same name (a server's ``:party:`` is not 🎉)."""
        bare = clean_shortcode(name)[0]
        if not CUSTOM_NAME.match(bare) or SKIN_TONE_ONLY.match(bare):
            return None
        self.custom_names.add(bare)
        return f":{bare}:", True, 0

    def character(self, text: str) -> tuple[str, bool, int] | None:
        """A Unicode emoji as written (any qualification, with or without a skin tone)."""
        if text in self._characters:
            return self._characters[text]
        if len(self._characters) < MAX_REMEMBERED:
            self._characters[text] = self._character(text)
            return self._characters[text]
        return self._character(text)

    def _character(self, text: str) -> tuple[str, bool, int] | None:
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
                hit = self.name(match.group(1), allow_custom=bare in self.custom_names)
                if hit:
                    found.setdefault(hit[0], hit)
        if not text.isascii() and (runs := [text[max(0, m.start() - 1) : m.end()] for m in EMOJI_RUN.finditer(text)]):
            joined = " ".join(runs)
            keys = self._runs.get(joined)
            if keys is None:
                keys = emoji_in_text(joined)
                if len(self._runs) < MAX_REMEMBERED:
                    self._runs[joined] = keys
            for key in keys:
                hit = self.character(key)
                if hit:
                    found.setdefault(hit[0], hit)
        return list(found.values())


def catalog_with_custom(custom_keys: list[str], catalog: Catalog | None = None) -> Catalog:
    """The Unicode catalog plus the custom emoji ``custom_keys`` (``store.custom_emoji(name)``), so recommenders
    and search can rank ``:partyr:`` like any other emoji. (``recommend.base.catalog_of_events(events)`` finds
    the keys in an events table and calls this.)"""
    return (catalog or default_catalog()).with_custom(custom_emoji(key) for key in custom_keys)
