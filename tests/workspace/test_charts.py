"""The workspace charts over the real demo export: right counts, and a readable figure for empty data."""

import pytest

from emojiml import charts
from emojiml.workspace.demo import ensure_demo_workspace


@pytest.fixture(scope="module")
def demo_events(tmp_path_factory):
    from emojiml.workspace.store import WorkspaceStore

    store = WorkspaceStore(f"sqlite:///{tmp_path_factory.mktemp('charts') / 'store.db'}")
    return store.events_frame(ensure_demo_workspace(store))


def test_top_emoji_bars_add_up_to_the_events_of_the_shown_emoji(demo_events):
    figure = charts.top_emoji(demo_events, top=5)
    shown = {y for trace in figure.data for y in trace.y}
    assert len(shown) == 5
    assert sum(sum(trace.x) for trace in figure.data) == demo_events["emoji"].isin(shown).sum()


def test_weekly_usage_counts_every_event_once(demo_events):
    figure = charts.weekly_usage(demo_events)
    assert sum(sum(trace.y) for trace in figure.data) == len(demo_events)


def test_heatmap_is_people_by_emoji(demo_events):
    figure = charts.people_emoji_heatmap(demo_events, people=4, top=6)
    assert figure.data[0].z.shape == (4, 6)


def test_custom_emoji_chart_shows_only_custom_emoji(demo_events):
    figure = charts.custom_emoji_usage(demo_events)
    assert {y for trace in figure.data for y in trace.y} == set(demo_events.loc[demo_events["is_custom"], "emoji"])


@pytest.mark.parametrize("builder", [charts.top_emoji, charts.weekly_usage, charts.custom_emoji_usage])
def test_empty_workspace_gives_a_titled_figure_not_an_error(demo_events, builder):
    figure = builder(demo_events.iloc[0:0])
    assert figure.layout.title.text


def test_a_display_name_with_html_is_shown_as_text_on_the_heatmap_axis(demo_events):
    """Plotly renders <a href> in tick labels: a name a member typed must not become a link for every viewer."""
    link = "<a href='https://evil.example'>Ann</a>"
    events = demo_events.assign(user_name=link)
    labels = [str(label) for label in charts.people_emoji_heatmap(events, people=1, top=3).data[0].y]
    assert labels == ["&lt;a href=&#x27;https://evil.example&#x27;&gt;Ann&lt;/a&gt;"]


def test_imported_text_is_escaped_for_markdown():
    from emojiml.page_widgets import escape_markdown

    hostile = "![x](http://127.0.0.1:9/x.png) [click](http://evil.example) <img src=x> :red[hi] *b* `c`"
    escaped = escape_markdown(hostile)
    assert escaped.replace("\\", "") == hostile.replace("\\", "")
    specials = set("![]()<>:*`")
    assert all(escaped[i - 1] == "\\" for i, ch in enumerate(escaped) if ch in specials)
