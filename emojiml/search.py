"""Ranked emoji search that blends exact, prefix, keyword and semantic matches.

Why blend: pickers that rank by keyword prefix alone miss synonyms ("luck" finds no clover), while a
sentence encoder alone misses exact shortcodes ("+1"). Each signal adds to one score:

    score = 4.0·[shortcode or name equals the query]
          + 1.5·(share of query words that are a name word or keyword)
          + 0.6·(share of query words that prefix a name word or keyword)
          + 1.6·cosine(query, name + keywords)                   (all-MiniLM-L6-v2)
          + 0.25·log-usage prior                                 (Emoji Sentiment Ranking occurrences)
          - 0.5·[gendered ZWJ variant]   (so "people with bunny ears" is not followed by its two copies)

An emoji typed as the query comes first, followed by its nearest neighbours in embedding space.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from emojiml.catalog import Catalog, Emoji, clean_shortcode, emoji_in_text

MAX_QUERY_CHARS = 200
EXACT_WEIGHT, WORD_WEIGHT, PREFIX_WEIGHT, SEMANTIC_WEIGHT, PRIOR_WEIGHT = 4.0, 1.5, 0.6, 1.6, 0.25
GENDERED_VARIANT_PENALTY = 0.5
GENDER_SIGNS = ("\u200d\u2640", "\u200d\u2642")
WORD = re.compile(r"[\w+\-']+")
EMPTY_QUERY_PROMPT = "Type a word (party), a :shortcode: (:+1:) or an emoji (🔥) to search."

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SearchHit:
    emoji: Emoji
    score: float
    reason: str
    """Which signal contributed most: 'the emoji itself', 'shortcode', 'name', 'keyword', 'prefix',
    'similar meaning' or 'similar emoji'."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    """The query as searched, after cleaning and truncation."""
    hits: tuple[SearchHit, ...]
    notice: str | None = None
    """Something the user should know (empty query, truncation, removed characters)."""


def clean_query(raw: str) -> tuple[str, str | None]:
    """Drop control characters and lone surrogates, squeeze whitespace, cap the length.

    Returns the cleaned query and a notice for the user when anything was changed.
    """
    notices = []
    kept = []
    dropped = 0
    for ch in raw:
        category = unicodedata.category(ch)
        if category == "Cs" or (category == "Cc" and not ch.isspace()):
            dropped += 1
            continue
        kept.append(" " if ch.isspace() else ch)
    query = " ".join("".join(kept).split())
    if dropped:
        notices.append(f"Removed {dropped} control or invalid character(s).")
    if len(query) > MAX_QUERY_CHARS:
        notices.append(f"Your query was {len(query):,} characters; searched its first {MAX_QUERY_CHARS}.")
        query = query[:MAX_QUERY_CHARS].rstrip()
    return query, " ".join(notices) or None


def _terms(text: str) -> list[str]:
    return [t.strip("'-").lower() for t in WORD.findall(text) if t.strip("'-")]


class EmojiSearch:
    """Search over a catalog; build once per catalog (the page and CLI get it from ``emojiml.models``)."""

    def __init__(self, catalog: Catalog, embeddings: np.ndarray, encoder: Encoder, vocabulary: dict | None = None):
        self.catalog = catalog
        self.embeddings = embeddings  # (N, 384), unit rows
        self._encoder = encoder
        self._vocabulary = vocabulary or {}  # term -> (384,) cached encoder output for single words
        self._rows = np.asarray(catalog.base_indices, dtype=np.int64)  # only skin-tone bases are ranked
        self._row_of = {int(index): row for row, index in enumerate(self._rows)}
        self._row_embeddings = embeddings[self._rows]
        occurrences = np.array([catalog[i].sentiment_occurrences for i in self._rows], dtype=np.float32)
        self._prior = np.log1p(occurrences) / max(np.log1p(occurrences).max(), 1.0)
        gendered = [any(sign in catalog[i].key for sign in GENDER_SIGNS) for i in self._rows]
        self._prior -= GENDERED_VARIANT_PENALTY / PRIOR_WEIGHT * np.array(gendered, dtype=np.float32)
        self._exact: dict[str, set[int]] = {}
        self._words: dict[str, set[int]] = {}
        for row, index in enumerate(self._rows):
            entry = catalog[int(index)]
            for code in entry.shortcodes:
                self._exact.setdefault(code.lower(), set()).add(row)
            self._exact.setdefault(entry.name.lower(), set()).add(row)
            for term in {*_terms(entry.name), *(k.lower() for k in entry.keywords)}:
                self._words.setdefault(term, set()).add(row)
        self._sorted_terms = sorted(self._words)
        self._encode_one = lru_cache(maxsize=4096)(self._encode_uncached)

    @staticmethod
    def vocabulary_terms(catalog: Catalog) -> list[str]:
        """Single words worth pre-encoding: every name word and keyword of the ranked emoji."""
        terms: set[str] = set()
        for index in catalog.base_indices:
            entry = catalog[index]
            terms.update(_terms(entry.name))
            terms.update(k.lower() for k in entry.keywords)
        return sorted(terms)

    def _encode_uncached(self, text: str) -> np.ndarray:
        cached = self._vocabulary.get(text.lower())
        return cached if cached is not None else self._encoder([text])[0]

    def _prefix_rows(self, term: str) -> set[int]:
        rows: set[int] = set()
        start = bisect_left(self._sorted_terms, term)
        for other in self._sorted_terms[start:]:
            if not other.startswith(term):
                break
            if other != term:
                rows |= self._words[other]
        return rows

    def search(self, raw_query: str, top: int = 10) -> SearchResult:
        query, notice = clean_query(raw_query)
        top = max(1, min(int(top), len(self._rows)))
        if not query:
            return SearchResult(query="", hits=(), notice=EMPTY_QUERY_PROMPT)

        typed = [self.catalog.index_of(key) for key in emoji_in_text(query)]
        typed_rows = [self._row_of.get(self.catalog.base_index(i)) for i in typed if i is not None]
        typed_rows = [row for row in dict.fromkeys(typed_rows) if row is not None]
        if typed_rows:
            return SearchResult(query, self._neighbours(typed_rows, top), notice)

        text = re.sub(r"[^\w\s+\-':]", " ", query).strip() or query
        scores = np.zeros(len(self._rows), dtype=np.float32)
        reasons: dict[int, str] = {}
        bare = clean_shortcode(text)[0] if text.startswith(":") else text.lower()
        for row in self._exact.get(bare, ()):
            scores[row] += EXACT_WEIGHT
            reasons[row] = "shortcode" if bare != self.catalog[int(self._rows[row])].name.lower() else "name"
        terms = _terms(text)
        if terms:
            for term in terms:
                for row in self._words.get(term, ()):
                    scores[row] += WORD_WEIGHT / len(terms)
                    reasons.setdefault(row, "keyword")
                if len(term) >= 2:
                    for row in self._prefix_rows(term):
                        scores[row] += PREFIX_WEIGHT / len(terms)
                        reasons.setdefault(row, "prefix")
        semantic = self._row_embeddings @ self._encode_one(text.strip(":").replace("_", " "))
        scores += SEMANTIC_WEIGHT * semantic + PRIOR_WEIGHT * self._prior
        best = np.argsort(-scores)[:top]
        hits = tuple(
            SearchHit(self.catalog[int(self._rows[row])], float(scores[row]), reasons.get(int(row), "similar meaning"))
            for row in best
        )
        return SearchResult(query, hits, notice)

    def _neighbours(self, rows: list[int], top: int) -> tuple[SearchHit, ...]:
        """The typed emoji first, then the emoji nearest to their mean embedding."""
        centre = self._row_embeddings[rows].mean(axis=0)
        similarity = self._row_embeddings @ centre + PRIOR_WEIGHT * 0.2 * self._prior
        similarity[rows] = np.inf
        order = np.argsort(-similarity)[:top]
        return tuple(
            SearchHit(
                self.catalog[int(self._rows[row])],
                float(10.0 if row in rows else similarity[row]),
                "the emoji itself" if row in rows else "similar emoji",
            )
            for row in order
        )
