"""Recommend: pick a person and a message, tune the hybrid's weights, and see why each emoji is suggested."""

import pandas as pd
import streamlit as st

from emojiml import charts
from emojiml.errors import EmojimlError
from emojiml.page_cache import recommend_evaluation, recommend_hybrid, workspace_events, workspace_store
from emojiml.page_widgets import workspace_picker
from emojiml.recommend.base import RecommenderInputError
from emojiml.recommend.hybrid import DEFAULT_WEIGHTS, SOURCES, HybridWeightsError
from emojiml.workspace import UnknownWorkspaceError

NEW_PERSON = "— someone new —"
SLIDER_KEYS = {source: f"recommend_weight_{source}" for source in SOURCES}

st.title("🎯 Recommend")
st.caption(
    "Suggestions blend three sources: **collaborative** (your own reactions and people like you, NMF), "
    "**content** (a model trained on 45k tweets that scores every catalog emoji, custom ones too, for the "
    "message) and **popularity** (what is trending in the workspace, 90-day half-life)."
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

reactions = events[events["kind"] == "reaction"] if not events.empty else events
names = events.drop_duplicates("user").set_index("user")["user_name"].to_dict() if not events.empty else {}
ranked_people = reactions["user"].value_counts().index.tolist() if not reactions.empty else []
people = [NEW_PERSON, *ranked_people]
label = {u: f"{names.get(u) or u} ({(reactions['user'] == u).sum()} reactions)" for u in ranked_people}
person = left.selectbox(
    "Person", people, index=1 if len(people) > 1 else 0, format_func=lambda u: label.get(u, u), key="recommend_person"
)
user = None if person == NEW_PERSON else person
message = right.text_area(
    "Message to react to", value="we shipped the new release 🚀 thanks everyone!", height=100, max_chars=2000
)

for source, key in SLIDER_KEYS.items():
    st.session_state.setdefault(key, DEFAULT_WEIGHTS[source])


def rebalance(changed: str) -> None:
    """Keep the three weights summing to 1: the other two share what is left in their current proportion."""
    others = [s for s in SOURCES if s != changed]
    rest = 1.0 - st.session_state[SLIDER_KEYS[changed]]
    current = [st.session_state[SLIDER_KEYS[o]] for o in others]
    total = sum(current)
    first = round(rest * (current[0] / total if total > 0 else 0.5), 2)
    st.session_state[SLIDER_KEYS[others[0]]] = first
    st.session_state[SLIDER_KEYS[others[1]]] = round(rest - first, 2)


@st.fragment
def suggestions_panel() -> None:
    columns = st.columns(3)
    for column, source in zip(columns, SOURCES, strict=True):
        column.slider(source, 0.0, 1.0, step=0.05, key=SLIDER_KEYS[source], on_change=rebalance, args=(source,))
    weights = {source: st.session_state[SLIDER_KEYS[source]] for source in SOURCES}
    try:
        result = hybrid.with_weights(weights).suggest(user, message, k=10)
    except HybridWeightsError as error:
        st.error(f"{error} Move a slider above 0.")
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
            if column.button(icon, key=f"vote_{vote}_{rank}_{suggestion.key}"):
                store.record_feedback(
                    workspace,
                    user or "anonymous",
                    suggestion.key,
                    vote,
                    weights=result.weights,
                    sources=suggestion.contributions,
                    message=message,
                )
                st.toast(f"Saved {icon} for {suggestion.emoji.char}")
    feedback = store.feedback_frame(workspace)
    st.plotly_chart(charts.acceptance_by_source(feedback), width="stretch")


suggestions_panel()

st.divider()
st.subheader("What NMF learned")
nmf = hybrid.sources["collaborative"].nmf_
emoji_loadings = nmf.components()
people_loadings = nmf.people().rename(index=lambda u: names.get(u) or u)
left, right = st.columns(2)
left.plotly_chart(charts.factor_heatmap(emoji_loadings, "Emoji × component"), width="stretch")
right.plotly_chart(charts.factor_heatmap(people_loadings, "People × component"), width="stretch")
top = {
    component: " ".join(emoji_loadings[component].sort_values(ascending=False).index[:6])
    for component in emoji_loadings.columns
}
st.dataframe(pd.DataFrame({"component": list(top), "top emoji": list(top.values())}), hide_index=True)

st.divider()
st.subheader("How good is each mix?")
st.caption(
    "Temporal split: for each person with ≥ 5 reactions, the last 20 % are held out; a test case is one person "
    "reacting to one message. *new* counts only emoji that person had never used."
)
try:
    with st.spinner("Evaluating every method on this workspace (first time only)…"):
        evaluation = recommend_evaluation(workspace, revision)
except RecommenderInputError as error:
    st.info(f"Not enough history to evaluate: {error}")
except EmojimlError as error:
    st.error(f"The evaluation failed: {error}")
else:
    variant = st.radio("Variant", ("any", "new"), horizontal=True, key="recommend_variant")
    current = st.session_state.get("recommend_current_mix", DEFAULT_WEIGHTS)
    st.plotly_chart(charts.ternary_ndcg(evaluation.sweep.table, current, variant), width="stretch")
    best = evaluation.best_mix[variant]
    st.caption("Best mix: " + ", ".join(f"{s} {w:.1f}" for s, w in best.items()))
    st.dataframe(evaluation.table(), hide_index=True)
