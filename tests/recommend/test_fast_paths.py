"""The faster suggestion path gives the same numbers as the straightforward code it replaced.

Each reference below is the earlier implementation, kept here as the specification: scikit-learn's own TF-IDF
``transform``, the per-message mixing loop, per-row normalisation and the per-character letter counts."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from emojiml.recommend.base import MessageBatch, normalize_rows, normalize_scores
from emojiml.recommend.content import EncodedMessages, mentioned_emoji
from emojiml.recommend.hybrid import HybridRecommender, workspace_sources
from emojiml.recommend.sparse_text import SparseTextClassifier, SparseTextConfig
from emojiml.text.analyze import WORD, _looks_non_english, clean_text
from emojiml.text.features import _letter_counts

ODD_TEXTS = [
    "",
    " ",
    "!!!",
    "a",
    "I",
    "LOVE love Love 🔥🔥 :tada:",
    "christmas " * 40,
    "tabs\tand\nnew lines  and  double  spaces",
    "İstanbul ǅ ß ﬁ Ωmega K",
    "Das ist nicht gut, leider funktioniert es nicht",
    "今日はいい天気ですね",
    "café naïve résumé",
    "a🎉b 🎉🎉 :) :-( <3",
    "x" * 300,
]


def test_sparse_features_are_the_vectorisers_transform_bit_for_bit():
    texts = ["i love you", "love it", "so hot fire", "fire emoji lit", "merry christmas", "christmas tree time"] * 3
    model = SparseTextClassifier(SparseTextConfig(min_df=1)).fit(texts, np.array([0, 0, 1, 1, 2, 2] * 3))
    probes = [*texts[:6], *ODD_TEXTS, "love love love fire", "christmas love"]
    for batch in (probes, probes[:1], probes[6:7], [probes[-1]]):
        reference = sparse.hstack([model.word_.transform(batch), model.char_.transform(batch)]).tocsr()
        fast = model.features(batch)
        assert fast.shape == reference.shape
        assert np.array_equal(fast.indptr, reference.indptr)
        assert np.array_equal(fast.indices, reference.indices)
        assert np.array_equal(fast.data, reference.data)
    assert model.features([]).shape == (0, reference.shape[1])


def test_normalize_rows_is_normalize_scores_per_row():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(6, 12))
    scores[1] = 3.0  # constant: all zeros
    scores[2, 4] = np.nan  # NaN in the pool: all zeros, as per row
    pool = np.array([0, 2, 3, 4, 7, 11])
    expected = np.stack([normalize_scores(row, pool) for row in scores])
    assert np.array_equal(normalize_rows(scores, pool), expected)
    assert normalize_rows(scores, np.array([], dtype=int)).shape == scores.shape
    assert normalize_rows(scores[:0], pool).shape == (0, 12)


def _mix_one_at_a_time(hybrid, raw, users, batch, chosen):
    """The per-message mixing loop the batched ``mix`` replaced (without the learned blend)."""
    pool = chosen if chosen is not None else np.flatnonzero(hybrid.rankable_)
    tone = hybrid.tone_.of(batch) if hybrid.tone_ is not None else None
    finals = np.zeros((len(batch.texts), len(hybrid.catalog_)))
    for row, (user, message) in enumerate(zip(users, batch.texts, strict=True)):
        weights, _ = hybrid.effective_weights(user, message)
        normalized = {name: normalize_scores(raw[name][row], pool) for name in hybrid.sources if weights[name] > 0}
        mixed = sum(weights[name] * normalized[name] for name in normalized)
        adjustment = np.zeros(len(hybrid.catalog_))
        if tone is not None:
            adjustment = hybrid.tone_.adjustment(tone, row, mixed, chosen is None, hybrid.tone_strength)
        echo = np.zeros(len(hybrid.catalog_))
        if message.strip():
            echo[list(mentioned_emoji(hybrid.catalog_, message))] = hybrid.echo
        finals[row] = mixed + adjustment + echo
    return finals


@pytest.mark.parametrize("tone_strength", [1.0, 0.25])
def test_the_batched_mix_is_the_per_message_loop(team_events, tone_strength):
    """Many rows (more than one block of ``ROWS_AT_ONCE``), several people, empty and negative messages."""
    events = team_events.assign(text="we shipped it 🚀")
    sources = workspace_sources(events)
    hybrid = HybridRecommender(sources, tone_strength=tone_strength).fit(events)
    texts = ["the build is broken again", "", "happy birthday!! 🎉", "lunch?", "my dog passed away 😢"] * 30
    users = ["ana", "ben", None, "nobody-here", "cy"] * 30
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(len(texts), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    uniform = np.zeros((len(texts), 20), np.float32)
    batch = MessageBatch(texts, EncodedMessages(vectors, uniform))
    n_emoji = len(hybrid.catalog_)
    raw = {name: rng.normal(size=(len(texts), n_emoji)) for name in hybrid.sources}
    for chosen in (None, np.array([0, 1, 2, 5])):
        finals, parts, _ = hybrid.mix(raw, users, batch, chosen)
        assert np.array_equal(finals, _mix_one_at_a_time(hybrid, raw, users, batch, chosen))
        for row, (weights, normalized, adjustment, echo, _) in enumerate(parts):
            assert np.array_equal(sum(weights[n] * normalized[n] for n in normalized) + adjustment + echo, finals[row])


def _letter_counts_by_character(text: str) -> tuple[int, int]:
    letters = [c for c in text if c.isalpha()]
    return len(letters), sum(c.isupper() for c in letters)


def _looks_non_english_by_character(text: str) -> bool:
    letters = [] if text.isascii() else [c for c in text if c.isalpha()]
    if letters and sum(not ("a" <= c.lower() <= "z") for c in letters) / len(letters) > 0.5:
        return True
    words = [w.lower() for w in WORD.findall(text)]
    return len(words) >= 4 and not any(w in ENGLISH_STOP_WORDS for w in words)


@pytest.mark.parametrize("text", [*ODD_TEXTS, "HELLO there", "ÀÉÎ õü", "Ǆ ǅ ǆ", "ｆｕｌｌｗｉｄｔｈ"])
def test_letter_counts_and_the_language_check_match_the_per_character_versions(text):
    assert _letter_counts(text) == _letter_counts_by_character(text)
    assert _looks_non_english(text) == _looks_non_english_by_character(text)


def test_the_tone_step_passes_on_the_language_flags():
    from emojiml.recommend.hybrid import content_hybrid

    hybrid = content_hybrid()
    texts = ["the build is broken again", "今日はいい天気ですね", "", "Das ist nicht gut, leider funktioniert es nicht"]
    tone = hybrid.tone_.of(hybrid.encode(texts))
    assert tone.non_english.tolist() == ["non_english" in clean_text(t)[1] for t in texts] == [False, True, False, True]


def test_remembered_word_columns_give_the_same_features_and_stay_bounded(monkeypatch):
    from emojiml.recommend import sparse_text

    texts = ["i love you", "love it", "so hot fire", "fire emoji lit", "merry christmas", "christmas tree time"] * 3
    model = SparseTextClassifier(SparseTextConfig(min_df=1)).fit(texts, np.array([0, 0, 1, 1, 2, 2] * 3))
    probes = [*texts[:6], *ODD_TEXTS]
    cold = model.features(probes)
    assert model.word_columns  # words met are remembered
    warm = model.features(list(reversed(probes)))[::-1]
    assert np.array_equal(cold.toarray(), warm.toarray())
    monkeypatch.setattr(sparse_text, "MEMO_WORDS", 5)
    for text in probes:
        model.features([text, "love"])
        assert len(model.word_columns) <= 5 + len(set(text.lower().split()) | {"love"})
    model.fit(texts, np.array([0, 0, 1, 1, 2, 2] * 3))
    assert "word_columns" not in model.__dict__  # a new fit forgets the old vocabulary's columns


def _catalog_probabilities_over_whole_catalog(model, texts, encoded, space, label_columns, pool, usage, calibrated):
    """The earlier ``catalog_probabilities``: tower logits for every catalog column, the pool's read afterwards."""
    from scipy.special import log_softmax, softmax

    ensemble = model.ensemble
    messages = model.tower_messages(encoded.vectors)
    logits = model._tower_logits(messages, space, ensemble.centering) + ensemble.usage_prior * usage
    present = label_columns >= 0
    columns = label_columns[present]
    logits[:, columns] -= ensemble.prior_adjustment * np.array(ensemble.label_log_prior)[present]
    probabilities = np.zeros((len(texts), space.shape[0]))
    probabilities[:, pool] = softmax(logits[:, pool], axis=1)
    mass = probabilities[:, columns].sum(axis=1, keepdims=True)
    own_share = probabilities[:, columns] / np.maximum(mass, 1e-12)
    svm = ensemble.svm_weight * model.sparse.decision_function(texts)
    tower = model._tower_logits(messages, space[columns])
    tuned = ensemble.tuned_weight * log_softmax(encoded.tuned_logits, axis=1)
    label_logits = (svm + log_softmax(tower, axis=1) + tuned)[:, present]
    if calibrated:
        probabilities[:, columns] = mass * softmax(label_logits + np.array(ensemble.bias)[present], axis=1)
    else:
        blended = 0.5 * own_share + 0.5 * softmax(label_logits / 16.0, axis=1)
        probabilities[:, columns] = mass * blended
    return probabilities


@pytest.mark.parametrize("calibrated", [False, True])
def test_catalog_probabilities_over_the_pool_alone_match_the_whole_catalogs(calibrated):
    from emojiml import models
    from emojiml.catalog import default_catalog
    from emojiml.recommend.content import ContentRecommender

    content = ContentRecommender(catalog=default_catalog()).fit(None)
    texts = ["happy birthday!!", "the server is down", "merry christmas 🎄", "lunch?", "ugh"]
    encoded = EncodedMessages(models.encode(texts), np.random.default_rng(0).normal(size=(5, 20)).astype(np.float32))
    columns = content.label_columns_
    # the shipped pool, and one that leaves out two of the frequent labels (their columns fall outside it)
    for pool in (content.pool_, np.setdiff1d(content.pool_, columns[:2])):
        arguments = (texts, encoded, content.emoji_space_, columns, pool, content.usage_, calibrated)
        fast = content.model_.catalog_probabilities(*arguments)
        reference = _catalog_probabilities_over_whole_catalog(content.model_, *arguments)
        # float32 products over fewer columns may sum in another order: a few 1e-8 apart, no more
        np.testing.assert_allclose(fast, reference, rtol=0, atol=1e-6)
        assert fast[:, np.setdiff1d(np.arange(len(content.catalog_)), np.union1d(pool, columns))].max() == 0
