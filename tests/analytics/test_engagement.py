"""Engagement tables on the real demo workspace's events."""

import math

import numpy as np
import pandas as pd
from scipy.stats import entropy

from emojiml.analytics import engagement


def test_reactions_per_message_adds_up_to_the_reactions(demo_events):
    table = engagement.reactions_per_message(demo_events, messages=1000)
    reactions = demo_events[demo_events["kind"] == "reaction"]
    total = table.iloc[0]
    assert total["channel"] == "all channels" and total["reactions"] == len(reactions)
    assert total["reacted_messages"] == reactions.groupby(["channel", "message_id"]).ngroups
    assert table.iloc[1:]["reactions"].sum() == len(reactions)
    assert total["reactions_per_message"] == len(reactions) / 1000


def test_person_diversity_counts_distinct_emoji_and_entropy_in_bits(demo_events):
    table = engagement.person_diversity(demo_events).set_index("user")
    top = demo_events["user"].value_counts().index[0]
    mine = demo_events[demo_events["user"] == top]["emoji"].value_counts()
    assert table.loc[top, "events"] == mine.sum() and table.loc[top, "distinct_emoji"] == len(mine)
    assert math.isclose(table.loc[top, "entropy_bits"], float(entropy(mine.to_numpy(), base=2)))
    assert table.loc[top, "name"] != top  # display names, not ids
    single = table[table["distinct_emoji"] == 1]
    assert (single["entropy_bits"] == 0).all()
    assert (table["entropy_bits"] <= np.log2(table["distinct_emoji"]) + 1e-9).all()


def test_channel_trends_fill_unused_periods_with_zero(demo_events):
    table = engagement.channel_trends(demo_events, "W", top=3)
    general = table[table["channel"] == "general"]
    weeks = general["period"].drop_duplicates()
    assert len(general) == 3 * len(weeks)  # every top emoji in every week from the channel's first to last
    assert (general["uses"] == 0).any()
    counted = demo_events[demo_events["channel"] == "general"]["emoji"].value_counts().head(3)
    assert general.groupby("emoji")["uses"].sum().sort_values(ascending=False).tolist() == counted.tolist()


def test_custom_adoption_starts_at_first_use(demo_events):
    table = engagement.custom_adoption(demo_events).set_index("emoji")
    custom = demo_events[demo_events["is_custom"]]
    assert set(table.index) == set(custom["emoji"])
    emoji = table.index[0]
    uses = custom[custom["emoji"] == emoji]
    assert table.loc[emoji, "first_used"] == uses["timestamp"].min()
    assert table.loc[emoji, "people"] == uses["user"].nunique()
    curve = engagement.custom_adoption_curve(demo_events)
    assert curve[curve["emoji"] == emoji]["people_so_far"].max() == uses["user"].nunique()
    assert curve.groupby("emoji")["people_so_far"].is_monotonic_increasing.all()


def test_no_events_give_empty_tables_with_their_columns(demo_events):
    nothing = demo_events.iloc[:0]
    for function in (
        engagement.reactions_per_message,
        engagement.person_diversity,
        engagement.diversity_over_time,
        engagement.channel_trends,
        engagement.rising_and_falling,
        engagement.custom_adoption,
        engagement.custom_adoption_curve,
    ):
        table = function(nothing)
        assert table.empty and len(table.columns) >= 3, function.__name__


def test_diversity_over_time_counts_every_event_once(demo_events):
    table = engagement.diversity_over_time(demo_events, "M")
    assert table["events"].sum() == len(demo_events)
    first = demo_events[engagement.period_start(demo_events["timestamp"], "M") == table["period"].iloc[1]]
    expected = entropy(first["emoji"].value_counts().to_numpy(), base=2)
    assert math.isclose(table["entropy_bits"].iloc[1], float(expected))
    assert (table["period"].dt.day == 1).all()
    assert pd.api.types.is_datetime64_any_dtype(table["period"])


def test_each_channel_gets_reactions_per_stored_message_when_counts_are_known(demo_events):
    channels = demo_events["channel"].unique()
    known = {channels[0]: 50}  # the others have no count: left empty, not guessed
    table = engagement.reactions_per_message(demo_events, messages=1000, per_channel=known).set_index("channel")
    assert table.loc[channels[0], "reactions_per_message"] == table.loc[channels[0], "reactions"] / 50
    others = table.drop(index=["all channels", channels[0]])
    assert others["reactions_per_message"].isna().all()
    assert table.loc["all channels", "reactions_per_message"] == table.loc["all channels", "reactions"] / 1000
