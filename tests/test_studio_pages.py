"""The Generate and Interpolate pages through AppTest: every control, and bad input shown as st.error."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(REPO / "app_pages" / name), default_timeout=300).run()


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------- Generate
@pytest.fixture(scope="module")
def generated() -> AppTest:
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value("gan").run()
    at.text_input(key="generate_prompt").input("taco cat")
    at.slider(key="generate_n").set_value(3)
    at.number_input(key="generate_seed").set_value(5)
    at.selectbox(key="generate_style").set_value("twemoji")
    at.selectbox(key="generate_group").set_value("food-drink")
    at.button(key="generate_go").click().run()
    return at


@pytest.mark.parametrize("method", ["gan", "vae"])
def test_an_empty_prompt_is_an_error_not_a_traceback(method):
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value(method)
    at.text_input(key="generate_prompt").input("   ")
    at.button(key="generate_go").click().run()
    assert not at.exception
    assert "prompt is empty" in errors(at)


def test_generate_draws_the_grid_with_nearest_real_emoji_and_scores(generated):
    assert not generated.exception and not generated.error
    text = captions(generated)
    assert text.count("nearest real:") == 3 and len(re.findall(r"prompt match -?\d\.\d\d", text)) == 3
    assert [m.value for m in generated.markdown if m.value.startswith("**:")] == [
        "**:taco_cat:**",
        "**:taco_cat_2:**",
        "**:taco_cat_3:**",
    ]
    assert len([b for b in generated.get("download_button") if b.proto.label == "PNG"]) == 3
    assert "“taco cat” · gan · twemoji" in [s.value for s in generated.subheader]


def test_results_survive_reruns_and_selection_offers_a_zip(generated):
    first = next(c for c in generated.checkbox if c.key.startswith("pick_"))
    first.check().run()
    assert not generated.exception
    assert captions(generated).count("nearest real:") == 3, "the results are kept in session state"
    labels = [b.proto.label for b in generated.get("download_button")]
    assert "Download 1 selected as a zip" in labels


def test_rating_stores_a_thumb_up(generated):
    from emojiml.workspace import DEMO_WORKSPACE, open_store

    thumbs = next(f for f in generated.get("feedback") if f.key.startswith("grid_rating_"))
    generation_id = int(thumbs.key.rsplit("_", 1)[1])
    thumbs.set_value(1).run()
    assert not generated.exception
    rated = open_store().generations_frame(DEMO_WORKSPACE, rated=True)
    assert rated.loc[rated["id"] == generation_id, "rating"].tolist() == [1]
    thumbs = next(f for f in generated.get("feedback") if f.key == f"grid_rating_{generation_id}")
    thumbs.set_value(0).run()  # changed to 👎
    rated = open_store().generations_frame(DEMO_WORKSPACE, rated=True)
    assert rated.loc[rated["id"] == generation_id, "rating"].tolist() == [-1]


def test_add_to_workspace_then_the_same_name_again(generated):
    generated.text_input(key="generate_add_name").input("studio_taco_cat")
    generated.button(key="generate_add").click().run()
    assert not generated.exception
    assert any("Added :studio_taco_cat:" in s.value for s in generated.success)
    generated.button(key="generate_add").click().run()
    assert "already has :studio_taco_cat:" in errors(generated)
    generated.text_input(key="generate_add_name").input("Not A Name!").run()
    generated.button(key="generate_add").click().run()
    assert "not a Slack emoji name" in errors(generated)


def test_surprise_me_picks_a_new_seed():
    at = page("generate.py")
    seeds = set()
    for _ in range(3):
        at.button(key="generate_surprise").click().run()
        seeds.add(at.number_input(key="generate_seed").value)
    assert not at.exception and len(seeds) > 1


def test_method_switch_and_fields_it_does_not_use():
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value("vae").run()
    assert at.selectbox(key="generate_expression").disabled and at.selectbox(key="generate_colour").disabled
    assert "does not use: expression, palette" in captions(at)
    at.text_input(key="generate_prompt").input("blue heart")
    at.button(key="generate_go").click().run()
    assert not at.exception and not at.error
    assert captions(at).count("nearest real:") == 8


def test_the_review_queue_lists_unrated_generations(generated):
    assert not [f for f in generated.get("feedback") if f.key.startswith("review_")], "hidden until asked for"
    generated.toggle(key="generate_review").set_value(True).run()
    queue = [f for f in generated.get("feedback") if f.key.startswith("review_rating_")]
    assert queue, "the just-generated emoji wait for review"
    queue[0].set_value(0).run()
    assert not generated.exception


def test_mashup_of_two_emoji_and_of_one_emoji_with_itself():
    at = page("generate.py")
    at.radio(key="generate_mode").set_value("Mash up two emoji").run()
    assert "vae" in at.selectbox(key="generate_method").options
    at.selectbox(key="generate_method").set_value("vae")
    at.slider(key="generate_n").set_value(2)
    at.button(key="generate_go").click().run()
    assert not at.exception and not at.error
    assert captions(at).count("nearest real:") == 2
    at.text_input(key="mashup_b_query").input("robot").run()
    at.button(key="generate_go").click().run()
    assert "two different emoji" in errors(at)
    at.text_input(key="mashup_b_query").input("").run()
    at.button(key="generate_go").click().run()
    assert "Pick two emoji" in errors(at)


# ------------------------------------------------------------------------------------------------ Interpolate
@pytest.fixture(scope="module")
def interpolated() -> AppTest:
    return page("interpolate.py")


def test_interpolate_shows_frames_gif_download_and_map(interpolated):
    assert not interpolated.exception and not interpolated.error
    assert "12 frames, ping-pong loop" in captions(interpolated)
    assert [b.proto.label for b in interpolated.get("download_button")] == ["Download GIF"]
    assert len(interpolated.get("plotly_chart")) == 1


def test_steps_mode_style_and_attributes(interpolated):
    at = interpolated
    at.slider(key="interpolate_steps").set_value(16)
    at.radio(key="interpolate_mode").set_value("linear")
    at.selectbox(key="interpolate_style").set_value("openmoji")
    at.text_input(key="interpolate_attributes").input("+ hearts, − smile")
    at.slider(key="interpolate_strength").set_value(1.5).run()
    assert not at.exception and not at.error
    text = captions(at)
    assert "16 frames" in text and "+ hearts: learned from" in text and "− smile: learned from" in text


def test_an_unknown_attribute_is_an_error(interpolated):
    interpolated.text_input(key="interpolate_attributes").input("+ qwertyx").run()
    assert not interpolated.exception
    assert "real emoji carry 'qwertyx'" in errors(interpolated)
    interpolated.text_input(key="interpolate_attributes").input("").run()


def test_the_same_a_and_b_is_an_error():
    at = page("interpolate.py")
    at.text_input(key="interpolate_b_query").input("grinning").run()
    assert not at.exception
    assert "same emoji" in errors(at)


def test_an_empty_search_asks_for_an_emoji():
    at = page("interpolate.py")
    at.text_input(key="interpolate_a_query").input("").run()
    assert not at.exception and any("Pick A and B" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"this is not an image at all", "not an image"),
        ("huge.png", b"\x89PNG" + bytes(3 * 1024 * 1024), "up to 2 MB"),
        ("empty.png", png(Image.new("RGBA", (64, 64))), "fully transparent"),
    ],
)
def test_bad_uploads_are_errors(name, data, message):
    at = page("interpolate.py")
    at.radio(key="interpolate_b_source").set_value("Upload a PNG").run()
    at.get("file_uploader")[0].set_value((name, data, "image/png")).run()
    assert not at.exception
    assert message in errors(at)


def test_an_uploaded_png_interpolates():
    from emojiml.catalog import default_catalog
    from emojiml.generate.data import NotoRenderer

    at = page("interpolate.py")
    at.radio(key="interpolate_b_source").set_value("Upload a PNG").run()
    assert any("Pick A and B" in i.value for i in at.info)
    cat = NotoRenderer().render(default_catalog().get("🐱"), 96)
    at.get("file_uploader")[0].set_value(("my_cat.png", png(cat), "image/png")).run()
    assert not at.exception and not at.error
    assert "12 frames" in captions(at)


def test_the_add_form_follows_the_latest_batch_and_the_picked_emoji():
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value("vae")
    at.slider(key="generate_n").set_value(2)
    for prompt in ("sleepy moon", "blue heart"):
        at.text_input(key="generate_prompt").input(prompt)
        at.button(key="generate_go").click().run()
    assert at.text_input(key="generate_add_name").value == "blue_heart"
    assert at.selectbox(key="generate_add_pick").value == "blue_heart"  # not the first batch's sleepy_moon
    at.selectbox(key="generate_add_pick").set_value("blue_heart_2").run()
    assert not at.exception and at.text_input(key="generate_add_name").value == "blue_heart_2"


def test_the_search_page_finds_a_workspace_s_generated_emoji():
    from emojiml.workspace import open_store

    cat = png(Image.new("RGBA", (128, 128), (250, 200, 40, 255)))
    open_store().add_custom_emoji("studio-search", "zebra_taco", ("zebra", "taco", "stripes"), cat)
    at = AppTest.from_file(str(REPO / "app_pages" / "search.py"), default_timeout=300).run()
    at.selectbox(key="search_workspace").set_value("studio-search")
    at.text_input(key="query").input("zebra taco").run()
    assert not at.exception
    assert "**zebra taco**" in [m.value for m in at.markdown]
    assert len(at.image) >= 1, "a generated emoji is drawn from its PNG"


def kitchen_installed() -> bool:
    from emojiml.generate.methods import available_methods
    from emojiml.generate.studio import method_styles

    return "kitchen" in available_methods() and bool(method_styles("kitchen"))


needs_kitchen = pytest.mark.skipif(not kitchen_installed(), reason="the kitchen's vector artwork is not installed")


@needs_kitchen
def test_kitchen_uses_expression_and_palette_and_offers_svg():
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value("kitchen").run()
    assert not at.selectbox(key="generate_expression").disabled and not at.selectbox(key="generate_colour").disabled
    at.text_input(key="generate_prompt").input("crying cactus")
    at.slider(key="generate_n").set_value(2)
    at.selectbox(key="generate_expression").set_value("sadness")
    at.selectbox(key="generate_colour").set_value("pastel")
    at.button(key="generate_go").click().run()
    assert not at.exception and not at.error
    assert captions(at).count("recipe: 🌵") == 2
    assert len([b for b in at.get("download_button") if b.proto.label == "SVG"]) == 2


@needs_kitchen
def test_kitchen_refuses_a_bad_hex_colour():
    at = page("generate.py")
    at.selectbox(key="generate_method").set_value("kitchen").run()
    at.selectbox(key="generate_colour").set_value("a hex colour…").run()
    at.text_input(key="generate_prompt").input("sleepy moon")
    at.text_input(key="generate_hex").input("#12zz")
    at.button(key="generate_go").click().run()
    assert not at.exception and "not one of red" in errors(at)


@needs_kitchen
def test_kitchen_mashup_and_a_b_that_is_no_face():
    at = page("generate.py")
    at.radio(key="generate_mode").set_value("Mash up two emoji").run()
    at.selectbox(key="generate_method").set_value("kitchen")
    at.text_input(key="mashup_a_query").input("cactus")
    at.text_input(key="mashup_b_query").input("loudly crying face").run()
    at.button(key="generate_go").click().run()
    assert not at.exception and not at.error
    assert "**:cactus_sob:**" in [m.value for m in at.markdown]
    at.text_input(key="mashup_b_query").input("pizza").run()
    at.button(key="generate_go").click().run()
    assert "must be a face" in errors(at)
