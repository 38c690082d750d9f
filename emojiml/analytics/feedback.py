"""Did the suggestions help? Acceptance (the 👍 share of votes) by source, mix, model version and person.

Every function takes the ``WorkspaceStore.feedback_frame`` table and returns a plain DataFrame with its counts,
so the page, the CLI and the tests read the same numbers. Intervals come from statsmodels: Wilson score
intervals for one share (they stay inside [0, 1] and behave with a handful of votes, where the normal
approximation does not), Newcombe's hybrid score interval for the difference of two shares.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from emojiml.errors import EmojimlError
from emojiml.workspace.store import leading_source, mix_label

CONFIDENCE = 0.95
UNRECORDED = "unrecorded"  # feedback stored before model versions were recorded
RETIRED = " (no longer exists)"
GROUPINGS = ("source", "mix", "model_version", "user")


class AnalyticsInputError(EmojimlError):
    """A grouping, date or frequency the analytics cannot use; the message names the valid ones."""


def prepare_feedback(feedback: pd.DataFrame, current_versions: Collection[str] | None = None) -> pd.DataFrame:
    """The feedback table with ``accepted`` and an origin on every row.

    Rows stored before origins were recorded get their source and mix from the ``sources`` and ``weights`` they
    kept; a missing model version reads ``unrecorded``, and a version not in ``current_versions`` (when given)
    is marked as no longer existing rather than dropped.
    """
    frame = feedback.copy()
    for column in ("source", "mix", "model_version"):
        if column not in frame.columns:
            frame[column] = None
    frame["accepted"] = frame["vote"].astype(int) > 0
    frame["source"] = [s or leading_source(raw) for s, raw in zip(frame["source"], frame["sources"], strict=True)]
    frame["mix"] = [m or mix_label(raw) for m, raw in zip(frame["mix"], frame["weights"], strict=True)]
    versions = frame["model_version"].where(frame["model_version"].astype(bool), UNRECORDED).astype(str)
    if current_versions is not None:
        known = set(current_versions) | {UNRECORDED}
        versions = versions.where(versions.isin(known), versions + RETIRED)
    frame["model_version"] = versions
    return frame


def mix_name(weights: dict[str, float], named: dict[str, dict[str, float]]) -> str:
    """The name of the mix ``weights`` is (a preset or the workspace's chosen mix, to the sliders' 0.01), else
    its weights written out (``mix_label``), so votes on the same blend group together on the Analytics page."""
    for name, preset in named.items():
        if all(abs(float(weights.get(s, 0.0)) - float(preset.get(s, 0.0))) < 0.005 for s in set(weights) | set(preset)):
            return name
    return mix_label(weights)


def share_interval(accepted: np.ndarray, votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of accepted/votes at ``CONFIDENCE`` (NaN where there are no votes)."""
    accepted, votes = np.asarray(accepted, dtype=float), np.asarray(votes, dtype=float)
    low, high = np.full(votes.shape, np.nan), np.full(votes.shape, np.nan)
    some = votes > 0
    if some.any():
        from statsmodels.stats.proportion import proportion_confint  # 2.5 s to import: only when drawn

        low[some], high[some] = proportion_confint(accepted[some], votes[some], 1 - CONFIDENCE, method="wilson")
    return low, high


def _summarise(grouped) -> pd.DataFrame:
    table = grouped["accepted"].agg(votes="size", accepted="sum").reset_index()
    table["accepted"] = table["accepted"].astype(int)
    table["share"] = table["accepted"] / table["votes"]
    table["ci_low"], table["ci_high"] = share_interval(table["accepted"].to_numpy(), table["votes"].to_numpy())
    return table


def acceptance(feedback: pd.DataFrame, by: str = "source") -> pd.DataFrame:
    """Votes, 👍 count, 👍 share and its 95 % Wilson interval per ``by`` (source, mix, model_version or user)."""
    if by not in GROUPINGS:
        raise AnalyticsInputError(f"Cannot group feedback by {by!r}; choose one of {', '.join(GROUPINGS)}.")
    columns = [by, "votes", "accepted", "share", "ci_low", "ci_high"]
    if feedback.empty:
        return pd.DataFrame(columns=columns)
    return _summarise(feedback.groupby(by, sort=True))[columns].sort_values(["votes", by], ascending=[False, True])


def acceptance_over_time(feedback: pd.DataFrame, by: str = "source", freq: str = "W") -> pd.DataFrame:
    """``acceptance`` per period (``freq``: D, W or M; periods start on their first day, UTC)."""
    if by not in GROUPINGS:
        raise AnalyticsInputError(f"Cannot group feedback by {by!r}; choose one of {', '.join(GROUPINGS)}.")
    columns = ["period", by, "votes", "accepted", "share", "ci_low", "ci_high"]
    if feedback.empty:
        return pd.DataFrame(columns=columns)
    frame = feedback.assign(period=period_start(feedback["timestamp"], freq))
    return _summarise(frame.groupby(["period", by], sort=True))[columns]


def before_after(feedback: pd.DataFrame, pivot: pd.Timestamp | None, by: str | None = None) -> pd.DataFrame:
    """The 👍 share before and from ``pivot`` (overall, or per ``by``), with Wilson intervals for each share and a
    Newcombe interval for the change (after − before). A side without votes leaves its intervals empty."""
    columns = ["group", "votes_before", "share_before", "ci_low_before", "ci_high_before"]
    columns += ["votes_after", "share_after", "ci_low_after", "ci_high_after", "change", "change_low", "change_high"]
    if by is not None and by not in GROUPINGS:
        raise AnalyticsInputError(f"Cannot group feedback by {by!r}; choose one of {', '.join(GROUPINGS)}.")
    if feedback.empty or pivot is None:
        return pd.DataFrame(columns=columns)
    pivot = utc_day(pivot)
    groups = [("all votes", feedback)] if by is None else list(feedback.groupby(by, sort=True))
    rows = []
    for name, group in groups:
        after = (group["timestamp"] >= pivot).to_numpy()
        accepted = group["accepted"].to_numpy()
        votes = np.array([(~after).sum(), after.sum()])  # (before, after)
        ups = np.array([accepted[~after].sum(), accepted[after].sum()])
        low, high = share_interval(ups, votes)
        share = np.divide(ups, votes, out=np.full(2, np.nan), where=votes > 0)
        change_low = change_high = np.nan
        if votes.all():
            from statsmodels.stats.proportion import confint_proportions_2indep

            change_low, change_high = confint_proportions_2indep(
                ups[1], votes[1], ups[0], votes[0], method="newcomb", compare="diff", alpha=1 - CONFIDENCE
            )
        before = [int(votes[0]), share[0], low[0], high[0]]
        after = [int(votes[1]), share[1], low[1], high[1]]
        rows.append([str(name), *before, *after, share[1] - share[0], float(change_low), float(change_high)])
    return pd.DataFrame(rows, columns=columns)


FREQUENCIES = {"D": "D", "W": "W-SUN", "M": "M"}


def period_start(timestamps: pd.Series, freq: str) -> pd.Series:
    """The first day (UTC, midnight, tz-naive) of each timestamp's day, week (Monday) or month."""
    if freq not in FREQUENCIES:
        raise AnalyticsInputError(f"Unknown period {freq!r}; choose D (day), W (week) or M (month).")
    naive = pd.to_datetime(timestamps, utc=True).dt.tz_localize(None)
    return naive.dt.to_period(FREQUENCIES[freq]).dt.start_time


def auto_frequency(timestamps: pd.Series) -> str:
    """Days for a span up to 8 weeks, weeks up to 18 months, else months: enough points, not too many."""
    if timestamps.empty:
        return "W"
    span = pd.to_datetime(timestamps, utc=True)
    days = (span.max() - span.min()).days
    return "D" if days <= 56 else "W" if days <= 548 else "M"


def utc_day(when) -> pd.Timestamp:
    """A date or timestamp as a UTC timestamp (naive ones are read as UTC); bad input raises a clear error."""
    try:
        stamp = pd.Timestamp(when)
    except (TypeError, ValueError) as error:
        raise AnalyticsInputError(f"{when!r} is not a date (use YYYY-MM-DD).") from error
    if pd.isna(stamp):
        raise AnalyticsInputError(f"{when!r} is not a date (use YYYY-MM-DD).")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
