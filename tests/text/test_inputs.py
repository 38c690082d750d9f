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
