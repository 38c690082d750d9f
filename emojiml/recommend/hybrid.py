"""The tunable hybrid: a weighted sum of each source's min-max normalised scores, weights summing to 1.

Why normalised scores rather than ranks: a source that is very sure (the content model on "happy birthday")
should be able to outvote a flat one, which rank fusion cannot express. Each suggestion carries every
source's contribution (weight × normalised score, which add up to its score) and the reason of the source
that contributed most, so the page can draw stacked bars and say *why*.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd

from emojiml.catalog import Catalog
from emojiml.recommend.base import (
    RankingMixin,
    Recommender,
    RecommenderInputError,
    Suggestion,
    candidate_indices,
    check_fitted,
    normalize_scores,
    rank,
)

SOURCES = ("collaborative", "content", "popularity")
# The best any-emoji mix of the simplex sweep on r-contributors (NDCG@10 0.549 any / 0.408 new): it beats every
# single source in both variants at once (`emojiml evaluate recommender`).
DEFAULT_WEIGHTS = {"collaborative": 0.4, "content": 0.1, "popularity": 0.5}


class HybridWeightsError(RecommenderInputError):
    """Weights that cannot be mixed: all zero, negative, not numbers, or naming an unknown source."""


@dataclass(frozen=True)
class HybridResult:
    """Suggestions plus the weights actually used and any notice the person should see."""

    suggestions: list[Suggestion]
    weights: dict[str, float]
    notices: tuple[str, ...] = ()


def parse_weights(text: str) -> dict[str, float]:
    """``"collaborative=0.4,content=0.4,popularity=0.2"`` -> a dict (validated by ``check_weights``)."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            weights[name.strip()] = float(value) if sep else float("nan")
        except ValueError as error:
            raise HybridWeightsError(f"Weight {part!r} is not NAME=NUMBER (e.g. content=0.4).") from error
    return check_weights(weights)


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


class HybridRecommender(RankingMixin):
    """Weighted fusion of named sources (by default collaborative, content and popularity/trending)."""

    def __init__(self, sources: Mapping[str, Recommender], weights: Mapping[str, float] | None = None) -> None:
        self.sources = dict(sources)
        self.weights = check_weights(weights or DEFAULT_WEIGHTS, tuple(self.sources))

    def fit(self, events: pd.DataFrame) -> Self:
        for source in self.sources.values():
            source.fit(events)
        catalogs = {len(source.catalog_) for source in self.sources.values()}
        if len(catalogs) != 1:
            raise RecommenderInputError("The hybrid's sources were fitted on different catalogs.")
        first = next(iter(self.sources.values()))
        self.catalog_ = first.catalog_
        self.rankable_ = np.logical_or.reduce([s.rankable_ for s in self.sources.values()])
        return self

    def with_weights(self, weights: Mapping[str, float]) -> HybridRecommender:
        """The same fitted sources under other weights (cheap: nothing is refitted)."""
        clone = HybridRecommender(self.sources, weights)
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k.endswith("_")})
        return clone

    def effective_weights(self, user: str | None, message: str | None) -> tuple[dict[str, float], tuple[str, ...]]:
        """The weights used for this request: a source that cannot speak hands its weight to the others."""
        weights = dict(self.weights)
        notices = []
        collaborative = self.sources.get("collaborative")
        if collaborative is not None and user is not None and not collaborative.known(user):
            notices.append(f"{user} has no reactions in this workspace yet: using content and popularity.")
            weights["collaborative"] = 0.0
        elif collaborative is not None and user is None:
            weights["collaborative"] = 0.0
        if "content" in weights and not (message or "").strip():
            weights["content"] = 0.0
            if self.weights["content"] > 0:
                notices.append("No message: suggesting from reaction history and popularity only.")
        if sum(weights.values()) <= 0:  # every source with weight was silenced: fall back to what can speak
            speaking = [s for s in weights if not (s == "content" and not (message or "").strip())]
            speaking = [s for s in speaking if not (s == "collaborative" and not collaborative.known(user))]
            weights = {s: (1.0 if s in speaking else 0.0) for s in weights}
        return check_weights(weights, tuple(self.sources)), tuple(notices)

    def raw_scores(self, user: str | None, message: str | None) -> dict[str, np.ndarray]:
        """Each source's own (n_emoji,) scores, before normalisation."""
        return {name: source.score(user, message) for name, source in self.sources.items()}

    def source_scores(self, user: str | None, message: str | None) -> dict[str, np.ndarray]:
        """Each source's normalised (n_emoji,) scores over the rankable pool."""
        return self._normalize(self.raw_scores(user, message))

    def _normalize(self, raw: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        pool = np.flatnonzero(self.rankable_)
        return {name: normalize_scores(scores, pool) for name, scores in raw.items()}

    def score(self, user: str | None, message: str | None) -> np.ndarray:
        check_fitted(self)
        weights, _ = self.effective_weights(user, message)
        normalized = self.source_scores(user, message)
        return sum(weights[name] * normalized[name] for name in self.sources)

    def suggest(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> HybridResult:
        """Ranked suggestions with contributions and reasons, the weights used and any notices."""
        check_fitted(self)
        chosen = candidate_indices(self.catalog_, candidates)
        return self._suggest(self.raw_scores(user, message), user, message, k, chosen)

    def suggest_many(
        self, user: str | None, messages: Sequence[str], k: int = 10, candidates: Sequence[str] | None = None
    ) -> list[HybridResult]:
        """``suggest`` for many messages of one person: message-free sources are scored once, the content
        source in one encoder batch (this is what makes batch suggestion fast)."""
        check_fitted(self)
        chosen = candidate_indices(self.catalog_, candidates)
        shared = {name: s.score(user, None) for name, s in self.sources.items() if not hasattr(s, "score_messages")}
        batched = {
            name: s.score_messages(list(messages)) for name, s in self.sources.items() if hasattr(s, "score_messages")
        }
        return [
            self._suggest({**shared, **{n: b[i] for n, b in batched.items()}}, user, message, k, chosen)
            for i, message in enumerate(messages)
        ]

    def _suggest(self, raw, user, message, k, chosen) -> HybridResult:
        weights, notices = self.effective_weights(user, message)
        normalized = self._normalize(raw)
        scores = sum(weights[name] * normalized[name] for name in self.sources)
        suggestions = []
        for index in rank(scores, self.rankable_, chosen, k):
            contributions = {name: float(weights[name] * normalized[name][index]) for name in self.sources}
            top = max(contributions, key=contributions.get)
            reason = self.sources[top].reason(int(index), user, message) if contributions[top] > 0 else "no signal"
            suggestions.append(Suggestion(self.catalog_[index], float(scores[index]), contributions, reason))
        return HybridResult(suggestions, weights, notices)

    def recommend(
        self, user: str | None, message: str | None, k: int = 10, candidates: Sequence[str] | None = None
    ) -> list[Suggestion]:
        return self.suggest(user, message, k, candidates).suggestions


def workspace_hybrid(
    events: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    half_life_days: float = 90.0,
    channel: str | None = None,
    catalog: Catalog | None = None,
) -> HybridRecommender:
    """The product hybrid for one workspace: personal history + NMF, the content model, and trending.
    ``catalog``: the base catalog (default Unicode), e.g. with the workspace's generated custom emoji."""
    from emojiml.recommend.base import workspace_catalog
    from emojiml.recommend.collaborative import NMFRecommender, PersonalRecommender
    from emojiml.recommend.content import ContentRecommender
    from emojiml.recommend.popularity import TrendingRecommender

    catalog = workspace_catalog(events, catalog)
    sources = {
        "collaborative": PersonalRecommender(NMFRecommender(n_components=4, weighting="log", catalog=catalog)),
        "content": ContentRecommender(catalog=catalog),
        "popularity": TrendingRecommender(half_life_days=half_life_days, channel=channel, catalog=catalog),
    }
    return HybridRecommender(sources, weights).fit(events)
