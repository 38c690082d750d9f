"""The Studio's generation logic on the shipped models: checks, descriptions, export names, zips and custom emoji."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from emojiml.errors import EmojimlError
from emojiml.generate import studio
from emojiml.generate.methods import GenerationRequest
from emojiml.generate.sample import MAX_FILE_BYTES
from emojiml.workspace.store import WorkspaceStore


@pytest.fixture(scope="module")
def taco_cats():
    return studio.generate_for_studio(GenerationRequest("taco cat", n=3, seed=4), "gan")


@pytest.fixture
def store(tmp_path):
    return WorkspaceStore(f"sqlite:///{tmp_path / 'studio.db'}")


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        ({"prompt": "   "}, "prompt is empty"),
        ({"prompt": "cat", "n": 0}, "1 to 16"),
        ({"prompt": "cat", "n": 17}, "1 to 16"),
        ({"prompt": "cat", "seed": -1}, "seed"),
        ({"prompt": "cat", "expression": "smug"}, "choose one of: joy"),
        ({"prompt": "cat", "group": "flags"}, "Unknown group"),
        ({"prompt": "cat", "style": "apple"}, "no style 'apple'"),
        ({"prompt": "cat", "palette": "#12345"}, "not a hex colour"),
    ],
)
def test_bad_requests_are_refused_with_what_to_change(request_fields, message):
    with pytest.raises(EmojimlError, match=message):
        studio.check_request(GenerationRequest(**request_fields), "gan")


def test_an_unknown_method_is_refused():
    with pytest.raises(EmojimlError, match="not installed"):
        studio.check_request(GenerationRequest("cat"), "diffusion")


def test_palettes_accept_short_hex_and_names():
    assert studio.check_palette(" #ABC ") == "#aabbcc"
    assert studio.check_palette("3b82f6") == "#3b82f6"
    assert studio.check_palette("pastel", ("pastel",)) == "pastel"
    assert studio.check_palette("") is None


def test_export_names_are_slack_names_made_unique():
    assert studio.unique_names(["Taco Cat!", "taco cat", "taco_cat", "🌮"]) == [
        "taco_cat",
        "taco_cat_2",
        "taco_cat_3",
        "emoji",
    ]
    assert studio.unique_names(["taco_cat", "taco_cat_2", "taco_cat"]) == ["taco_cat", "taco_cat_2", "taco_cat_3"]


def test_results_carry_png_nearest_real_emoji_and_prompt_score(taco_cats):
    reference = studio.real_emoji_index()
    assert [r.export_name for r in taco_cats] == ["taco_cat", "taco_cat_2", "taco_cat_3"]
    for result in taco_cats:
        image = Image.open(io.BytesIO(result.png))
        assert image.size == (128, 128) and image.mode == "RGBA" and len(result.png) <= MAX_FILE_BYTES
        assert result.nearest in reference.entries and 0 <= result.nearest_distance <= 2
        assert result.verdict in ("new", "close to a real emoji", "a near copy")
        assert -1 <= result.prompt_score <= 1 and 0 <= result.uncertainty <= 1
        assert len(result.model_version) == 12


def test_real_emoji_read_as_copies_and_are_surer_of_their_own_names_than_of_others():
    reference = studio.real_emoji_index()
    template = studio.generate_for_studio(GenerationRequest("taco", n=1), "gan")[0].emoji
    chars = ["🌮", "🐱", "🍕", "🚀", "😂", "🎉", "🔥", "🌵"]
    rows = [next(i for i, e in enumerate(reference.entries) if e.char == c) for c in chars]
    emojis = [replace(template, image=Image.fromarray(reference.images[k]).resize((128, 128))) for k in rows]
    own, other = [], []
    for k, emoji in enumerate(emojis):
        [right] = studio.describe([emoji], reference.entries[rows[k]].name, "noto")
        [wrong] = studio.describe([emoji], reference.entries[rows[(k + 3) % len(rows)]].name, "noto")
        assert right.nearest.char == chars[k] and right.verdict == "a near copy"
        own.append(right.uncertainty)
        other.append(wrong.uncertainty)
    assert np.mean(own) < np.mean(other) - 0.2, (own, other)


def test_zip_holds_each_png_svg_and_a_manifest(taco_cats):
    with_svg = replace(taco_cats[1], emoji=replace(taco_cats[1].emoji, svg="<svg xmlns='http://www.w3.org/2000/svg'/>"))
    archive = zipfile.ZipFile(io.BytesIO(studio.export_zip([taco_cats[0], with_svg, taco_cats[0]])))
    names = ["emoji.json", "taco_cat.png", "taco_cat_2.png", "taco_cat_2.svg", "taco_cat_3.png"]
    assert sorted(archive.namelist()) == names
    manifest = json.loads(archive.read("emoji.json"))
    assert manifest[0]["prompt"] == "taco cat" and manifest[0]["method"] == "gan"
    with pytest.raises(EmojimlError, match="at least one"):
        studio.export_zip([])


def test_an_added_emoji_is_found_by_search_with_its_prompt_words(store, taco_cats):
    from emojiml import models

    added = studio.add_to_workspace(store, "team", taco_cats[0], "taco_cat")
    assert added.keywords == ("taco", "cat")
    assert ":taco_cat:" in store.custom_emoji("team")
    catalog = studio.workspace_catalog(store, "team")
    entry = catalog.get(":taco_cat:")
    assert entry.is_custom and entry.image.startswith("data:image/png;base64,")
    hits = models.emoji_search(catalog).search("taco", top=5).hits
    assert ":taco_cat:" in [hit.emoji.char for hit in hits]


def test_an_added_emoji_joins_the_recommenders_catalog(store, taco_cats):
    import pandas as pd

    from emojiml.recommend.content import ContentRecommender

    studio.add_to_workspace(store, "team", taco_cats[0], "taco_cat")
    catalog = studio.workspace_catalog(store, "team")
    content = ContentRecommender(catalog=catalog).fit(pd.DataFrame(columns=["user", "emoji"]))
    assert ":taco_cat:" in [e.char for e in content.catalog_]


def test_adding_a_taken_or_invalid_name_is_refused_and_keeps_the_first(store, taco_cats):
    studio.add_to_workspace(store, "team", taco_cats[0], "taco_cat")
    with pytest.raises(studio.CustomEmojiExistsError, match="already has :taco_cat:"):
        studio.add_to_workspace(store, "team", taco_cats[1], "taco_cat")
    with pytest.raises(EmojimlError, match="not a Slack emoji name"):
        studio.add_to_workspace(store, "team", taco_cats[1], "Taco Cat!")
    assert [art.png for art in store.custom_emoji_art("team")] == [taco_cats[0].png]


def test_vae_mashup_of_two_emoji():
    from emojiml.catalog import default_catalog

    catalog = default_catalog()
    results = studio.mashup_for_studio(catalog.get("🤖"), catalog.get("😍"), "vae", n=2, seed=1)
    assert [r.export_name for r in results] == ["robot_face_heart_eyes", "robot_face_heart_eyes_2"]
    with pytest.raises(EmojimlError, match="two different"):
        studio.mashup_for_studio(catalog.get("🤖"), catalog.get("🤖"), "vae")
    with pytest.raises(EmojimlError, match="cannot mash up"):
        studio.mashup_for_studio(catalog.get("🤖"), catalog.get("😍"), "gan")
