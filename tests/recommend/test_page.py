from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "recommend.py")


def test_recommend_page_renders_on_the_demo_workspace():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert len(at.slider) == 5
    assert abs(sum(s.value for s in at.slider) - 1) < 0.02  # the workspace's chosen mix, rounded to 0.01
    assert any("NDCG@10, any emoji" in str(c) for df in at.dataframe for c in df.value.columns)


def test_the_message_first_preset_moves_the_sliders():
    from emojiml.recommend.hybrid import PRESETS

    at = AppTest.from_file(PAGE, default_timeout=120).run()
    next(b for b in at.button if b.label == "Message first").click().run()
    assert not at.exception
    assert [s.value for s in at.slider] == [PRESETS["message first"][s.label] for s in at.slider]


def test_moving_a_slider_keeps_the_weights_summing_to_one():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.slider[1].set_value(0.9).run()
    assert not at.exception
    assert abs(sum(s.value for s in at.slider) - 1) < 0.02
    assert at.slider[1].value == 0.9


def test_a_thumbs_up_is_stored_with_weights_and_sources():
    from emojiml.workspace import DEMO_WORKSPACE, open_store

    before = len(open_store().feedback_frame(DEMO_WORKSPACE))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    thumbs_up = next(b for b in at.button if b.label == "👍")
    thumbs_up.click().run()
    assert not at.exception
    feedback = open_store().feedback_frame(DEMO_WORKSPACE)
    assert len(feedback) == before + 1
    row = feedback.iloc[-1]
    assert row["vote"] == 1 and set(row["weights"]) == {
        "collaborative",
        "content",
        "popularity",
        "neighbours",
        "reactions",
    }
    assert set(row["sources"]) - {"tone", "echo"} <= set(row["weights"])
    # where it came from, for the Analytics page: the workspace's own mix and the fitted model's version
    assert row["mix"] == "chosen for this workspace" and row["model_version"].startswith("hybrid@r")
