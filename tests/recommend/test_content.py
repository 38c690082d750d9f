"""The shipped content model: open-catalog suggestions, custom emoji, mentions, and a quality floor."""

import numpy as np
import pytest

from emojiml.catalog import custom_emoji, default_catalog
from emojiml.recommend.content import ContentRecommender
from emojiml.recommend.sparse_text import SparseTextClassifier, SparseTextConfig


@pytest.fixture(scope="module")
def content():
    return ContentRecommender(catalog=default_catalog()).fit(None)


def top(content, message, k=5):
    return [s.emoji.char for s in content.recommend(None, message, k=k)]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("happy birthday!!", {"🎂", "🎉", "🥳", "🎁", "🎈"}),
        ("pizza tonight?", {"🍕"}),
        ("we shipped it 🚀", {"🚀"}),
    ],
)
def test_open_catalog_suggestions_are_sensible(content, message, expected):
    assert set(top(content, message)) & expected


def test_bad_news_gets_a_negative_face(content):
    negative = {e.char for e in default_catalog() if e.sentiment is not None and e.sentiment < -0.1}
    assert set(top(content, "ugh my flight got cancelled")) & negative


def test_custom_emoji_are_scored_through_their_name():
    catalog = default_catalog().with_custom([custom_emoji("party-parrot", ["celebrate"])])
    content = ContentRecommender(catalog=catalog).fit(None)
    scores = content.score(None, "time to celebrate, party!")
    index = catalog.index_of(":party-parrot:")
    assert scores[index] > np.median(scores[content.pool_])


def test_mentions_and_shortcodes_come_first(content):
    assert top(content, "great work :tada:", k=1) == ["🎉"]
    assert content.recommend(None, "great work :tada:", k=1)[0].reason == "written in the message"


def test_empty_message_scores_nothing(content):
    assert not content.score(None, "   ").any()


def test_sparse_model_round_trips_without_pickle(tmp_path):
    texts = ["i love you", "love it", "so hot fire", "fire emoji lit", "merry christmas", "christmas tree time"] * 3
    labels = np.array([0, 0, 1, 1, 2, 2] * 3)
    model = SparseTextClassifier(SparseTextConfig(min_df=1)).fit(texts, labels)
    model.save(tmp_path / "sparse")
    loaded = SparseTextClassifier.load(tmp_path / "sparse")
    assert np.allclose(loaded.decision_function(texts), model.decision_function(texts), atol=1e-2)
    assert not list(tmp_path.glob("*.pkl"))


def test_sparse_features_equal_the_vectorisers_transform():
    """The fast TF-IDF path gives exactly what scikit-learn's ``transform`` gives, unknown and empty texts too."""
    from scipy import sparse

    texts = ["i love you", "love it", "so hot fire", "fire emoji lit", "merry christmas", "christmas tree time"] * 3
    model = SparseTextClassifier(SparseTextConfig(min_df=1)).fit(texts, np.array([0, 0, 1, 1, 2, 2] * 3))
    probes = [*texts[:6], "", "!!!", "zzzq unknown words only", "LOVE love Love 🔥🔥", "christmas " * 40]
    reference = sparse.hstack([model.word_.transform(probes), model.char_.transform(probes)]).tocsr()
    assert abs(model.features(probes) - reference).max() < 1e-6
    assert model.features(probes).shape == reference.shape


FLOOR_600 = 28.0  # measured 29.82 with the shipped weights (bf16 encoder; fp32 differs by < 0.2)


def test_emoji_prediction_stays_above_its_floor(capsys):
    """Guards the shipped weights (e.g. a save/load bug) on 600 val tweets; full val gives about 30 macro-F1."""
    from emojiml.cli import main
    from emojiml.config import settings

    if not (settings().data_dir / "tweeteval-emoji").is_dir():
        pytest.skip("TweetEval is not under EMOJIML_DATA")
    assert main(["evaluate", "emoji-prediction", "--split", "val", "--limit", "600", "--format", "json"]) == 0
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["tweets"] == 600 and result["macro_f1"] >= FLOOR_600


def test_cross_validation_rewards_signal_and_not_noise():
    """The nested estimate is near 100 when the SVM part carries the label and near chance when nothing does."""
    from emojiml.recommend.train_content import LabelParts, cross_validated_f1

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 400)
    noise = rng.normal(size=(400, 4))
    informative = LabelParts(np.eye(4)[truth] + 0.1 * noise, np.zeros((400, 4)), np.zeros((400, 4)))
    assert cross_validated_f1(informative, truth, folds=4) > 95
    useless = LabelParts(noise, rng.normal(size=(400, 4)), rng.normal(size=(400, 4)))
    assert cross_validated_f1(useless, truth, folds=4) < 40


def test_model_card_names_the_soup_runs_and_their_epoch_scores():
    from dataclasses import replace

    from emojiml.recommend.emoji_tower import EmojiTowerConfig
    from emojiml.recommend.sparse_text import SparseTextConfig
    from emojiml.recommend.train_content import ContentScores, model_card
    from emojiml.recommend.tuned_layers import TunedLayersConfig

    scores = ContentScores(25.0, 28.0, 17.0, 30.0, 32.0, 31.0)
    soup = TunedLayersConfig(epochs=2, soup_epochs=3)
    card = model_card(scores, 16.0, 1.5, SparseTextConfig(), EmojiTowerConfig(), soup, [1, 2, 3, 4, 5], 9.0)
    assert "of 2 and 3 epochs (val macro-F1 by epoch: 1, 2; then 3, 4, 5)" in card
    single = model_card(
        scores, 16.0, 1.5, SparseTextConfig(), EmojiTowerConfig(), replace(soup, soup_epochs=0), [1, 2], 9.0
    )
    assert "One run of 2 epochs, final weights kept (val macro-F1 by epoch: 1, 2)" in single
    assert "soup" not in single
