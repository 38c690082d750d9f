"""Interpolate: morph one emoji into another through the VAE's latent space, add attributes, download the GIF."""

import time

import streamlit as st

from emojiml import charts
from emojiml.errors import EmojimlError
from emojiml.generate import latent
from emojiml.generate.methods import slack_name
from emojiml.page_cache import latent_atlas, workspace_search, workspace_store
from emojiml.page_widgets import emoji_picker, workspace_picker

CATALOG, UPLOAD = "Catalog", "Upload a PNG"

st.title("🔀 Interpolate")
st.caption(
    "Walk the VAE's latent space from emoji A to emoji B. Spherical interpolation keeps the codes on the shell "
    "where real emoji live; attributes such as “+ hearts, − smile” are directions learned from the real emoji "
    "whose keywords carry them. The GIF is 128×128 and at most 128 KB, ready for Slack or Discord."
)

store = workspace_store()
top_left, top_right = st.columns(2)
workspace = workspace_picker(store, "interpolate_workspace", top_left, "No workspace is stored yet.")
info = store.workspace(workspace)
style = top_right.selectbox("Art style", latent.styles(), key="interpolate_style")
search = workspace_search(workspace, info.revision if info else 0)


def endpoint(label: str, key: str, default_query: str, container):
    """One end, from the catalog or an upload; ``None`` until one is picked. Errors become ``EmojimlError``."""
    source = container.radio(f"{label} from", [CATALOG, UPLOAD], horizontal=True, key=f"{key}_source")
    if source == CATALOG:
        entry = emoji_picker(search, label, key, default_query, container)
        return None if entry is None else latent.catalog_endpoint(entry, style)
    upload = container.file_uploader(
        f"{label}: a PNG emoji (≤ 2 MB)", type=["png", "gif", "jpg", "jpeg", "webp"], key=f"{key}_upload"
    )
    return None if upload is None else latent.upload_endpoint(upload.getvalue(), upload.name, style)


left, right = st.columns(2)
try:
    a = endpoint("A", "interpolate_a", "grinning", left)
    b = endpoint("B", "interpolate_b", "cat face", right)
except EmojimlError as error:
    st.error(str(error))
    st.stop()


@st.fragment
def walk(a: latent.Endpoint | None, b: latent.Endpoint | None) -> None:
    """The walk's controls and what they draw: a slider reruns only this part, A and B stay encoded."""
    steps_column, mode_column, attribute_column, strength_column = st.columns([2, 2, 3, 2])
    steps = steps_column.slider("Steps", latent.MIN_STEPS, latent.MAX_STEPS, 12, key="interpolate_steps")
    mode = mode_column.radio("Interpolation", latent.MODES, index=1, horizontal=True, key="interpolate_mode")
    attribute_text = attribute_column.text_input(
        "Attributes", placeholder="+ hearts, + sunglasses, − smile", key="interpolate_attributes"
    )
    strength = strength_column.slider("Attribute strength", 0.0, 2.0, 1.0, 0.1, key="interpolate_strength")
    st.caption(f"Attributes to try: {', '.join(latent.ATTRIBUTE_EXAMPLES)} — any word real emoji carry as a keyword.")

    if a is None or b is None:
        st.info("Pick A and B: search the catalog or upload a PNG for each.")
        return

    try:
        started = time.perf_counter()
        attributes = latent.parse_attributes(attribute_text)
        morph = latent.morph(a, b, int(steps), mode, attributes, float(strength))
        animation = latent.animation_gif(morph)
        seconds = time.perf_counter() - started
    except EmojimlError as error:
        st.error(str(error))
        return

    for word, sign in attributes:
        examples = " ".join(e.char for e in latent.attribute_examples(word))
        st.caption(f"{'+' if sign > 0 else '−'} {word}: learned from {examples} …")

    st.subheader("Frames")
    st.image(morph.frames, width=64)
    preview, about = st.columns([1, 3])
    preview.image(animation, caption="Animated preview", width=128)
    name = slack_name(f"{a.label.split(' ', 1)[-1]} to {b.label.split(' ', 1)[-1]}")
    about.download_button("Download GIF", animation, f"{name}.gif", "image/gif", key="interpolate_gif", type="primary")
    size = f"{len(animation) / 1024:.0f} KB"
    about.caption(f"{len(morph.frames)} frames, ping-pong loop · {size} · made in {seconds:.2f} s")

    atlas = latent_atlas()
    st.plotly_chart(
        charts.latent_map(
            atlas.coords,
            [entry.group for entry in atlas.entries],
            [f"{entry.char} {entry.name}" for entry in atlas.entries],
            morph.coords,
            [f"{a.label} (A)", *[f"frame {k + 2}" for k in range(len(morph.frames) - 2)], f"{b.label} (B)"],
            atlas.explained,
        ),
        width="stretch",
    )


walk(a, b)
