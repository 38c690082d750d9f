"""Ranked emoji search that blends exact, phrase, keyword and semantic matches, and reads the query's intent.

Why blend: pickers that rank by keyword prefix alone miss synonyms ("luck" finds no clover), while a
sentence encoder alone misses exact shortcodes ("+1"). Each signal adds to one score:

    score = 4.0·[shortcode or name equals the query]
          + 2.5·[a multi-word keyword equals the query, or the query is a phrase inside the name]
          + 1.5·(share of the query's content words that are a name word or keyword)
          + 0.6·(share of the query's content words that prefix a name word or keyword)
          + 1.6·cosine(query, name + keywords)                   (all-MiniLM-L6-v2)
          + 0.25·log-usage prior                                 (Emoji Sentiment Ranking occurrences)
          - 1.5·[the name holds the opposite of a query word]    ("thumbs up" is not "thumbs down")
          - 0.5·[gendered ZWJ variant]   (so "people with bunny ears" is not followed by its two copies)

Intent rules, general rather than per query: function words ("it", "us", "in") carry no lexical weight, and a
two-letter English word never stands for a country code unless the query asks for a flag ("flag it", ":it:"),
so "ship it" is about shipping, not Italy. Opposites come from the catalog's own name pairs (up/down, like/
dislike, ...). A weak best score on words nobody knows says so (``SearchResult.good_match``, ``hint``).
Queries in another script are looked up in the emoji names the ``emoji`` package carries for 13 languages, and
told that search is English-first. An emoji typed as the query comes first, then its nearest neighbours in
embedding space.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import emoji as emoji_package
import numpy as np

from emojiml.catalog import TAGS_FILE, Catalog, Emoji, clean_shortcode, emoji_in_text
from emojiml.config import settings

MAX_QUERY_CHARS = 200
EXACT_WEIGHT, WORD_WEIGHT, PREFIX_WEIGHT, SEMANTIC_WEIGHT, PRIOR_WEIGHT = 4.0, 1.5, 0.6, 1.6, 0.25
PHRASE_WEIGHT, ANTONYM_PENALTY, OTHER_LANGUAGE_WEIGHT = 2.5, 1.5, 3.0
GENDERED_VARIANT_PENALTY = 0.5
KEYWORD_SHARE = 0.7
"""A CLDR keyword in another language counts this share of a name in it: "gato" names 🐈 and tags 😹."""
GOOD_MATCH_SCORE = 1.2
"""A best score this high means some lexical signal hit. Below it the hits are the encoder's alone, which is a
fair reading of a real word ("outage" -> ⚠️, 0.55) but a guess at letters ("xqzvbnrt", 0.69): the two score
alike, so a weak result counts as good only when every content word is one the catalog or encoder knows."""
GENDER_SIGNS = ("\u200d\u2640", "\u200d\u2642")
WORD = re.compile(r"[\w+\-']+")
EMPTY_QUERY_PROMPT = "Type a word (`party`), a shortcode (`:+1:`) or an emoji (🔥) to search."
FLAG_SUBGROUP = "country-flag"
FLAG_WORDS = frozenset({"flag", "flags", "country", "nation"})
STOP_WORDS = frozenset(  # one string reads faster than 70 one-word lines
    """a an the it its it's is are was were be been am to of in on at by for from with as and or but if so than
    that this these those i me my we us our you your he him his she her they them their do does did have has
    had will would can could shall should just very too all some any""".split()  # noqa: SIM905
)
"""Function words: they say nothing about a picture, so they add no lexical score (the encoder still reads them)."""
TWO_LETTER_WORDS = frozenset(
    "am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we ye yo ex id ma pa".split()  # noqa: SIM905
)
"""English two-letter words that are also ISO country codes or look like them: never a flag without flag intent."""
OPPOSITES = dict(
    pair
    for a, b in (
        ("up", "down"),
        ("like", "dislike"),
        ("yes", "no"),
        ("good", "bad"),
        ("happy", "sad"),
        ("smiling", "frowning"),
        ("on", "off"),
        ("left", "right"),
        ("open", "closed"),
        ("increasing", "decreasing"),
        ("upwards", "downwards"),
        ("plus", "minus"),
        ("high", "low"),
        ("hot", "cold"),
        ("full", "empty"),
        ("white", "black"),
        ("check", "cross"),
        ("win", "lose"),
    )
    for pair in ((a, b), (b, a))
)
"""Word pairs the catalog's names use for opposite emoji (thumbs up/down, chart increasing/decreasing)."""
OTHER_LANGUAGES = ("ja", "zh", "ko", "ru", "ar", "fa", "de", "es", "fr", "it", "pt", "tr", "id")
"""Languages whose emoji names the ``emoji`` package ships (CLDR short names), read for non-English queries."""

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
    """Something the user should know about their input (empty query, truncation, removed characters)."""
    good_match: bool = True
    """False when even the best hit scored below ``GOOD_MATCH_SCORE``: the hits are loose guesses."""
    hint: str | None = None
    """What the search made of the query: no good match, or English-first for another language."""


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


def _is_latin(text: str) -> bool:
    """Whether most of the query's letters are Latin (English-first search reads those; others get a notice)."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, ""))
    return not letters or latin * 2 >= len(letters)


@cache
def _names_in_other_languages() -> dict[str, tuple[str, ...]]:
    """Lower-cased emoji name -> the emoji so named, over every name the ``emoji`` package has in
    ``OTHER_LANGUAGES`` (loaded on the first query that needs them: 0.3 s)."""
    for language in OTHER_LANGUAGES:
        emoji_package.config.load_language(language)
    names: dict[str, list[str]] = {}
    for char, data in emoji_package.EMOJI_DATA.items():
        for language in OTHER_LANGUAGES:
            if data.get(language):
                names.setdefault(data[language].strip(":").replace("_", " ").lower(), []).append(char)
    return {name: tuple(dict.fromkeys(chars)) for name, chars in names.items()}


@cache
def _keywords_in_other_languages() -> dict[str, tuple[str, ...]]:
    """Lower-cased CLDR keyword -> the emoji it tags, from ``tags-intl.json.gz`` (``emojiml build-catalog``).
    Keywords are what people type: "ありがとう" (thank you) is a keyword of 🙏, whose name is 祈り (prayer)."""
    path = settings().asset_dir / TAGS_FILE
    if not path.exists():
        return {}
    return {tag: tuple(chars) for tag, chars in json.loads(gzip.decompress(path.read_bytes())).items()}


def _flag_intent(text: str) -> bool:
    """The query asks for a flag: a ``:code:`` written as a shortcode, or a word such as "flag" or "country"."""
    return text.startswith(":") or any(t in FLAG_WORDS for t in _terms(text))


def _content_terms(terms: list[str]) -> list[str]:
    """The words that carry meaning: without function words, and without "flag" unless it is all there is."""
    return [t for t in terms if t not in STOP_WORDS and t not in FLAG_WORDS] or [t for t in terms if t in FLAG_WORDS]


def _shown(query: str) -> str:
    """The query as a notice quotes it: in a code span, so ``:+1:`` is not drawn as 👍 by Markdown."""
    return f"`{query.replace('`', '')}`"


class EmojiSearch:
    """Search over a catalog; build once per catalog (the page and CLI get it from ``emojiml.models``)."""

    def __init__(
        self,
        catalog: Catalog,
        embeddings: np.ndarray,
        encoder: Encoder,
        vocabulary: dict | None = None,
        known_word: Callable[[str], bool] | None = None,
    ):
        self.catalog = catalog
        self._known_word = known_word  # "is this a word the encoder reads?" (models.is_known_word)
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
        self._is_flag = np.array([catalog[i].subgroup == FLAG_SUBGROUP for i in self._rows])
        self._exact: dict[str, set[int]] = {}
        self._words: dict[str, set[int]] = {}
        self._phrases: dict[str, set[int]] = {}  # multi-word keywords ("thank you", "good morning")
        self._names: list[str] = []  # lower-cased names, padded with spaces for whole-word phrase tests
        self._name_words: list[frozenset[str]] = []
        for row, index in enumerate(self._rows):
            entry = catalog[int(index)]
            for code in entry.shortcodes:
                self._exact.setdefault(code.lower(), set()).add(row)
            self._exact.setdefault(entry.name.lower(), set()).add(row)
            for term in {*_terms(entry.name), *(k.lower() for k in entry.keywords)}:
                self._words.setdefault(term, set()).add(row)
            for keyword in entry.keywords:
                if " " in keyword.strip():
                    self._phrases.setdefault(" ".join(_terms(keyword)), set()).add(row)
            self._names.append(f" {' '.join(_terms(entry.name))} ")
            self._name_words.append(frozenset(_terms(entry.name)))
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

    def _other_language_rows(self, query: str, latin: bool) -> dict[int, float]:
        """Rows whose name or CLDR keyword in another language matches the query, with the match's weight: the
        whole name (``OTHER_LANGUAGE_WEIGHT``) or keyword (``KEYWORD_SHARE`` of it) for Latin-script words (so
        "gato" finds 🐈 before 😹, and "in" finds no Italian name); for other scripts also a word of a name or a
        name inside an unspaced query ("猫が好き" holds 猫), at half weight."""
        needle = " ".join(_terms(query))
        if len(needle) < (4 if latin else 1) or needle in STOP_WORDS:
            return {}
        names = _names_in_other_languages()
        matched: dict[str, float] = dict.fromkeys(names.get(needle, ()), OTHER_LANGUAGE_WEIGHT)
        for char in _keywords_in_other_languages().get(needle, ()):
            matched.setdefault(char, OTHER_LANGUAGE_WEIGHT * KEYWORD_SHARE)
        if not latin:
            for name, named in names.items():
                if needle in name.split() or (len(name) >= 2 and " " not in needle and name in needle):
                    for char in named:
                        matched.setdefault(char, OTHER_LANGUAGE_WEIGHT / 2)
        rows: dict[int, float] = {}
        for char, weight in matched.items():
            index = self.catalog.index_of(char)
            row = None if index is None else self._row_of.get(self.catalog.base_index(index))
            if row is not None:
                rows[row] = max(rows.get(row, 0.0), weight)
        return rows

    def search(self, raw_query: str, top: int = 10, skin_tone: int = 0) -> SearchResult:
        """The ``top`` emoji for ``raw_query``, best first; ``skin_tone`` (1-5, 0 none) is applied to the hits
        that come in skin tones, so a person's preference carries through every search."""
        query, notice = clean_query(raw_query)
        top = max(1, min(int(top), len(self._rows)))
        if not query:
            return SearchResult(query="", hits=(), notice=EMPTY_QUERY_PROMPT)

        typed = [self.catalog.index_of(key) for key in emoji_in_text(query)]
        typed_rows = [self._row_of.get(self.catalog.base_index(i)) for i in typed if i is not None]
        typed_rows = [row for row in dict.fromkeys(typed_rows) if row is not None]
        if typed_rows:
            return SearchResult(query, self._toned(self._neighbours(typed_rows, top), skin_tone), notice)

        text = re.sub(r"[^\w\s+\-':]", " ", query).strip() or query
        scores, reasons = self._lexical_scores(text)
        semantic = self._row_embeddings @ self._encode_one(text.strip(":").replace("_", " "))
        if not _flag_intent(text):  # a flag is "near" many words ("us", "it"); it comes only when named or asked for
            semantic[self._is_flag & (scores <= 0)] = 0.0
        scores += SEMANTIC_WEIGHT * semantic + PRIOR_WEIGHT * self._prior
        english = _is_latin(query)
        if not english or scores.max() < GOOD_MATCH_SCORE:  # a name in another language may know it
            for row, weight in self._other_language_rows(text, english).items():
                scores[row] += weight
                reasons[row] = "name in another language"
        best = np.argsort(-scores)[:top]
        good = bool(scores[best[0]] >= GOOD_MATCH_SCORE) or self._reads_as_words(text)
        hint = None
        if not english:
            hint = f"Search is English-first: {_shown(query)} was matched against emoji names in other languages" + (
                " and by meaning." if good else ", without a good match. Try an English word (thank you → 🙏)."
            )
        elif not good:
            hint = f"No good match for {_shown(query)}: these are only loose guesses. Try another word."
        hits = tuple(
            SearchHit(self.catalog[int(self._rows[row])], float(scores[row]), reasons.get(int(row), "similar meaning"))
            for row in best
        )
        return SearchResult(query, self._toned(hits, skin_tone), notice, good, hint)

    def _reads_as_words(self, text: str) -> bool:
        """Whether every content word of the query is one the catalog or the encoder knows: then a low score is
        the encoder's honest reading of a real word ("outage" -> ⚠️), not a guess at letters ("xqzvbnrt")."""
        content = _content_terms(_terms(text))
        known = self._known_word
        return bool(content) and all(t in self._words or (known is not None and known(t)) for t in content)

    def _lexical_scores(self, text: str) -> tuple[np.ndarray, dict[int, str]]:
        """Exact, phrase, word and prefix scores minus opposites, with the reason each row got its score."""
        scores = np.zeros(len(self._rows), dtype=np.float32)
        reasons: dict[int, str] = {}
        terms = _terms(text)
        flag_intent = _flag_intent(text)

        def counts(row: int, term: str) -> bool:
            """A flag answers a two-letter English word only when the query asks for a flag."""
            return flag_intent or not (self._is_flag[row] and term in TWO_LETTER_WORDS)

        bare = clean_shortcode(text)[0] if text.startswith(":") else text.lower()
        for row in self._exact.get(bare, ()):
            if counts(row, bare):
                scores[row] += EXACT_WEIGHT
                reasons[row] = "shortcode" if bare != self.catalog[int(self._rows[row])].name.lower() else "name"
        if flag_intent:  # "flag it", "us flag": the two-letter word is the country code
            for term in terms:
                for row in self._exact.get(term, ()) if len(term) == 2 else ():
                    if self._is_flag[row]:
                        scores[row] += EXACT_WEIGHT
                        reasons.setdefault(row, "shortcode")
        if len(terms) > 1:
            phrase = " ".join(terms)
            for row in self._phrases.get(phrase, ()):
                scores[row] += PHRASE_WEIGHT
                reasons.setdefault(row, "keyword")
            for row, name in enumerate(self._names):
                if f" {phrase} " in name and name.strip() != phrase:
                    scores[row] += PHRASE_WEIGHT
                    reasons.setdefault(row, "name")
        content = _content_terms(terms)
        core = " ".join(content)
        if core and core != bare:  # "on fire" names 🔥 once the function word is gone
            for row in self._exact.get(core, ()):
                if counts(row, core):
                    scores[row] += EXACT_WEIGHT * 0.75
                    reasons.setdefault(row, "name")
        for term in content:
            for row in self._words.get(self._word_form(term), ()):
                if counts(row, term):
                    scores[row] += WORD_WEIGHT / len(content)
                    reasons.setdefault(row, "keyword")
            if len(term) >= 2:
                for row in self._prefix_rows(term):
                    if counts(row, term):
                        scores[row] += PREFIX_WEIGHT / len(content)
                        reasons.setdefault(row, "prefix")
        opposites = {OPPOSITES[t] for t in content if t in OPPOSITES} - set(content)
        if opposites:
            for row, words in enumerate(self._name_words):
                if words & opposites:
                    scores[row] -= ANTONYM_PENALTY
        return scores, reasons

    def _word_form(self, term: str) -> str:
        """``term`` as the catalog writes it: itself when known, else an inflection undone ("shipped" -> ship,
        "approved" -> approve, "laughing" -> laugh, "parties" -> party), so plain English finds its emoji."""
        if term in self._words or len(term) < 4:
            return term
        for suffix, replacements in (
            ("ies", ("y",)),
            ("ied", ("y",)),
            ("ing", ("", "e")),
            ("ed", ("", "e")),
            ("es", ("",)),
            ("s", ("",)),
        ):
            if term.endswith(suffix):
                stem = term[: -len(suffix)]
                for ending in replacements:
                    for candidate in (
                        stem + ending,
                        stem[:-1] + ending if len(stem) > 2 and stem[-1] == stem[-2] else "",
                    ):
                        if candidate in self._words:
                            return candidate
        return term

    def _toned(self, hits: tuple[SearchHit, ...], skin_tone: int) -> tuple[SearchHit, ...]:
        """``hits`` with each emoji that comes in skin tones replaced by its ``skin_tone`` variant."""
        if not skin_tone:
            return hits
        toned = []
        for hit in hits:
            index = self.catalog.index_of(hit.emoji.key)
            variant = None if index is None else self.catalog.with_skin_tone(index, skin_tone)
            toned.append(hit if variant is None else SearchHit(self.catalog[variant], hit.score, hit.reason))
        return tuple(toned)

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
