"""The emoji catalog: every fully-qualified Unicode emoji plus a workspace's custom emoji.

One normalisation is used everywhere (importers, recommenders, search, CLI): an emoji's *key* is its
character sequence without the U+FE0E/U+FE0F variation selectors, so "❤" and "❤️" are the same emoji.
Skin-tone modifiers are kept in the key (they are distinct emoji) and ``base_key`` removes them; ZWJ
sequences stay whole. Custom emoji are keyed ``:name:``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import emoji as emoji_package

from emojiml.config import settings

VARIATION_SELECTORS = {"\ufe0e", "\ufe0f"}
SKIN_TONES = ("\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff")
SLACK_SKIN_TONE = re.compile(r"::skin-tone-(\d)$")
CATALOG_FILE = "catalog.json.gz"
TAGS_FILE = "tags-intl.json.gz"
"""CLDR names and keywords in the languages search reads besides English (``catalog_builder.build_language_tags``)."""


def normalize_key(text: str) -> str:
    """The catalog key of an emoji sequence: NFC, trimmed, without variation selectors."""
    text = unicodedata.normalize("NFC", text.strip())
    return "".join(ch for ch in text if ch not in VARIATION_SELECTORS)


def strip_skin_tones(key: str) -> str:
    return "".join(ch for ch in key if ch not in SKIN_TONES)


def skin_tones_of(key: str) -> int:
    """1-5 for the first Fitzpatrick modifier in ``key`` (light..dark), 0 when there is none."""
    for ch in key:
        if ch in SKIN_TONES:
            return SKIN_TONES.index(ch) + 1
    return 0


def clean_shortcode(code: str) -> tuple[str, int]:
    """``":+1::skin-tone-3:"`` -> ``("+1", 2)``: the bare, lower-cased name and a 0-5 skin tone.

    Slack numbers tones 2-6 (``skin-tone-2`` is the lightest); catalog tones are 1-5.
    """
    code = code.strip().strip(":").lower()
    tone = 0
    match = SLACK_SKIN_TONE.search(code)
    if match:
        tone = max(0, min(5, int(match.group(1)) - 1))
        code = code[: match.start()]
    return code.strip(":"), tone


@dataclass(frozen=True)
class Emoji:
    """One catalog entry. Custom emoji have ``is_custom`` and a ``:name:`` key."""

    char: str
    name: str
    group: str
    subgroup: str
    keywords: tuple[str, ...] = ()
    shortcodes: tuple[str, ...] = ()
    skin_tone: int = 0
    sentiment: float | None = None
    sentiment_occurrences: int = 0
    version: float = 0.0
    is_custom: bool = False
    image: str | None = None

    @property
    def key(self) -> str:
        return self.char if self.is_custom else normalize_key(self.char)

    @property
    def base_key(self) -> str:
        return self.key if self.is_custom else strip_skin_tones(self.key)

    @property
    def slack_shortcode(self) -> str:
        return f":{self.shortcodes[0]}:" if self.shortcodes else ""

    @property
    def description(self) -> str:
        """The text the sentence encoder sees: name, then keywords (shortcodes add nothing new)."""
        words = [kw for kw in self.keywords if kw.lower() not in self.name.lower()]
        return f"{self.name}: {', '.join(words)}" if words else self.name


def custom_emoji(name: str, keywords: Iterable[str] = (), image: str | None = None) -> Emoji:
    """A workspace's own emoji (``:partyr:``). Its name's parts become keywords so search finds it."""
    bare = clean_shortcode(name)[0]
    if not bare:
        raise ValueError("A custom emoji needs a name, e.g. 'partyr'.")
    parts = [p for p in re.split(r"[_\-\s]+", bare) if p]
    return Emoji(
        char=f":{bare}:",
        name=" ".join(parts),
        group="custom",
        subgroup="custom",
        keywords=tuple(dict.fromkeys([*parts, *keywords])),
        shortcodes=(bare,),
        is_custom=True,
        image=image,
    )


@dataclass(frozen=True, eq=False)
class Catalog:
    """An ordered, immutable set of emoji with O(1) lookup by key and by shortcode.

    Equality and hashing go by ``fingerprint`` so caches keyed by a catalog stay cheap.
    """

    entries: tuple[Emoji, ...]
    _by_key: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_shortcode: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, int] = {}
        by_shortcode: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            by_key.setdefault(entry.key, index)
            if entry.shortcodes:  # an emoji's primary (Slack) name wins over another's alias: point_up is ☝, not 👆
                by_shortcode.setdefault(entry.shortcodes[0].lower(), index)
        for index, entry in enumerate(self.entries):
            for code in entry.shortcodes[1:]:
                by_shortcode.setdefault(code.lower(), index)
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_by_shortcode", by_shortcode)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __getitem__(self, index: int) -> Emoji:
        return self.entries[index]

    def index_of(self, token: str) -> int | None:
        """Position of an emoji given as a character (any qualification), ``:shortcode:`` or ``name``.

        A Slack skin-tone suffix (``+1::skin-tone-3``) resolves to the toned emoji when it exists.
        """
        key = normalize_key(token)
        if key in self._by_key:
            return self._by_key[key]
        code, tone = clean_shortcode(token)
        index = self._by_shortcode.get(code)
        if index is not None and tone:
            toned = self.entries[index].key + SKIN_TONES[tone - 1]
            return self._by_key.get(toned, index)
        if index is None and token.strip().startswith(":") and f":{code}:" in self._by_key:
            return self._by_key[f":{code}:"]
        return index

    def get(self, token: str) -> Emoji | None:
        index = self.index_of(token)
        return None if index is None else self.entries[index]

    def base_index(self, index: int) -> int:
        """Index of the skin-tone base of entry ``index`` (itself when it has no tone)."""
        return self._by_key.get(self.entries[index].base_key, index)

    def with_skin_tone(self, index: int, tone: int) -> int | None:
        """Index of entry ``index`` in skin tone ``tone`` (1-5; every person in it), ``None`` when it has none.

        A ZWJ sequence carries its modifier after a person, not at the end (🧑🏽‍💻), so the variant is found by
        base key and tone rather than by appending the modifier."""
        return self._toned.get((self.entries[index].base_key, tone))

    @cached_property
    def _toned(self) -> dict[tuple[str, int], int]:
        toned: dict[tuple[str, int], int] = {}
        for index, entry in enumerate(self.entries):
            tones = {ch for ch in entry.key if ch in SKIN_TONES}
            if len(tones) == 1:
                toned.setdefault((entry.base_key, SKIN_TONES.index(tones.pop()) + 1), index)
        return toned

    @cached_property
    def base_indices(self) -> tuple[int, ...]:
        """Entries without a skin-tone modifier: what search and recommenders rank."""
        return tuple(i for i, e in enumerate(self.entries) if e.skin_tone == 0)

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any text the encoder sees changes: keys embedding caches on disk."""
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(f"{entry.key}\t{entry.description}\n".encode())
        return digest.hexdigest()[:16]

    def with_custom(self, customs: Iterable[Emoji]) -> Catalog:
        """A new catalog with custom emoji appended (names already present are kept as they were)."""
        new = [c for c in customs if c.key not in self._by_key]
        return Catalog(self.entries + tuple(new)) if new else self


def emoji_in_text(text: str) -> list[str]:
    """Keys of the Unicode emoji written in ``text``, in order (ZWJ sequences and tones kept whole)."""
    return [normalize_key(match["emoji"]) for match in emoji_package.emoji_list(text)]


def load_catalog(path: Path | None = None) -> Catalog:
    """Read the shipped catalog table (built by ``emojiml build-catalog``)."""
    path = path or settings().asset_dir / CATALOG_FILE
    rows = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return Catalog(
        tuple(
            Emoji(
                char=row["e"],
                name=row["n"],
                group=row["g"],
                subgroup=row["sg"],
                keywords=tuple(row["kw"]),
                shortcodes=tuple(row["sc"]),
                skin_tone=row["t"],
                sentiment=row["s"],
                sentiment_occurrences=row["so"],
                version=row["v"],
            )
            for row in rows
        )
    )


@cache
def default_catalog() -> Catalog:
    """The Unicode catalog, loaded once per process."""
    return load_catalog()
