"""The learned blend ranks by what its features say, and tone keeps celebration off bad news."""

import numpy as np

from emojiml.catalog import default_catalog
from emojiml.recommend.blend import BlendInputs, LearnedBlend, candidates
from emojiml.recommend.tone import celebratory


def inputs(n_messages: int, n_emoji: int, rng: np.random.Generator) -> tuple[BlendInputs, np.ndarray]:
    """Two sources: "useful" scores the emoji the message got higher; "noise" is random."""
    relevant = np.zeros((n_messages, n_emoji))
    relevant[np.arange(n_messages), rng.integers(0, n_emoji, n_messages)] = 1.0
    useful = relevant * 0.5 + rng.random((n_messages, n_emoji)) * 0.6
    noise = rng.random((n_messages, n_emoji))
    zeros = np.zeros((n_messages, n_emoji))
    blend_inputs = BlendInputs(
        {"useful": useful, "noise": noise},
        {"useful": useful, "noise": noise},
        zeros,
        zeros.copy(),
        np.zeros(n_messages),
        np.zeros(n_messages),
        np.zeros(n_emoji),
        np.zeros(n_emoji),
    )
    return blend_inputs, relevant


def test_blend_learns_which_source_to_trust():
    rng = np.random.default_rng(0)
    pool = np.arange(60)
    train, relevant = inputs(300, 60, rng)
    test, truth = inputs(200, 60, rng)
    blend = LearnedBlend(("useful", "noise"), max_iter=50).fit(train, relevant, pool)
    scores = blend.score(test, pool, np.zeros((200, 60)))
    hits = (truth[np.arange(200), scores.argmax(axis=1)] > 0).mean()
    noise_hits = (truth[np.arange(200), test.raw["noise"].argmax(axis=1)] > 0).mean()
    assert hits > 0.5 > noise_hits


def test_candidates_hold_each_source_top_and_the_echo():
    rng = np.random.default_rng(1)
    test, _ = inputs(3, 100, rng)
    test.echo[0, 99] = 1.0
    chosen = candidates(test, np.arange(100), top_k=5)
    assert chosen[0, 99] and chosen[1, test.raw["useful"][1].argmax()]
    assert chosen.sum(axis=1).max() <= 11


def test_celebration_is_read_from_the_catalog_keywords():
    catalog = default_catalog()
    marked = celebratory(catalog)
    for char in "🎉👏💯😂🙌🥳":
        assert marked[catalog.index_of(char)], char
    for char in "👍😞🚀👀🙏":
        assert not marked[catalog.index_of(char)], char
