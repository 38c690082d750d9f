"""What the context models' training reads, tested without the data sets: conversation starts, batches of whole
dialogues, last-sentence n-grams, the seeded se-sentiment tuning split, and the everyday polarity rows."""

import itertools
from dataclasses import replace

import numpy as np

from emojiml.text.features import first_turns


def test_first_turns_read_the_conversation_start_cue_in_numpy_and_torch():
    import torch

    from emojiml.text.features import conversation_links, turn_features

    texts = ["hi", "hello", "how are you?", "a new chat", "ok"]
    previous, positions = conversation_links(["a", "a", "a", "b", "b"])
    vader = [{"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 1.0}] * len(texts)
    cues = turn_features(texts, np.zeros((5, 384), np.float32), previous, positions, vader, 64).cues
    assert first_turns(cues).tolist() == [True, False, False, True, False]
    assert first_turns(torch.from_numpy(cues)).tolist() == [True, False, False, True, False]
    assert first_turns(cues[1:3]).tolist() == [True, False]  # a batch that starts mid-conversation starts one


def test_sequence_batches_hold_whole_conversations_in_order():
    from emojiml.text.train import _epoch_batches

    starts = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0], dtype=bool)
    batches = _epoch_batches(np.random.default_rng(0), len(starts), 2, None, starts)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(starts)))
    for batch in batches:
        assert starts[batch[0]]
        for a, b in itertools.pairwise(batch):
            assert b == a + 1 or starts[b]  # each conversation's rows together, in turn order


def test_sentence_ngrams_name_the_last_sentence():
    from emojiml.text.features import ngram_keys

    keys = ngram_keys("Yes. Then cross the road, please!", "Where is it? Is it far?", sentences=True)
    assert {"s^:then", "s^:cross", "s:please", "s:!", "s#:2", "ps^:is"} <= set(keys)
    assert "s:yes" not in keys
    assert not any(key.startswith(("s", "ps")) for key in ngram_keys("Yes. Then go.", "Hi", sentences=False))


def test_se_tuning_rows_hold_out_the_share_of_each_set_from_one_seeded_draw():
    from emojiml.text.train import TUNING_SHARE, se_tuning_rows

    split = se_tuning_rows([200, 40])
    for size, (kept, held) in zip([200, 40], split, strict=True):
        assert len(held) == round(TUNING_SHARE * size)
        assert sorted(np.concatenate([kept, held]).tolist()) == list(range(size))  # disjoint, everything once
    again = se_tuning_rows([200, 40])  # the same draw each time: training and the nudge script read the same rows
    assert all(np.array_equal(split[k][1], again[k][1]) for k in range(2))
    assert not np.array_equal(split[0][1], se_tuning_rows([200, 40], seed=1)[0][1])


def test_emotion_labels_imply_the_polarity_evaluate_reads():
    from emojiml.text.datasets import EMOTIONS, polarity_of_emotion

    implied = {name: polarity_of_emotion(EMOTIONS.index(name)) for name in EMOTIONS}
    assert implied == {
        "anger": "negative",
        "disgust": "negative",
        "fear": "negative",
        "joy": "positive",
        "neutral": "neutral",
        "sadness": "negative",
        "surprise": None,
    }
    # the same mapping everywhere: analysis's emotion -> sentiment score and its conversation state read it too
    from emojiml.text.flow import NEGATIVE_EMOTIONS as read_by_flow
    from emojiml.text.sentiment import emotion_polarity

    assert read_by_flow == ("anger", "disgust", "fear", "sadness")
    assert emotion_polarity(np.eye(len(EMOTIONS))).tolist() == [-1.0, -1.0, -1.0, 1.0, 0.0, -1.0, 0.0]


def test_everyday_polarity_rows_keep_every_negative_and_draw_the_others_without_surprise():
    from emojiml.text.train import everyday_polarity_rows

    polarities = ["neutral"] * 50 + ["positive"] * 20 + ["negative"] * 3 + [None] * 5 + ["positive"] * 2
    rows = everyday_polarity_rows(polarities, per_class=10)
    picked = [polarities[r] for r in rows]
    assert picked.count("negative") == 3 and picked.count("positive") == 10 and picked.count("neutral") == 10
    assert None not in picked and len(set(rows.tolist())) == len(rows)
    assert everyday_polarity_rows(polarities, per_class=100).size == 3 + 22 + 50  # fewer than asked: all of them
    assert np.array_equal(rows, everyday_polarity_rows(polarities, per_class=10))  # seeded


def test_polarity_turns_put_the_confidence_on_the_polarity_the_rest_on_neutral_and_carry_token_states():
    from emojiml.text.classifier import ClassifierConfig
    from emojiml.text.datasets import POLARITIES
    from emojiml.text.train import polarity_turns

    config = ClassifierConfig(heads={"sentiment": list(POLARITIES)}, wide=True, tuned_layers=1)
    texts = ["the build is red again", "all green now, nice", "standup moved to 10:30"]
    weak = polarity_turns(texts, ["negative", "positive", "neutral"], config, "test-polarity-turns", 0.7)
    assert weak.head == "sentiment" and weak.labels.tolist() == [0, 2, 1]
    assert np.allclose(weak.targets, [[0.7, 0.3, 0.0], [0.0, 0.3, 0.7], [0.0, 1.0, 0.0]])
    # every set of a model that fine-tunes encoder layers carries the states entering them (the Slack weak rows
    # once did not, and concatenating them with the se rows dropped the states of all)
    assert weak.states is not None and [s.shape[1] for s in weak.states] == [384, 384, 384]
    rated = polarity_turns(
        texts, ["negative", "positive", "neutral"], replace(config, tuned_layers=0), "test-polarity-turns"
    )
    assert np.array_equal(rated.targets, np.eye(3, dtype=np.float32)[[0, 2, 1]]) and rated.states is None
