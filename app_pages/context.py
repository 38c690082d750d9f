"""Context: paste a conversation and see each message's sentiment, emotion, act, state, entities, topics and emoji."""

import time

import pandas as pd
import streamlit as st

from emojiml import charts
from emojiml.errors import EmojimlError
from emojiml.page_cache import context_analyzer, workspace_events, workspace_store
from emojiml.page_widgets import workspace_picker
from emojiml.text.analyze import Message, analysis_table
from emojiml.text.inputs import channel_messages, parse_pasted_conversation
from emojiml.workspace.slack_text import has_words

EXAMPLE = """Ana: hey there! how was the trip?
Ben: Amazing, Paris was beautiful and the food was incredible!
Ana: I'm so jealous. Did you see the Eiffel Tower?
Ben: yes, on Friday night. The tickets were $40 each though
Ana: worth it. Want to grab dinner next week and show me the photos?
Ben: ok sounds good
Ana: great, see you then!"""
LIVE_CONTEXT_TURNS = 5
CHANNEL_MESSAGES = 60

st.title("💬 Conversation context")
st.caption(
    "Each message's sentiment, Ekman emotion and dialogue act (models trained here on DailyDialog and GoEmotions), "
    "its conversation state, named entities, topics, and emoji suggestions with the reason for each."
)

try:
    analyzer = context_analyzer()
except EmojimlError as error:
    st.error(f"The context models are unavailable: {error}")
    st.stop()

source = st.radio("Conversation", ["Paste a conversation", "A workspace channel"], horizontal=True, key="source")
if source == "Paste a conversation":
    pasted = st.text_area("“Name: message” or plain lines", value=EXAMPLE, height=220, key="conversation")
    messages = parse_pasted_conversation(pasted)
    if not messages:
        st.warning("Paste at least one message, one per line.")
        st.stop()
else:
    store = workspace_store()
    left, right = st.columns(2)
    workspace = workspace_picker(
        store,
        "context_workspace",
        left,
        "No workspace is stored yet: import one on the Workspaces page, or paste a conversation.",
    )
    try:
        channel = right.selectbox("Channel", store.channels(workspace), key="context_channel")
        info = store.workspace(workspace)
        events = workspace_events(workspace, channel, info.revision if info else 0)
        people, custom = store.users(workspace), store.custom_emoji(workspace)
    except EmojimlError as error:
        st.error(f"{error} Pick another workspace.")
        st.stop()
    messages = channel_messages(events, channel, CHANNEL_MESSAGES, people, custom) if channel else []
    st.caption(
        f"The channel's latest {len(messages)} messages that carry emoji (what the workspace store keeps), "
        "as Slack shows them; joins, leaves, topic changes and bots' messages are left out."
    )
    if not messages:
        st.warning(
            "This channel has no stored messages by people (only joins, bots' posts or none with text): "
            "pick another channel."
        )
        st.stop()

with st.status(f"Analysing {len(messages)} messages…", expanded=False) as status:
    started = time.perf_counter()
    analyses = analyzer.analyze(messages)
    status.update(label=f"Analysed {len(messages)} messages in {time.perf_counter() - started:.2f} s", state="complete")
table = analysis_table(analyses)

st.subheader("Messages")
st.dataframe(
    table[
        ["turn", "user", "text", "sentiment", "score", "emotion", "act", "state", "entities", "suggestions", "flags"]
    ],
    hide_index=True,
    width="stretch",
)

left, right = st.columns(2)
left.plotly_chart(charts.sentiment_timeline(table), width="stretch")
right.plotly_chart(charts.emotion_area(table), width="stretch")
st.plotly_chart(charts.state_sequence(table), width="stretch")
st.markdown("**State sequence:** " + " → ".join(table["state"]))

entities_column, topics_column = st.columns(2)
with entities_column:
    st.subheader("Entities")
    rows = [
        {"turn": turn, "entity": e.text, "type": e.label, "emoji": " ".join(e.emoji)}
        for turn, a in enumerate(analyses, start=1)
        for e in a.entities
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    else:
        st.caption("No named entities found.")
with topics_column:
    st.subheader("Topics")
    topics = {t.words: t for a in analyses for t in a.topics}
    for topic in topics.values():
        st.markdown(f"{topic.emoji or '·'} **{', '.join(topic.words)}** — {topic.weight:.0%} of the conversation")
    if not topics:
        st.caption("Too little text for topics.")

st.subheader("Suggestions")
worded = [i for i, a in enumerate(analyses) if has_words(a.text)]  # a bare link or emoji says little to suggest for
turn = st.selectbox(
    "For message",
    range(1, len(analyses) + 1),
    index=worded[-1] if worded else len(analyses) - 1,
    format_func=lambda t: f"{t}: {analyses[t - 1].text[:60]}",
)
picked = analyses[turn - 1]
if picked.suggestions:
    st.dataframe(
        pd.DataFrame([{"emoji": s.emoji, "score": s.score, "reason": s.reason} for s in picked.suggestions]),
        hide_index=True,
    )
else:
    st.caption("No suggestions for an empty message.")


@st.fragment
def live_box() -> None:
    """Analyse a draft reply in the context of the conversation's last turns, and show how long it took."""
    st.subheader("Live")
    draft = st.text_input("Type a reply", placeholder="sounds great, see you Friday!", key="live_draft")
    if not draft.strip():
        st.caption("Type a message and press Enter: it is analysed after the conversation's last turns.")
        return
    context = [Message(a.text, user=a.user) for a in analyses[-LIVE_CONTEXT_TURNS:] if a.text]
    started = time.perf_counter()
    result = analyzer.analyze([*context, Message(draft)])[-1]
    latency_ms = (time.perf_counter() - started) * 1000
    a, b, c, d = st.columns(4)
    a.metric("Sentiment", result.sentiment.label, f"{result.sentiment.score:+.2f}")
    b.metric("Emotion", result.emotion.label, f"{result.emotion.confidence:.0%}")
    c.metric("State", result.state.label, result.act.label, delta_color="off")
    d.metric("Latency", f"{latency_ms:.0f} ms")
    st.markdown(" ".join(s.emoji for s in result.suggestions) or "—")
    st.caption(result.state.reason + (f" · flags: {', '.join(result.flags)}" if result.flags else ""))


live_box()
