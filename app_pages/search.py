"""Search (home): find emoji by shortcode, name, keyword or meaning, and copy them."""

import base64

import streamlit as st

from emojiml import charts
from emojiml.auth.page_gate import visible_workspaces
from emojiml.catalog import SKIN_TONES
from emojiml.errors import EmojimlError
from emojiml.page_cache import emoji_search, workspace_search
from emojiml.search import SearchHit
from emojiml.workspace import open_store

COLUMNS = 5
UNICODE_ONLY = "Unicode only"
SKIN_TONE = "skin_tone"  # session key of the skin-tone preference: no widget's, so it outlives page switches
TONE_LABELS = [
    "✋ default",
    *(
        f"✋{tone} {name}"
        for tone, name in zip(SKIN_TONES, ["light", "medium-light", "medium", "medium-dark", "dark"], strict=True)
    ),
]

st.title("🔎 Emoji search")
st.caption("Shortcodes (`:+1:`), names, keywords and synonyms: “luck” finds 🍀, “dev” finds 🧑‍💻.")

left, middle, scope_column, right = st.columns([4, 2, 2, 1])
query = left.text_input("Search", placeholder="party, :tada:, luck, 🔥 …", key="query")
st.session_state.setdefault(SKIN_TONE, 0)
st.session_state["_skin_tone"] = st.session_state[SKIN_TONE]  # re-seed the widget from the lasting preference
middle.selectbox(
    "Skin tone",
    range(len(TONE_LABELS)),
    format_func=TONE_LABELS.__getitem__,
    key="_skin_tone",
    on_change=lambda: st.session_state.update({SKIN_TONE: st.session_state["_skin_tone"]}),
    help="Applied to every result that comes in skin tones, for the rest of this session.",
)
top = right.number_input("Results", min_value=5, max_value=60, value=20, step=5)
revisions = {info.name: info.revision for info in open_store().workspaces()}  # no demo import for a plain search
stored = {name: revisions[name] for name in visible_workspaces(list(revisions))}  # only those this person may see
scope = scope_column.selectbox("Custom emoji of", [UNICODE_ONLY, *stored], key="search_workspace")

try:
    search = emoji_search() if scope == UNICODE_ONLY else workspace_search(scope, stored[scope])
except EmojimlError as error:
    st.error(f"Search is unavailable: {error}")
    st.stop()

result = search.search(query, top=int(top), skin_tone=st.session_state[SKIN_TONE])
if result.notice and not result.hits:
    st.info(result.notice)
    st.stop()
if result.notice:
    st.warning(result.notice)
if result.hint:
    st.info(result.hint)


def result_grid(hits: tuple[SearchHit, ...]) -> None:
    """Each hit as a card: the emoji, its name, shortcodes, why it matched, and a copyable code block."""
    for start in range(0, len(hits), COLUMNS):
        for column, hit in zip(st.columns(COLUMNS), hits[start : start + COLUMNS], strict=False):
            with column.container(border=True):
                if hit.emoji.image:  # a workspace's generated custom emoji
                    st.image(base64.b64decode(hit.emoji.image.split(",", 1)[1]), width=48)
                else:
                    st.markdown(
                        f"<div style='font-size:3rem;line-height:1.1'>{hit.emoji.char}</div>", unsafe_allow_html=True
                    )
                st.markdown(f"**{hit.emoji.name}**")
                codes = " ".join(f"`:{code}:`" for code in hit.emoji.shortcodes[:3])
                st.caption(f"{codes}  \nmatched by {hit.reason}")
                st.code(hit.emoji.char, language=None)


if result.good_match:
    result_grid(result.hits)
else:  # loose guesses stay out of sight unless asked for
    with st.expander(f"Show the {len(result.hits)} closest guesses anyway"):
        result_grid(result.hits)

with st.expander("Why these results"):
    st.plotly_chart(charts.search_scores(result.hits), width="stretch")
