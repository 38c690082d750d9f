"""Named entities (spaCy, from the shared model layer), each mapped to emoji by the catalog's own search.

Why search and not a table: "Tokyo" -> 🗼, "Germany" -> 🇩🇪, "Python" -> 🐍 come from the catalog's keywords and
the sentence encoder, so any name the catalog can describe finds its emoji. Two small priors per entity type
help where the text alone says little: a query word added for number-like types ("$40" is searched as
"cash banknote $40") and a bonus for the catalog subgroups that suit the type (places for GPE, calendar for
DATE). Places are also matched to the nearest country name among the catalog's flags ("Paris" is closest to
"France", cosine 0.73, so 🇫🇷), accepted only when clearly nearer than the runner-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from emojiml import models
from emojiml.catalog import Catalog
from emojiml.search import EmojiSearch

MAX_ENTITIES = 8
EMOJI_PER_ENTITY = 2
SUBGROUP_BONUS = 0.35
COUNTRY_MIN_SIMILARITY, COUNTRY_MIN_MARGIN = 0.65, 0.08
PLACE_LABELS = ("GPE", "LOC", "NORP", "FAC")
PRIOR_ONLY_LABELS = ("PERSON", "CARDINAL")
"""Types whose text says nothing about a picture (a name's words, a bare number): only the type is searched."""

# Per spaCy label: (query word prepended to the entity's text, or "" for none; subgroups that suit the type).
LABEL_PRIORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "GPE": ("", ("country-flag", "place-map", "place-building", "place-other", "place-geographic")),
    "LOC": ("", ("place-geographic", "place-map", "place-other", "sky-weather")),
    "FAC": ("", ("place-building", "place-other", "place-religious", "transport-air", "transport-ground")),
    "NORP": ("", ("country-flag", "person-symbol", "religion")),
    "PERSON": ("person", ("person", "person-role", "person-symbol")),
    "ORG": ("company", ("place-building", "office", "computer")),
    "PRODUCT": ("", ("computer", "phone", "transport-ground", "light-video")),
    "EVENT": ("event", ("event", "sport", "award-medal")),
    "WORK_OF_ART": ("", ("book-paper", "light-video", "music", "arts-crafts")),
    "LANGUAGE": ("language", ("country-flag", "person-symbol")),
    "LAW": ("law", ("tool", "book-paper")),
    "DATE": ("calendar date", ("office", "time", "event")),
    "TIME": ("clock time", ("time",)),
    "MONEY": ("dollar banknote", ("money", "currency")),
    "PERCENT": ("percent chart", ("office", "math")),
    "QUANTITY": ("measure", ("office", "math")),
    "CARDINAL": ("number", ("keycap", "alphanum")),
    "ORDINAL": ("rank medal", ("award-medal",)),
}


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    """Character offset into the message (the CLI's "start"/"end")."""
    end: int
    emoji: tuple[str, ...]
    """Best-matching emoji, best first."""


@cache
def _country_names(catalog: Catalog) -> tuple[tuple[str, ...], np.ndarray]:
    """Flag emoji and the encoder vectors of their bare country names ("France"), (F, 384)."""
    flags = [entry for entry in catalog if entry.subgroup == "country-flag"]
    return tuple(entry.char for entry in flags), models.encode([entry.name.split(": ", 1)[-1] for entry in flags])


def country_flag(search: EmojiSearch, text: str) -> str | None:
    """The flag of the country whose name is clearly nearest to ``text`` in meaning, if one is."""
    flags, vectors = _country_names(search.catalog)
    similarity = vectors @ models.encode([text])[0]
    first, second = np.sort(similarity)[::-1][:2]
    if first >= COUNTRY_MIN_SIMILARITY and first - second >= COUNTRY_MIN_MARGIN:
        return flags[int(similarity.argmax())]
    return None


def entity_emoji(search: EmojiSearch, text: str, label: str, top: int = EMOJI_PER_ENTITY) -> tuple[str, ...]:
    """The catalog emoji that best depict one entity, by search plus the type's priors."""
    query_word, subgroups = LABEL_PRIORS.get(label, ("", ()))
    scores: dict[str, float] = {}
    queries = [f"{query_word} {text}".strip()]
    if label in PRIOR_ONLY_LABELS:
        queries = [query_word]
    elif query_word and any(c.isalpha() for c in text):
        queries.append(text)
    for query in queries:
        for hit in search.search(query, top=40).hits:
            bonus = SUBGROUP_BONUS if hit.emoji.subgroup in subgroups else 0.0
            scores[hit.emoji.char] = max(scores.get(hit.emoji.char, 0.0), hit.score + bonus)
    ranked = sorted(scores, key=lambda char: -scores[char])
    flag = country_flag(search, text) if label in PLACE_LABELS else None
    if flag is not None:
        ranked = [flag, *(char for char in ranked if char != flag)]
    return tuple(ranked[:top])


def extract_entities(docs: Sequence, search: EmojiSearch) -> list[tuple[Entity, ...]]:
    """Entities of spaCy ``docs`` (one per message), each with its emoji; repeated entity texts are searched once."""
    memo: dict[tuple[str, str], tuple[str, ...]] = {}
    results = []
    for doc in docs:
        found = []
        for ent in list(doc.ents)[:MAX_ENTITIES]:
            key = (ent.text.strip(), ent.label_)
            if key not in memo:
                memo[key] = entity_emoji(search, *key)
            found.append(Entity(ent.text, ent.label_, ent.start_char, ent.end_char, memo[key]))
        results.append(tuple(found))
    return results
