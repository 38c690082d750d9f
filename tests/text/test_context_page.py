from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app_pages" / "context.py"


def test_context_page_renders_and_live_box_reports_latency():
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    at.text_input(key="live_draft").set_value("sounds great, see you Friday!").run()
    assert not at.exception
    assert any(metric.label == "Latency" for metric in at.metric)


def test_context_page_analyses_a_demo_workspace_channel():
    at = AppTest.from_file(str(PAGE), default_timeout=180).run()
    at.radio(key="source").set_value("A workspace channel").run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    assert any("latest" in caption.value for caption in at.caption)
