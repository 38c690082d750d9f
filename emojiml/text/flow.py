"""Conversation states (greeting, question, agreement, disagreement, farewell, excitement, concern, neutral).

No data set labels these states, so they are derived, in this order of precedence, from what the trained
models say (act, emotion, sentiment), where the message sits in the conversation, and short lexical cues:

1. greeting      a greeting cue ("hi", "hey there", "good morning") opening the conversation's first two turns,
                 or any short message that is only a greeting;
2. farewell      a farewell cue ("bye", "see you", "good night", "talk later");
3. agreement     the message opens with an agreement cue ("ok", "sure", "sounds good", "yes", "👍"),
                 or it is a commissive act answering a directive/question with non-negative sentiment;
4. disagreement  the message opens with a refusal cue ("no", "nope", "I don't think", "not really");
5. question      the act model says question, or the message ends with "?";
6. concern       a negative emotion (anger, disgust, fear, sadness) is the top emotion at p >= 0.4,
                 or sentiment <= -0.5, or a worry cue ("worried", "sorry to hear", "afraid");
7. excitement    joy or surprise on top with "!" or sentiment >= 0.6;
8. neutral       otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emojiml.text.datasets import NEGATIVE_EMOTIONS

STATES = ("greeting", "question", "agreement", "disagreement", "farewell", "excitement", "concern", "neutral")

_GREETING = re.compile(
    r"^\W*(hi+|hello+|hey+|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|morning|"
    r"what'?s up|how are you|how'?s it going|nice to meet you)\b",
    re.IGNORECASE,
)
_FAREWELL = re.compile(
    r"\b(bye+|goodbye|good ?night|see (you|ya)|talk (to you )?(later|soon)|take care|ttyl|catch you later|"
    r"have a (good|nice|great) (one|day|night|weekend|evening)|later!)\b",
    re.IGNORECASE,
)
_AGREEMENT = re.compile(
    r"^\W*(ok(ay)?|k|sure|yes|yeah|yep|yup|absolutely|definitely|of course|agreed|i agree|sounds (good|great|fine|"
    r"like a plan)|deal|will do|exactly|right|true|good idea|great idea|perfect|fine|alright|all right|no problem|"
    r"certainly|that works|works for me|👍|👌|✅)(?!\w)",
    re.IGNORECASE,
)
_DISAGREEMENT = re.compile(
    r"^\W*(no|nope|nah|not really|i don'?t think|i disagree|i doubt|that'?s not|not (at all|true|sure)|"
    r"i'?m not sure|actually,? no|👎)(?!\w)",
    re.IGNORECASE,
)
_WORRY = re.compile(
    r"\b(worried|worry|afraid|scared|sorry to hear|oh no|unfortunately|concerned|anxious|nervous|upset)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ConversationState:
    label: str
    """One of ``STATES``."""
    reason: str


def conversation_state(
    text: str,
    position: int,
    act: str,
    previous_act: str | None,
    emotion: str,
    emotion_probability: float,
    sentiment: float,
) -> ConversationState:
    """The state of one message; see the module docstring for the rules and their order."""
    stripped = text.strip()
    words = len(stripped.split())
    greeting = _GREETING.search(stripped)
    if greeting and (position <= 1 or words <= 4):
        return ConversationState("greeting", f"greeting cue “{greeting.group(0).strip()}” at turn {position + 1}")
    farewell = _FAREWELL.search(stripped)
    if farewell:
        return ConversationState("farewell", f"farewell cue “{farewell.group(0).strip()}”")
    agreement = _AGREEMENT.search(stripped)
    if agreement and not stripped.endswith("?"):
        return ConversationState("agreement", f"agreement cue “{agreement.group(0).strip()}”")
    if act == "commissive" and previous_act in ("directive", "question") and sentiment >= 0:
        return ConversationState("agreement", f"commits to the previous {previous_act}")
    disagreement = _DISAGREEMENT.search(stripped)
    if disagreement and not stripped.endswith("?"):
        return ConversationState("disagreement", f"refusal cue “{disagreement.group(0).strip()}”")
    if act == "question" or stripped.endswith("?"):
        return ConversationState("question", "question act" if act == "question" else "ends with “?”")
    worry = _WORRY.search(stripped)
    if emotion in NEGATIVE_EMOTIONS and emotion_probability >= 0.4:
        return ConversationState("concern", f"{emotion} (p={emotion_probability:.2f})")
    if sentiment <= -0.5 or worry:
        return ConversationState("concern", f"worry cue “{worry.group(0)}”" if worry else f"sentiment {sentiment:+.2f}")
    if emotion in ("joy", "surprise") and ("!" in stripped or sentiment >= 0.6):
        return ConversationState("excitement", f"{emotion} (p={emotion_probability:.2f}) with “!” or strong positivity")
    if sentiment >= 0.75:
        return ConversationState("excitement", f"sentiment {sentiment:+.2f}")
    return ConversationState("neutral", "no greeting, question, agreement or strong feeling")
