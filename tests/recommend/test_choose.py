"""The hybrid's automatic choice: time-ordered validation parts, tone and echo strengths, and never far below the
best single source."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from emojiml.recommend.evaluate import (
    VARIANTS,
    _Carve,
    _select,
    choose_weights,
    evaluate_workspace,
    temporal_split,
    validation_carves,
)
from tests.recommend.conftest import make_events

TOPICS = [
    ("🚀", "released version {i} to production, the deploy went fine"),
    ("👀", "could someone review pull request {i} please?"),
    ("🙏", "sorry, the staging server {i} is down again and we lost the logs"),
    ("🎂", "happy birthday {i}, have a great day"),
]


def message_workspace(people: int = 8, days: int = 60) -> tuple:
    """Each message gets the emoji its topic calls for, whoever reacts: the message decides, not the person."""
    rng = np.random.default_rng(0)
    rows, texts = [], []
    for day in range(days):
        for _ in range(3):
            # birthdays start late, so many people meet 🎂 for the first time in the held-out part ("new" emoji)
            emoji, text = TOPICS[int(rng.integers(len(TOPICS) if day >= days * 0.6 else len(TOPICS) - 1))]
            person = f"p{int(rng.integers(people))}"
            rows.append((person, emoji, day + float(rng.random()), "dev"))
            texts.append(text.format(i=len(texts)))
    events = make_events(rows)
    events["text"] = texts
    return events


@pytest.fixture(scope="module")
def workspace():
    return message_workspace()


def test_carves_go_back_in_time_while_the_cases_are_few(workspace):
    carves = validation_carves(workspace, max_cases=2000, enough=10**6, max_carves=3)
    assert len(carves) == 3
    for later, earlier in itertools.pairwise(carves):
        # each earlier part is held out of the training events of the later one, and ends before it starts
        assert len(earlier.train) < len(later.train)
        assert earlier.cases["time"].max() <= later.cases["time"].max()
    assert len(validation_carves(workspace, max_cases=2000, enough=1, max_carves=3)) == 1


def test_the_choice_ranks_exactly_as_the_product_does(workspace):
    """The vectorised ranking that chooses the mix is the hybrid's own ``mix`` (steps aside, tone, guard, echo)."""
    carve = _Carve.build(temporal_split(workspace), half_life_days=90.0)
    weights = {"collaborative": 0.2, "content": 0.1, "popularity": 0.1, "neighbours": 0.2, "reactions": 0.4}
    for strength, echo in [(0.0, 0.25), (1.0, 0.5)]:
        hybrid = carve.hybrid.with_weights(weights)
        hybrid.tone_strength, hybrid.echo = strength, echo
        users = [*carve.users[:-1], "somebody new"]  # an unknown person: the collaborative source steps aside
        product = hybrid.mix(carve.raw, users, carve.batch)[0]
        carve.users = users
        carve.active[-1, list(carve.hybrid.sources).index("collaborative")] = False
        assert np.allclose(carve.finals(weights, strength, echo), product)


def test_auto_is_never_far_below_the_best_single_source(workspace):
    evaluation = evaluate_workspace(workspace)
    table = evaluation.table().set_index("method")
    singles = ["popularity", "own frequency", "trending", "content", "message neighbours", "reaction model"]
    for variant in VARIANTS:
        best = table.loc[singles, f"ndcg@10_{variant}"].max()
        assert table.loc["hybrid (auto)", f"ndcg@10_{variant}"] >= best - 0.05, variant


def test_the_strengths_are_chosen_and_travel_to_the_hybrid(workspace):
    from emojiml.recommend.hybrid import workspace_hybrid

    choice = choose_weights(workspace)
    hybrid = workspace_hybrid(workspace)
    assert (hybrid.tone_strength, hybrid.echo) == (choice.tone_strength, choice.echo)
    assert hybrid.with_weights({"reactions": 1.0}).tone_strength == choice.tone_strength


def test_a_mix_must_beat_the_best_single_source_by_more_than_the_noise():
    """Per-case NDCG of two candidates on the same cases: the mix wins on average; it is kept only when the
    margin is larger than one standard error of the paired difference."""
    single = {"reactions": 1.0, "popularity": 0.0}
    mix = {"reactions": 0.6, "popularity": 0.4}

    def candidates(n: int, gain: float, swing: float):
        base = np.linspace(0.35, 0.65, n)
        mixed = base + gain + swing * np.where(np.arange(n) % 2, 1.0, -1.0)  # better on average, case by case not
        return [(single, 0.0, 0.25, {"any": base, "new": base}), (mix, 0.0, 0.25, {"any": mixed, "new": mixed})]

    assert _select(candidates(30, 0.02, 0.3)) == 0  # 30 noisy cases: the gain cannot be told from chance
    assert _select(candidates(2000, 0.02, 0.3)) == 1  # the same gain over 2,000 cases: the mix
