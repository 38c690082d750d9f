"""The emoji kitchen: new emoji composed from parts of real vector artwork, steered by text.

``generate_kitchen(request)`` is the method the CLI and the Studio pages reach through
``emojiml.generate.methods.generate(request, "kitchen")``; ``mashup(a, b)`` is Emoji Kitchen's A + B.
Modules: ``pieces`` (SVG cut into movable fragments), ``parts`` (face split into base, eyes, mouth, extras),
``palette`` (OKLCh recolouring), ``compose`` (recipe -> SVG + PNG), ``recipe`` (prompt -> recipes),
``rank`` (the judge's score against the prompt), ``evaluate`` (the reported figures), ``commands`` (CLI).
This module imports them only when called, so registering the CLI commands costs no start-up time.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from emojiml.generate.methods import EXPRESSIONS, GeneratedEmoji, GenerationRequest, slack_name

MAX_IMAGES = 16
POOL_FACTOR = 3  # candidates drawn per requested image, then ranked
MAX_POOL = 24
RANK_TEMPERATURE = 0.1  # seeds other than 0 sample among near-best candidates with this Gumbel noise


def check_request(request: GenerationRequest) -> None:
    """Raise a ``KitchenInputError`` naming the valid choices for any field the kitchen cannot use."""
    from emojiml.generate.kitchen.compose import KitchenInputError
    from emojiml.generate.kitchen.palette import check_palette
    from emojiml.generate.vectors import icon_sets

    if request.style not in icon_sets():
        raise KitchenInputError(f"Unknown style {request.style!r}; choose one of: {', '.join(icon_sets())}.")
    if request.expression is not None and request.expression not in EXPRESSIONS:
        raise KitchenInputError(f"Unknown expression {request.expression!r}; choose one of: {', '.join(EXPRESSIONS)}.")
    if not isinstance(request.n, int) or not 1 <= request.n <= MAX_IMAGES:
        raise KitchenInputError(f"Ask for 1 to {MAX_IMAGES} kitchen emoji, not {request.n}.")
    check_palette(request.palette)


def generate_kitchen(request: GenerationRequest) -> list[GeneratedEmoji]:
    """``request.n`` kitchen emoji for the prompt: near-best recipes, drawn, then ranked.

    Only candidates within ``RANK_MARGIN`` of the best text match are ranked, by the judge's image->text score
    plus the recipe's text score (the 32 px judge alone preferred a crocodile to the cactus for "crying
    cactus", and 😵's eyes to 😍's for "robot with heart eyes"); the rest only fill up ``n``, by text score.
    Candidates whose donor lacks a part in this style are skipped (``details["skipped"]`` counts them).
    """
    from emojiml.generate.kitchen.compose import KitchenInputError, compose
    from emojiml.generate.kitchen.rank import prompt_scores
    from emojiml.generate.kitchen.recipe import RANK_MARGIN, NoRecipeError, propose_recipes

    check_request(request)
    pool = min(MAX_POOL, max(POOL_FACTOR * request.n, 8))
    choices = propose_recipes(request.prompt, request.style, request.expression, request.palette, pool, request.seed)
    drawn, skipped = [], 0
    for choice in choices:
        try:
            drawn.append((choice, compose(choice.recipe)))
        except KitchenInputError:
            skipped += 1
    if not drawn:
        raise NoRecipeError(f"No recipe for {request.prompt!r} could be drawn in {request.style}; try another style.")
    scores = prompt_scores([composition.image for _, composition in drawn], request.prompt)
    best = max(choice.text_score for choice, _ in drawn)
    near = [i for i, (choice, _) in enumerate(drawn) if choice.text_score >= best - RANK_MARGIN]
    rest = [i for i in range(len(drawn)) if i not in near]  # off-prompt: only to fill up n, by text score
    keys = scores + np.array([choice.text_score for choice, _ in drawn])
    if request.seed:  # another seed, another near-best pick: Gumbel-top-n sampling instead of the top n
        keys = keys + RANK_TEMPERATURE * np.random.default_rng(request.seed).gumbel(size=len(keys))
    ranked = sorted(near, key=lambda i: -keys[i])
    order = (ranked + sorted(rest, key=lambda i: -drawn[i][0].text_score))[: request.n]
    name = slack_name(request.prompt)
    return [
        GeneratedEmoji(
            image=drawn[i][1].image,
            name=name,
            method="kitchen",
            seed=request.seed,
            svg=drawn[i][1].svg,
            recipe=drawn[i][0].recipe.describe(),
            prompt_score=round(float(scores[i]), 4),
            details={
                "kitchen_recipe": asdict(drawn[i][0].recipe),  # JSON-safe: pages store details
                "text_score": drawn[i][0].text_score,
                "base_words": drawn[i][0].base_words,
                "feature_words": drawn[i][0].feature_words,
                "candidates": len(drawn),
                "skipped": skipped,
            },
        )
        for i in order
    ]


def mashup(a: str, b: str, style: str = "noto", palette: str | None = None) -> GeneratedEmoji:
    """Emoji Kitchen's A + B: A's base with B's eyes, mouth and extras (B must be a face)."""
    from emojiml.generate.kitchen.compose import KitchenInputError, Recipe, compose, emoji_parts, usable_emoji
    from emojiml.generate.kitchen.parts import is_face_emoji
    from emojiml.generate.vectors import icon_sets

    if style not in icon_sets():
        raise KitchenInputError(f"Unknown style {style!r}; choose one of: {', '.join(icon_sets())}.")
    base, donor = usable_emoji(a, role="base (A)"), usable_emoji(b, role="features (B)")
    if base.key == donor.key:
        raise KitchenInputError(f"A and B are both {base.char}; pick two different emoji.")
    face = emoji_parts(donor, style, "features (B)")
    if not face.is_face or not is_face_emoji(donor):
        raise KitchenInputError(
            f"B must be a face that lends eyes and a mouth (😭, 😍, 😺…); {donor.char} ({donor.name}) is not."
        )
    parts = {part: donor.key if face.has(part) else None for part in ("eyes", "mouth", "extras")}
    composition = compose(Recipe(base.key, parts["eyes"], parts["mouth"], parts["extras"], style, palette))
    names = [e.shortcodes[0] if e.shortcodes else e.name for e in (base, donor)]
    return GeneratedEmoji(
        image=composition.image,
        name=slack_name(" ".join(names)),
        method="kitchen",
        seed=0,
        svg=composition.svg,
        recipe=composition.recipe.describe(),
        details={"kitchen_recipe": asdict(composition.recipe)},
    )
