"""Conversation states: each rule fires on the cue it documents, and precedence holds."""

from emojiml.text.flow import conversation_state


def state(text, position=0, act="inform", previous_act=None, emotion="neutral", p=0.9, sentiment=0.0):
    return conversation_state(text, position, act, previous_act, emotion, p, sentiment).label


def test_greeting_at_the_start():
    assert state("hey there!", position=0, emotion="joy", sentiment=0.5) == "greeting"
    assert state("Good morning, sir. Is there a bank near here?", position=0, act="question") == "greeting"


def test_long_greeting_mid_conversation_is_not_a_greeting():
    assert (
        state("hi, so about the report I sent you earlier, did you read it?", position=6, act="question") == "question"
    )


def test_agreement_cues():
    assert state("ok sounds good", position=3) == "agreement"
    assert state("Sure, I'll bring the slides", position=2, act="commissive") == "agreement"
    assert state("👍", position=2) == "agreement"


def test_commissive_answering_a_request_is_agreement():
    assert state("I will send it tonight.", position=1, act="commissive", previous_act="directive") == "agreement"


def test_disagreement_and_question():
    assert state("no, I don't think that will work", position=2) == "disagreement"
    assert state("ok?", position=2, act="question") == "question"
    assert state("can you send me the file", position=2, act="question") == "question"


def test_farewell_concern_excitement_neutral():
    assert state("bye, see you tomorrow!", position=5) == "farewell"
    assert state("I am really worried about the exam", position=2, emotion="fear", p=0.6, sentiment=-0.4) == "concern"
    assert state("We won the final!", position=2, emotion="joy", p=0.8, sentiment=0.6) == "excitement"
    assert state("The meeting is in room 4.", position=2) == "neutral"
