"""Generate: type an idea (or pick two emoji to mash up), get new emoji, rate them, export them for Slack or Discord."""

import random
import time

import streamlit as st

from emojiml.errors import EmojimlError
from emojiml.generate import studio
from emojiml.generate.methods import EXPRESSIONS, GenerationRequest, available_methods
from emojiml.page_cache import studio_reference, workspace_search, workspace_store
from emojiml.page_widgets import emoji_picker, waiting_for_writers, workspace_picker, write_to_store

COLUMNS = 4
FOLLOW = "follow the prompt"
ANY_GROUP = "any (from the prompt)"
NO_COLOUR, HEX = "no change", "a hex colour…"
PROMPT_MODE, MASHUP_MODE = "From a prompt", "Mash up two emoji"

st.title("✨ Generate")
st.caption(
    "New emoji from a few words, drawn by the models trained here. Under each one: the real emoji it is nearest "
    "to (so you can see it is new) and how well the judge thinks it matches your words. Rate them 👍/👎: the "
    "ratings train the next models."
)

store = workspace_store()
top_left, top_middle, top_right = st.columns([2, 2, 2])
workspace = workspace_picker(store, "generate_workspace", top_left, "No workspace is stored yet.")
info = store.workspace(workspace)
revision = info.revision if info else 0
mode = top_middle.radio("Mode", [PROMPT_MODE, MASHUP_MODE], horizontal=True, key="generate_mode")
methods = available_methods() if mode == PROMPT_MODE else studio.mashup_methods()
if not methods:
    st.error("No generation method is installed here: reinstall emojiml (`make run`).")
    st.stop()
method = top_right.selectbox("Method", methods, key="generate_method", help="Which model draws the emoji.")
fields = studio.method_fields(method)

if mode == PROMPT_MODE:
    prompt = st.text_input("Prompt", placeholder="taco cat, robot with heart eyes, sleepy moon…", key="generate_prompt")
    pair = None
else:
    search = workspace_search(workspace, revision)
    left, right = st.columns(2)
    pair = (
        emoji_picker(search, "First emoji", "mashup_a", "robot", left),
        emoji_picker(search, "Second emoji", "mashup_b", "heart eyes", right),
    )
    prompt = ""

style_column, group_column, expression_column, colour_column = st.columns(4)
styles = studio.method_styles(method)
if not styles:
    st.error(f"The {method} method has no artwork installed here: run `make run`, which fetches it.")
    st.stop()
style = style_column.selectbox("Art style", styles, key="generate_style")
group = group_column.selectbox(
    "Unicode group",
    [ANY_GROUP, *studio.unicode_groups()],
    key="generate_group",
    disabled="group" not in fields or mode == MASHUP_MODE,
)
expression = expression_column.selectbox(
    "Expression",
    [FOLLOW, *EXPRESSIONS],
    key="generate_expression",
    disabled="expression" not in fields or mode == MASHUP_MODE,
)
palettes = studio.method_palettes(method)
colour = colour_column.selectbox(
    "Colour",
    [NO_COLOUR, *palettes, HEX],
    key="generate_colour",
    disabled="palette" not in fields or mode == MASHUP_MODE,
)
hex_colour = None
if colour == HEX and "palette" in fields and mode == PROMPT_MODE:
    hex_colour = colour_column.text_input("Hex colour", value="#3b82f6", max_chars=7, key="generate_hex")
unused = sorted({"group", "expression", "palette"} - fields)
if mode == MASHUP_MODE:
    st.caption("A mashup's variations vary the expression and the colours themselves; the first is A + B as it is.")
elif unused:
    st.caption(f"The {method} method does not use: {', '.join(unused)}.")


def surprise() -> None:
    st.session_state["generate_seed"] = random.randrange(100_000)


count_column, seed_column, surprise_column, go_column = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
n = count_column.slider("How many", 1, studio.MAX_RESULTS, 8, key="generate_n")
seed = seed_column.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="generate_seed")
surprise_column.button(
    "🎲 Surprise me", key="generate_surprise", on_click=surprise, help="A random seed", width="stretch"
)
go = go_column.button("Generate", type="primary", key="generate_go", width="stretch")

if go:
    bar = st.progress(0.0, text="Starting…")
    started = time.perf_counter()
    try:
        studio_reference()  # cached: the real emoji the results are compared with
        if mode == PROMPT_MODE:
            request = GenerationRequest(
                prompt=prompt,
                style=style,
                expression=None if expression == FOLLOW else expression,
                palette=hex_colour if colour == HEX else (None if colour == NO_COLOUR else colour),
                group=None if group == ANY_GROUP else group,
                n=int(n),
                seed=int(seed),
            )
            preferences = studio.recipe_preferences_for(store, workspace, method)
            results = studio.generate_for_studio(request, method, lambda f, t: bar.progress(f, text=t), preferences)
        elif None in pair:
            raise studio.StudioInputError("Pick two emoji to mash up: search for each above.")
        else:
            results = studio.mashup_for_studio(
                *pair, method, style, int(n), int(seed), lambda f, t: bar.progress(f, text=t)
            )
        with waiting_for_writers():
            ids = store.record_generations(workspace, [studio.generation_row(r, k) for k, r in enumerate(results)])
    except EmojimlError as error:
        bar.empty()
        st.error(str(error))
    else:
        bar.empty()
        st.session_state["generate_results"] = list(zip(ids, results, strict=True))
        # a new batch: pick and name its first result. Set, not popped: a popped key leaves the browser showing
        # the old batch's pick (seen in Chromium: ":taco_cat:" picked under a grid of angry pizzas)
        first_name = results[0].export_name
        st.session_state.update(generate_add_pick=first_name, generate_add_name=first_name)
        st.session_state["generate_seconds"] = time.perf_counter() - started


def rate(generation_id: int, key: str) -> None:
    """Store the 👍 (1) / 👎 (0 in ``st.feedback``, -1 in the store) just given, or clear it."""
    value = st.session_state.get(key)
    write_to_store(lambda: store.rate_generation(generation_id, None if value is None else (1 if value == 1 else -1)))


def rating_widget(generation_id: int, where: str) -> None:
    """👍/👎 for a stored generation in one widget (two buttons in columns cost five page elements, and every
    element is a message the browser must draw); ``where`` keeps the grid's and the review queue's apart."""
    key = f"{where}_rating_{generation_id}"
    st.feedback("thumbs", key=key, on_change=rate, args=(generation_id, key))


shown = st.session_state.get("generate_results", [])
if shown:
    reference = studio_reference()
    first = shown[0][1]
    st.subheader(f"“{first.prompt}” · {first.emoji.method} · {first.style}")
    st.caption(
        f"{len(shown)} emoji in {st.session_state.get('generate_seconds', 0):.2f} s. Distances are to the nearest of "
        f"{len(reference.entries):,} real emoji in the judge's feature space; real emoji are typically "
        f"{reference.typical_distance:.3f} from their nearest neighbour."
    )
    for start in range(0, len(shown), COLUMNS):
        for column, (generation_id, result) in zip(st.columns(COLUMNS), shown[start : start + COLUMNS], strict=False):
            with column.container(border=True):
                st.image(result.png, width=128)
                st.markdown(f"**:{result.export_name}:**")
                score = "" if result.prompt_score is None else f"prompt match {result.prompt_score:.2f} · "
                recipe = f"  \nrecipe: {result.emoji.recipe}" if result.emoji.recipe else ""
                st.caption(
                    f"nearest real: {result.nearest.char} {result.nearest.name} · distance "
                    f"{result.nearest_distance:.3f} ({result.verdict})  \n{score}uncertainty "
                    f"{result.uncertainty:.2f}{recipe}"
                )
                st.checkbox("select", key=f"pick_{generation_id}")
                rating_widget(generation_id, "grid")
                st.download_button(
                    "PNG", result.png, f"{result.export_name}.png", "image/png", key=f"png_{generation_id}"
                )
                if result.has_svg:
                    st.download_button(
                        "SVG",
                        result.emoji.svg,
                        f"{result.export_name}.svg",
                        "image/svg+xml",
                        key=f"svg_{generation_id}",
                    )

    picked = [result for generation_id, result in shown if st.session_state.get(f"pick_{generation_id}")]
    export_column, add_column = st.columns(2)
    with export_column.container(border=True):
        st.markdown("**Export**")
        if picked:
            st.download_button(
                f"Download {len(picked)} selected as a zip",
                studio.export_zip(picked),
                "emoji.zip",
                "application/zip",
                key="generate_zip",
            )
        else:
            st.caption("Tick “select” under the emoji you want in a zip (PNG 128×128 ≤ 128 KB, SVG where drawn).")
    with add_column.container(border=True):
        st.markdown(f"**Add to {workspace}'s custom emoji**")
        names = [result.export_name for _, result in shown]
        st.session_state.setdefault("generate_add_name", names[0])
        choice = st.selectbox(
            "Emoji",
            names,
            format_func=lambda name: f":{name}:",
            key="generate_add_pick",
            on_change=lambda: st.session_state.update(generate_add_name=st.session_state["generate_add_pick"]),
        )
        name = st.text_input("Name", max_chars=32, key="generate_add_name")
        if st.button("Add to workspace", key="generate_add"):
            try:
                with waiting_for_writers():
                    added = studio.add_to_workspace(store, workspace, shown[names.index(choice)][1], name)
            except EmojimlError as error:
                st.error(str(error))
            else:
                st.success(
                    f"Added {added.char} to {workspace}: search and recommendations find it by "
                    f"{', '.join(added.keywords)}."
                )

st.divider()  # a toggle, not an expander: a collapsed expander's contents are still sent to the browser
if st.toggle("Needs review: the generations the models are least sure of", key="generate_review"):
    queue = store.generations_frame(workspace, rated=False, limit=COLUMNS * 2)
    rated = store.generations_frame(workspace, rated=True)
    st.caption(
        f"{len(rated)} rated so far ({int((rated['rating'] == 1).sum())} 👍). Least certain first: the judge's "
        "prompt match compared with real emoji (or the method's own ambiguity). `emojiml export-feedback --out "
        "rated.jsonl` writes the rated set for `emojiml train gan|vae --feedback rated.jsonl`."
    )
    if queue.empty:
        st.caption("Nothing waiting: every stored generation is rated.")
    for start in range(0, len(queue), COLUMNS):
        rows = list(queue.iloc[start : start + COLUMNS].itertuples(index=False))
        for column, row in zip(st.columns(COLUMNS), rows, strict=False):
            with column.container(border=True):
                st.image(bytes(row.png), width=96)
                st.caption(f"“{row.prompt}” · {row.method} · uncertainty {row.uncertainty:.2f}")
                rating_widget(int(row.id), "review")
