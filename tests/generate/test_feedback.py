"""Active learning: stored generations, ratings, the review queue, the exported rated set and its training weights."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from emojiml.cli import main
from emojiml.generate import feedback
from emojiml.workspace.store import WorkspaceStore


def png(colour: tuple[int, int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (128, 128), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def row(prompt: str, uncertainty: float, nearest: str = "🐱", recipe: str = "") -> dict:
    return {
        "prompt": prompt,
        "method": "gan",
        "style": "noto",
        "seed": 3,
        "position": 0,
        "model_version": "abc123",
        "name": prompt.replace(" ", "_"),
        "png": png((200, 30, 30, 255)),
        "recipe": recipe,
        "prompt_score": 0.2,
        "uncertainty": uncertainty,
        "nearest": nearest,
    }


@pytest.fixture
def store(tmp_path):
    return WorkspaceStore(f"sqlite:///{tmp_path / 'feedback.db'}")


def test_the_review_queue_puts_the_least_certain_unrated_first(store):
    ids = store.record_generations("team", [row("cat", 0.2), row("dog", 0.9), row("sun", 0.5)])
    assert store.generations_frame("team", rated=False)["prompt"].tolist() == ["dog", "sun", "cat"]
    store.rate_generation(ids[1], -1)
    assert store.generations_frame("team", rated=False)["prompt"].tolist() == ["sun", "cat"]
    rated = store.generations_frame("team", rated=True)
    assert rated["prompt"].tolist() == ["dog"] and rated["rating"].tolist() == [-1]
    store.rate_generation(ids[1], None)
    assert store.generations_frame("team", rated=True).empty
    with pytest.raises(ValueError, match="rating"):
        store.rate_generation(ids[0], 5)
    with pytest.raises(LookupError):
        store.rate_generation(10**6, 1)


def test_export_and_read_back_the_rated_set(store, tmp_path):
    ids = store.record_generations("team", [row("taco cat", 0.4), row("sleepy moon", 0.6), row("rocket", 0.1)])
    store.rate_generation(ids[0], 1)
    store.rate_generation(ids[1], -1)
    path = tmp_path / "rated.jsonl"
    written = feedback.export_feedback(store, path)
    records = feedback.read_feedback(path)
    assert records == written and [(r.prompt, r.rating) for r in records] == [("taco cat", 1), ("sleepy moon", -1)]
    assert records[0].model_version == "abc123" and records[0].rated_at.endswith("+00:00")
    assert records[0].image().size == (128, 128)


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json\n", "line 1"), ('{"prompt": "x"}\n', "line 1"), ("", None)],
)
def test_bad_feedback_files_name_the_line(tmp_path, text, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    if message is None:
        assert feedback.read_feedback(path) == []
    else:
        with pytest.raises(feedback.FeedbackFileError, match=message):
            feedback.read_feedback(path)
    with pytest.raises(feedback.FeedbackFileError, match="export-feedback"):
        feedback.read_feedback(tmp_path / "missing.jsonl")


def records(*ratings: tuple[int, str, str]) -> list[feedback.FeedbackRecord]:
    import base64

    return [
        feedback.FeedbackRecord(
            workspace="team",
            prompt=f"prompt {k}",
            method="gan",
            style="noto",
            seed=k,
            position=0,
            model_version="v",
            name="n",
            recipe=recipe,
            rating=rating,
            rated_at="",
            prompt_score=0.1,
            uncertainty=0.5,
            nearest=nearest,
            png=base64.b64encode(png((10, 200, 10, 255))).decode(),
        )
        for k, (rating, nearest, recipe) in enumerate(ratings)
    ]


def test_liked_become_extra_positives_and_disliked_down_weight_their_nearest_emoji():
    rated = records((1, "🐱", "a"), (-1, "🌭", "b"), (1, "🐶", "a"))
    weights = feedback.feedback_weights(rated, ["🐱", "🌭", "🌭", "🍕"], 32, ("noto",), lambda key: "food-drink")
    assert weights.images.shape == (2, 32, 32, 4) and weights.prompts == ("prompt 0", "prompt 2")
    np.testing.assert_array_equal(weights.extra_weights, [feedback.LIKED_WEIGHT] * 2)
    np.testing.assert_array_equal(weights.real_weights, [1, feedback.DISLIKED_WEIGHT, feedback.DISLIKED_WEIGHT, 1])


def test_recipe_preferences_rank_liked_recipes_up():
    prefs = feedback.recipe_preferences(records((1, "", "🌵+😭"), (1, "", "🌵+😭"), (-1, "", "🤖+😍"), (1, "", "")))
    assert prefs == {"🌵+😭": pytest.approx(0.5), "🤖+😍": pytest.approx(-1 / 3)}


def test_training_with_feedback_draws_the_liked_images(tiny_dataset, tmp_path):
    from emojiml.generate.train import TrainConfig, train

    train_keys = [tiny_dataset.samples[i].emoji for i in tiny_dataset.indices("train")]
    rated = records((1, train_keys[0], ""), (-1, train_keys[1], ""))
    path = tmp_path / "rated.jsonl"
    path.write_text("".join(__import__("json").dumps(r.__dict__) + "\n" for r in rated))
    encode = lambda texts: np.tile(tiny_dataset.text_vectors[:1], (len(texts), 1))  # noqa: E731
    config = TrainConfig(model="vae", size=32, batch=8)
    work = tmp_path / "work"
    trainer = train("vae", tiny_dataset.root, work, 1, config=config, encode=encode, max_steps=2, feedback=path)
    batches = trainer.batches
    assert isinstance(batches, feedback.WeightedBatches) and batches.added == 1 and batches.downweighted >= 1
    liked_row = len(batches.p) - 1
    assert batches.p[liked_row] == pytest.approx(feedback.LIKED_WEIGHT * batches.p.min() / feedback.DISLIKED_WEIGHT)
    assert trainer.step_count == 2


def test_cli_export_feedback_writes_the_rated_set(tmp_path, monkeypatch, capsys, tiny_dataset):
    from emojiml.config import settings

    monkeypatch.setenv("EMOJIML_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    settings.cache_clear()
    try:
        from emojiml.workspace import open_store

        store = open_store()
        ids = store.record_generations("team", [row("taco cat", 0.4)])
        store.rate_generation(ids[0], 1)
        assert main(["export-feedback", "--out", str(tmp_path / "out.jsonl")]) == 0
        assert "1 rated generations (1 liked, 0 disliked)" in capsys.readouterr().out
        command = ["train", "vae", "--data", str(tiny_dataset.root), "--minutes", "0.01", "--work", str(tmp_path / "w")]
        assert main([*command, "--feedback", str(tmp_path / "nope.jsonl")]) == 2
        assert "nope.jsonl is not a file" in capsys.readouterr().err
    finally:
        monkeypatch.delenv("EMOJIML_DATABASE_URL")
        settings.cache_clear()


def test_preferences_lift_liked_recipes_in_the_kitchen_and_leave_unrated_ones_in_place():
    from dataclasses import replace

    from emojiml.generate.methods import GenerationRequest, generate

    request = GenerationRequest("crying cactus", n=4)
    plain = [e.recipe for e in generate(request, "kitchen")]
    liked = {plain[-1]: 1.0, plain[0]: -1.0}
    ranked = [e.recipe for e in generate(replace(request, preferences=tuple(liked.items())), "kitchen")]
    assert ranked.index(plain[-1]) < len(plain) - 1 and ranked[0] != plain[0]
    elsewhere = (("🍕 base + 😠 eyes and mouth (noto)", 1.0),)  # another prompt's recipe: nothing moves
    assert [e.recipe for e in generate(replace(request, preferences=elsewhere), "kitchen")] == plain


def test_only_the_newest_unrated_generations_are_kept_and_rated_ones_stay(store):
    first = store.record_generations("team", [row("old", 0.5), row("rated", 0.5)], keep_unrated=2)
    store.rate_generation(first[1], 1)
    store.record_generations("team", [row("new", 0.5), row("newer", 0.5)], keep_unrated=2)
    assert sorted(store.generations_frame("team")["prompt"]) == ["new", "newer", "rated"]


def test_feedback_evaluation_replays_rated_sessions_through_the_page(tmp_path):
    from emojiml.generate import feedback_evaluate as fe

    ratings = fe.read_ratings(fe.SESSION_RATINGS)  # the shipped session: every image the evaluation can show
    assert len(ratings) == 115 and set(ratings.values()) == {1, -1}
    split = fe.evaluate_split("t", [("crying cactus", 0)], [("crying cactus", 1)], ratings)
    assert split.fit_ratings == 4 and split.requests == 1 and split.unrated_shown == 0
    assert split.liked_before + split.disliked_before == 1.0
    assert "| t | 4 | 1 |" in fe.feedback_table([split])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x", "recipe": "y", "rating": 2}\n')
    with pytest.raises(fe.RatingsFileError, match="line 1"):
        fe.read_ratings(bad)
