"""The emoji kitchen: new emoji composed from parts of real vector artwork, steered by text.

``generate_kitchen(request)`` is the method the CLI and the Studio pages reach through
``emojiml.generate.methods.generate(request, "kitchen")``; ``mashup(a, b)`` is Emoji Kitchen's A + B and
``mashups(a, b, n)`` gives ``n`` different-looking variations of it (the Generate page's mashup mode).
Modules: ``pieces`` (SVG cut into movable fragments), ``parts`` (face split into base, eyes, mouth, extras),
``palette`` (OKLCh recolouring), ``compose`` (recipe -> SVG + PNG), ``recipe`` (prompt -> recipes),
``rank`` (the judge's score against the prompt), ``evaluate`` (the reported figures), ``commands`` (CLI).
This module imports them only when called, so registering the CLI commands costs no start-up time.
"""

from __future__ import annotations

from dataclasses import asdict, replace

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
    ``request.preferences`` (people's ratings of recipes) add ``feedback.RANK_WEIGHT`` times the recipe's
    preference to both rankings, and a liked recipe counts as near-best whatever its text score: liked recipes
    rise, disliked ones sink, recipes nobody rated keep their order.

    Why it is quick (a Generate click should show 8 in under a second): a candidate is laid out and rendered
    once, for its framing, and the judge reads that render; off-prompt candidates are drawn only while ``n`` is
    not yet filled; only the ``n`` kept are rendered again at 128 px.
    """
    from emojiml.generate.feedback import RANK_WEIGHT
    from emojiml.generate.kitchen.compose import KitchenInputError, draft
    from emojiml.generate.kitchen.rank import prompt_scores
    from emojiml.generate.kitchen.recipe import RANK_MARGIN, NoRecipeError, propose_recipes

    check_request(request)
    pool = min(MAX_POOL, max(POOL_FACTOR * request.n, 8))
    choices = propose_recipes(request.prompt, request.style, request.expression, request.palette, pool, request.seed)
    liked = dict(request.preferences)
    preference = {choice: liked.get(choice.recipe.describe(), 0.0) for choice in choices}
    drafts, skipped, best = [], 0, None  # choices come best text score first
    for choice in choices:
        off_prompt = best is not None and choice.text_score < best - RANK_MARGIN
        if off_prompt and len(drafts) >= request.n and preference[choice] <= 0:
            continue  # off-prompt, not liked, and n is filled already: not worth drawing
        try:
            drafts.append((choice, draft(choice.recipe)))
        except KitchenInputError:
            skipped += 1
            continue
        best = choice.text_score if best is None else best
    if not drafts:
        raise NoRecipeError(f"No recipe for {request.prompt!r} could be drawn in {request.style}; try another style.")
    lift = RANK_WEIGHT * np.array([preference[choice] for choice, _ in drafts])
    # near-best by text, or liked by someone before: ranked by the judge; the rest fill up n by text score
    near = [i for i, (c, _) in enumerate(drafts) if c.text_score >= best - RANK_MARGIN or preference[c] > 0]
    rest = [i for i in range(len(drafts)) if i not in near]
    scores = prompt_scores([sketch.probe for _, sketch in drafts], request.prompt)
    text = np.array([choice.text_score for choice, _ in drafts])
    keys = scores + text + lift
    if request.seed:  # another seed, another near-best pick: Gumbel-top-n sampling instead of the top n
        keys = keys + RANK_TEMPERATURE * np.random.default_rng(request.seed).gumbel(size=len(keys))
    ranked = sorted(near, key=lambda i: -keys[i])
    order = (ranked + sorted(rest, key=lambda i: -(text[i] + lift[i])))[: request.n]
    name = slack_name(request.prompt)
    results = []
    for i in order:
        choice, sketch = drafts[i]
        composition = sketch.finish()
        results.append(
            GeneratedEmoji(
                image=composition.image,
                name=name,
                method="kitchen",
                seed=request.seed,
                svg=composition.svg,
                recipe=choice.recipe.describe(),
                prompt_score=round(float(scores[i]), 4),
                details={
                    "kitchen_recipe": asdict(choice.recipe),  # JSON-safe: pages store details
                    "text_score": choice.text_score,
                    "base_words": choice.base_words,
                    "feature_words": choice.feature_words,
                    "candidates": len(drafts),
                    "skipped": skipped,
                },
            )
        )
    return results


def mashup(a: str, b: str, style: str = "noto", palette: str | None = None) -> GeneratedEmoji:
    """Emoji Kitchen's A + B: A's base with B's eyes, mouth and extras (B must be a face)."""
    return mashups(a, b, style, 1, 0, palette)[0]


def mashup_recipes(a: str, b: str, style: str = "noto", palette: str | None = None) -> list:
    """Every variation of A + B the kitchen offers, the Emoji Kitchen one first, then taking turns: recoloured
    by each palette (or, with ``palette``, only in it), B's eyes with each expression face's mouth, each
    expression face's eyes with B's mouth, B's eyes or mouth alone, and B + A when A is a face too.
    Raises ``KitchenInputError`` for a pair the kitchen cannot mash up."""
    from emojiml.generate.kitchen.compose import KitchenInputError, Recipe, emoji_parts, usable_emoji
    from emojiml.generate.kitchen.palette import PALETTES
    from emojiml.generate.kitchen.parts import is_face_emoji
    from emojiml.generate.kitchen.recipe import expression_faces
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
    onto_face = emoji_parts(base, style).is_face
    lent = {part: donor.key if face.lent(part, onto_face) else None for part in ("eyes", "mouth", "extras")}
    first = Recipe(base.key, lent["eyes"], lent["mouth"], lent["extras"], style, palette)
    faces = [entry.key for expression in EXPRESSIONS for entry in expression_faces(expression)]
    groups = [
        [replace(first, palette=p) for p in ([palette] if palette else PALETTES)],  # recoloured
        [replace(first, mouth=key) for key in faces],  # B's eyes, an expression's mouth
        [replace(first, eyes=key) for key in faces],  # an expression's eyes, B's mouth
        [Recipe(base.key, eyes=lent["eyes"], style=style, palette=palette)]  # one part alone
        + [Recipe(base.key, mouth=lent["mouth"], style=style, palette=palette)]
        + ([Recipe(donor.key, base.key, base.key, base.key, style, palette)] if is_face_emoji(base) else []),
    ]
    interleaved = [group[k] for k in range(max(map(len, groups))) for group in groups if k < len(group)]
    borrowing = [r for r in interleaved if any(r.donor(part) for part in ("eyes", "mouth", "extras"))]  # not A alone
    return list(dict.fromkeys([first, *borrowing]))


def mashups(a: str, b: str, style: str = "noto", n: int = 1, seed: int = 0, palette: str | None = None):
    """``n`` different-looking mashups of A and B (see :func:`mashup_recipes`): seed 0 takes the variations in
    order, other seeds draw them at random after the Emoji Kitchen one. Two recipes can draw the same picture
    (a palette that leaves B's colours as they were, a part B does not have), so results are kept only when
    their pixels differ from every earlier one's; fewer than ``n`` come back when the pair has no more."""
    import hashlib

    from emojiml.generate.kitchen.compose import KitchenInputError, compose, usable_emoji

    if not isinstance(n, int) or not 1 <= n <= MAX_IMAGES:
        raise KitchenInputError(f"Ask for 1 to {MAX_IMAGES} mashups, not {n}.")
    recipes = mashup_recipes(a, b, style, palette)
    if seed:
        rest = recipes[1:]
        recipes = [recipes[0], *(rest[i] for i in np.random.default_rng(seed).permutation(len(rest)))]
    pair = (usable_emoji(a, role="base (A)"), usable_emoji(b, role="features (B)"))
    name = slack_name(" ".join(e.shortcodes[0] if e.shortcodes else e.name for e in pair))
    results, seen = [], set()
    for recipe in recipes:
        try:
            composition = compose(recipe)
        except KitchenInputError:
            if recipe is recipes[0]:
                raise
            continue  # a variation this pair cannot draw (B has no mouth in this style)
        digest = hashlib.sha256(composition.image.tobytes()).digest()
        if digest in seen:
            continue
        seen.add(digest)
        results.append(
            GeneratedEmoji(
                image=composition.image,
                name=name,
                method="kitchen",
                seed=seed,
                svg=composition.svg,
                recipe=composition.recipe.describe(),
                details={"kitchen_recipe": asdict(composition.recipe)},
            )
        )
        if len(results) == n:
            break
    return results
