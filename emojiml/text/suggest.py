"""Merge every context signal into one ranked, deduplicated top 10, each emoji with the reason that put it there.

Each signal adds weighted scores to candidate emoji:

    typed      TYPED_WEIGHT for emoji the message itself contains (people answer 😂 with 😂)
    meaning    MEANING_WEIGHT * cosine(message, emoji name + keywords) for the nearest emoji, when the cosine
               reaches MIN_MEANING (below it, a whole sentence is only vaguely near any emoji's name)
    emotion    EMOTION_WEIGHT * P(emotion), spread over that emotion's emoji (first counts most); halved for
               neutral, which most messages are and which says little about a reaction
    state      STATE_WEIGHT, spread over the conversation state's emoji ("greeting" -> 👋)
    entities   ENTITY_WEIGHT for each entity's emoji (🇫🇷 for "Paris")
    topics     TOPIC_WEIGHT for the emoji of each topic the message belongs to
    extra      EXTRA_WEIGHT * score for suggestions from another source — the hook where a workspace person's
               recommender (``emojiml.recommend``) adds that person's habits; see ``suggest(..., extra=...)``
then sentiment re-weighs every candidate: + SENTIMENT_WEIGHT * message sentiment * the emoji's sentiment prior
(Emoji Sentiment Ranking, in the catalog), so a negative message pushes cheerful emoji down.
An emoji and its skin-tone variants count as one; its reason is the signal that contributed most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emojiml.catalog import Catalog

TOP = 10
MEANING_WEIGHT, EMOTION_WEIGHT, STATE_WEIGHT = 1.0, 0.9, 0.8
ENTITY_WEIGHT, TOPIC_WEIGHT, EXTRA_WEIGHT, SENTIMENT_WEIGHT = 0.9, 0.5, 1.0, 0.25
MEANING_CANDIDATES = 6
MIN_MEANING = 0.3
TYPED_WEIGHT = 1.0
RANK_DECAY = (1.0, 0.75, 0.55, 0.4)

EMOTION_EMOJI: dict[str, tuple[str, ...]] = {
    "joy": ("😊", "😂", "🎉"),
    "sadness": ("😢", "🫂", "💔"),
    "anger": ("😠", "😤", "🤬"),
    "fear": ("😨", "😱", "😬"),
    "disgust": ("🤢", "😒", "🙄"),
    "surprise": ("😮", "🤯", "😲"),
    "neutral": ("🙂",),
}
STATE_EMOJI: dict[str, tuple[str, ...]] = {
    "greeting": ("👋", "😊"),
    "farewell": ("👋", "🙌"),
    "agreement": ("👍", "👌", "✅"),
    "disagreement": ("🤔", "🙅", "👎"),
    "question": ("🤔", "❓"),
    "excitement": ("🎉", "🤩", "🔥"),
    "concern": ("😟", "🫂", "🙏"),
    "neutral": (),
}


@dataclass(frozen=True)
class ContextSuggestion:
    """An emoji the conversation's signals point to (as written, ``emoji`` is its character), with the signal
    that counted most. Not the recommenders' ``recommend.base.Suggestion``, which holds a catalog entry and
    each source's share of a workspace-wide score; a person's recommender suggestions come in as ``extra``."""

    emoji: str
    score: float
    reason: str


class _Ballot:
    """Accumulates (score, reason) per base emoji."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.total: dict[int, float] = {}
        self.best: dict[int, tuple[float, str]] = {}

    def add(self, emoji: str, score: float, reason: str) -> None:
        index = self.catalog.index_of(emoji)
        if index is None or score <= 0:
            return
        base = self.catalog.base_index(index)
        self.total[base] = self.total.get(base, 0.0) + score
        if score > self.best.get(base, (0.0, ""))[0]:
            self.best[base] = (score, reason)


def nearest_emoji(
    catalog: Catalog, catalog_vectors: np.ndarray, message_vectors: np.ndarray
) -> list[list[tuple[str, float]]]:
    """For each message vector, the ``MEANING_CANDIDATES`` nearest emoji with cosine >= ``MIN_MEANING``.

    ``catalog_vectors`` are the (N_base, 384) vectors of ``catalog.base_indices``; one matrix product serves
    a whole batch of messages.
    """
    if len(message_vectors) == 0:
        return []
    similarity = message_vectors @ catalog_vectors.T  # (B, N_base)
    k = min(MEANING_CANDIDATES, similarity.shape[1])
    top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]  # (B, k), unordered
    result = []
    for row, candidates in zip(similarity, top, strict=True):
        ordered = candidates[np.argsort(-row[candidates])]
        result.append(
            [(catalog[catalog.base_indices[int(c)]].char, float(row[c])) for c in ordered if row[c] >= MIN_MEANING]
        )
    return result


def suggest(
    catalog: Catalog,
    meaning: Sequence[tuple[str, float]],
    emotion: tuple[str, float],
    sentiment: float,
    state: str,
    entities: Sequence[tuple[str, str, Sequence[str]]],
    topics: Sequence[tuple[Sequence[str], str | None, float]],
    typed: Sequence[str] = (),
    extra: Sequence[ContextSuggestion] = (),
    top: int = TOP,
) -> tuple[ContextSuggestion, ...]:
    """The ranked suggestions for one message.

    ``meaning`` holds (emoji, cosine) pairs from ``nearest_emoji``; ``entities`` are (text, label, emoji)
    triples; ``topics`` (words, emoji, weight); ``typed`` the emoji found in the message;
    ``extra`` is the recommender hook.
    """
    ballot = _Ballot(catalog)
    for decay, char in zip(RANK_DECAY, dict.fromkeys(typed), strict=False):
        ballot.add(char, TYPED_WEIGHT * decay, "used in the message")
    for char, similarity in meaning:
        ballot.add(char, MEANING_WEIGHT * similarity, "close in meaning to the message")
    label, probability = emotion
    weight = EMOTION_WEIGHT * (0.5 if label == "neutral" else 1.0)
    for decay, char in zip(RANK_DECAY, EMOTION_EMOJI.get(label, ()), strict=False):
        ballot.add(char, weight * probability * decay, f"emotion: {label} ({probability:.0%})")
    for decay, char in zip(RANK_DECAY, STATE_EMOJI.get(state, ()), strict=False):
        ballot.add(char, STATE_WEIGHT * decay, f"conversation state: {state}")
    for text, entity_label, chars in entities:
        for decay, char in zip(RANK_DECAY, chars, strict=False):
            ballot.add(char, ENTITY_WEIGHT * decay, f"mentions “{text}” ({entity_label})")
    for words, char, weight in topics:
        if char:
            ballot.add(char, TOPIC_WEIGHT * (0.5 + 0.5 * weight), f"topic: {', '.join(words[:3])}")
    for item in extra:
        ballot.add(item.emoji, EXTRA_WEIGHT * item.score, item.reason)
    scored = []
    for base, total in ballot.total.items():
        prior = catalog[base].sentiment
        total += SENTIMENT_WEIGHT * sentiment * (prior or 0.0)
        scored.append(ContextSuggestion(catalog[base].char, round(total, 4), ballot.best[base][1]))
    scored.sort(key=lambda s: -s.score)
    return tuple(scored[:top])
