"""Batch suggestions (``emojiml suggest``, the bench and ``evaluate emoji-prediction``): many messages, one person.

Why its own module: the CLI, the bench and the TweetEval evaluation share it, so every figure they report comes
from this one function; the ranking itself is the hybrid's (``HybridRecommender.suggest_many``). Candidates match
emoji with U+FE0F ignored and are printed exactly as the candidates file wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from emojiml.recommend.base import RecommenderInputError
from emojiml.recommend.hybrid import HybridRecommender, Suggestions, content_hybrid, workspace_hybrid


class EmptyCandidatesError(RecommenderInputError):
    """A candidates list with no emoji in it."""


def suggest_batch(
    messages: Sequence[str],
    events: pd.DataFrame | None = None,
    user: str | None = None,
    weights: Mapping[str, float] | None = None,
    k: int = 3,
    candidates: Sequence[str] | None = None,
    model: HybridRecommender | None = None,
) -> list[Suggestions]:
    """Top-``k`` suggestions per message: the workspace hybrid when ``events`` are given, else the content model
    alone; ``model`` is an already fitted hybrid (the bench and the page reuse one)."""
    if candidates is not None and not [c for c in candidates if c.strip()]:
        raise EmptyCandidatesError("The candidates list is empty: give one emoji per line.")
    if model is None:
        model = content_hybrid() if events is None else workspace_hybrid(events, weights)
    elif weights is not None:
        model = model.with_weights(weights, "as given")
    if events is not None:
        user = resolve_user(events, user)
    return model.suggest_many(user, list(messages), k, candidates)


def resolve_user(events: pd.DataFrame, user: str | None) -> str | None:
    """Accept a person's id or display name; an unknown person stays as given (the hybrid notes it)."""
    if user is None or "user_name" not in events.columns:
        return user
    if (events["user"].astype(str) == user).any():
        return user
    named = events.loc[events["user_name"].astype(str) == user, "user"]
    return str(named.iloc[0]) if len(named) else user
