"""Analyse conversations message by message: sentiment, emotion, act, state, entities, topics, suggestions.

One ``ContextAnalyzer`` holds the models (from ``emojiml.models``) and analyses a batch of messages at once: the
encoder, the classifiers and spaCy each run once per batch, which is what makes batch analysis fast. Messages
are grouped into conversations by consecutive equal ``conversation`` values; each message's context is the
non-empty messages around it in its conversation (the turns before it, and the one after when there is one).

Emotion: a message in a conversation of two or more messages is read by the emotion model's ``dialogue`` head,
every turn including the first (as DailyDialog's turns were); a message on its own by the ``comment`` head.
Sentiment: each message on its own, by the polarity model trained on developers' comments (see
``emojiml.text.sentiment``).

An analyser holds models only; what one call computes (its encoder vectors) lives in a context variable for the
length of that call, so one analyser can serve many threads (the page shares one across browser sessions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from emojiml import models
from emojiml.catalog import Catalog, emoji_in_text
from emojiml.search import EmojiSearch
from emojiml.text.act import Act, acts_from_probabilities
from emojiml.text.classifier import ContextClassifier
from emojiml.text.emotion import Emotion, emotions_from_probabilities, neutral_emotion
from emojiml.text.entities import (
    Entity,
    all_entity_queries,
    chat_entities,
    entity_spans,
    extract_entities,
    ner_text,
)
from emojiml.text.features import conversation_links
from emojiml.text.flow import ConversationState, conversation_state
from emojiml.text.sentiment import Sentiment, combine, emoji_polarity
from emojiml.text.suggest import ContextSuggestion, nearest_emoji, suggest
from emojiml.text.topics import MIN_MESSAGES_FOR_NMF, Topic, conversation_topics, topic_query, with_emoji

if TYPE_CHECKING:
    from spacy.language import Language

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut here and flagged "truncated" (the encoder reads 256 tokens anyway)."""
ASCII = re.compile(r"[\x00-\x7f]+")
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
TOPIC_MIN_SIMILARITY = 0.4
"""A topic gets an emoji only this near in meaning: "pizza dinner" -> 🍕 is 0.71, "coffee break" -> ☕ 0.43, but
"build broken" -> 🏗️ is 0.35 (a topic's two words have no context to tell a software build from a building)."""

_CALL_VECTORS: ContextVar[dict[str, np.ndarray] | None] = ContextVar("analysis_vectors", default=None)
"""The current ``analyze`` call's encoder vectors by text; each thread (and each call) sees only its own."""

PersonalSuggestions = Callable[["Message"], Sequence[ContextSuggestion]]
"""The recommender hook: given a message (with its ``user``), that person's suggestions to merge in."""


@dataclass(frozen=True)
class Message:
    text: str
    conversation: str | None = None
    """Consecutive messages with equal values form one conversation (None: the default conversation)."""
    user: str | None = None


@dataclass(frozen=True)
class MessageAnalysis:
    text: str
    user: str | None
    conversation: str | None
    position: int
    """Turn number within its conversation, from 0, counting non-empty messages only."""
    sentiment: Sentiment
    emotion: Emotion
    act: Act
    state: ConversationState
    entities: tuple[Entity, ...]
    topics: tuple[Topic, ...]
    suggestions: tuple[ContextSuggestion, ...]
    flags: tuple[str, ...] = field(default=())
    """Anything unusual: "empty", "truncated", "emoji_only", "non_english"."""

    def to_record(self) -> dict:
        """The CLI's JSON line for this message."""
        return {
            "text": self.text,
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score},
            "emotion": {"label": self.emotion.label, "scores": self.emotion.scores},
            "act": self.act.label,
            "state": self.state.label,
            "entities": [{"text": e.text, "label": e.label, "start": e.start, "end": e.end} for e in self.entities],
            "topics": [{"words": list(t.words), "emoji": t.emoji} for t in self.topics],
            "suggestions": [{"emoji": s.emoji, "score": s.score, "reason": s.reason} for s in self.suggestions],
            "flags": list(self.flags),
        }


DROPPED = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc" and not chr(c).isspace())
    + "\ud800-\udfff]"
)
"""Control characters that are not white space (category Cc lies within U+0000-U+009F) and lone surrogates (Cs)."""


def clean_text(raw: str) -> tuple[str, tuple[str, ...]]:
    """Drop control characters and lone surrogates, collapse white space, cap the length; returns the text and
    its flags. One regular expression, not a per-character loop: this runs on every message of a batch."""
    text = " ".join(DROPPED.sub("", raw).split())
    flags: list[str] = []
    if len(text) > MAX_MESSAGE_CHARS:
        text, flags = text[:MAX_MESSAGE_CHARS].rstrip(), ["truncated"]
    if not text:
        flags.append("empty")
    elif not WORD.search(text) and emoji_in_text(text):
        flags.append("emoji_only")
    elif _looks_non_english(text):
        flags.append("non_english")
    return text, tuple(flags)


def _looks_non_english(text: str) -> bool:
    """Mostly non-Latin letters, or 4+ words and not one English stop word: the models were trained on English."""
    if not text.isascii():  # ASCII letters are all Latin; count the others' letters without a per-character loop
        n_letters = sum(map(str.isalpha, text))
        foreign = [c for c in filter(str.isalpha, ASCII.sub("", text)) if not ("a" <= c.lower() <= "z")]
        if n_letters and len(foreign) / n_letters > 0.5:
            return True
    words = [w.lower() for w in WORD.findall(text)]
    return len(words) >= 4 and not any(w in ENGLISH_STOP_WORDS for w in words)


class ContextAnalyzer:
    """Analyses messages with the shipped models; build once (the page caches it) and call ``analyze``."""

    def __init__(
        self,
        search: EmojiSearch | None = None,
        emotion_model: ContextClassifier | None = None,
        act_model: ContextClassifier | None = None,
        sentiment_model: ContextClassifier | None = None,
    ):
        catalog = (search or models.emoji_search()).catalog
        self.search = models.emoji_search_with_encoder(_call_vectors, catalog)
        self.catalog: Catalog = catalog
        self.emotion_model = emotion_model or models.emotion_classifier()
        self.act_model = act_model or models.act_classifier()
        self.sentiment_model = sentiment_model or models.sentiment_classifier()
        self.nlp = models.spacy_english()
        self._spacy_unused = spacy_unused_components(self.nlp)
        self.vader = models.vader()
        self._catalog_vectors = models.catalog_embeddings(self.catalog)[list(self.catalog.base_indices)]

    def analyze(
        self, messages: Sequence[Message | str], personal: PersonalSuggestions | None = None
    ) -> list[MessageAnalysis]:
        """One ``MessageAnalysis`` per message, in order; plain strings form one conversation."""
        with models.one_blas_thread():
            return self._analyze(messages, personal)

    def _analyze(
        self, messages: Sequence[Message | str], personal: PersonalSuggestions | None
    ) -> list[MessageAnalysis]:
        items = [m if isinstance(m, Message) else Message(m) for m in messages]
        cleaned = [clean_text(m.text) for m in items]
        live = [i for i, (text, _) in enumerate(cleaned) if text]
        texts = [cleaned[i][0] for i in live]
        previous_live, positions = conversation_links([items[i].conversation for i in live])

        docs = list(self.nlp.pipe([ner_text(t) for t in texts], disable=self._spacy_unused)) if texts else []
        people = _people(items)
        # English NER on other languages finds "entities" that are not: keep none rather than wrong ones
        spans = [
            [] if "non_english" in cleaned[i][1] else chat_entities(found, people)
            for i, found in zip(live, entity_spans(docs), strict=True)
        ]
        conversations = _conversations(previous_live)
        found_topics = [conversation_topics([texts[r] for r in rows], None) for rows in conversations]
        # a conversation too short for topic modelling has one "topic" of its own words: the message's meaning
        # already stands for them, and two words alone pick wrong emoji ("fix green" -> 🥗)
        topic_queries = list(
            dict.fromkeys(
                topic_query(t.words)
                for rows, found in zip(conversations, found_topics, strict=True)
                if len(rows) >= MIN_MESSAGES_FOR_NMF
                for t in found.topics
            )
        )
        queries = all_entity_queries(spans) + topic_queries
        # one encoder pass for the messages and every entity/topic query (the encoder dominates the cost)
        known = set(texts)
        batch = texts + [query for query in dict.fromkeys(queries) if query not in known]
        # the models' own fine-tuned top layers (those that have them) read the same pass's token states
        with_tops = list({id(m): m for m in self._models() if m.config.tuned_layers}.values())
        vectors, tuned = models.encode_with_tops(batch, [m.top for m in with_tops], top_rows=len(texts))
        embeddings = vectors[: len(texts)]  # (L, 384)
        own = {id(m): v for m, v in zip(with_tops, tuned, strict=True)}  # a model's own (L, 384)
        token = _CALL_VECTORS.set(dict(zip(batch, vectors, strict=True)))
        try:
            entities = extract_entities(spans, self.search, _call_vectors)
            # topic emoji: the emoji nearest in meaning to each topic's words, all topics in one matrix product
            nearest = nearest_emoji(self.catalog, self._catalog_vectors, _call_vectors(topic_queries))
        finally:
            _CALL_VECTORS.reset(token)

        vader = [self.vader.polarity_scores(t) for t in texts]
        unsure = np.array([bool({"emoji_only", "non_english"} & set(cleaned[i][1])) for i in live], dtype=bool)
        emotion_heads = self.emotion_model.head_probabilities(
            self.emotion_model.turn_features(
                texts, embeddings, previous_live, positions, vader, own.get(id(self.emotion_model))
            )
        )
        emotions = emotions_from_probabilities(_emotion_probabilities(emotion_heads, conversations), unsure)
        if self.act_model is self.emotion_model:  # one model with an act head: the same forward pass
            act_probabilities = emotion_heads["act"]
        else:
            act_features = self.act_model.turn_features(
                texts, embeddings, previous_live, positions, vader, own.get(id(self.act_model))
            )
            act_probabilities = self.act_model.probabilities(act_features, "act")
        acts = acts_from_probabilities(act_probabilities)
        alone = self.sentiment_model.turn_features(
            texts, embeddings, [None] * len(texts), [0] * len(texts), vader, own.get(id(self.sentiment_model))
        )
        # a name and an emoji ("Marco 🎂", "Anna 😢"): the emoji is the message, read as in an emoji-only one
        emoji_led = np.array([_names_and_emoji_only(t, found) for t, found in zip(texts, spans, strict=True)], bool)
        sentiments = combine(
            [v["compound"] for v in vader],
            np.array([list(e.scores.values()) for e in emotions]),
            unsure | emoji_led,
            polarity=self.sentiment_model.probabilities(alone, "sentiment"),
            emoji=[emoji_polarity(t, self.catalog, self.vader) for t in texts],
        )
        topic_emoji = {
            query: found[0][0] if found and found[0][1] >= TOPIC_MIN_SIMILARITY else None
            for query, found in zip(topic_queries, nearest, strict=True)
        }
        topics_of: dict[int, tuple[Topic, ...]] = {}
        for rows, found in zip(conversations, found_topics, strict=True):
            found = with_emoji(found, topic_emoji.get)
            for row, members in zip(rows, found.message_topics, strict=True):
                topics_of[row] = tuple(found.topics[t] for t in members)

        # flags come from place entities only (``entities.country_flag``): a sentence near a flag's name is
        # usually about a person or a word ("ask Jordan" is not 🇯🇴, "ship it" is not 🇮🇹)
        meaning = [
            [(char, cosine) for char, cosine in found if not self._is_flag(char)]
            for found in nearest_emoji(self.catalog, self._catalog_vectors, embeddings)
        ]
        results: list[MessageAnalysis] = []
        by_item = {item: row for row, item in enumerate(live)}
        for i, item in enumerate(items):
            text, flags = cleaned[i]
            row = by_item.get(i)
            if row is None:
                results.append(_empty_analysis(item, flags))
                continue
            before = previous_live[row]
            state = conversation_state(
                text,
                positions[row],
                acts[row].label,
                acts[before].label if before is not None else None,
                emotions[row].label,
                emotions[row].confidence,
                sentiments[row].score,
            )
            suggestions = suggest(
                self.catalog,
                meaning[row],
                (emotions[row].label, emotions[row].confidence),
                sentiments[row].score,
                state.label,
                [(e.text, e.label, e.emoji) for e in entities[row]],
                [(t.words, t.emoji, t.weight) for t in topics_of[row]],
                typed=emoji_in_text(text),
                extra=personal(item) if personal else (),
            )
            results.append(
                MessageAnalysis(
                    text=text,
                    user=item.user,
                    conversation=item.conversation,
                    position=positions[row],
                    sentiment=sentiments[row],
                    emotion=emotions[row],
                    act=acts[row],
                    state=state,
                    entities=entities[row],
                    topics=topics_of[row],
                    suggestions=suggestions,
                    flags=flags,
                )
            )
        return results

    def _is_flag(self, char: str) -> bool:
        index = self.catalog.index_of(char)
        return index is not None and self.catalog[index].subgroup == "country-flag"

    def _models(self) -> list[ContextClassifier]:
        return [self.emotion_model, self.act_model, self.sentiment_model]


def _emotion_probabilities(heads: dict[str, np.ndarray], conversations: list[list[int]]) -> np.ndarray:
    """(L, 7) from the emotion model's head probabilities: the ``dialogue`` head for every turn of a conversation
    of two or more messages (its first turn included, as in DailyDialog), the ``comment`` head for a message on
    its own."""
    in_dialogue = np.zeros(len(heads["comment"]), dtype=bool)
    for rows in conversations:
        in_dialogue[rows] = len(rows) > 1
    return np.where(in_dialogue[:, None], heads["dialogue"], heads["comment"])


def spacy_unused_components(nlp: Language) -> tuple[str, ...]:
    """The pipeline's components that entity recognition does not need: all but ``ner`` and what it listens to.

    Why: analysis reads only ``doc.ents``. In the small English pipeline the recogniser has its own token
    vectors, so the shared ``tok2vec`` (which feeds only the tagger and parser) is skipped too: a third of spaCy's
    time, with the same entities."""
    needed = {"ner"} | {
        name for name in nlp.pipe_names if "ner" in getattr(nlp.get_pipe(name), "listening_components", ())
    }
    return tuple(name for name in nlp.pipe_names if name not in needed)


def _call_vectors(texts: list[str]) -> np.ndarray:
    """(len(texts), 384) vectors from the current call's single encoder pass; anything else is encoded now."""
    if not texts:
        return np.zeros((0, models.EMBEDDING_DIM), dtype=np.float32)
    known = _CALL_VECTORS.get() or {}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = dict(zip(missing, models.encode(missing), strict=True)) if missing else {}
    return np.stack([known[t] if t in known else fresh[t] for t in texts])


def _names_and_emoji_only(text: str, spans: Sequence[tuple[str, str, int, int]]) -> bool:
    """Whether ``text`` holds emoji and no word besides people's names (``spans``: its entities). Why: the encoder
    reads most emoji as one unknown token and a name has no polarity, so the polarity model sees nothing there."""
    if not emoji_in_text(text):
        return False
    for name, label, _, _ in spans:
        if label == "PERSON":
            text = text.replace(name, " ")
    return not WORD.search(text)


def _people(items: Sequence[Message]) -> frozenset[str]:
    """Lower-case names of the messages' users and their first names: mentions of them are people."""
    names = {item.user.strip().lower() for item in items if item.user and item.user.strip()}
    return frozenset(names | {name.split()[0] for name in names})


def _conversations(previous: Sequence[int | None]) -> list[list[int]]:
    """Rows grouped into conversations from the previous-row links."""
    groups: list[list[int]] = []
    for row, before in enumerate(previous):
        if before is None:
            groups.append([row])
        else:
            groups[-1].append(row)
    return groups


def _empty_analysis(item: Message, flags: tuple[str, ...]) -> MessageAnalysis:
    return MessageAnalysis(
        text="",
        user=item.user,
        conversation=item.conversation,
        position=-1,
        sentiment=Sentiment("neutral", 0.0, 0.0),
        emotion=neutral_emotion(),
        act=Act("inform", {"inform": 1.0, "question": 0.0, "directive": 0.0, "commissive": 0.0}),
        state=ConversationState("neutral", "empty message"),
        entities=(),
        topics=(),
        suggestions=(),
        flags=flags,
    )


def analysis_table(analyses: Sequence[MessageAnalysis]) -> pd.DataFrame:
    """One row per message, for tables and charts: turn, user, text, labels, scores and the 7 emotion columns."""
    rows = []
    for turn, a in enumerate(analyses, start=1):
        rows.append(
            {
                "turn": turn,
                "user": a.user or "",
                "text": a.text,
                "sentiment": a.sentiment.label,
                "score": a.sentiment.score,
                "emotion": a.emotion.label,
                "act": a.act.label,
                "state": a.state.label,
                "entities": ", ".join(f"{e.text} {''.join(e.emoji[:1])}" for e in a.entities),
                "suggestions": " ".join(s.emoji for s in a.suggestions[:5]),
                "flags": ", ".join(a.flags),
                **{f"p_{name}": p for name, p in a.emotion.scores.items()},
            }
        )
    return pd.DataFrame(rows)
