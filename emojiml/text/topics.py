"""Topics of a conversation history: NMF over TF-IDF of its messages, each topic mapped to an emoji.

Why NMF: on a few dozen chat messages it gives sharper, additive topics than LDA and runs in milliseconds.
A short history (fewer than ``MIN_MESSAGES_FOR_NMF`` messages) gets a single "topic" of its highest TF-IDF
words, so a one-message conversation still says what it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from emojiml.search import EmojiSearch

MIN_MESSAGES_FOR_NMF = 4
MAX_TOPICS = 4
TOP_WORDS = 4
MIN_MESSAGE_WEIGHT = 0.15
"""A message belongs to a topic when the topic holds at least this share of the message's NMF weight."""
MARKUP = re.compile(
    r"```.*?```|`[^`\n]*`"  # code
    r"|<[^<>\n]*>"  # Slack's <@U1|name>, <https://…|label>, <#C1|chan>
    r"|:[a-z0-9_+'\-]+(?:::skin-tone-[2-6])?:"  # :shortcodes:
    r"|(?:https?|ftp)://\S+|mailto:\S+|www\.\S+|\S+@\S+\.\S+"  # links and addresses written out
    r"|\b[\w-]+(?:\.[\w-]+)+(?:/\S*)?"  # dotted names: github.com, file.txt, pkg.module
    r"|(?<![\w@])@[\w.\-]+(?-i:(?:[ \t]+[A-Z][\w.\-]*){0,2})"  # @mentions, with a display name's capitalised words
    r"|(?<![\w#])#[\w.\-]+"  # #channels
    r"|\b\w*_\w*\b",  # snake_case identifiers (a shortcode without its colons)
    re.IGNORECASE | re.DOTALL,
)
"""What a topic may never be made of: markup, addresses and identifiers, not words people said."""
CONTRACTIONS = {
    f"{stem}'{end}"
    for stem, ends in {
        "i": ("m", "ve", "ll", "d"),
        "you": ("re", "ve", "ll", "d"),
        "we": ("re", "ve", "ll", "d"),
        "they": ("re", "ve", "ll", "d"),
        "he": ("s", "ll", "d"),
        "she": ("s", "ll", "d"),
        "it": ("s", "ll", "d"),
        "that": ("s", "ll"),
        "there": ("s",),
        "what": ("s",),
        "let": ("s",),
        "here": ("s",),
    }.items()
    for end in ends
} | {
    f"{verb}n't"
    for verb in (
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "could",
        "would",
        "should",
        "wo",
        "ca",
    )
}
STOP_WORDS = sorted(
    ENGLISH_STOP_WORDS | CONTRACTIONS | {"http", "https", "www", "com", "org", "net", "html", "amp", "gt", "lt"}
)
"""English stop words, their contractions, and the remnants of links and entities a half-rendered message holds."""
TOKEN = r"(?u)\b[^\W\d_]{3,}(?:['-][^\W\d_]+)*\b"
"""A word of letters (with inner apostrophes or hyphens); no digits or underscores, at least 3 letters below."""


def topic_text(message: str) -> str:
    """``message`` without markup, links, mentions and identifiers: the words topics are built from."""
    return MARKUP.sub(" ", message.replace("\u2019", "'"))


@dataclass(frozen=True)
class Topic:
    words: tuple[str, ...]
    emoji: str | None
    weight: float
    """Share of the conversation's NMF weight (1.0 for the single-topic fallback)."""


@dataclass(frozen=True)
class ConversationTopics:
    topics: tuple[Topic, ...]
    message_topics: tuple[tuple[int, ...], ...]
    """For each message, the indices of ``topics`` it belongs to."""


def topic_query(words: Sequence[str]) -> str:
    """What a topic is searched by: its two strongest words."""
    return " ".join(words[:2])


def _topic_emoji(search: EmojiSearch | None, words: Sequence[str]) -> str | None:
    hits = search.search(topic_query(words), top=1).hits if search is not None and words else ()
    return hits[0].emoji.char if hits else None


def with_emoji(found: ConversationTopics, emoji_of: Callable[[str], str | None]) -> ConversationTopics:
    """``found`` with each topic's emoji, ``emoji_of(topic_query(words))`` (``conversation_topics(..., None)``
    leaves them out so that a caller can look all of a batch's topics up at once)."""
    topics = tuple(Topic(t.words, emoji_of(topic_query(t.words)), t.weight) for t in found.topics)
    return ConversationTopics(topics, found.message_topics)


def conversation_topics(
    messages: Sequence[str], search: EmojiSearch | None, n_topics: int | None = None
) -> ConversationTopics:
    """Topics over ``messages`` (one conversation or a whole channel) and which message belongs to which.

    With ``search=None`` the topics carry no emoji yet; ``with_emoji`` adds them (so a caller can first
    batch-encode every ``topic_query``).
    """
    texts = [topic_text(m) for m in messages]
    texts = [t if any(c.isalpha() for c in t) else "" for t in texts]
    if not any(texts):
        return ConversationTopics((), tuple(() for _ in messages))
    vectoriser = TfidfVectorizer(stop_words=STOP_WORDS, token_pattern=TOKEN, sublinear_tf=True)
    try:
        tfidf = vectoriser.fit_transform(texts)  # (n_messages, n_words)
    except ValueError:  # only stop words
        return ConversationTopics((), tuple(() for _ in messages))
    vocabulary = vectoriser.get_feature_names_out()
    non_empty = int((tfidf.sum(axis=1) > 0).sum())
    if non_empty < MIN_MESSAGES_FOR_NMF or len(vocabulary) < 4:
        weights = np.asarray(tfidf.sum(axis=0)).ravel()
        words = tuple(vocabulary[i] for i in np.argsort(-weights)[:TOP_WORDS])
        members = tuple((0,) if tfidf[i].sum() > 0 else () for i in range(len(messages)))
        return ConversationTopics((Topic(words, _topic_emoji(search, words), 1.0),), members)
    k = n_topics or int(np.clip(round(np.sqrt(non_empty / 2)), 1, MAX_TOPICS))
    model = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=300)
    message_weights = model.fit_transform(tfidf)  # (n_messages, k)
    totals = message_weights.sum(axis=0)
    topics = []
    for component, total in zip(model.components_, totals, strict=True):
        words = tuple(vocabulary[i] for i in np.argsort(-component)[:TOP_WORDS] if component[i] > 0)
        topics.append(Topic(words, _topic_emoji(search, words), round(float(total / max(totals.sum(), 1e-9)), 4)))
    shares = message_weights / np.maximum(message_weights.sum(axis=1, keepdims=True), 1e-9)
    members = tuple(tuple(int(t) for t in np.flatnonzero(row >= MIN_MESSAGE_WEIGHT)) for row in shares)
    return ConversationTopics(tuple(topics), members)
