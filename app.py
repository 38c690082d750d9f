"""emojiml: the page list, the sidebar and the shared page config. Nothing else."""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from emojiml.auth.page_gate import allowed_pages
from emojiml.errors import EmojimlError

st.set_page_config(page_title="emojiml", page_icon="🧪", layout="wide")

pages = [
    st.Page("app_pages/search.py", title="Search", icon="🔎", default=True),
    st.Page("app_pages/workspace.py", title="Workspaces", icon="🗂️"),
    st.Page("app_pages/recommend.py", title="Recommend", icon="🎯"),
    st.Page("app_pages/context.py", title="Context", icon="💬"),
    st.Page("app_pages/generate.py", title="Generate", icon="✨"),
    st.Page("app_pages/interpolate.py", title="Interpolate", icon="🔀"),
    st.Page("app_pages/analytics.py", title="Analytics", icon="📈"),
]
st.sidebar.caption("emojiml · generate, recommend and explain emoji with models trained on real data")
try:
    st.navigation(allowed_pages(pages)).run()  # only a sign-in page until someone is signed in
except EmojimlError as error:  # the one place pages' own errors are shown: a message, never a traceback
    st.error(str(error))
except SQLAlchemyError as error:  # the database went away mid-session; what is stored stays stored
    st.error(
        f"The workspace store cannot be reached right now ({type(error).__name__}). Nothing stored was lost: "
        "try again in a moment."
    )
