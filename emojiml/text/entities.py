"""Named entities (spaCy, from the shared model layer), each mapped to emoji by the catalog's own search.

Why search and not a table: "Tokyo" -> 🗼, "Germany" -> 🇩🇪, "Python" -> 🐍 come from the catalog's keywords and
the sentence encoder, so any name the catalog can describe finds its emoji. Two small priors per entity type
help where the text alone says little: a query word added for number-like types ("$40" is searched as
"cash banknote $40") and a bonus for the catalog subgroups that suit the type (places for GPE, calendar for
DATE). Places are also matched to the nearest country name among the catalog's flags ("Paris" is closest to
"France", cosine 0.73, so 🇫🇷), accepted only when clearly nearer than the runner-up.

Chat is not news text, and spaCy's small model was trained on news. So, for chat:
* emoji are never entities: the recogniser reads the text with every emoji blanked out (offsets kept), so
  "🙏" is nothing and "Marco 🎂" is read as "Marco";
* the acronyms of work chat ("CI", "PR", "QA", "API", "SG", "DB"...) are not entities at all, and no entity but
  a place or a nationality gets a flag (the search would match "CI" to the flag shortcode of Côte d'Ivoire);
* people get no emoji: a name says nothing a picture could show (and "Jordan" is not 🇯🇴). A name that is one of
  the conversation's users is a person whatever the recogniser thought.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache

import emoji as emoji_package
import numpy as np

from emojiml import models
from emojiml.catalog import Catalog
from emojiml.search import EmojiSearch

MAX_ENTITIES = 8
EMOJI_PER_ENTITY = 2
SUBGROUP_BONUS = 0.35
COUNTRY_MIN_SIMILARITY, COUNTRY_MIN_MARGIN = 0.65, 0.08
FLAG_LABELS = ("GPE", "LOC", "NORP", "FAC")
"""The only types (places and nationalities) whose emoji may include a flag."""
NO_EMOJI_LABELS = ("PERSON", "CARDINAL", "ORDINAL")
"""Types whose text says nothing a picture could show (a name, "500", "third"): listed, with no emoji."""
WORK_ACRONYMS = frozenset(
    [
        "AI",
        "API",
        "APIS",
        "AWS",
        "BE",
        "CD",
        "CI",
        "CLI",
        "CPU",
        "CR",
        "CSS",
        "CSV",
        "DB",
        "DM",
        "DNS",
        "DOD",
        "ENV",
        "EOD",
        "EOW",
        "ETA",
        "FE",
        "FYI",
        "GCP",
        "GPU",
        "HR",
        "IDE",
        "IIRC",
        "IMO",
        "IO",
        "IT",
        "JS",
        "JSON",
        "K8S",
        "LGTM",
        "MR",
        "MVP",
        "OKR",
        "OOO",
        "OS",
        "PM",
        "PO",
        "PR",
        "PTO",
        "QA",
        "RC",
        "RFC",
        "SDK",
        "SG",
        "SLA",
        "SLO",
        "SQL",
        "SRE",
        "SSH",
        "SSO",
        "TBD",
        "TL",
        "TLDR",
        "TS",
        "UI",
        "URL",
        "UX",
        "VM",
        "VPN",
        "WFH",
        "WIP",
    ]
)
"""Upper-case words of work chat that the recogniser takes for organisations or countries."""
_ACRONYM = re.compile(r"^[A-Z0-9]{2,5}s?$")

# Per spaCy label: (query word prepended to the entity's text, or "" for none; subgroups that suit the type).
LABEL_PRIORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "GPE": ("", ("place-map", "place-building", "place-other", "place-geographic")),
    "LOC": ("", ("place-geographic", "place-map", "place-other", "sky-weather")),
    "FAC": ("", ("place-building", "place-other", "place-religious", "transport-air", "transport-ground")),
    "NORP": ("", ("person-symbol", "religion")),
    "ORG": ("company", ("place-building", "office", "computer")),
    "PRODUCT": ("", ("computer", "phone", "transport-ground", "light-video")),
    "EVENT": ("event", ("event", "sport", "award-medal")),
    "WORK_OF_ART": ("", ("book-paper", "light-video", "music", "arts-crafts")),
    "LANGUAGE": ("language", ("person-symbol",)),
    "LAW": ("law", ("tool", "book-paper")),
    "DATE": ("calendar date", ("office", "time", "event")),
    "TIME": ("clock time", ("time",)),
    "MONEY": ("dollar banknote", ("money", "currency")),
    "PERCENT": ("percent chart", ("office", "math")),
    "QUANTITY": ("measure", ("office", "math")),
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


def ner_text(text: str) -> str:
    """``text`` with every emoji replaced by spaces of the same length: what the recogniser reads, so that an
    emoji is never (part of) an entity and entity offsets still index ``text``."""
    chars = list(text)
    for match in emoji_package.emoji_list(text):
        chars[match["match_start"] : match["match_end"]] = " " * (match["match_end"] - match["match_start"])
    return "".join(chars)


def is_work_acronym(text: str) -> bool:
    """ "CI", "PRs", "QA": an upper-case word of work chat (see ``WORK_ACRONYMS``), never a country or company."""
    return bool(_ACRONYM.match(text)) and (text.upper() in WORK_ACRONYMS or text[:-1].upper() in WORK_ACRONYMS)


def chat_entities(
    spans: Sequence[tuple[str, str, int, int]], people: Collection[str] = ()
) -> list[tuple[str, str, int, int]]:
    """The recogniser's spans of one message kept and relabelled for chat (see the module docstring):
    no span without a letter or digit, no work acronym, and ``people`` (lower-case names) labelled PERSON."""
    kept = []
    for text, label, start, end in spans:
        if not any(c.isalnum() for c in text) or is_work_acronym(text):
            continue
        if text.lower() in people or text.split()[0].lower() in people:
            label = "PERSON"
        kept.append((text, label, start, end))
    return kept


def entity_queries(text: str, label: str) -> list[str]:
    """The search queries for one entity: the text with its type's query word, and the bare text when useful."""
    if label in NO_EMOJI_LABELS:
        return []
    query_word, _ = LABEL_PRIORS.get(label, ("", ()))
    queries = [f"{query_word} {text}".strip()]
    if query_word and any(c.isalpha() for c in text):
        queries.append(text)
    return queries


def entity_emoji(
    search: EmojiSearch, encoder: Encoder, text: str, label: str, top: int = EMOJI_PER_ENTITY
) -> tuple[str, ...]:
    """The catalog emoji that best depict one entity, by search plus the type's priors. A flag only for a place
    or nationality whose text is clearly nearest to one country's name (never from a search hit: "CI" and
    "Priya" match flags by shortcode or sound, not by meaning)."""
    _, subgroups = LABEL_PRIORS.get(label, ("", ()))
    scores: dict[str, float] = {}
    for query in entity_queries(text, label):
        for hit in search.search(query, top=40).hits:
            if hit.emoji.subgroup == "country-flag":
                continue
            bonus = SUBGROUP_BONUS if hit.emoji.subgroup in subgroups else 0.0
            scores[hit.emoji.char] = max(scores.get(hit.emoji.char, 0.0), hit.score + bonus)
    ranked = sorted(scores, key=lambda char: -scores[char])
    flag = country_flag(search.catalog, encoder([text])[0]) if label in FLAG_LABELS else None
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
            texts += entity_queries(text, label) + ([text] if label in FLAG_LABELS else [])
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
