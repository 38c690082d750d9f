"""Entities that make sense in chat (issue 15): emoji are never entities, work acronyms are not countries, people
get no flag, and a topic does not turn "the build is broken" into a building site."""

from emojiml.text.analyze import Message
from emojiml.text.entities import chat_entities, is_work_acronym, ner_text


def flags(emoji):
    return [e for e in emoji if len(e) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in e)]


def test_ner_text_blanks_emoji_and_keeps_offsets():
    text = "Marco 🎂 and 👍🏽 done"
    masked = ner_text(text)
    assert len(masked) == len(text) and masked.startswith("Marco ") and masked.endswith(" done")
    assert "🎂" not in masked and "👍" not in masked


def test_work_acronyms_and_emoji_spans_are_dropped():
    assert is_work_acronym("CI") and is_work_acronym("PRs") and is_work_acronym("SG") and is_work_acronym("DB")
    assert not is_work_acronym("NASA") and not is_work_acronym("Paris")
    spans = [("CI", "ORG", 0, 2), ("🙏", "ORG", 3, 4), ("Paris", "GPE", 5, 10), ("ana", "GPE", 11, 14)]
    assert chat_entities(spans, frozenset({"ana"})) == [("Paris", "GPE", 5, 10), ("ana", "PERSON", 11, 14)]


def test_chat_entities_end_to_end(analyzer):
    ci, thanks, marco, person, build = analyzer.analyze(
        [
            Message("CI is red again, the PR broke the API and QA is blocked", "1"),
            Message("🙏", "2"),
            Message("Marco 🎂", "3"),
            Message("the ticket is assigned to Priya now", "4", "tom"),
            Message("the build is broken", "5"),
        ]
    )
    assert not any(e.text in ("CI", "PR", "API", "QA") for e in ci.entities)
    assert not any(flags(s.emoji) for s in ci.suggestions)
    assert thanks.entities == ()
    assert all(e.label != "ORG" and "🎂" not in e.text for e in marco.entities)
    assert all(not flags(e.emoji) for e in person.entities)
    assert not any(flags(s.emoji) for s in person.suggestions)
    assert not any(s.reason.startswith("topic") for s in build.suggestions)
    assert all(t.emoji is None for t in build.topics)


def test_a_users_name_is_a_person_without_emoji(analyzer):
    (result,) = analyzer.analyze([Message("ask Jordan about the release", "1", "Jordan Smith")])
    jordan = [e for e in result.entities if e.text == "Jordan"]
    assert all(e.label == "PERSON" and e.emoji == () for e in jordan)
    assert "🇯🇴" not in [s.emoji for s in result.suggestions]


def test_places_still_get_their_flag(analyzer):
    (result,) = analyzer.analyze(["we fly to Germany on Monday"])
    germany = next(e for e in result.entities if e.text == "Germany")
    assert germany.emoji[0] == "🇩🇪"
