"""Recommend: pick a person and a message, tune the hybrid's weights, and see why each emoji is suggested."""

import streamlit as st

from emojiml import charts
from emojiml.analytics.feedback import mix_name
from emojiml.errors import EmojimlError
from emojiml.page_cache import recommend_evaluation, recommend_hybrid, workspace_events, workspace_store
from emojiml.page_widgets import workspace_picker, write_to_store
from emojiml.recommend.base import RecommenderInputError, people_by_reactions
from emojiml.recommend.hybrid import PRESETS, SOURCE_LABELS, SOURCES, HybridWeightsError, rebalance
from emojiml.recommend.version import model_version
from emojiml.workspace import UnknownWorkspaceError

NEW_PERSON = "— someone new —"
SLIDER_KEYS = {source: f"recommend_weight_{source}" for source in SOURCES}

st.title("🎯 Recommend")
st.caption(
    "Suggestions blend five sources: **collaborative** (your own reactions and people like you, NMF), "
    "**content** (a model trained on 45k tweets that scores every catalog emoji, custom ones too, for the "
    "message), **popularity** (what is trending here, 90-day half-life), **neighbours** (how people here "
    "reacted to the most similar earlier messages) and **reactions** (a reaction model learned from this "
    "workspace's own messages). Then **tone**: no 🎉 on bad news."
)

store = workspace_store()
left, right = st.columns([1, 2])
workspace = workspace_picker(
    store, "recommend_workspace", left, "No workspace is stored yet: import one on the Workspaces page."
)
info = store.workspace(workspace)
revision = info.revision if info else 0
try:
    events = workspace_events(workspace, None, revision)
    hybrid = recommend_hybrid(workspace, revision)
except UnknownWorkspaceError as error:
    st.error(f"{error} Pick another workspace.")
    st.stop()
except RecommenderInputError as error:
    st.error(f"This workspace cannot be used for recommendations yet: {error} Import an export with reactions.")
    st.stop()
except EmojimlError as error:
    st.error(f"Recommendations are not available: {error}")
    st.stop()

people = people_by_reactions(events)
label = dict(people)
person = left.selectbox(
    "Person",
    [NEW_PERSON, *label],
    index=1 if people else 0,
    format_func=lambda u: label.get(u, u),
    key="recommend_person",
)
user = None if person == NEW_PERSON else person
message = right.text_area(
    "Message to react to", value="we shipped the new release 🚀 thanks everyone!", height=100, max_chars=2000
)

chosen = {source: round(hybrid.weights_.get(source, 0.0), 2) for source in SOURCES}
if st.session_state.get("recommend_weights_for") != (workspace, revision):  # a new workspace starts at its own mix
    st.session_state["recommend_weights_for"] = (workspace, revision)
    for source, key in SLIDER_KEYS.items():
        st.session_state[key] = chosen[source]


def set_weights(weights: dict[str, float]) -> None:
    for source, key in SLIDER_KEYS.items():
        st.session_state[key] = round(weights.get(source, 0.0), 2)


def on_slider(changed: str) -> None:
    current = {source: st.session_state[key] for source, key in SLIDER_KEYS.items()}
    set_weights(rebalance(current, changed, current[changed]))


@st.fragment
def suggestions_panel() -> None:
    st.caption(f"Weights {hybrid.chosen_by}." if hybrid.chosen_by else "")
    presets = st.columns(1 + len(PRESETS))
    presets[0].button("Chosen for this workspace", on_click=set_weights, args=(chosen,), key="preset_chosen")
    for column, (name, weights) in zip(presets[1:], PRESETS.items(), strict=True):
        column.button(name.capitalize(), on_click=set_weights, args=(weights,), key=f"preset_{name}")
    columns = st.columns(len(SOURCES))
    for column, source in zip(columns, SOURCES, strict=True):
        column.slider(
            source,
            0.0,
            1.0,
            step=0.05,
            key=SLIDER_KEYS[source],
            on_change=on_slider,
            args=(source,),
            help=SOURCE_LABELS[source],
        )
    weights = {source: st.session_state[SLIDER_KEYS[source]] for source in SOURCES}
    try:
        result = hybrid.with_weights(weights).suggest(user, message, k=10)
    except HybridWeightsError as error:
        st.error(f"{error} Move a slider above 0.")
        return
    except EmojimlError as error:
        st.error(str(error))
        return
    for notice in result.notices:
        st.info(notice)
    if not result.suggestions:
        st.warning("Nothing to suggest: this workspace has no emoji yet.")
        return
    st.session_state["recommend_current_mix"] = result.weights
    st.plotly_chart(charts.contribution_bars(result.suggestions), width="stretch")
    st.markdown("**Suggestions** — vote to tell the team which source works")
    for rank, suggestion in enumerate(result.suggestions, start=1):
        emoji, text, up, down = st.columns([1, 8, 1, 1])
        shown = f"`{suggestion.emoji.char}`" if suggestion.emoji.is_custom else f"### {suggestion.emoji.char}"
        emoji.markdown(shown)
        text.markdown(f"**{rank}. {suggestion.emoji.name}** · score {suggestion.score:.2f} · {suggestion.reason}")
        for column, vote, icon in ((up, 1, "👍"), (down, -1, "👎")):
            if column.button(icon, key=f"vote_{vote}_{rank}_{suggestion.key}") and write_to_store(
                lambda vote=vote, suggestion=suggestion: store.record_feedback(
                    workspace,
                    user or "anonymous",
                    suggestion.key,
                    vote,
                    weights=result.weights,
                    sources=suggestion.contributions,
                    message=message,
                    model_version=model_version(revision),
                    mix=mix_name(weights, {"chosen for this workspace": chosen, **PRESETS}),
                )
            ):
                st.toast(f"Saved {icon} for {suggestion.emoji.char}")
    feedback = store.feedback_frame(workspace)
    st.plotly_chart(charts.acceptance_by_source(feedback), width="stretch")


suggestions_panel()

st.divider()
st.subheader("What NMF learned")
nmf = hybrid.sources["collaborative"].nmf_
names = {user_id: text.rsplit(" (", 1)[0] for user_id, text in people}
left, right = st.columns(2)
left.plotly_chart(charts.factor_heatmap(nmf.components(), "Emoji × component"), width="stretch")
right.plotly_chart(
    charts.factor_heatmap(nmf.people().rename(index=lambda u: names.get(u) or u), "People × component"),
    width="stretch",
)
st.dataframe(nmf.top_emoji(), hide_index=True)

st.divider()
st.subheader("How good is each mix?")
st.caption(
    "Temporal split: for each person with ≥ 5 reactions, the last 20 % are held out; a test case is one person "
    "reacting to one message. *New emoji* counts only emoji that person had never used. "
    "*Hybrid (auto)* is the product's own mix, chosen on the training part only; *hybrid (best mix)* is tuned "
    "on the test part itself, an optimistic reference."
)
st.caption(
    "Why popularity is hard to beat here: in a small workspace a handful of emoji (👍 🎉 🙌) cover most "
    "reactions, so 'what everyone uses' is right surprisingly often; the message sources earn their place on "
    "new emoji and on messages that call for something else."
)
try:
    with st.spinner("Evaluating every method on this workspace (first time only)…"):
        evaluation = recommend_evaluation(workspace, revision)
except RecommenderInputError as error:
    st.info(f"Not enough history to evaluate: {error}")
except EmojimlError as error:
    st.error(f"The evaluation failed: {error}")
else:
    variant = st.radio(
        "Which emoji count", ("any", "new"), horizontal=True, key="recommend_variant", format_func="{} emoji".format
    )
    current = st.session_state.get("recommend_current_mix", chosen)
    sweep = evaluation.sweep.table
    three = sweep[(sweep.get("neighbours", 0) == 0) & (sweep.get("reactions", 0) == 0)]
    if len(three):
        st.caption("The triangle shows the mixes of the three classic sources (neighbours and reactions at 0).")
        st.plotly_chart(charts.ternary_ndcg(three, current, variant), width="stretch")
    best = evaluation.best_mix[variant]
    st.caption("Best mix on the test part: " + ", ".join(f"{s} {w:.1f}" for s, w in best.items()))
    st.dataframe(evaluation.readable_table(), hide_index=True)
