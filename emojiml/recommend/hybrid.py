"""The tunable hybrid: a weighted sum of each source's min-max normalised scores, weights summing to 1, then tone.

Why normalised scores rather than ranks: a source that is very sure (the content model on "happy birthday")
should be able to outvote a flat one, which rank fusion cannot express. Each suggestion carries every
source's contribution (weight × normalised score) plus the tone adjustment, which add up to its score, and
the reason of whatever contributed most, so the page can draw stacked bars and say *why*.

This is the one suggestion path: the CLI (``emojiml suggest``, with or without a workspace), the page, the
bench and ``emojiml evaluate emoji-prediction`` all rank through ``HybridRecommender.suggest_many``; without
a workspace it is a hybrid of the content source alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import pandas as pd

from emojiml.catalog import Catalog
from emojiml.recommend.base import (
    MessageBatch,
    RankingMixin,
    Recommender,
    RecommenderInputError,
    Suggestion,
    candidate_indices,
    check_fitted,
    normalize_rows,
    rank,
)
from emojiml.recommend.blend import BlendInputs, LearnedBlend
from emojiml.recommend.content import mentioned_emoji
from emojiml.recommend.tone import FITS_NEGATIVE, Tone

SOURCES = ("collaborative", "content", "popularity", "neighbours", "reactions")
SOURCE_LABELS = {
    "collaborative": "your history + people like you",
    "content": "message meaning (tweets)",
    "popularity": "trending here",
    "neighbours": "reactions to similar messages here",
    "reactions": "this workspace's reaction model",
}
# Used only when no mix can be chosen for a workspace (too little history to carve a validation part).
DEFAULT_WEIGHTS = {"collaborative": 0.3, "content": 0.1, "popularity": 0.3, "neighbours": 0.15, "reactions": 0.15}
PRESETS = {
    "message first": {"collaborative": 0.1, "content": 0.3, "popularity": 0.1, "neighbours": 0.25, "reactions": 0.25},
    "habits first": {"collaborative": 0.5, "content": 0.0, "popularity": 0.4, "neighbours": 0.05, "reactions": 0.05},
}
# People answer 🚀 with 🚀: an emoji written in the message is added on top of the mix (normalised units), whatever
# the weights, so "we shipped it 🚀" gets 🚀 even where the mix leans on reaction history. A product rule (asked for
# by the issue: the default message got no 🚀); its strength (.25 or .5, never 0) is chosen per workspace with the mix
# (``evaluate.ECHO_STRENGTHS``); this is the default where none could be chosen.
ECHO = 0.5
ECHO_REASON = "written in the message"
ROWS_AT_ONCE = 64  # messages mixed together: 64 x ~3,800 float64 scores fit in the cache
NON_ENGLISH_NOTE = "This message does not look English: the message models were trained on English, so trust them less."


class HybridWeightsError(RecommenderInputError):
    """Weights that cannot be mixed: all zero, negative, not numbers, or naming an unknown source."""


@dataclass(frozen=True)
class Suggestions:
    """What one request gets back: ranked suggestions, the weights actually used, notices, and how each
    candidate was written (key -> the text of the candidates file, so output matches the input's spelling)."""

    suggestions: list[Suggestion]
    weights: dict[str, float]
    notices: tuple[str, ...] = ()
    spelling: dict[str, str] = field(default_factory=dict)

    def written(self, suggestion: Suggestion) -> str:
        return self.spelling.get(suggestion.key, suggestion.emoji.char)


def parse_weights(text: str, sources: Sequence[str] = SOURCES) -> dict[str, float]:
    """``"collaborative=0.4,content=0.4,popularity=0.2"`` -> a dict (validated by ``check_weights``)."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            weights[name.strip()] = float(value) if sep else float("nan")
        except ValueError as error:
            raise HybridWeightsError(f"Weight {part!r} is not NAME=NUMBER (e.g. content=0.4).") from error
    return check_weights(weights, sources)


def check_weights(weights: Mapping[str, float], sources: Sequence[str] = SOURCES) -> dict[str, float]:
    """Validate and rescale to sum 1; missing sources weigh 0."""
    unknown = sorted(set(weights) - set(sources))
    if unknown:
        raise HybridWeightsError(f"Unknown source(s) {', '.join(unknown)}; choose from {', '.join(sources)}.")
    values = {s: float(weights.get(s, 0.0)) for s in sources}
    bad = [s for s, v in values.items() if not math.isfinite(v) or v < 0]
    if bad:
        raise HybridWeightsError(f"Weights must be numbers ≥ 0; check {', '.join(bad)}.")
    total = sum(values.values())
    if total <= 0:
        raise HybridWeightsError("All weights are 0: give at least one source a positive weight.")
    return {s: v / total for s, v in values.items()}


def rebalance(weights: Mapping[str, float], changed: str, value: float) -> dict[str, float]:
    """Set one weight and let the others share what is left in their current proportion (sum stays 1).

    Why here and not in the page: the sliders call it, and it is testable without a browser."""
    others = [s for s in weights if s != changed]
    rest = max(0.0, 1.0 - value)
    total = sum(weights[o] for o in others)
    shares = {o: (weights[o] / total if total > 0 else 1.0 / len(others)) for o in others}
    out = {changed: round(value, 2)}
    for o in others[:-1]:
        out[o] = round(rest * shares[o], 2)
    if others:
        out[others[-1]] = round(max(0.0, rest - sum(out[o] for o in others[:-1])), 2)
    return {s: out[s] for s in weights}


class HybridRecommender(RankingMixin):
    """Weighted fusion of named sources, then the tone adjustment."""

    reads_message = True

    def __init__(
        self,
        sources: Mapping[str, Recommender],
        weights: Mapping[str, float] | None = None,
        tone: bool = True,
        chosen_by: str = "",
        blend: LearnedBlend | None = None,
        tone_strength: float = 1.0,
        echo: float = ECHO,
    ) -> None:
        self.sources = dict(sources)
        self.weights = weights
        self.tone = tone
        self.chosen_by = chosen_by  # how the weights were picked, shown on the page ("chosen for this workspace")
        self.blend = blend  # a fitted blend.LearnedBlend chosen for this workspace, used while weights stay as chosen
        self.tone_strength = tone_strength  # scales tone's penalty and lift (the celebration guard stays whole)
        self.echo = echo  # what an emoji written in the message adds, in normalised units

    def fit(self, events: pd.DataFrame) -> Self:
        if not self.sources:
            raise RecommenderInputError("A hybrid needs at least one source.")
        for source in self.sources.values():
            source.fit(events)
        return self.fit_around(events)

    def fit_around(self, events: pd.DataFrame) -> Self:
        """``fit`` for sources already fitted on ``events`` (the evaluation fits each source once for all rows)."""
        if not self.sources:
            raise RecommenderInputError("A hybrid needs at least one source.")
        defaults = {s: DEFAULT_WEIGHTS.get(s, 1.0) for s in self.sources}
        self.weights_ = check_weights(self.weights or defaults, tuple(self.sources))
        catalogs = {len(source.catalog_) for source in self.sources.values()}
        if len(catalogs) != 1:
            raise RecommenderInputError("The hybrid's sources were fitted on different catalogs.")
        self.catalog_ = next(iter(self.sources.values())).catalog_
        self.rankable_ = np.logical_or.reduce([s.rankable_ for s in self.sources.values()])
        self.tone_ = Tone().fit(events, self.catalog_) if self.tone else None
        self.blend_ = self.blend
        return self

    def with_weights(self, weights: Mapping[str, float], chosen_by: str = "") -> HybridRecommender:
        """The same fitted sources under other weights (cheap: nothing is refitted)."""
        clone = HybridRecommender(
            self.sources, weights, self.tone, chosen_by, self.blend, self.tone_strength, self.echo
        )
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k.endswith("_")})
        clone.weights_ = check_weights(weights, tuple(self.sources))
        same = all(abs(clone.weights_[s] - self.weights_[s]) < 1e-6 for s in self.sources)
        clone.blend_ = self.blend_ if same else None  # other weights: the person's own mix, not the blend
        if same and not chosen_by:
            clone.chosen_by = self.chosen_by
        return clone

    def effective_weights(self, user: str | None, message: str | None) -> tuple[dict[str, float], tuple[str, ...]]:
        """The weights used for this request: a source that steps aside hands its weight to the others."""
        check_fitted(self)
        weights = dict(self.weights_)
        notes: dict[str, None] = {}
        silent = set()
        for name, source in self.sources.items():
            note = source.step_aside(user, message)
            if note is not None:
                silent.add(name)
                if note:  # shown even at weight 0: "nobody-here has no reactions yet" matters either way
                    notes[note] = None
                weights[name] = 0.0
        if sum(weights.values()) <= 0:  # every source with weight was silenced: fall back to what can speak
            speaking = [s for s in self.sources if s not in silent] or list(self.sources)
            weights = {s: (1.0 if s in speaking else 0.0) for s in self.sources}
        return check_weights(weights, tuple(self.sources)), tuple(notes)

    def encode(self, messages: Sequence[str], times: np.ndarray | None = None, calibrated: bool = False):
        """One encoder pass for every message-reading source (the content model's, which also gives its logits)."""
        from emojiml.recommend.content import ContentRecommender

        content = next((s for s in self.sources.values() if isinstance(s, ContentRecommender)), None)
        if content is not None and any((m or "").strip() for m in messages):
            return content.encode(messages, times, calibrated)
        return MessageBatch(list(messages), None, times, calibrated)

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        check_fitted(self)
        return self._scores(user, self.encode([message or ""]), None)[0][0]

    def score_messages(self, messages: Sequence[str] | MessageBatch, user: str | None = None) -> np.ndarray:
        check_fitted(self)
        batch = messages if isinstance(messages, MessageBatch) else self.encode(list(messages))
        return self._scores(user, batch, None)[0]

    def step_aside(self, user: str | None, message: str | None) -> str | None:
        return None  # falls back to whichever source can speak

    def raw_scores(self, user: str | None, batch: MessageBatch) -> dict[str, np.ndarray]:
        """Each source's own (N, n_emoji) scores, before normalisation; message-free sources scored once."""
        return {name: source.score_messages(batch, user) for name, source in self.sources.items()}

    def _scores(self, user, batch: MessageBatch, chosen: np.ndarray | None):
        return self.mix(self.raw_scores(user, batch), [user] * len(batch.texts), batch, chosen)

    def mix(self, raw: Mapping[str, np.ndarray], users: Sequence[str | None], batch: MessageBatch, chosen=None):
        """(N, n_emoji) final scores from the sources' raw (N, n_emoji) scores (row i asked by ``users[i]``), plus
        what explains them: per row the weights, normalised parts, tone, echo and notices; and the batch's tone.

        The suggestion path and the evaluation both rank by this, so the figures measure what people get."""
        pool = chosen if chosen is not None else np.flatnonzero(self.rankable_)
        tone = self.tone_.of(batch) if self.tone_ is not None else None
        n, n_emoji = len(batch.texts), len(self.catalog_)
        # row for row what a per-message loop computes (a test checks it), a block of rows at a time: the weights
        # of each row, each source's normalised scores, their weighted sum, the tone adjustment and the echo of
        # written emoji (blocks of ROWS_AT_ONCE x n_emoji stay in the CPU's cache; whole-batch arrays did not)
        asked = [self.effective_weights(user, message) for user, message in zip(users, batch.texts, strict=True)]
        weight = np.array([[weights[name] for name in self.sources] for weights, _ in asked]).reshape(n, -1)
        speaking = {name: column for column, name in enumerate(self.sources) if (weight[:, column] > 0).any()}
        normalized_all = {name: np.zeros((n, n_emoji)) for name in speaking}
        mixed, adjustment, echo, finals = (np.zeros((n, n_emoji)) for _ in range(4))
        for row, message in enumerate(batch.texts):
            if message.strip():
                echo[row, list(mentioned_emoji(self.catalog_, message))] = self.echo
        for start in range(0, n, ROWS_AT_ONCE):
            rows = slice(start, start + ROWS_AT_ONCE)
            for name, column in speaking.items():
                part = normalized_all[name][rows] = normalize_rows(raw[name][rows], pool)
                share = weight[rows, column, None]
                mixed[rows] += share * part if (share > 0).all() else np.where(share > 0, share * part, 0.0)
            if tone is not None:
                guard = chosen is None
                adjustment[rows] = self.tone_.adjustments(tone, mixed[rows], guard, self.tone_strength, rows)
            finals[rows] = mixed[rows] + adjustment[rows] + echo[rows]
        parts = []
        for row, (weights, notices) in enumerate(asked):
            normalized = {name: normalized_all[name][row] for name in self.sources if weights[name] > 0}
            parts.append((weights, normalized, adjustment[row], echo[row], notices))
        if self.blend_ is not None and n:
            finals = self._blended(raw, users, batch, tone, pool, finals, parts)
        return finals, parts, tone

    def _blended(self, raw, users, batch: MessageBatch, tone, pool: np.ndarray, fallback: np.ndarray, parts):
        """The learned blend's scores (``blend.LearnedBlend``); each row's parts then share its score out in
        proportion to the weighted mix's parts (the blend itself is not additive), so the bars still add up."""
        inputs = blend_inputs(self, raw, users, batch, tone, pool)
        finals = self.blend_.score(inputs, pool, fallback)
        if tone is not None:  # tone on the blend's scale: the learned blend follows history, which misreads mood
            mixed = np.stack([sum(w[name] * normalized[name] for name in normalized) for w, normalized, *_ in parts])
            finals = finals + self.blend_tone(finals, tone, mixed, pool)
        for row, (weights, normalized, _, echo, notices) in enumerate(parts):
            shares = {name: weights[name] * normalized[name] for name in normalized}
            total = sum(shares.values()) + echo
            scale = np.divide(finals[row], total, out=np.zeros_like(total), where=total > 1e-12)
            rest = np.where(total > 1e-12, 0.0, finals[row])  # no source part to share it: "learned blend" keeps it
            shared = {name: share * scale for name, share in shares.items()}
            parts[row] = (weights, shared, rest, echo * scale, notices)
        return finals

    def blend_tone(self, finals: np.ndarray, tone, mixed: np.ndarray, pool: np.ndarray) -> np.ndarray:
        """(N, n_emoji) tone on the blend's scale: each row's adjustment times its best blended score."""
        top = np.maximum(finals[:, pool].max(axis=1), 1e-9) if pool.size else np.ones(len(finals))
        return top[:, None] * self.tone_.adjustments(tone, mixed, True, self.tone_strength)

    def suggest(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> Suggestions:
        """Ranked suggestions with contributions and reasons, the weights used and any notices."""
        return self.suggest_many(user, [message or ""], k, candidates)[0]

    def suggest_many(
        self,
        user: str | None,
        messages: Sequence[str],
        k: int = 10,
        candidates: Sequence[str] | None = None,
        times: np.ndarray | None = None,
    ) -> list[Suggestions]:
        """``suggest`` for many messages of one person: one encoder pass for the batch, message-free sources
        scored once. With ``candidates`` only those are ranked, and the content model applies its tuned
        decision rule (the one ``emojiml evaluate emoji-prediction`` measures)."""
        from emojiml.text.analyze import clean_text

        check_fitted(self)
        chosen = candidate_indices(self.catalog_, candidates)
        spelling = _spelling(self.catalog_, candidates)
        batch = self.encode(list(messages), times, calibrated=chosen is not None)
        finals, parts, tone = self._scores(user, batch, chosen)
        if tone is not None and tone.non_english is not None:  # the tone step has read each message's flags
            non_english = tone.non_english
        else:
            non_english = ["non_english" in clean_text(message)[1] for message in batch.texts]
        pool = chosen if chosen is not None else np.flatnonzero(self.rankable_)  # what ``rank`` finds, once
        results = []
        for row, message in enumerate(batch.texts):
            weights, normalized, adjustment, echo, notices = parts[row]
            if not message.strip() and "content" in self.sources and len(self.sources) == 1:
                results.append(Suggestions([], weights, ("Empty line: no message to suggest for.",), spelling))
                continue
            if message.strip() and non_english[row]:
                notices = (*notices, NON_ENGLISH_NOTE)
            suggestions = []
            for index in rank(finals[row], self.rankable_, pool, k):
                contributions = {name: float(self._share(weights, normalized, name, index)) for name in normalized}
                contributions["tone" if self.blend_ is None else "learned blend"] = float(adjustment[index])
                if echo[index]:
                    contributions["echo"] = float(echo[index])
                suggestions.append(
                    Suggestion(
                        self.catalog_[index],
                        float(finals[row][index]),
                        contributions,
                        self._reason(int(index), user, message, contributions, tone, row),
                    )
                )
            results.append(Suggestions(suggestions, weights, notices, spelling))
        return results

    def _share(self, weights, normalized, name: str, index: int) -> float:
        """A source's part of an emoji's score: weight × normalised score, or its share of the blend's score."""
        if self.blend_ is not None:
            return normalized[name][index]
        return weights[name] * normalized[name][index]

    def _reason(self, index, user, message, contributions, tone, row) -> str:
        if contributions.get("echo"):
            return ECHO_REASON
        lifted = contributions.get("tone", 0.0) > 0 or self.blend_ is not None
        if tone is not None and self.tone_.fits_negative(tone, row, index) and lifted:
            return FITS_NEGATIVE
        sources = {name: value for name, value in contributions.items() if name in self.sources}
        top = max(sources, key=sources.get) if sources else None
        if top is None or sources[top] <= 0:
            return "no signal"
        return self.sources[top].reason(index, user, message)

    def recommend(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> list[Suggestion]:
        return self.suggest(user, message, k, candidates).suggestions


def _spelling(catalog, candidates: Sequence[str] | None) -> dict[str, str]:
    if candidates is None:
        return {}
    spelling: dict[str, str] = {}
    for token in candidates:
        spelling.setdefault(catalog[catalog.index_of(token.strip())].key, token.strip())
    return spelling


def workspace_sources(
    events: pd.DataFrame, half_life_days: float = 90.0, channel: str | None = None, catalog=None
) -> dict[str, Recommender]:
    """The product's five sources for one workspace (unfitted), sharing one catalog (``catalog``, else the
    events') and one content model."""
    from emojiml.recommend.base import catalog_of_events
    from emojiml.recommend.collaborative import NMFRecommender, PersonalRecommender
    from emojiml.recommend.content import ContentRecommender
    from emojiml.recommend.popularity import TrendingRecommender
    from emojiml.recommend.reacted_messages import NeighbourRecommender, ReactionModelRecommender

    catalog = catalog or catalog_of_events(events)
    content = ContentRecommender(catalog=catalog)
    return {
        "collaborative": PersonalRecommender(NMFRecommender(n_components=4, weighting="log", catalog=catalog)),
        "content": content,
        "popularity": TrendingRecommender(half_life_days=half_life_days, channel=channel, catalog=catalog),
        "neighbours": NeighbourRecommender(catalog=catalog),
        "reactions": ReactionModelRecommender(catalog=catalog, content=content),
    }


def workspace_hybrid(
    events: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    half_life_days: float = 90.0,
    channel: str | None = None,
    catalog: Catalog | None = None,
) -> HybridRecommender:
    """The product hybrid for one workspace. Without ``weights`` the mix is chosen for this workspace on a
    validation part carved from its own history (``evaluate.choose_weights``), else the defaults. ``catalog``: the
    base catalog (default Unicode), e.g. with the workspace's generated custom emoji."""
    from emojiml.recommend.base import catalog_of_events
    from emojiml.recommend.evaluate import choose_weights

    chosen_by, blend, choice = "as given", None, None
    if weights is None:
        choice = choose_weights(events)
        too_little = "at the defaults (too little history to choose a mix for this workspace)"
        weights, chosen_by = (choice.weights, choice.note) if choice is not None else (None, too_little)
        blend = choice.blend if choice is not None else None
    strengths = {"tone_strength": choice.tone_strength, "echo": choice.echo} if choice is not None else {}
    sources = workspace_sources(events, half_life_days, channel, catalog=catalog_of_events(events, catalog))
    hybrid = HybridRecommender(sources, weights, chosen_by=chosen_by, blend=blend, **strengths)
    return hybrid.fit(events)


def content_hybrid() -> HybridRecommender:
    """The content model alone over the Unicode catalog (``emojiml suggest`` without a workspace)."""
    from emojiml.catalog import default_catalog
    from emojiml.recommend.content import ContentRecommender

    empty = pd.DataFrame({"user": pd.Series(dtype=str), "emoji": pd.Series(dtype=str)})
    return HybridRecommender({"content": ContentRecommender(catalog=default_catalog())}, {"content": 1.0}).fit(empty)


def blend_inputs(hybrid: HybridRecommender, raw, users: Sequence[str | None], batch: MessageBatch, tone, pool):
    """What the learned blend reads, from the sources' raw scores of a batch (row i asked by ``users[i]``); a
    source that steps aside for a request reads as all zeros, as it does in the mix."""
    from emojiml.recommend.collaborative import PersonalRecommender

    n, n_emoji = len(batch.texts), len(hybrid.catalog_)
    normalized, silenced = {}, {}
    for name, source in hybrid.sources.items():
        quiet = np.array([source.step_aside(u, m) is not None for u, m in zip(users, batch.texts, strict=True)])
        matrix = np.where(quiet[:, None], 0.0, raw[name])
        silenced[name] = matrix
        normalized[name] = normalize_rows(matrix, pool)
    personal = next((s for s in hybrid.sources.values() if isinstance(s, PersonalRecommender)), None)
    own = np.zeros((n, n_emoji))
    if personal is not None:
        by_user = {u: personal.own_counts(u) for u in dict.fromkeys(users)}
        own = np.stack([by_user[u] for u in users])
    echo = np.zeros((n, n_emoji))
    for row, message in enumerate(batch.texts):
        if message.strip():
            echo[row, list(mentioned_emoji(hybrid.catalog_, message))] = 1.0
    positivity = hybrid.tone_.positivity_ if hybrid.tone_ is not None else np.zeros(n_emoji)
    minds = hybrid.tone_.minds_ if hybrid.tone_ is not None else np.zeros(n_emoji)
    negative = tone.negative if tone is not None else np.zeros(n)
    positive = tone.positive if tone is not None else np.zeros(n)
    from emojiml.recommend.reacted_messages import ReactionModelRecommender

    specific = next(
        (
            source.specificity(silenced[name])
            for name, source in hybrid.sources.items()
            if isinstance(source, ReactionModelRecommender)
        ),
        None,
    )
    return BlendInputs(normalized, silenced, own, echo, negative, positive, positivity, minds, specific)
