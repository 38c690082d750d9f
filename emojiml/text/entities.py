"""Named entities (spaCy, from the shared model layer), each mapped to emoji by the catalog's own search.

Why search and not a table: "Tokyo" -> 🗼, "Germany" -> 🇩🇪, "Python" -> 🐍 come from the catalog's keywords and
the sentence encoder, so any name the catalog can describe finds its emoji. Two small priors per entity type
help where the text alone says little: a query word added for number-like types ("$40" is searched as
"cash banknote $40") and a bonus for the catalog subgroups that suit the type (places for GPE, calendar for
DATE). Places are also matched to the nearest country name among the catalog's flags ("Paris" is closest to
"France", cosine 0.73, so 🇫🇷), accepted only when clearly nearer than the runner-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


Encoder = Callable[[list[str]], np.ndarray]


@cache
def _country_names(catalog: Catalog) -> tuple[tuple[str, ...], np.ndarray]:
    """Flag emoji and the encoder vectors of their bare country names ("France"), (F, 384)."""
    flags = [entry for entry in catalog if entry.subgroup == "country-flag"]
    return tuple(entry.char for entry in flags), models.encode([entry.name.split(": ", 1)[-1] for entry in flags])


def country_flag(catalog: Catalog, vector: np.ndarray) -> str | None:
    """The flag of the country whose name is clearly nearest in meaning to the entity's ``vector``, if one is."""
    flags, vectors = _country_names(catalog)
    similarity = vectors @ vector
    first, second = np.sort(similarity)[::-1][:2]
    if first >= COUNTRY_MIN_SIMILARITY and first - second >= COUNTRY_MIN_MARGIN:
        return flags[int(similarity.argmax())]
    return None


def entity_queries(text: str, label: str) -> list[str]:
    """The search queries for one entity: the text with its type's query word, and the bare text when useful."""
    query_word, _ = LABEL_PRIORS.get(label, ("", ()))
    if label in PRIOR_ONLY_LABELS:
        return [query_word]
    queries = [f"{query_word} {text}".strip()]
    if query_word and any(c.isalpha() for c in text):
        queries.append(text)
    return queries


def entity_emoji(
    search: EmojiSearch, encoder: Encoder, text: str, label: str, top: int = EMOJI_PER_ENTITY
) -> tuple[str, ...]:
    """The catalog emoji that best depict one entity, by search plus the type's priors."""
    _, subgroups = LABEL_PRIORS.get(label, ("", ()))
    scores: dict[str, float] = {}
    for query in entity_queries(text, label):
        for hit in search.search(query, top=40).hits:
            bonus = SUBGROUP_BONUS if hit.emoji.subgroup in subgroups else 0.0
            scores[hit.emoji.char] = max(scores.get(hit.emoji.char, 0.0), hit.score + bonus)
    ranked = sorted(scores, key=lambda char: -scores[char])
    flag = country_flag(search.catalog, encoder([text])[0]) if label in PLACE_LABELS else None
    if flag is not None:
        ranked = [flag, *(char for char in ranked if char != flag)]
    return tuple(ranked[:top])


def entity_spans(docs: Sequence) -> list[list[tuple[str, str, int, int]]]:
    """(text, label, start, end) of at most ``MAX_ENTITIES`` entities per spaCy doc."""
    return [
        [(e.text.strip(), e.label_, e.start_char, e.end_char) for e in list(doc.ents)[:MAX_ENTITIES]] for doc in docs
    ]


def all_entity_queries(spans: Sequence[Sequence[tuple[str, str, int, int]]]) -> list[str]:
    """Every text ``extract_entities`` will encode, so a caller can encode them all in one batch first."""
    texts: list[str] = []
    for found in spans:
        for text, label, _, _ in found:
            texts += entity_queries(text, label) + ([text] if label in PLACE_LABELS else [])
    return texts


def extract_entities(
    spans: Sequence[Sequence[tuple[str, str, int, int]]], search: EmojiSearch, encoder: Encoder
) -> list[tuple[Entity, ...]]:
    """Entities (from ``entity_spans``), each with its emoji; repeated entity texts are searched once."""
    memo: dict[tuple[str, str], tuple[str, ...]] = {}
    results = []
    for found in spans:
        entities = []
        for text, label, start, end in found:
            if (text, label) not in memo:
                memo[text, label] = entity_emoji(search, encoder, text, label)
            entities.append(Entity(text, label, start, end, memo[text, label]))
        results.append(tuple(entities))
    return results
