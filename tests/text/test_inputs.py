"""Reading analyze's input files: formats, blank lines, and malformed JSONL naming its line."""

import pytest

from emojiml.text.inputs import InputFormatError, parse_messages, parse_pasted_conversation, read_messages


def test_txt_keeps_every_line_in_order(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("hi\n\nbye\n", encoding="utf-8")
    assert [m.text for m in read_messages(path)] == ["hi", "", "bye"]


def test_jsonl_fields_and_blank_line():
    content = '{"text": "hi", "conversation": 1, "user": "ana"}\n\n{"text": "yo", "conversation": "2"}\n'
    messages = parse_messages(content, "jsonl")
    assert [(m.text, m.conversation, m.user) for m in messages] == [
        ("hi", "1", "ana"),
        ("", None, None),
        ("yo", "2", None),
    ]


def test_malformed_jsonl_names_its_line():
    content = '{"text": "fine"}\n{"text": "broken"\n'
    with pytest.raises(InputFormatError, match="line 2"):
        parse_messages(content, "jsonl", "chat.jsonl")
    with pytest.raises(InputFormatError, match="line 1"):
        parse_messages('{"message": "no text key"}\n', "jsonl")


def test_pasted_conversation_with_and_without_names():
    messages = parse_pasted_conversation("Ana: hey there!\n\njust a plain line\nBen: see https://x.org: ok")
    assert [(m.user, m.text) for m in messages] == [
        ("Ana", "hey there!"),
        (None, "just a plain line"),
        ("Ben", "see https://x.org: ok"),
    ]


def test_channel_messages_from_an_events_frame():
    import pandas as pd

    from emojiml.text.inputs import channel_messages

    events = pd.DataFrame(
        {
            "channel": ["general", "general", "general", "random"],
            "message_id": ["2", "1", "2", "3"],
            "timestamp": pd.to_datetime(["2020-01-02", "2020-01-01", "2020-01-02", "2020-01-03"], utc=True),
            "author": ["U2", "U1", "U2", "U3"],
            "text": ["second 🎉", "first", "second 🎉", "elsewhere"],
        }
    )
    messages = channel_messages(events, "general")
    assert [(m.text, m.user, m.conversation) for m in messages] == [
        ("first", "U1", "general"),
        ("second 🎉", "U2", "general"),
    ]
