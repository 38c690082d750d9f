"""Search (home): find emoji by shortcode, name, keyword or meaning, and copy them."""

import base64

import streamlit as st

from emojiml import charts
from emojiml.auth.page_gate import visible_workspaces
from emojiml.errors import EmojimlError
from emojiml.page_cache import emoji_search, workspace_search
from emojiml.workspace import open_store

COLUMNS = 5
UNICODE_ONLY = "Unicode only"

st.title("🔎 Emoji search")
st.caption("Shortcodes (`:+1:`), names, keywords and synonyms: “luck” finds 🍀, “dev” finds 🧑‍💻.")

left, middle, right = st.columns([4, 2, 1])
query = left.text_input("Search", placeholder="party, :tada:, luck, 🔥 …", key="query")
top = right.number_input("Results", min_value=5, max_value=60, value=20, step=5)
revisions = {info.name: info.revision for info in open_store().workspaces()}  # no demo import for a plain search
stored = {name: revisions[name] for name in visible_workspaces(list(revisions))}  # only those this person may see
scope = middle.selectbox("Custom emoji of", [UNICODE_ONLY, *stored], key="search_workspace")

try:
    search = emoji_search() if scope == UNICODE_ONLY else workspace_search(scope, stored[scope])
except EmojimlError as error:
    st.error(f"Search is unavailable: {error}")
    st.stop()

result = search.search(query, top=int(top))
if result.notice and not result.hits:
    st.info(result.notice)
    st.stop()
if result.notice:
    st.warning(result.notice)

for start in range(0, len(result.hits), COLUMNS):
    for column, hit in zip(st.columns(COLUMNS), result.hits[start : start + COLUMNS], strict=False):
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

with st.expander("Why these results"):
    st.plotly_chart(charts.search_scores(result.hits), width="stretch")
