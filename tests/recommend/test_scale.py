"""The scale bench: the synthetic workspace it draws, a tiny run end to end, and sizes it refuses."""

import pytest

from emojiml.cli import main
from emojiml.recommend.hybrid import SOURCES
from emojiml.recommend.scale import measure_scale
from emojiml.workspace.synthetic import synthetic_events


def test_the_synthetic_workspace_is_reproducible_and_power_law_shaped():
    events = synthetic_events(2000, n_emoji=2500)
    again = synthetic_events(2000, n_emoji=2500)
    assert events.equals(again)
    per_person = events["user"].value_counts()
    assert len(per_person) == 2000
    assert per_person.median() < per_person.mean() / 2 and per_person.max() > 20 * per_person.median()
    assert 25 < per_person.mean() < 40  # ~30 events per person
    assert events["emoji"].nunique() <= 2500 and events["is_custom"].any() and not events["is_custom"].all()
    assert events["timestamp"].is_monotonic_increasing
    assert list(events.columns) == ["channel", "timestamp", "user", "kind", "emoji", "is_custom"]


def test_a_tiny_scale_run_fits_every_source_and_times_suggestions():
    # in this process (models already loaded by other tests) and Unicode emoji only: the CLI runs the same
    # function in a subprocess per size, whose model loading alone takes longer than CI should spend here
    row = measure_scale(100, n_emoji=300, suggestions=5)
    assert row["people"] == 100 and row["events"] > 100 and 10 < row["emoji"] <= 300
    assert row["fit_s"] > 0 and row["suggest_p50_ms"] > 0 and row["peak_rss_mb"] > 100
    assert set(row["fit_by_source_s"]) == set(SOURCES)  # every source of the product hybrid


@pytest.mark.parametrize("size", ["1e7", "3", "many"])
def test_sizes_outside_the_bench_are_refused_in_one_line(size, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--only", "scale", "--sizes", size])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--sizes" in error and ("between 10 and 1,000,000" in error or "whole number" in error)


def test_sizes_without_the_scale_section_are_refused(capsys):
    assert main(["bench", "--only", "search", "--sizes", "1000"]) == 2
    assert "--only scale" in capsys.readouterr().err
