"""Analytics charts: names drawn as text, whole-period date ticks, notes instead of lone bars or blank plots."""

import pandas as pd

from emojiml import charts
from emojiml.analytics import engagement
from emojiml.analytics.feedback import acceptance, acceptance_over_time


def votes(users, ups, days=(0,)):
    rows = [
        {"user": u, "accepted": bool(up), "timestamp": pd.Timestamp("2025-03-03", tz="UTC") + pd.Timedelta(days=d)}
        for u, up in zip(users, ups, strict=True)
        for d in days
    ]
    return pd.DataFrame(rows)


def test_user_names_are_drawn_as_text_not_markup():
    table = acceptance(votes(["<b>Eve</b>", "<a href='x'>Bob</a>"], [1, 0]), "user")
    figure = charts.acceptance_bars(table, "user", "by person")
    labels = list(figure.data[0].y)
    assert "&lt;b&gt;Eve&lt;/b&gt; (1 vote)" in labels and not any("<b>" in label for label in labels)


def test_a_single_bar_comes_with_a_note():
    figure = charts.acceptance_bars(acceptance(votes(["U1"], [1]), "user"), "user", "by person")
    assert "Only one user" in figure.layout.title.text
    two = charts.acceptance_bars(acceptance(votes(["U1", "U2"], [1, 0]), "user"), "user", "by person")
    assert "Only one" not in two.layout.title.text


def test_one_week_of_votes_gets_week_ticks_and_a_note():
    table = acceptance_over_time(votes(["U1", "U2"], [1, 0]).assign(source="content"), "source", "W")
    figure = charts.acceptance_timeline(table, "source", "W")
    assert figure.layout.xaxis.dtick == 7 * charts.DAY_MS and figure.layout.xaxis.tickformat == "%d %b %Y"
    low, high = (pd.Timestamp(x) for x in figure.layout.xaxis.range)
    assert high - low == pd.Timedelta(days=7)  # half a week either side of the one point, not milliseconds
    assert "one week" in figure.layout.title.text


def test_empty_tables_draw_a_note_that_says_what_to_do(demo_events):
    nothing = demo_events.iloc[:0]
    assert (
        "Recommend page"
        in charts.acceptance_bars(acceptance(votes([], []), "user"), "user", "t").layout.annotations[0].text
    )
    curve = charts.custom_adoption_curves(engagement.custom_adoption_curve(nothing))
    assert "add one" in curve.layout.annotations[0].text
    assert charts.people_diversity(engagement.person_diversity(nothing)).layout.annotations


def test_channel_trend_lines_escape_channel_and_emoji_names(demo_events):
    events = demo_events.assign(channel="<i>ops</i>")
    figure = charts.channel_trend_lines(engagement.channel_trends(events, "M"), "<i>ops</i>", "M")
    assert "&lt;i&gt;ops&lt;/i&gt;" in figure.layout.title.text
    assert {trace.name for trace in figure.data} >= {"👍"}


def test_a_split_with_no_votes_on_one_side_says_which_way_to_move_it():
    from emojiml.analytics.feedback import before_after

    frame = votes(["U1", "U2"], [1, 0])
    figure = charts.before_after_chart(before_after(frame, "2025-01-01", "user"), "2025-01-01")
    assert "pick a later split" in figure.layout.title.text
    figure = charts.before_after_chart(before_after(frame, "2026-01-01", "user"), "2026-01-01")
    assert "pick an earlier split" in figure.layout.title.text


def test_one_period_of_events_gets_a_note_not_a_lone_bar(demo_events):
    one_day = demo_events[demo_events["timestamp"].dt.date == demo_events["timestamp"].dt.date.iloc[-1]]
    figure = charts.diversity_timeline(engagement.diversity_over_time(one_day, "D"), "D")
    assert "One day of events" in figure.layout.title.text and figure.layout.xaxis.dtick == charts.DAY_MS
