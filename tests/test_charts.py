from emojiml import charts


def test_search_scores_chart_has_one_bar_per_hit_coloured_by_reason(search):
    hits = search.search("party", top=6).hits
    figure = charts.search_scores(hits)
    assert sum(len(trace.y) for trace in figure.data) == 6
    assert {trace.name for trace in figure.data} == {hit.reason for hit in hits}
