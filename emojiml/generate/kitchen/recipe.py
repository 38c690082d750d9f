"""From a prompt to recipes: which emoji is the base, which face lends its eyes, mouth and extras.

The prompt's content words are divided between a *base* span and a *feature* span in every way (up to
``MAX_WORDS`` words, so at most 63 divisions, encoded in one batch by the shared sentence encoder). A division
scores ``cos(base span, best base emoji) + cos(feature span + " face", best donor face)``; a division with no
feature words scores ``FEATURE_PRIOR`` for its features, so words become features only when they name a face
better than that ("crying cactus" -> 🌵 + 😭; "birthday cake" -> 🎂 with the expression's face). Texts on the
catalog side are each emoji's name + keywords (``models.catalog_embeddings``), as everywhere in emojiml.

A base loses ``NAME_EXTRA`` per word of its name the prompt leaves out, so "moon" is 🌕 full moon or 🌙
rather than 🌒 waxing crescent moon, and "star" is ⭐ rather than ✴️ eight-pointed star. A *tile* (a symbol drawn
on a filled square, ``parts.is_tile``: ✴️ 🆗 🟧), and a face emoji that is to get another face's features, is a
base only when the prompt says its whole name (``_is_tile``, ``_face_bases``).

Seeds draw different recipes among the near-best: base and donor are sampled with Gumbel noise of scale
``SEED_TEMPERATURE`` over the top candidates (seed 0 takes the best), and the expression's donors rotate.
``--expression`` picks eyes and mouth from faces showing that emotion; a prompt's own face then lends only its
extras (tears, hearts). A prompt naming only ``eyes`` or a ``mouth`` for a base that has a face of its own
borrows just that part ("robot with heart eyes" keeps the robot's mouth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import numpy as np

from emojiml.catalog import Catalog, Emoji, default_catalog, emoji_in_text
from emojiml.errors import EmojimlError
from emojiml.generate.kitchen.compose import (
    EXCLUDED_GROUPS,
    EXCLUDED_SUBGROUPS,
    KitchenInputError,
    Recipe,
    usable_emoji,
)
from emojiml.generate.kitchen.parts import OVERRIDES, has_face, is_face_emoji
from emojiml.generate.vectors import load_icon_set

MAX_WORDS = 6
MAX_PROMPT_CHARS = 200
FEATURE_PRIOR = 0.55  # what "no feature words" scores; a feature span must name a face better than this
MATCH_FLOOR = 0.25  # a base span below this cosine matches nothing in the catalog
SEED_TEMPERATURE = 0.08  # Gumbel noise on candidate order for seeds other than 0
VARIANTS = 3  # expression faces tried per base (eyes and mouth from one or two of the expression's faces)
VARIANT_STEP = 0.001  # orders variants after the main one without changing what counts as near-best
GENERIC_WORDS = {"face", "eye", "eyes", "mouth"}  # never a base on their own ("crying face" is a face)
RANK_MARGIN = 0.1  # candidates within this of the best text score go to the judge; the rest are off-prompt
TOP_BASES, TOP_DONORS = 6, 4
NAME_EXTRA, MAX_EXTRA = 0.02, 3  # text score a base loses per word of its name the prompt does not say
NAME_SAID = 0.3  # what an emoji whose exact name the prompt is gains (``_named_bases``): more than RANK_MARGIN
MAX_SKIPPED = 6  # tiles the prompt does not name are passed over (``_is_tile``), at most this many
UNNAMED_FACE = 1.0  # what a face base the prompt does not name loses when it is to get features (``_face_bases``)
STOPWORDS = {
    "a",
    "an",
    "the",
    "with",
    "and",
    "of",
    "in",
    "on",
    "at",
    "that",
    "is",
    "has",
    "having",
    "who",
    "which",
    "emoji",
    "its",
    "his",
    "her",
    "their",
    "some",
    "very",
    "like",
    "as",
}
EYE_WORDS = {"eye", "eyes", "eyed"}
MOUTH_WORDS = {"mouth", "mouthed", "lips"}
# Faces that show each expression (catalog names); seeds rotate through them. Eyes and mouth may come from
# two of them, which is how one expression gives several different faces.
EXPRESSION_FACES = {
    "joy": ("grinning face with smiling eyes", "smiling face with smiling eyes", "grinning face with big eyes"),
    "sadness": ("crying face", "disappointed face", "pensive face", "pleading face"),
    "anger": ("angry face", "enraged face", "face with steam from nose"),
    "fear": ("fearful face", "anxious face with sweat", "face screaming in fear"),
    "surprise": ("face with open mouth", "astonished face", "hushed face"),
    "disgust": ("nauseated face", "confounded face", "unamused face"),
    "neutral": ("neutral face", "expressionless face", "slightly smiling face"),
}
DEFAULT_EXPRESSION = "joy"  # the face an object gets when the prompt names none ("birthday cake")
DRAWN_AS_IS_GROUPS = ("people-body",)  # people have faces of their own; they get a new one only when asked


class NoRecipeError(EmojimlError):
    """A prompt that matches nothing the kitchen can draw; the message offers the nearest emoji."""


@dataclass(frozen=True)
class RecipeChoice:
    """A recipe with how well its parts' texts match the prompt and which words went where."""

    recipe: Recipe
    text_score: float
    base_words: str
    feature_words: str


@dataclass(frozen=True)
class Candidates:
    """One style's base and donor emoji with their catalog rows (for the encoder's vectors)."""

    bases: tuple[int, ...]
    donors: tuple[int, ...]


@cache
def candidates(style: str) -> Candidates:
    """Catalog rows the ``style`` set draws: every usable base, and the faces that can lend features."""
    catalog = default_catalog()
    icon_set = load_icon_set(style)
    bases, donors = [], []
    for index in catalog.base_indices:
        entry = catalog[index]
        if entry.is_custom or entry.group in EXCLUDED_GROUPS or entry.subgroup in EXCLUDED_SUBGROUPS:
            continue
        slug = icon_set.slug_for(entry)
        if slug is None:
            continue
        bases.append(index)
        if is_face_emoji(entry) and OVERRIDES.get((style, slug), {}).get("*") != "none":
            donors.append(index)
    return Candidates(tuple(bases), tuple(donors))


def content_words(prompt: str) -> list[str]:
    """Lower-case words of the prompt without filler words, at most ``MAX_WORDS``."""
    words = [w for w in re.findall(r"[a-z0-9']+", prompt.lower()) if w not in STOPWORDS]
    return words[:MAX_WORDS]


def check_prompt(prompt: str) -> str:
    prompt = " ".join((prompt or "").split())
    if not prompt:
        raise KitchenInputError(
            "The prompt is empty: describe the emoji, e.g. 'crying cactus' or 'robot with heart eyes'."
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise KitchenInputError(f"The prompt has {len(prompt)} characters; keep it under {MAX_PROMPT_CHARS}.")
    return prompt


@cache
def _vocabulary() -> frozenset[str]:
    from emojiml.search import EmojiSearch

    return frozenset(EmojiSearch.vocabulary_terms(default_catalog()))


def known_word(word: str) -> bool:
    """A catalog name word or keyword, or a whole word of the encoder's vocabulary (not a string of pieces).

    Why: the sentence encoder maps any string somewhere, so cosine alone cannot tell "qwzx" from a word: 10% of
    random letter pairs scored above the 10th percentile of two-keyword prompts.
    """
    from emojiml import models

    if word in _vocabulary():
        return True
    return len(word) > 2 and word in models.sentence_encoder().tokenizer.get_vocab()


def _divisions(words: list[str]) -> list[tuple[str, str]]:
    """Every (base words, feature words) division that keeps word order; the base span is never empty."""
    n = len(words)
    out = []
    for size in range(1, n + 1):
        for chosen in combinations(range(n), size):
            base = " ".join(words[i] for i in chosen)
            feature = " ".join(words[i] for i in range(n) if i not in chosen)
            out.append((base, feature))
    return out


@cache
def _name_words(style: str) -> tuple[frozenset[str], ...]:
    """Per base of ``style`` (``candidates(style).bases`` order): the words of its name."""
    catalog = default_catalog()
    return tuple(frozenset(re.findall(r"[a-z0-9']+", catalog[row].name.lower())) for row in candidates(style).bases)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _extra_counts(names: tuple[frozenset[str], ...], base_words: str) -> np.ndarray:
    """(bases,) how many words of each base's name the base span does not say (at most ``MAX_EXTRA``).

    Why: the encoder rates "moon" as close to 🌒 "waxing crescent moon" as to 🌕 "full moon", and "star" to
    ✴️ "eight-pointed star" as to ⭐; a person saying "moon" or "star" means the plain one.
    """
    said = {_stem(w) for w in base_words.split()}
    return np.array(
        [min(sum(_stem(w) not in said and w not in STOPWORDS for w in name), MAX_EXTRA) for name in names],
        dtype=np.float32,
    )


def _named_bases(names: tuple[frozenset[str], ...], words: list[str]) -> np.ndarray:
    """(bases,) bool: the bases whose name the prompt's content words are, word for word (plurals aside).

    Why: a prompt that is an emoji's name means that emoji, but the encoder split "face with open mouth" into
    🫷 "open" + 😛's "face mouth", "speech balloon" into 🎈 + a face for "speech", and read "roller skate" as
    🛹 skateboard. Such a prompt is drawn on the emoji it names, with nothing of it read as a face to borrow.
    """
    said = {_stem(w) for w in words}
    return np.array([{_stem(w) for w in name if w not in STOPWORDS} == said for name in names])


def _is_tile(entry: Emoji, style: str) -> bool:
    """Whether ``entry`` is drawn as a symbol on a filled square in ``style`` (``parts.is_tile``).

    Why: "winking star" picked ✴️ (an eight-pointed star on an orange square) and put the wink on the square.
    A tile is a base only when the prompt says every word of its name ("eight pointed star", "ok button").
    """
    from emojiml.generate.kitchen.parts import icon_is_tile

    slug = load_icon_set(style).slug_for(entry)
    return slug is not None and icon_is_tile(style, slug)


@cache
def _face_bases(style: str) -> np.ndarray:
    """(bases,) bool: which of ``candidates(style).bases`` are face emoji (``parts.is_face_emoji``).

    Why: a face that gets another face's eyes and mouth keeps only its plain disc, so it draws the donor itself:
    "winking star" gave 🤩 star-struck with 😉's face (a wink, no star). Such a base loses ``UNNAMED_FACE``
    unless the prompt says every word of its name but "face" ("crying clown" still names 🤡 clown face).
    """
    catalog = default_catalog()
    return np.array([is_face_emoji(catalog[row]) for row in candidates(style).bases])


def _feature_text(words: str) -> str:
    return words if "face" in words.split() else f"{words} face"


def expression_faces(expression: str, catalog: Catalog | None = None) -> list[Emoji]:
    """The faces that show ``expression`` (one of ``methods.EXPRESSIONS``)."""
    catalog = catalog or default_catalog()
    if expression not in EXPRESSION_FACES:
        raise KitchenInputError(f"Unknown expression {expression!r}; choose one of: {', '.join(EXPRESSION_FACES)}.")
    by_name = {entry.name: entry for entry in catalog if not entry.is_custom}
    return [by_name[name] for name in EXPRESSION_FACES[expression] if name in by_name]


def _parts_named(feature_words: str) -> set[str]:
    words = set(feature_words.split())
    named = set()
    if words & EYE_WORDS:
        named.add("eyes")
    if words & MOUTH_WORDS:
        named.add("mouth")
    return named


def build_recipe(
    base: Emoji,
    donor: Emoji | None,
    feature_words: str,
    style: str,
    expression: str | None,
    palette: str | None,
    variant: int,
    catalog: Catalog,
) -> Recipe:
    """The recipe for a base and an optional prompt face: which face lends which part (module docstring)."""
    if expression is None and donor is None and (is_face_emoji(base) or base.group in DRAWN_AS_IS_GROUPS):
        return Recipe(base.key, style=style, palette=palette)  # the prompt names a face or a person: as it is
    parts = {"eyes": None, "mouth": None, "extras": None}
    if expression is not None or donor is None:
        faces = expression_faces(expression or DEFAULT_EXPRESSION, catalog)
        eyes_face = faces[variant % len(faces)]
        mouth_face = faces[(variant + variant // len(faces)) % len(faces)]
        parts["eyes"], parts["mouth"] = eyes_face.key, mouth_face.key
        if donor is not None:
            parts["extras"] = donor.key
    else:
        named = _parts_named(feature_words)
        lent = named if named and has_face(base) else {"eyes", "mouth", "extras"}
        for part in lent:
            parts[part] = donor.key
    return Recipe(base.key, parts["eyes"], parts["mouth"], parts["extras"], style=style, palette=palette)


def propose_recipes(
    prompt: str,
    style: str = "noto",
    expression: str | None = None,
    palette: str | None = None,
    n: int = 8,
    seed: int = 0,
    catalog: Catalog | None = None,
) -> list[RecipeChoice]:
    """Up to ``n`` distinct recipes for ``prompt``, best text match first for seed 0, varied by other seeds.

    Raises :class:`NoRecipeError` (naming the nearest emoji) when nothing in the catalog matches.
    """
    from emojiml import models

    catalog = catalog or default_catalog()
    prompt = check_prompt(prompt)
    pool = candidates(style)
    typed = [usable_emoji(key, catalog, "base") for key in emoji_in_text(prompt)]
    if typed:  # "🌵 😭": the emoji themselves are the recipe
        donor = typed[1] if len(typed) > 1 else None
        recipe = build_recipe(typed[0], donor, "", style, expression, palette, seed, catalog)
        return [RecipeChoice(recipe, 1.0, typed[0].name, donor.name if donor else "")]
    words = content_words(prompt)
    if not words:
        raise NoRecipeError(f"The prompt {prompt!r} has no words to match; name an object or a face.")
    if not any(known_word(word) for word in words):
        nearest = models.emoji_search().search(prompt, top=1).hits
        hint = f" (nearest: {nearest[0].emoji.char} {nearest[0].emoji.name})" if nearest else ""
        raise NoRecipeError(
            f"No word of {prompt!r} is one the kitchen knows{hint}; name an object, animal or food, "
            "e.g. 'crying cactus'."
        )
    extra_words = _name_words(style)
    named_bases = _named_bases(extra_words, words)
    divisions = [(" ".join(words), "")] if named_bases.any() else _divisions(words)
    texts = sorted({b for b, _ in divisions} | {_feature_text(f) for _, f in divisions if f})
    vectors = dict(zip(texts, models.encode(texts), strict=True))
    embeddings = models.catalog_embeddings(catalog)
    face_bases = _face_bases(style)
    base_matrix, donor_matrix = embeddings[list(pool.bases)], embeddings[list(pool.donors)]
    scored = []
    for base_words, feature_words in divisions:
        if set(base_words.split()) <= GENERIC_WORDS and feature_words:
            continue
        base_scores = base_matrix @ vectors[base_words] - NAME_EXTRA * _extra_counts(extra_words, base_words)
        base_scores = base_scores + NAME_SAID * named_bases
        if feature_words or expression is not None:  # a face to get another's features must be named
            unnamed = _extra_counts(extra_words, f"{base_words} face") > 0
            base_scores = np.where(face_bases & unnamed, base_scores - UNNAMED_FACE, base_scores)
        if feature_words:
            donor_scores = donor_matrix @ vectors[_feature_text(feature_words)]
            feature_score = float(donor_scores.max())
            if feature_score < FEATURE_PRIOR:
                continue
        else:
            donor_scores, feature_score = None, FEATURE_PRIOR
        scored.append((float(base_scores.max()) + feature_score, base_words, feature_words, base_scores, donor_scores))
    scored.sort(key=lambda row: -row[0])
    _, base_words, feature_words, base_scores, donor_scores = scored[0]
    if float(base_scores.max()) < MATCH_FLOOR:
        nearest = catalog[pool.bases[int(np.argmax(base_scores))]]
        raise NoRecipeError(
            f"Nothing the kitchen can draw matches {prompt!r} (nearest: {nearest.char} {nearest.name}, "
            f"similarity {float(base_scores.max()):.2f}); name an object, animal or food, e.g. 'crying cactus'."
        )
    unnamed = _extra_counts(extra_words, f"{base_words} face") > 0
    best_bases = [int(i) for i in np.argsort(-base_scores)[: TOP_BASES + MAX_SKIPPED]]
    named = [i for i in best_bases if not (unnamed[i] and _is_tile(catalog[pool.bases[i]], style))]
    top_bases = [pool.bases[i] for i in (named or best_bases)[:TOP_BASES]]
    base_score = {row: float(s) for row, s in zip(pool.bases, base_scores, strict=True)}
    if donor_scores is None:
        top_donors, donor_score = [None], {None: FEATURE_PRIOR}
    else:
        top_donors = [pool.donors[int(i)] for i in np.argsort(-donor_scores)[:TOP_DONORS]]
        donor_score = {row: float(s) for row, s in zip(pool.donors, donor_scores, strict=True)}
    # every (base, donor, expression variant) near the top, best first; a seed perturbs the order
    combos = [
        (base_score[b] + donor_score[d] - VARIANT_STEP * v, b, d, v)
        for b in top_bases
        for d in top_donors
        for v in range(VARIANTS)
    ]
    keys = np.array([c[0] for c in combos])
    if seed:
        keys = keys + SEED_TEMPERATURE * np.random.default_rng(seed).gumbel(size=len(keys))
    choices: list[RecipeChoice] = []
    seen: set[Recipe] = set()
    for k in np.argsort(-keys, kind="stable"):
        score, base_row, donor_row, variant = combos[int(k)]
        donor = catalog[donor_row] if donor_row is not None else None
        recipe = build_recipe(
            catalog[base_row], donor, feature_words, style, expression, palette, seed + variant, catalog
        )
        if recipe in seen:
            continue
        seen.add(recipe)
        choices.append(RecipeChoice(recipe, round(score + VARIANT_STEP * variant, 4), base_words, feature_words))
        if len(choices) >= n:
            break
    choices.sort(key=lambda c: -c.text_score)
    return choices
