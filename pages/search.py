"""Search (home): find emoji by shortcode, name, keyword or meaning, and copy them."""

import streamlit as st

from emojiml import charts
from emojiml.errors import EmojimlError
from emojiml.page_cache import emoji_search

COLUMNS = 5

st.title("🔎 Emoji search")
st.caption("Shortcodes (`:+1:`), names, keywords and synonyms: “luck” finds 🍀, “dev” finds 🧑‍💻.")

left, right = st.columns([4, 1])
query = left.text_input("Search", placeholder="party, :tada:, luck, 🔥 …", key="query")
top = right.number_input("Results", min_value=5, max_value=60, value=20, step=5)

try:
    search = emoji_search()
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
            st.markdown(f"<div style='font-size:3rem;line-height:1.1'>{hit.emoji.char}</div>", unsafe_allow_html=True)
            st.markdown(f"**{hit.emoji.name}**")
            codes = " ".join(f"`:{code}:`" for code in hit.emoji.shortcodes[:3])
            st.caption(f"{codes}  \nmatched by {hit.reason}")
            st.code(hit.emoji.char, language=None)

with st.expander("Why these results"):
    st.plotly_chart(charts.search_scores(result.hits), width="stretch")
