"""Tone: keep suggestions on the message's side of the mood (no 🎉 on "my dog passed away").

Each emoji gets a *positivity* in [-1, 1] from three sources:
  * the Emoji Sentiment Ranking prior in the catalog (how the emoji was used in 1.6M tweets; None for many);
  * VADER read over the emoji's own name and keywords ("party popper, celebrate, hooray" is clearly positive,
    "crying face, sad, tear" clearly negative), which covers the emoji the ranking lacks or reads as ironic
    (💯 and 😂 score low there because tweets use them sarcastically);
  * what this workspace reacts with: the mean VADER score of the messages that received the emoji, shrunk
    towards 0 for emoji with few reactions (``WORKSPACE_SHRINK`` pseudo-messages).
Each message gets the product's sentiment score (``emojiml.text.sentiment.combine`` with the polarity model, as
the Context page shows it), the polarity model's odds first moved by the emoji the content model's towers expect for
the message (``implied_polarity``: "the server is down" calls for 😩 😖 😫, "happy birthday" for 🎁 🎂 🥳). A message
whose score is at most ``-NEGATIVE_AT`` pushes positive emoji down (as far as this workspace itself avoids them on bad
news: 🎉 yes, a supportive 👍 hardly), celebration below everything, and concern emoji (😟 🙏 💔, read from the
catalog's names: ``CONCERN_WORDS``) up, in proportion to how negative it is; a positive message pushes negative emoji
down. The adjustment is added to the hybrid's normalised score, so it is one of the contributions a person sees, and
a suggestion it lifted says "fits a negative message"."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd

from emojiml.catalog import Catalog
from emojiml.recommend.base import MessageBatch, event_indices
from emojiml.text.datasets import EMOTIONS
from emojiml.text.sentiment import THRESHOLD, combine

# How far a fully mismatched emoji falls (normalised scores lie in [0, 1]), and by what share of its own score a
# concern emoji rises on a clearly negative message, at tone strength 1. The strength (0, 0.25, 0.5 or 1) is chosen per
# workspace with the mix (``evaluate.choose_weights``): the penalty costs NDCG@10 where people give 👍 or 🎉 to messages
# that read negative (digitalrebar's validation parts: strength 0). Celebration on bad news is kept off by the guard
# below, and a concern emoji within reach by ``CONCERN_LIFT``, at any strength.
PENALTY = 1.0
LIFT = 0.5
NEGATIVE_AT = THRESHOLD / 2  # "the build is broken again" scores about -0.18: mild, and still no 🎉
WORKSPACE_SHRINK = 10.0
CATALOG_FLOOR = 0.5  # a cheerful emoji is minded at least this much on bad news, whatever the workspace does
VADER_NEGATIVE = 0.05  # VADER's own cut: a compound score at or below -0.05 reads negative
FITS_NEGATIVE = "fits a negative message"
# Celebration and laughter, read from the catalog's own names and keywords (🎉 "celebration, hooray", 🙌
# "celebration", 👏 "congrats", 😂 "laugh", 💯 "hundred", :yay:). Positivity alone cannot tell them from support:
# 👍 and 🙌 are equally positive, and a workspace that gives 🙌 to messages that read negative (often misread) would
# keep it on "my dog passed away". On a message that reads negative they rank below everything else.
CELEBRATION_WORDS = frozenset(
    {
        "celebrate",
        "celebration",
        "congrats",
        "congratulations",
        "hooray",
        "woohoo",
        "yay",
        "tada",
        "party",
        "partying",
        "applause",
        "clap",
        "laugh",
        "laughing",
        "lol",
        "haha",
        "lmao",
        "rofl",
        "hilarious",
        "hundred",
        "confetti",
        "festivus",
    }
)
CELEBRATION_PENALTY = 3.0  # below any emoji a source sees (normalised scores, blend probabilities lie in [0, 1])
# Concern and sympathy, read the same way (😬 "grimace", 😟 "worried", 😢 "cry", 🙏 "please, pray", 💔 "heartbroken",
# 🤦 "facepalm"). Negativity alone would also lift 🏚️ ("derelict, abandon, broken": -0.9 to VADER, never used as a
# reaction) and anger (😡): neither is what a colleague answers bad news with. On a message that reads negative one
# concern emoji rises by up to ``CONCERN_LIFT`` (normalised units) × how negative it reads: the one the sources already
# rank highest once each is weighed by how often this workspace gives it to negative messages and how often tweets use
# it (the ranking's occurrences), so a stranger, whose suggestions come from the message sources and popularity alone,
# still gets one.
CONCERN_WORDS = frozenset(
    {
        "worried",
        "worry",
        "concerned",
        "anxious",
        "grimace",
        "grimacing",
        "sad",
        "sorry",
        "disappointed",
        "dejected",
        "pensive",
        "cry",
        "crying",
        "frown",
        "frowning",
        "facepalm",
        "heartbroken",
        "sympathy",
        "comfort",
        "pray",
        "please",
        "yikes",
    }
)
CONCERN_LIFT = 0.5
# The emoji a message calls for say how it lands (as DeepMoji learnt sentiment from emoji): the polarity model, trained
# on developers' comments whose raters read plain failure reports as neutral, has its log-odds moved by
# IMPLIED_NUDGE × (the expected positivity of those emoji - IMPLIED_CENTER) per unit. Chosen with
# ``scripts/choose-tone-nudge.py`` on training-derived data only (the 15% of se-sentiment train the polarity model held
# out, DailyDialog train, GoEmotions train): the mean F1 of "reads negative" (the tone step's own decision) was 51.84
# there against 49.81 without it. A one-sided nudge (negative side only) gained nothing there and was not kept.
IMPLIED_NUDGE = 6.0
IMPLIED_CENTER = 0.0


@dataclass(frozen=True)
class MessageTone:
    """Per message: the sentiment score in [-1, 1] and how negative / positive it counts, each in [0, 1]."""

    score: np.ndarray  # (N,)
    non_english: np.ndarray | None = None  # (N,) bool: ``clean_text`` says non-English (the ranking reuses it)

    @functools.cached_property
    def negative(self) -> np.ndarray:  # (N,); cached: the ranking reads it per message and per suggestion
        return np.clip(-self.score / THRESHOLD, 0.0, 1.0) * (self.score <= -NEGATIVE_AT)

    @functools.cached_property
    def positive(self) -> np.ndarray:
        return np.clip(self.score / THRESHOLD, 0.0, 1.0)


@dataclass(frozen=True)
class ToneReadings:
    """Per message of a batch, what the tone step's readers say, before they are combined (``scored``)."""

    compound: np.ndarray  # (N,) VADER
    unsure: np.ndarray  # (N,) bool: emoji-only or non-English (the models were not trained on such text)
    polarity: np.ndarray  # (N, 3) the tone polarity model's negative/neutral/positive probabilities
    implied: np.ndarray  # (N,) ``implied_polarity``
    emoji: np.ndarray  # (N,) the polarity of the emoji the message writes (``emoji_polarity``)
    emotions: np.ndarray  # (N, 7) the tone emotion model's ``comment`` head
    empty: np.ndarray  # (N,) bool
    non_english: np.ndarray  # (N,) bool

    def scored(self, nudge: float | None = None, center: float | None = None) -> MessageTone:
        """The messages' tone: the polarity model's reading (moved by the implied emoji polarity, see ``nudged``, and
        by the written emoji) and the emotion rule (VADER + the emotion model), whichever is more negative: the
        polarity model, trained on developers' comments, reads "my dog passed away" as neutral."""
        n = len(self.compound)
        polarity = nudged(self.polarity, self.implied, nudge, center)
        sentiments = combine(
            self.compound, np.zeros((n, len(EMOTIONS))), self.unsure, polarity=polarity, emoji=self.emoji
        )
        by_emotion = combine(self.compound, self.emotions, self.unsure)
        score = np.minimum([s.score for s in sentiments], [s.score for s in by_emotion])
        return MessageTone(np.where(self.empty, 0.0, score), self.non_english)


class Tone:
    """fit(events, catalog) learns each emoji's positivity; ``of(batch)`` reads messages; ``adjust`` applies."""

    def fit(self, events: pd.DataFrame | None, catalog: Catalog) -> Self:
        from emojiml import models

        vader = models.vader()
        self.catalog_ = catalog
        positivity = catalog_positivity(catalog)
        self.workspace_ = np.zeros(len(catalog))
        on_negative = np.zeros(len(catalog))  # reacted messages that read negative, per emoji
        count = np.zeros(len(catalog))
        base = 0.0  # share of this workspace's reacted messages that read negative
        if events is not None and not events.empty and "text" in events.columns:
            reacted = events[events["text"].fillna("").astype(str).str.strip() != ""]
            if len(reacted):
                texts = reacted["text"].astype(str)
                compound = {t: vader.polarity_scores(t[:500])["compound"] for t in pd.unique(texts)}
                columns = event_indices(reacted, catalog)
                keep = columns >= 0
                values = texts.map(compound).to_numpy()[keep]
                total = np.bincount(columns[keep], weights=values, minlength=len(catalog))
                count = np.bincount(columns[keep], minlength=len(catalog)).astype(np.float64)
                on_negative = np.bincount(columns[keep], weights=values <= -VADER_NEGATIVE, minlength=len(catalog))
                self.workspace_ = total / (count + WORKSPACE_SHRINK)
                base = float(np.mean([v <= -VADER_NEGATIVE for v in compound.values()]))
        self.positivity_ = np.clip(positivity + self.workspace_, -1.0, 1.0)  # (n_emoji,)
        # How much this workspace minds the emoji on bad news: 1 for an emoji it never gives to negative messages,
        # 0 for one it gives to them as often as to any message (👍, ❤️ of support). An emoji with little history
        # starts from the catalog's view (the more cheerful, the less it is expected on bad news).
        cheer = np.maximum(self.positivity_, 0.0)
        expected = np.maximum(base, 1e-3) * (1.0 - cheer)
        rate = (on_negative + WORKSPACE_SHRINK * expected) / (count + WORKSPACE_SHRINK)
        minds = np.clip(1.0 - rate / max(base, 1e-3), 0.0, 1.0) if base > 0 else cheer
        self.minds_ = np.maximum(minds, CATALOG_FLOOR * cheer)  # the catalog's view never fully gives way
        self.celebratory_ = celebratory(catalog)
        self.concern_ = concern_prior(catalog, on_negative)
        return self

    def of(self, batch: MessageBatch) -> MessageTone:
        """Sentiment of each message of the batch, read on its own (a polarity model trained on developers'
        comments, nudged by the message's own emoji), from the shared vectors: ``models.tone_polarity_classifier``,
        the frozen-encoder variant of the Context page's fine-tuned model, so suggest makes no second encoder pass."""
        if not batch.texts:
            return MessageTone(np.zeros(0))
        return self.readings(batch).scored()

    def readings(self, batch: MessageBatch) -> ToneReadings:
        """What ``of`` reads from a non-empty batch, before the readers are combined."""
        from emojiml import models
        from emojiml.text.analyze import clean_text
        from emojiml.text.sentiment import emoji_polarity

        texts = [t or "" for t in batch.texts]
        vader = models.vader()
        model = models.tone_polarity_classifier()  # reads the shared vectors: no encoder pass of its own
        scores = [vader.polarity_scores(t[:2000]) for t in texts]
        n = len(texts)
        features = model.turn_features(texts, model.own_vectors(texts, batch.vectors), [None] * n, [0] * n, scores)
        flags = [clean_text(t)[1] for t in texts]
        polarity = model.probabilities(features, "sentiment")
        emotion = models.tone_emotion_classifier()  # frozen-encoder vectors, like the polarity model's
        same_inputs = not model.config.tuned_layers and (  # a tuned polarity model reads its own vectors
            (emotion.config.buckets, emotion.config.next_turn) == (model.config.buckets, model.config.next_turn)
        )
        if not same_inputs:  # features hashed or laid out differently: the emotion model's own
            features = emotion.turn_features(texts, batch.vectors, [None] * n, [0] * n, scores)
        return ToneReadings(
            compound=np.array([s["compound"] for s in scores]),
            unsure=np.array([bool({"emoji_only", "non_english"} & set(f)) for f in flags]),
            polarity=polarity,
            implied=implied_polarity(batch.vectors),
            emoji=np.array([emoji_polarity(t, self.catalog_, vader) for t in texts]),
            emotions=emotion.probabilities(features, "comment"),
            empty=np.array([not t.strip() for t in texts]),
            non_english=np.array(["non_english" in f for f in flags]),
        )

    def adjustment(
        self, tone: MessageTone, row: int, mixed: np.ndarray, guard: bool = True, strength: float = 1.0
    ) -> np.ndarray:
        """(n_emoji,) what message ``row``'s tone adds to each emoji's normalised score ``mixed``.

        Mismatched emoji fall by up to ``strength × PENALTY``; on a negative message, concern emoji (``concern_``,
        not any emoji that reads negative: 🏚️ and ⚰️ do too) rise by up to ``strength × LIFT`` times their own
        score, and the best placed of them by up to ``CONCERN_LIFT`` more.
        ``strength`` is chosen per workspace with the mix (``evaluate.choose_weights``). ``guard``: also push
        celebration below everything on a negative message, at any strength (off when the caller gave the
        candidates: the content model's tuned decision rule, measured on TweetEval, then chooses among them)."""
        keep = slice(row, row + 1)
        return self.adjustments(tone, mixed[None, :], guard, strength, rows=keep)[0]

    def adjustments(
        self, tone: MessageTone, mixed: np.ndarray, guard: bool = True, strength: float = 1.0, rows=slice(None)
    ) -> np.ndarray:
        """(N, n_emoji) ``adjustment`` for a batch at once (``mixed``: (N, n_emoji), the messages ``rows``)."""
        positive_emoji = np.maximum(self.positivity_, 0.0)[None, :]
        negative_emoji = np.maximum(-self.positivity_, 0.0)[None, :]
        negative, positive = tone.negative[rows][:, None], tone.positive[rows][:, None]
        penalty = -strength * PENALTY * (negative * positive_emoji * self.minds_[None, :] + positive * negative_emoji)
        lift = strength * LIFT * negative * negative_emoji * (self.concern_ > 0)[None, :] * mixed
        if guard:  # the open-catalog mood rules, at any strength: no celebration, and concern within reach
            penalty = penalty - CELEBRATION_PENALTY * (negative > 0) * self.celebratory_[None, :]
            lift = lift + self._concern(negative, mixed)
        return penalty + lift

    def _concern(self, negative: np.ndarray, mixed: np.ndarray) -> np.ndarray:
        """(N, n_emoji) the concern lift: one emoji per message, the concern emoji that the sources and the lift
        together rank highest (lifting them all would fill the list with sorrow and push out a supportive 👍)."""
        boost = CONCERN_LIFT * negative * self.concern_[None, :]  # (N, n_emoji)
        out = np.zeros_like(boost)
        if not self.concern_.any() or not len(boost):
            return out
        best = np.where(self.concern_[None, :] > 0, mixed + boost, -np.inf).argmax(axis=1)  # (N,)
        rows = np.arange(len(boost))
        out[rows, best] = boost[rows, best]
        return out

    def fits_negative(self, tone: MessageTone, row: int, index: int) -> bool:
        return bool(tone.negative[row] > 0 and (self.positivity_[index] < 0 or self.concern_[index] > 0))


def nudged(
    polarity: np.ndarray, implied: np.ndarray, nudge: float | None = None, center: float | None = None
) -> np.ndarray:
    """(N, 3) negative/neutral/positive probabilities with their log-odds moved by the implied emoji polarity
    (``IMPLIED_NUDGE`` and ``IMPLIED_CENTER`` unless given)."""
    nudge = IMPLIED_NUDGE if nudge is None else nudge
    center = IMPLIED_CENTER if center is None else center
    from scipy.special import softmax

    shift = nudge * (np.asarray(implied, dtype=np.float64) - center)  # (N,)
    return softmax(np.log(polarity + 1e-9) + shift[:, None] * np.array([-1.0, 0.0, 1.0]), axis=1)


def implied_polarity(vectors: np.ndarray) -> np.ndarray:
    """(N,) in [-1, 1]: the expected positivity (``catalog_positivity``) of the Unicode emoji the content model's
    towers find for each message (``vectors``: (N, 384), the shared encoder's), scored as its open-catalog ranking
    scores them (centred message, small usage prior), without the bonus the content source gives emoji the message
    writes (``emoji_polarity`` reads those). A matrix product over the catalog: no encoder pass."""
    from scipy.special import softmax

    content, space, usage, positivity = _implied_reader()
    logits = content.tower_logits(np.asarray(vectors, dtype=np.float32), space, content.ensemble.centering)
    return softmax(logits + usage, axis=1) @ positivity  # (N,)


@functools.cache
def _implied_reader() -> tuple:
    """The content model, its tower's Unicode emoji (skin-tone bases), their usage prior and positivity."""
    from emojiml import models
    from emojiml.catalog import default_catalog
    from emojiml.recommend.base import rankable_mask

    catalog = default_catalog()
    content = models.content_model()
    pool = np.flatnonzero(rankable_mask(catalog, np.zeros(0, dtype=np.int64)))
    space = content.emoji_space(models.catalog_embeddings(catalog))[pool]  # (n_pool, D)
    usage = content.ensemble.usage_prior * np.log1p([catalog[int(i)].sentiment_occurrences for i in pool])
    return content, space, usage, catalog_positivity(catalog)[pool]


@functools.lru_cache(maxsize=8)
def catalog_positivity(catalog: Catalog) -> np.ndarray:
    """(n_emoji,) the catalog's own view: the ranking's prior and VADER over name + keywords, averaged."""
    from emojiml import models

    vader = models.vader()
    named = np.array([vader.polarity_scores(", ".join([e.name, *e.keywords]))["compound"] for e in catalog])
    prior = np.array([np.nan if e.sentiment is None else e.sentiment for e in catalog])
    positivity = np.where(np.isnan(prior), named, 0.5 * named + 0.5 * np.nan_to_num(prior))
    custom = np.array([e.is_custom for e in catalog])
    if custom.any():  # ":partyr:" reads as nothing to VADER: borrow from the nearest Unicode emoji by name meaning
        vectors = models.catalog_embeddings(catalog)
        unicode = np.flatnonzero(~custom)
        similarity = vectors[custom] @ vectors[unicode].T  # (n_custom, n_unicode)
        nearest = similarity.argmax(axis=1)
        borrowed = positivity[unicode[nearest]] * np.clip(similarity.max(axis=1), 0.0, 1.0)
        positivity[custom] = np.where(np.abs(positivity[custom]) > 0.05, positivity[custom], borrowed)
    return positivity


@functools.lru_cache(maxsize=8)
def celebratory(catalog: Catalog) -> np.ndarray:
    """(n_emoji,) 1.0 for emoji whose name or keywords say celebration or laughter (a custom emoji by its name:
    ``:partyr:`` starts with "party")."""
    return _marked(catalog, CELEBRATION_WORDS)


@functools.lru_cache(maxsize=16)
def _marked(catalog: Catalog, vocabulary: frozenset[str]) -> np.ndarray:
    """(n_emoji,) 1.0 where an emoji's name or keywords hold a word of ``vocabulary`` (a custom emoji's name may
    start with one: ``:partyr:``)."""
    import re

    out = np.zeros(len(catalog))
    for index, emoji in enumerate(catalog):
        words = set(re.findall(r"[a-z0-9]+", " ".join([emoji.name, *emoji.keywords]).lower()))
        if words & vocabulary or (
            emoji.is_custom and any(w.startswith(c) for w in words for c in vocabulary if len(c) > 2)
        ):
            out[index] = 1.0
    return out


def concern_prior(catalog: Catalog, on_negative: np.ndarray) -> np.ndarray:
    """(n_emoji,) in [0, 1]: 0 for emoji that do not say concern or sympathy (``CONCERN_WORDS``); for those that
    do, how common they are as an answer to bad news: half how often this workspace gave them to messages that
    read negative, half how often tweets use them (the Emoji Sentiment Ranking's occurrences), each on a log scale
    relative to the most common concern emoji."""
    marked = _marked(catalog, CONCERN_WORDS) * (1.0 - celebratory(catalog))  # 😂 "tears of joy" is laughter
    if not marked.any():
        return marked
    occurrences = np.log1p(np.array([e.sentiment_occurrences for e in catalog], dtype=np.float64)) * marked
    given = np.log1p(np.asarray(on_negative, dtype=np.float64)) * marked
    prior = 0.5 * occurrences / max(occurrences.max(), 1e-9) + 0.5 * given / max(given.max(), 1e-9)
    return prior / max(prior.max(), 1e-9)
