"""End to end over the shipped models: the output shape, and every bad-input case of the issue."""

import json

import pytest

from emojiml import cli
from emojiml.text.analyze import MAX_MESSAGE_CHARS, Message
from emojiml.text.datasets import EMOTIONS
from emojiml.text.flow import STATES

KEYS = {"text", "sentiment", "emotion", "act", "state", "entities", "topics", "suggestions", "flags"}


def test_record_shape_and_order(analyzer):
    results = analyzer.analyze(["hey there!", "want pizza in Paris on Friday? it is $40", "ok sounds good"])
    records = [r.to_record() for r in results]
    assert [r["text"] for r in records] == ["hey there!", "want pizza in Paris on Friday? it is $40", "ok sounds good"]
    for record in records:
        assert set(record) == KEYS
        assert set(record["emotion"]["scores"]) == set(EMOTIONS)
        assert abs(sum(record["emotion"]["scores"].values()) - 1) < 1e-3
        assert -1 <= record["sentiment"]["score"] <= 1
        assert record["act"] in ("inform", "question", "directive", "commissive")
        assert record["state"] in STATES
        emoji = [s["emoji"] for s in record["suggestions"]]
        assert 0 < len(emoji) <= 10 and len(emoji) == len(set(emoji))
        assert all(s["reason"] for s in record["suggestions"])
    assert records[0]["state"] == "greeting"
    assert records[2]["state"] == "agreement"
    entities = {e["text"]: e for e in records[1]["entities"]}
    assert {"Paris", "Friday"} <= set(entities)
    assert records[1]["text"][entities["Paris"]["start"] : entities["Paris"]["end"]] == "Paris"
    by_text = {e.text: e.emoji for e in results[1].entities}
    assert by_text["Paris"][0] in ("🇫🇷", "🗼")
    assert "💵" in next(v for k, v in by_text.items() if "40" in k)
    assert by_text["Friday"][0] in ("📅", "📆", "🗓️")


def test_empty_lines_keep_their_place(analyzer):
    results = analyzer.analyze(["hello", "", "   ", "bye"])
    assert [r.text for r in results] == ["hello", "", "", "bye"]
    assert results[1].flags == ("empty",) and results[1].suggestions == ()
    assert results[3].position == 1  # context skips the blanks


def test_huge_message_is_truncated_and_flagged(analyzer):
    (result,) = analyzer.analyze(["great news " * 10_000])
    assert "truncated" in result.flags
    assert len(result.text) <= MAX_MESSAGE_CHARS


def test_emoji_only_and_non_english_are_valid_but_less_sure(analyzer):
    english, emoji_only, spanish = analyzer.analyze(
        [
            Message("I am so happy today!", "a"),
            Message("😂😂", "b"),
            Message("Hola, ¿cómo estás? Nos vemos mañana amigo", "c"),
        ]
    )
    assert "emoji_only" in emoji_only.flags and "non_english" in spanish.flags
    assert emoji_only.emotion.confidence < english.emotion.confidence
    assert spanish.emotion.confidence < english.emotion.confidence
    assert emoji_only.suggestions[0].emoji == "😂"
    assert spanish.entities == ()


def test_one_message_conversation(analyzer):
    (result,) = analyzer.analyze(["Is anyone up for pizza tonight?"])
    assert result.position == 0 and result.state.label == "question"
    assert result.topics and result.suggestions


def test_messages_without_topic_words(analyzer):
    (result,) = analyzer.analyze(["ok?"])
    assert result.topics == () and result.state.label in ("agreement", "question")


def test_conversations_split_on_their_ids(analyzer):
    results = analyzer.analyze([Message("hi", "1"), Message("how are you?", "1"), Message("morning all", "2")])
    assert [r.position for r in results] == [0, 1, 0]


def test_acts_read_their_own_conversation_only(analyzer):
    # the act model reads every turn of a message's conversation (a GRU over its turns), and no other one
    first = [Message(t, "a") for t in ("Can you send me the report?", "Sure, I'll do it tonight.", "Thanks!")]
    second = [Message(t, "b") for t in ("Is the build green?", "Yes, it passed.", "Let's ship it then.")]
    together = analyzer.analyze(first + second)
    apart = analyzer.analyze(first) + analyzer.analyze(second)
    for joint, alone in zip(together, apart, strict=True):
        assert joint.act.label == alone.act.label
        assert joint.act.scores == pytest.approx(alone.act.scores, abs=1e-3)
    assert [r.act.label for r in together[:2]] == ["directive", "commissive"]
    assert together[3].act.label == "question"


def test_personal_suggestions_hook_is_merged(analyzer):
    from emojiml.text.suggest import ContextSuggestion

    def personal(message):
        return [ContextSuggestion("🦄", 5.0, f"{message.user} often reacts with it")]

    (result,) = analyzer.analyze([Message("ship it", user="ana")], personal=personal)
    assert result.suggestions[0].emoji == "🦄"
    assert result.suggestions[0].reason == "ana often reacts with it"


def test_cli_analyze_jsonl(tmp_path, capsys):
    path = tmp_path / "chat.jsonl"
    path.write_text(
        '{"text": "hi there", "conversation": "a"}\n{"text": "bye!", "conversation": "a"}\n', encoding="utf-8"
    )
    assert cli.main(["analyze", "--input", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["hi there", "bye!"]


def test_cli_analyze_malformed_line(tmp_path, capsys):
    path = tmp_path / "chat.jsonl"
    path.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    assert cli.main(["analyze", "--input", str(path), "--format", "jsonl"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_two_thousand_characters_with_code_blocks(analyzer):
    code = "```python\ndef handler(event):\n    return {'status': 500, 'body': event['x']}\n```\n"
    text = ("The deploy failed with this trace, see below. " + code) * 40
    (result,) = analyzer.analyze([text[:2000]])
    assert result.text and len(result.text) <= MAX_MESSAGE_CHARS
    assert result.sentiment.label in ("negative", "neutral", "positive") and result.suggestions
    assert not any("`" in e.text for e in result.entities)


def test_a_channel_of_only_join_messages_analyses_to_nothing(analyzer):
    import pandas as pd

    from emojiml.text.inputs import channel_messages

    joins = [f"<@U1QPREQUC{i}|user{i}> has joined the channel" for i in range(5)]
    events = pd.DataFrame(
        {
            "channel": ["general"] * 5,
            "text": joins,
            "message_id": [str(i) for i in range(5)],
            "timestamp": pd.date_range("2024-01-01", periods=5, freq="min"),
            "author": [f"U1QPREQUC{i}" for i in range(5)],
        }
    )
    assert analyzer.analyze(channel_messages(events, "general")) == []


def test_mixed_language_only_emoji_and_only_url(analyzer):
    mixed, japanese, emoji_only, url = analyzer.analyze(
        [
            Message("merci beaucoup for the quick fix, c'est parfait!", "1"),
            Message("ありがとう、助かりました", "2"),
            Message("🎉🚀🙏", "3"),
            Message("https://github.com/org/repo/pull/123", "4"),
        ]
    )
    assert "non_english" in japanese.flags and japanese.entities == ()
    assert mixed.sentiment.label != "negative"
    assert "emoji_only" in emoji_only.flags and emoji_only.sentiment.label == "positive"
    assert emoji_only.entities == () and emoji_only.suggestions[0].emoji in ("🎉", "🚀", "🙏")
    assert url.text == "https://github.com/org/repo/pull/123" and url.sentiment.label == "neutral"
    assert all(len(r.suggestions) <= 10 for r in (mixed, japanese, emoji_only, url))


def test_evaluation_reads_the_jsonl_analyze_reads(analyzer):
    from emojiml.text.evaluate import analyze_jsonl, as_jsonl

    content = as_jsonl([("d1", "hi, how are you?"), ("d1", "great, thanks!"), ("d2", "the build is broken")])
    direct = analyzer.analyze(
        [Message("hi, how are you?", "d1"), Message("great, thanks!", "d1"), Message("the build is broken", "d2")]
    )
    assert [a.to_record() for a in analyze_jsonl(analyzer, content, "test")] == [a.to_record() for a in direct]


def test_evaluation_of_some_sets_names_unknown_ones():
    from emojiml.text.evaluate import evaluate_context

    with pytest.raises(ValueError, match="choose from dailydialog, goemotions"):
        evaluate_context("validation", sets=["se-sentiment/slack"])
