"""The kitchen end to end on the real vector sets (skipped where `make vectors` has not installed them)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from emojiml.cli import main
from emojiml.errors import EmojimlError
from emojiml.generate.kitchen.compose import Recipe
from emojiml.generate.methods import GenerationRequest, generate
from emojiml.generate.vectors import installed_icon_sets

pytestmark = pytest.mark.skipif(
    set(installed_icon_sets()) != {"noto", "twemoji", "openmoji", "fluent"},
    reason="vector packages not installed (make vectors)",
)


def _png_ok(image: Image.Image) -> None:
    from emojiml.generate.kitchen.compose import MAX_FILE_BYTES, png_bytes

    assert image.size == (128, 128) and image.mode == "RGBA"
    alpha = np.asarray(image)[..., 3]
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0 and (alpha > 0).mean() > 0.2  # transparent frame, drawn centre
    assert len(png_bytes(image)) <= MAX_FILE_BYTES


@pytest.mark.parametrize("style", ["noto", "twemoji", "openmoji", "fluent"])
def test_crying_face_splits_into_eyes_mouth_and_blue_tears(style, catalog):
    from emojiml.generate.kitchen.parts import parts_for
    from emojiml.generate.vectors import load_icon_set

    parts = parts_for(load_icon_set(style), catalog.get("😭"))
    assert parts.is_face and parts.has("eyes") and parts.has("mouth") and parts.has("extras")
    x0, _, x1, _ = parts.face_box
    assert x1 - x0 > 0.6 * parts.icon.width  # the face disc, not a feature, is the face


@pytest.mark.parametrize("style", ["noto", "twemoji", "openmoji", "fluent"])
def test_a_hand_over_the_mouth_goes_with_the_mouth(style, catalog):
    from emojiml.generate.kitchen.parts import parts_for
    from emojiml.generate.vectors import load_icon_set

    icons = load_icon_set(style)
    for char in ("🤭", "🫢"):
        parts = parts_for(icons, catalog.get(char))
        assert any(_hand_like(parts, p) for p in parts.pieces("mouth"))
        assert not any(_hand_like(parts, p) for p in parts.pieces("base"))
    see_no_evil = parts_for(icons, catalog.get("🙈"))  # hands over the eyes are not a mouth
    assert not any(_hand_like(see_no_evil, p) for p in see_no_evil.pieces("mouth"))


def _hand_like(parts, piece) -> bool:
    """A filled piece, not the face, at least a third of the face wide, reaching the chin."""
    from emojiml.generate.kitchen.parts import measure

    x0, y0, x1, y1 = parts.face_box
    shape = measure(parts.icon, parts.cut.definitions, piece.markup)
    if shape is None or piece.fill in ("none", None) or piece.index == parts.face_index:
        return False
    return shape.box[3] > y1 - 0.05 * (y1 - y0) and 0.3 * (x1 - x0) < shape.width < 0.9 * (x1 - x0)


def test_plain_names_win_the_base():
    from emojiml.generate.kitchen.recipe import propose_recipes

    assert propose_recipes("winking star", "fluent")[0].recipe.base == "⭐"
    assert propose_recipes("sleepy moon", "noto")[0].recipe.base in ("🌙", "🌕")


def test_a_prompt_that_is_an_emoji_name_draws_that_emoji(catalog):
    from emojiml.generate.kitchen.recipe import propose_recipes

    for prompt, char in (("face with open mouth", "😮"), ("speech balloon", "💬"), ("roller skate", "🛼")):
        best = propose_recipes(prompt, "noto")[0]
        assert best.recipe.base == catalog.get(char).key and best.feature_words == ""  # no word read as a face
    assert propose_recipes("face with open mouth", "noto")[0].recipe.eyes is None  # a face named: as it is
    crying = propose_recipes("crying cactus", "noto")[0]  # no emoji is called that: still base + face
    assert crying.recipe.base == catalog.get("🌵").key and crying.feature_words == "crying"


def test_compose_puts_the_donor_face_on_a_non_face_base(catalog):
    from emojiml.generate.kitchen.compose import Recipe, compose

    plain = compose(Recipe("🌵", style="twemoji"))
    crying = compose(Recipe("🌵", "😭", "😭", "😭", style="twemoji"))
    _png_ok(crying.image)
    ElementTree.fromstring(crying.svg)  # a well-formed standalone SVG
    assert crying.recipe.describe(catalog) == "🌵 base + 😭 eyes, mouth and extras (twemoji)"
    changed = np.abs(np.asarray(plain.image, int) - np.asarray(crying.image, int)).max(-1) > 40
    assert 0.03 < changed.mean() < 0.6  # a face was drawn on, the cactus is still there


def test_face_base_swaps_its_own_eyes():
    from emojiml.generate.kitchen.compose import Recipe, compose

    robot = compose(Recipe("🤖", style="noto")).image
    heart_eyed = compose(Recipe("🤖", eyes="😍", style="noto")).image
    reds = [((np.asarray(i)[..., 0] > 200) & (np.asarray(i)[..., 1] < 90)).mean() for i in (robot, heart_eyed)]
    assert reds[1] > reds[0] + 0.03  # red hearts where the robot's eyes were


def test_palette_recolours_the_base_only():
    from emojiml.generate.kitchen.compose import Recipe, compose

    yellow = np.asarray(compose(Recipe("😀", "😭", "😭", style="twemoji")).image, float)
    blue = np.asarray(compose(Recipe("😀", "😭", "😭", style="twemoji", palette="#3b82f6")).image, float)
    opaque = yellow[..., 3] > 250
    assert blue[..., 2][opaque].mean() > yellow[..., 2][opaque].mean() + 60


def test_generate_kitchen_follows_the_prompt_and_the_contract():
    results = generate(GenerationRequest("crying cactus", style="noto", n=3, seed=0), "kitchen")
    assert len(results) == 3
    top = results[0]
    assert top.name == "crying_cactus" and top.method == "kitchen" and top.svg.startswith("<svg")
    assert top.details["kitchen_recipe"]["base"] == "🌵"
    assert top.details["kitchen_recipe"]["eyes"] in ("😭", "😢")
    json.dumps(top.details)  # pages may store it
    assert isinstance(top.prompt_score, float)
    for result in results:
        _png_ok(result.image)


def test_seeds_and_expressions_change_the_recipe():
    def recipes(n, **kwargs):
        request = GenerationRequest("happy avocado", style="twemoji", n=n, **kwargs)
        return [Recipe(**r.details["kitchen_recipe"]) for r in generate(request, "kitchen")]

    assert len({recipes(1, seed=seed)[0] for seed in range(6)}) > 1
    assert recipes(2, seed=3) == recipes(2, seed=3)  # a seed is reproducible
    angry = recipes(3, seed=0, expression="anger")
    assert {r.base for r in angry} == {"🥑"} and len(set(angry)) == 3
    assert {r.eyes for r in angry} | {r.mouth for r in angry} <= {"😠", "😡", "😤"}


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        ({"prompt": "qwzx vbnmq"}, "No word of 'qwzx vbnmq'.*nearest"),
        ({"prompt": "crying cactus", "palette": "#12345"}, "not a colour"),
        ({"prompt": "crying cactus", "style": "apple"}, "Unknown style 'apple'"),
        ({"prompt": "crying cactus", "expression": "boredom"}, "Unknown expression"),
        ({"prompt": "crying cactus", "n": 0}, "Ask for 1 to 16"),
        ({"prompt": "   "}, "The prompt is empty"),
    ],
)
def test_bad_requests_say_what_to_change(request_fields, message):
    with pytest.raises(EmojimlError, match=message):
        generate(GenerationRequest(**request_fields), "kitchen")


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("🇯🇵", "😭", "is a flag"),
        ("🌵", "#️⃣", "is a keycap"),
        ("notanemoji", "😭", "Unknown emoji 'notanemoji'.*nearest"),
        ("🌵", "🌮", "B must be a face"),
        ("😭", "😭", "pick two different emoji"),
    ],
)
def test_mashup_bad_input(a, b, message, capsys):
    assert main(["mashup", a, b, "--out", "unused.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err)


def test_mashup_and_generate_commands_write_files(tmp_path, capsys):
    assert main(["mashup", "🌵", "😭", "--style", "openmoji", "--out", str(tmp_path / "m.png")]) == 0
    _png_ok(Image.open(BytesIO((tmp_path / "m.png").read_bytes())))
    assert main(["mashup", ":cactus:", "loudly crying face", "--out", str(tmp_path / "m.svg")]) == 0
    ElementTree.fromstring((tmp_path / "m.svg").read_text())
    args = ["generate", "--model", "kitchen", "--prompt", "sleepy moon", "--style", "fluent", "--n", "2"]
    assert main([*args, "--palette", "pastel", "--expression", "joy", "--out", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").glob("sleepy_moon-fluent-0-*.png"))) == 2
    assert ":sleepy_moon:" in capsys.readouterr().out


def test_sharpness_prefers_crisp_edges():
    from PIL import ImageFilter

    from emojiml.generate.kitchen.compose import Recipe, compose
    from emojiml.generate.kitchen.evaluate import sharpness

    crisp = compose(Recipe("🍕", style="noto")).image
    soft = crisp.resize((32, 32), Image.Resampling.LANCZOS).resize((128, 128), Image.Resampling.LANCZOS)
    assert sharpness(soft) < 0.5 * sharpness(crisp)
    assert sharpness(crisp.filter(ImageFilter.BoxBlur(2))) < sharpness(crisp)


def test_evaluate_kitchen_runs_and_keeps_its_floors(tmp_path, capsys):
    figures = tmp_path / "kitchen.json"
    assert main(["evaluate", "kitchen", "--style", "twemoji", "--limit", "2", "--json", str(figures)]) == 0
    assert "R-precision@1 among 10" in capsys.readouterr().out
    report = json.loads(figures.read_text())
    assert report["sharpness_ratio_vector"] > 0.5 and report["max_png_bytes"] <= 128 * 1024
    assert report["coverage"] == 1.0 and report["gibberish_refused"] == 1.0


@pytest.mark.parametrize(("a", "b"), [("🌵", "😭"), ("🤖", "😍")])
def test_a_mashup_honours_how_many_with_pictures_that_all_differ(a, b):
    from emojiml.generate.kitchen import mashup, mashups

    results = mashups(a, b, "noto", 16, 0)
    assert len(results) == 16
    assert len({r.image.tobytes() for r in results}) == 16  # no two the same picture
    assert all(" + " in r.recipe for r in results), "every one borrows from B: none is A alone"
    assert results[0].recipe == mashup(a, b).recipe  # the Emoji Kitchen one first
    other = mashups(a, b, "noto", 4, 7)
    assert other[0].recipe == results[0].recipe and [r.recipe for r in other] != [r.recipe for r in results[:4]]
    with pytest.raises(EmojimlError, match="1 to 16"):
        mashups(a, b, "noto", 17, 0)


def test_the_judged_draft_renders_what_compose_draws():
    from emojiml.generate.kitchen.compose import compose, draft

    recipe = Recipe("🌵", "😭", "😭", "😭")
    sketch = draft(recipe)
    assert sketch.finish().svg == compose(recipe).svg
    assert sketch.probe.size == (128, 128)
    alpha = np.asarray(sketch.probe)[..., 3]
    assert alpha[:16].max() == 0 and 0 < (alpha > 0).mean() < 0.7  # the drawing with room around it


def test_unnamed_tiles_and_faces_are_not_bases_for_a_face(catalog):
    from emojiml.generate.kitchen.recipe import propose_recipes

    tile, star_struck, clown = (catalog.get(char).key for char in ("✴️", "🤩", "🤡"))
    winking = {c.recipe.base for c in propose_recipes("winking star", "fluent", n=12)}
    assert tile not in winking and star_struck not in winking  # the tile, and the face that would just be 😉
    assert propose_recipes("eight pointed star", "fluent")[0].recipe.base == tile  # a tile named in full
    assert propose_recipes("crying clown", "noto")[0].recipe.base == clown  # a face named, but for "face"
    assert propose_recipes("face with open mouth", "twemoji")  # a face's own name still draws it


def test_a_hand_over_the_mouth_is_not_lent_to_an_object(catalog):
    from emojiml.generate.kitchen import mashup_recipes
    from emojiml.generate.kitchen.compose import KitchenInputError, Recipe, compose, emoji_parts

    donor = emoji_parts(catalog.get("🤭"), "twemoji")
    assert donor.hands and donor.lent("mouth", onto_face=True)
    assert not any(p.index in donor.hands for p in donor.lent("mouth", onto_face=False))
    first = mashup_recipes("🥔", "🤭", "twemoji")[0]
    assert first.eyes is not None and first.mouth is None  # the potato gets the eyes, not a floating hand
    with pytest.raises(KitchenInputError, match="hand over it"):
        compose(Recipe("🥔", mouth="🤭", style="twemoji"))
    assert mashup_recipes("😀", "🤭", "twemoji")[0].mouth is not None  # onto a face, the hand comes along


def test_the_tuning_split_is_training_emoji_only():
    from emojiml.generate.kitchen.evaluate import TRAIN_SAMPLE, evaluate_kitchen, heldout_emoji, training_sample

    training = training_sample()
    assert len(training) == TRAIN_SAMPLE and len({e.key for e in training}) == TRAIN_SAMPLE
    assert not {e.key for e in training} & {e.key for e in heldout_emoji()}
    assert [e.key for e in training_sample()] == [e.key for e in training]  # fixed: the same emoji every run
    with pytest.raises(EmojimlError, match="Unknown split"):
        evaluate_kitchen("noto", limit=1, split="test")
