"""emojiml: the page list, the sidebar and the shared page config. Nothing else."""

import streamlit as st

st.set_page_config(page_title="emojiml", page_icon="🧪", layout="wide")

pages = [
    st.Page("pages/search.py", title="Search", icon="🔎", default=True),
    st.Page("pages/workspace.py", title="Workspaces", icon="🗂️"),
    st.Page("pages/recommend.py", title="Recommend", icon="🎯"),
    st.Page("pages/context.py", title="Context", icon="💬"),
    st.Page("pages/analytics.py", title="Analytics", icon="📈"),
]
st.sidebar.caption("emojiml · generate, recommend and explain emoji with models trained on real data")
st.navigation(pages).run()
