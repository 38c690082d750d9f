"""How people use emoji: reactions per message, distinct emoji and diversity per person, channel trends, and
how custom emoji are taken up after they appear.

Data in, data out: each function takes a ``WorkspaceStore.events_frame`` table (one row per emoji event) and
returns a DataFrame with its counts. Diversity is the Shannon entropy of a person's (or a period's) emoji
counts in bits (as ``scipy.stats.entropy(counts, base=2)``): 0 for someone who only ever uses 👍, log2(k) for k
emoji used equally.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from emojiml.analytics.feedback import period_start

ADOPTION_DAYS = 30  # "early adoption" window after a custom emoji's first use


def _entropy_bits(counts: pd.DataFrame, by: str) -> pd.Series:
    """Entropy (bits) of the ``n`` column within each ``by`` group, vectorised: a per-group ``apply`` took
    minutes for a workspace of 10^5 people. ``scipy.stats.entropy`` defines it; the tests check against it."""
    share = counts["n"] / counts.groupby(by)["n"].transform("sum")
    return (-share * np.log2(share)).groupby(counts[by]).sum() + 0.0  # + 0.0: no -0.0 for one emoji


def reactions_per_message(
    events: pd.DataFrame, messages: int | None = None, per_channel: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Per channel: reactions, messages that got at least one, reactions per reacted message, and the largest.

    Reactions per message over every message, reacted to or not, needs the stored message counts, which the
    events do not carry: ``messages`` (all channels) fills the ``all channels`` row and ``per_channel`` (by
    channel name) the channels' rows; a channel without a count stays empty rather than guessed."""
    columns = ["channel", "reactions", "reacted_messages", "reactions_per_reacted_message", "most_on_one_message"]
    reactions = events[events["kind"] == "reaction"] if not events.empty else events
    if reactions.empty:
        return pd.DataFrame(columns=[*columns, "reactions_per_message"])
    per_message = reactions.groupby(["channel", "message_id"]).size().rename("n").reset_index()
    table = per_message.groupby("channel")["n"].agg(reactions="sum", reacted_messages="size", most_on_one_message="max")
    table = table.reset_index()
    table["reactions_per_reacted_message"] = table["reactions"] / table["reacted_messages"]
    total = {
        "channel": "all channels",
        "reactions": int(table["reactions"].sum()),
        "reacted_messages": int(table["reacted_messages"].sum()),
        "most_on_one_message": int(table["most_on_one_message"].max()),
    }
    total["reactions_per_reacted_message"] = total["reactions"] / total["reacted_messages"]
    table = pd.concat([pd.DataFrame([total]), table.sort_values("reactions", ascending=False)], ignore_index=True)
    table["reactions_per_message"] = np.nan
    if messages:
        table.loc[0, "reactions_per_message"] = total["reactions"] / messages
    if per_channel:
        stored = table["channel"].map(per_channel).where(table.index > 0)
        table["reactions_per_message"] = table["reactions_per_message"].fillna(
            table["reactions"] / stored.where(stored > 0)
        )
    return table[[*columns, "reactions_per_message"]]


def person_diversity(events: pd.DataFrame) -> pd.DataFrame:
    """Per person: emoji events, distinct emoji, the entropy of their emoji counts (bits) and their top emoji."""
    columns = ["user", "name", "events", "distinct_emoji", "entropy_bits", "top_emoji"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    counts = events.groupby(["user", "emoji"]).size().rename("n").reset_index()
    grouped = counts.groupby("user")
    table = pd.DataFrame(
        {
            "events": grouped["n"].sum(),
            "distinct_emoji": grouped.size(),
            "entropy_bits": _entropy_bits(counts, "user"),
            "top_emoji": counts.sort_values(["n", "emoji"], ascending=[False, True]).groupby("user")["emoji"].first(),
        }
    ).reset_index()
    names = events.drop_duplicates("user").set_index("user")["user_name"] if "user_name" in events else None
    table["name"] = table["user"].map(names) if names is not None else table["user"]
    table["name"] = table["name"].fillna(table["user"])
    return table[columns].sort_values(["events", "user"], ascending=[False, True], ignore_index=True)


def diversity_over_time(events: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Per period: events, active people, distinct emoji and the entropy of the period's emoji counts (bits)."""
    columns = ["period", "events", "people", "distinct_emoji", "entropy_bits"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = events.assign(period=period_start(events["timestamp"], freq))
    grouped = frame.groupby("period")
    counts = frame.groupby(["period", "emoji"]).size().rename("n").reset_index()
    table = pd.DataFrame(
        {
            "events": grouped.size(),
            "people": grouped["user"].nunique(),
            "distinct_emoji": grouped["emoji"].nunique(),
            "entropy_bits": _entropy_bits(counts, "period"),
        }
    ).reset_index()
    return table[columns]


def channel_trends(events: pd.DataFrame, freq: str = "W", top: int = 5) -> pd.DataFrame:
    """Uses per period of each channel's ``top`` emoji, with the emoji's share of the channel's events that period.

    Periods where a top emoji was not used are included with 0 uses, so a line falls to zero instead of
    skipping the gap."""
    columns = ["channel", "period", "emoji", "uses", "share"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = events.assign(period=period_start(events["timestamp"], freq))
    totals = frame.groupby(["channel", "period"]).size().rename("channel_events")
    tops = frame.groupby(["channel", "emoji"]).size().rename("n").reset_index()
    tops = tops.sort_values(["n", "emoji"], ascending=[False, True]).groupby("channel").head(top)
    counts = frame.merge(tops[["channel", "emoji"]]).groupby(["channel", "period", "emoji"]).size()
    periods = frame.groupby("channel")["period"].agg(["min", "max"])
    grid = [
        (channel, period, emoji)
        for channel, emoji in tops[["channel", "emoji"]].itertuples(index=False)
        for period in pd.date_range(periods.loc[channel, "min"], periods.loc[channel, "max"], freq=_range_freq(freq))
    ]
    index = pd.MultiIndex.from_tuples(grid, names=["channel", "period", "emoji"])
    table = counts.reindex(index, fill_value=0).rename("uses").reset_index()
    table = table.join(totals, on=["channel", "period"])
    table["share"] = (table["uses"] / table["channel_events"]).fillna(0.0)
    return table[columns].sort_values(["channel", "period", "uses"], ascending=[True, True, False], ignore_index=True)


def rising_and_falling(events: pd.DataFrame, min_uses: int = 3) -> pd.DataFrame:
    """Per channel and emoji: its share of the channel's events in the first and second half of the time range,
    and the change; emoji used fewer than ``min_uses`` times in the channel are left out as noise."""
    columns = ["channel", "emoji", "uses", "share_first_half", "share_second_half", "change"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    times = pd.to_datetime(events["timestamp"], utc=True)
    middle = times.min() + (times.max() - times.min()) / 2
    frame = events.assign(half=np.where(times >= middle, "second", "first"))
    counts = frame.groupby(["channel", "emoji", "half"]).size().unstack("half", fill_value=0)
    counts = counts.reindex(columns=["first", "second"], fill_value=0)
    totals = counts.groupby("channel").sum()
    shares = counts / totals.reindex(counts.index.get_level_values("channel")).to_numpy()
    table = pd.DataFrame(
        {
            "uses": counts.sum(axis=1),
            "share_first_half": shares["first"].fillna(0.0),
            "share_second_half": shares["second"].fillna(0.0),
        }
    ).reset_index()
    table["change"] = table["share_second_half"] - table["share_first_half"]
    table = table[table["uses"] >= min_uses]
    return table[columns].sort_values(["change", "channel", "emoji"], ascending=[False, True, True], ignore_index=True)


def custom_adoption(events: pd.DataFrame, window_days: int = ADOPTION_DAYS) -> pd.DataFrame:
    """Per custom emoji (generated ones included once used): first use (exports do not say when an emoji was
    added, so the first use stands in), uses and people in the first ``window_days``, and in all."""
    columns = ["emoji", "first_used", "last_used", "uses", "people"]
    columns += [f"uses_first_{window_days}d", f"people_first_{window_days}d", "people_per_week"]
    custom = events[events["is_custom"].astype(bool)] if not events.empty else events
    if custom.empty:
        return pd.DataFrame(columns=columns)
    first = custom.groupby("emoji")["timestamp"].min().rename("first_used")
    frame = custom.join(first, on="emoji")
    early = frame[frame["timestamp"] < frame["first_used"] + pd.Timedelta(days=window_days)]
    grouped = frame.groupby("emoji")
    table = pd.DataFrame(
        {
            "first_used": first,
            "last_used": grouped["timestamp"].max(),
            "uses": grouped.size(),
            "people": grouped["user"].nunique(),
            f"uses_first_{window_days}d": early.groupby("emoji").size(),
            f"people_first_{window_days}d": early.groupby("emoji")["user"].nunique(),
        }
    ).reset_index()
    weeks = ((table["last_used"] - table["first_used"]).dt.total_seconds() / (7 * 86400)).clip(lower=1.0)
    table["people_per_week"] = table["people"] / weeks
    return table[columns].sort_values(["first_used", "emoji"], ignore_index=True)


def custom_adoption_curve(events: pd.DataFrame) -> pd.DataFrame:
    """Per custom emoji and day since its first use: cumulative distinct people who have used it."""
    columns = ["emoji", "days_since_first_use", "people_so_far"]
    custom = events[events["is_custom"].astype(bool)] if not events.empty else events
    if custom.empty:
        return pd.DataFrame(columns=columns)
    firsts = custom.groupby(["emoji", "user"])["timestamp"].min().rename("joined").reset_index()
    start = firsts.groupby("emoji")["joined"].transform("min")
    firsts["days_since_first_use"] = (firsts["joined"] - start).dt.days
    table = firsts.groupby(["emoji", "days_since_first_use"]).size().groupby(level="emoji").cumsum()
    return table.rename("people_so_far").reset_index()[columns]


def _range_freq(freq: str) -> str:
    return {"D": "D", "W": "W-MON", "M": "MS"}[freq]
