"""The Context page's channel mode reads Slack as people see it: names, not ids; no join lines, analysed or picked."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from emojiml.workspace import import_upload, open_store
from tests.workspace.builders import zip_bytes

PAGE = Path(__file__).resolve().parents[2] / "app_pages" / "context.py"


def _channel_page(workspace: str, channel: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=180).run()
    at.radio(key="source").set_value("A workspace channel").run()
    at.selectbox(key="context_workspace").set_value(workspace).run()
    if channel:
        at.selectbox(key="context_channel").set_value(channel).run()
    return at


def test_demo_channel_shows_names_and_never_offers_a_join_message():
    at = _channel_page("houstondatavis-demo", "datajam")  # its latest reacted-to message is a join line
    assert not at.exception
    table = at.dataframe[0].value
    assert not table["text"].str.contains("has joined the channel|<@U", regex=True).any()
    assert not table["user"].astype(str).str.fullmatch(r"[UW][A-Z0-9]{8,}").any()
    picker = next(box for box in at.selectbox if box.label == "For message")
    label = picker.format_func(picker.value)
    assert "has joined" not in label and "http" not in label, label  # its latest two: a join line, a bare link


def test_a_channel_of_only_join_messages_says_so_without_analysing():
    day = [
        {
            "ts": f"150000000{i}.000100",
            "user": f"U0{i}AAAAAA",
            "subtype": "channel_join",
            "text": f"<@U0{i}AAAAAA|newcomer{i}> has joined the channel",
            "reactions": [{"name": "wave", "users": ["U0HOST000"], "count": 1}],
        }
        for i in range(3)
    ]
    upload = zip_bytes({"lobby/2017-07-14.json": json.dumps(day).encode()})
    import_upload(upload, "joins.zip", "joins-only", store=open_store())
    at = _channel_page("joins-only", "lobby")
    assert not at.exception
    assert any("no stored messages by people" in box.value for box in at.warning)
    assert not at.dataframe
