"""Batch suggestions (``emojiml suggest``): many messages, one person, optional candidate list.

Why its own module: the CLI and the bench share it, and the candidate list has a contract of its own —
match emoji with U+FE0F ignored, but print each exactly as the candidates file wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from emojiml.catalog import default_catalog
from emojiml.recommend.base import Suggestion, candidate_indices, rank
from emojiml.recommend.content import ContentRecommender
from emojiml.recommend.hybrid import workspace_hybrid


@dataclass(frozen=True)
class BatchResult:
    """Suggestions for one input line, plus how each candidate was written (key -> original text)."""

    suggestions: list[Suggestion]
    notices: tuple[str, ...] = ()
    spelling: dict[str, str] = field(default_factory=dict)

    def written(self, suggestion: Suggestion) -> str:
        return self.spelling.get(suggestion.key, suggestion.emoji.char)


def content_only(catalog_events: pd.DataFrame | None = None) -> ContentRecommender:
    """The content model over the Unicode catalog (no workspace)."""
    return ContentRecommender(catalog=default_catalog()).fit(
        catalog_events if catalog_events is not None else _NO_EVENTS
    )


def suggest_batch(
    messages: Sequence[str],
    events: pd.DataFrame | None = None,
    user: str | None = None,
    weights: Mapping[str, float] | None = None,
    k: int = 3,
    candidates: Sequence[str] | None = None,
    model: ContentRecommender | None = None,
) -> list[BatchResult]:
    """Top-``k`` suggestions per message: the hybrid when ``events`` are given, else the content model alone."""
    if events is None:
        content = model or content_only()
        chosen = candidate_indices(content.catalog_, candidates)
        spelling = _spelling(content.catalog_, candidates)
        scores = content.score_messages(list(messages))
        results = []
        for message, row in zip(messages, scores, strict=True):
            if not message.strip():
                results.append(BatchResult([], ("Empty line: no message to suggest for.",), spelling))
                continue
            order = rank(row, content.rankable_, chosen, k)
            results.append(
                BatchResult(
                    [
                        Suggestion(
                            content.catalog_[i],
                            float(row[i]),
                            {"content": float(row[i])},
                            content.reason(int(i), None, message),
                        )
                        for i in order
                    ],
                    (),
                    spelling,
                )
            )
        return results
    hybrid = workspace_hybrid(events, weights)
    user = resolve_user(events, user)
    spelling = _spelling(hybrid.catalog_, candidates)
    return [BatchResult(r.suggestions, r.notices, spelling) for r in hybrid.suggest_many(user, messages, k, candidates)]


def resolve_user(events: pd.DataFrame, user: str | None) -> str | None:
    """Accept a person's id or display name; an unknown person stays as given (the hybrid notes it)."""
    if user is None or "user_name" not in events.columns:
        return user
    if (events["user"].astype(str) == user).any():
        return user
    named = events.loc[events["user_name"].astype(str) == user, "user"]
    return str(named.iloc[0]) if len(named) else user


def _spelling(catalog, candidates: Sequence[str] | None) -> dict[str, str]:
    if candidates is None:
        return {}
    candidate_indices(catalog, candidates)  # raises, naming them, for anything that is not an emoji
    spelling: dict[str, str] = {}
    for token in candidates:
        spelling.setdefault(catalog[catalog.index_of(token.strip())].key, token.strip())
    return spelling


_NO_EVENTS = pd.DataFrame({"user": pd.Series(dtype=str), "emoji": pd.Series(dtype=str)})
