from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "recommend.py")


def test_recommend_page_renders_on_the_demo_workspace():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert len(at.slider) == 3
    assert abs(sum(s.value for s in at.slider) - 1) < 1e-6


def test_moving_a_slider_keeps_the_weights_summing_to_one():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.slider[1].set_value(0.9).run()
    assert not at.exception
    assert abs(sum(s.value for s in at.slider) - 1) < 1e-6
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
    assert row["vote"] == 1 and set(row["weights"]) == set(row["sources"]) == {"collaborative", "content", "popularity"}
