"""A recipe (a base emoji, whose eyes, mouth and extras, a style and a palette) drawn as one SVG and a PNG.

The base keeps its own pieces (a face base drops the eyes, mouth and extras it gets from a donor); each donor's
part is moved by one transform that maps the donor's face circle onto the base's anchor circle (its face, or
a non-face base's largest calm circle, ``parts.calm_circle``, scaled into ``FACE_SHARE``, then slid so that the
features' box stays on the object, ``_features_centre``). Donor extras drawn
behind the donor's face (OpenMoji's tear outlines) go behind the base; on a non-face base the features get a
thin white rim.
Everything stays vector until resvg renders it: once to find the drawing's box (``draft``; the kitchen ranks
candidates on that render), once at size for the results it keeps (``Draft.finish``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from io import BytesIO

from PIL import Image

from emojiml.catalog import Catalog, Emoji, default_catalog
from emojiml.errors import EmojimlError
from emojiml.generate.kitchen.palette import check_palette, colour_mapping, recolour_markup
from emojiml.generate.kitchen.parts import IconParts, fit_inside, is_face_emoji, parts_for
from emojiml.generate.vectors import VectorIcon, load_icon_set, render_svg

OUTPUT_SIZE = 128
MAX_FILE_BYTES = 128 * 1024  # Slack's and Discord's custom-emoji limit
FEATURE_PARTS = ("eyes", "mouth", "extras")
# a placed face's radius, as a share of the base's size: smaller faces scored higher on training emoji
# (``evaluate kitchen --split train``); 0.16 is the smallest whose features still read at 128 px (by eye)
FACE_SHARE = (0.16, 0.36)
INSCRIBED_GROWTH = 1.6  # features may spill a little past the calm circle, as Emoji Kitchen's do
FIT_REACH = 0.5  # the features' box may slide this far (share of the face's radius) to stay on the object
MAX_STROKE_GAIN = 1.8  # shrunk features' lines are thickened back at most this much (module ``keep_line_weight``)
HALO = 0.02  # the white rim under features on a non-face base, as a share of the donor's viewBox
FRAME_PAD = 0.04  # margin on each side of the framed result, as in the image data set (generate.data.PAD)
PROBE = 128  # px of the framing render (also what the judge reads, framed to 64 px, then 32)
PROBE_MARGIN = 0.25  # the first render looks this far past the base's viewBox for features that spill over
EXCLUDED_GROUPS = ("flags", "component")
EXCLUDED_SUBGROUPS = ("keycap",)


class KitchenInputError(EmojimlError):
    """An emoji, style or part the kitchen cannot use; the message names the problem and the way out."""


@dataclass(frozen=True)
class Recipe:
    """What to draw: catalog keys of the base and of each part's donor (None keeps the base's own)."""

    base: str
    eyes: str | None = None
    mouth: str | None = None
    extras: str | None = None
    style: str = "noto"
    palette: str | None = None

    def donor(self, part: str) -> str | None:
        return getattr(self, part)

    def with_base(self, base: str) -> Recipe:
        return replace(self, base=base)

    def describe(self, catalog: Catalog | None = None) -> str:
        """In words: ``🌵 base + 😭 eyes, mouth and extras`` (the recipe string a page shows)."""
        catalog = catalog or default_catalog()
        donors: dict[str, list[str]] = {}
        for part in FEATURE_PARTS:
            key = self.donor(part)
            if key is not None:
                donors.setdefault(key, []).append(part)
        text = f"{catalog.get(self.base).char} base"
        for key, parts in donors.items():
            listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
            text += f" + {catalog.get(key).char} {listed}"
        if self.palette:
            text += f", palette {self.palette}"
        return f"{text} ({self.style})"


@dataclass(frozen=True)
class Composition:
    recipe: Recipe
    svg: str
    image: Image.Image  # OUTPUT_SIZE x OUTPUT_SIZE RGBA


def usable_emoji(token: str, catalog: Catalog | None = None, role: str = "emoji") -> Emoji:
    """The catalog emoji for ``token`` (character, ``:shortcode:`` or name); clear errors for the rest."""
    catalog = catalog or default_catalog()
    text = (token or "").strip()
    entry = (catalog.get(text) or _by_name(catalog).get(text.lower())) if text else None
    if entry is None:
        raise KitchenInputError(
            f"Unknown emoji {token!r} for the {role}{_nearest(text)}: give an emoji (🌵), a shortcode (:cactus:) "
            "or a CLDR name (loudly crying face)."
        )
    if entry.is_custom:
        raise KitchenInputError(f"{entry.char} is a custom image; the kitchen composes Unicode emoji artwork only.")
    if entry.group in EXCLUDED_GROUPS or entry.subgroup in EXCLUDED_SUBGROUPS:
        what = "a flag" if entry.group == "flags" else "a keycap" if entry.subgroup == "keycap" else "a component"
        raise KitchenInputError(
            f"{entry.char} ({entry.name}) is {what}; the kitchen needs a drawn object or face for the {role}."
        )
    return catalog[catalog.base_index(catalog.index_of(entry.key))]


@cache
def _by_name(catalog: Catalog) -> dict[str, Emoji]:
    return {entry.name.lower(): entry for entry in catalog if not entry.is_custom}


def _nearest(text: str) -> str:
    """ ", nearest: 🌵 cactus" from the catalog search, or nothing for an empty token."""
    if not text:
        return ""
    from emojiml import models

    hits = models.emoji_search().search(text, top=1).hits
    return f" (nearest: {hits[0].emoji.char} {hits[0].emoji.name})" if hits else ""


def emoji_parts(entry: Emoji, style: str, role: str = "base") -> IconParts:
    """``entry`` cut into parts in ``style``; a clear error when that style does not draw it."""
    icon_set = load_icon_set(style)
    parts = parts_for(icon_set, entry)
    if parts is None:
        raise KitchenInputError(f"The {style} set has no artwork for {entry.char} ({entry.name}); try another style.")
    return parts


def donor_parts(entry: Emoji, style: str, part: str) -> IconParts:
    """The face whose ``part`` is borrowed; a clear error when ``entry`` is not a face with that part."""
    parts = emoji_parts(entry, style, f"{part} donor")
    if not is_face_emoji(entry) or not parts.is_face or not parts.has(part):
        raise KitchenInputError(
            f"{entry.char} ({entry.name}) has no {part} the kitchen can borrow in {style}; "
            "pick a face emoji that shows one."
        )
    return parts


def _face_radius(base: IconParts) -> float:
    """The radius the donor's face circle gets on ``base``: its face's, or its calm circle's grown into
    ``FACE_SHARE`` of the drawing's size (not of OpenMoji's padded viewBox)."""
    radius = base.anchor[2]
    if base.is_face:
        return radius
    return min(max(radius * INSCRIBED_GROWTH, FACE_SHARE[0] * base.extent), FACE_SHARE[1] * base.extent)


def _features_centre(base: IconParts, lent: list[tuple[IconParts, list]], radius: float) -> tuple[float, float]:
    """Where the centre of the donors' face circle goes on a non-face ``base``: the calm circle's centre, moved
    (by at most ``FIT_REACH`` of the radius) so that the lent features' box lies as far inside the silhouette as
    it can (``parts.fit_inside``). Face bases keep the face's own centre.

    Why: on a thin object the features hung off it (😪's bubble below the crescent moon's arc, 😨's brow off the
    banana). Centring the features' box on the calm circle instead was tried: Twemoji training R-precision@1
    among 300 fell 0.837 -> 0.810 (faces moved onto tiles' symbols), so only the slide is kept.
    """
    bx, by, _ = base.anchor
    boxes = [box for donor, pieces in lent if (box := donor.footprint(pieces)) is not None]
    if base.is_face or not boxes or base.silhouette is None:
        return bx, by
    x0, y0 = min(b[0] for b in boxes) * radius, min(b[1] for b in boxes) * radius
    x1, y1 = max(b[2] for b in boxes) * radius, max(b[3] for b in boxes) * radius
    half = ((x1 - x0) / 2, (y1 - y0) / 2)
    start = (bx + (x0 + x1) / 2, by + (y0 + y1) / 2)  # the features' box where the face circle puts it
    fx, fy = fit_inside(base.silhouette, base.icon, start, half, FIT_REACH * radius)
    return fx - (x0 + x1) / 2, fy - (y0 + y1) / 2


def _placement(donor: IconParts, base: IconParts, centre: tuple[float, float], radius: float) -> tuple[str, float]:
    """The SVG transform that maps the donor's face circle onto the circle (``centre``, ``radius``) of the base,
    and its scale."""
    dx, dy, dr = donor.anchor
    # features are drawn in the donor's own viewBox; bring them into the base's (same style: usually equal)
    scale = radius / dr
    return f"translate({centre[0] - scale * dx:.4f} {centre[1] - scale * dy:.4f}) scale({scale:.5f})", scale


def keep_line_weight(markup: str, scale: float) -> str:
    """``markup`` with its stroke widths divided by ``scale`` (up to ``MAX_STROKE_GAIN``) when it is shrunk.

    Why: a face shrunk onto a penguin's belly shrinks its lines too, and OpenMoji's features are nothing but
    lines: at half size they vanished. Lines keep the set's own weight, as the base's outlines have it.
    """
    if scale >= 1:
        return markup
    gain = min(1 / scale, MAX_STROKE_GAIN)
    return _STROKE_WIDTH.sub(lambda m: f'stroke-width="{float(m.group(1)) * gain:.4g}"', markup)


@dataclass(frozen=True)
class Draft:
    """A recipe laid out and framed, before its final render: what the kitchen ranks its candidates on.

    Why a draft: framing needs one render (``probe``) to find what the drawing covers, and that render is
    enough for the judge too (it reads 32 px). So a candidate costs one render, and only the results the
    kitchen keeps get a second one at the output size (:meth:`finish`).
    """

    recipe: Recipe  # with the palette normalised
    icon: VectorIcon  # on its framed, square viewBox
    probe: Image.Image  # the framing render: the drawing with room around it, PROBE px

    def finish(self, size: int = OUTPUT_SIZE) -> Composition:
        svg = self.icon.svg(size)
        return Composition(self.recipe, svg, render_svg(svg, size))


def compose(recipe: Recipe, catalog: Catalog | None = None, size: int = OUTPUT_SIZE) -> Composition:
    """Draw ``recipe``: one SVG document on the base's viewBox and its ``size`` px RGBA render."""
    return draft(recipe, catalog).finish(size)


def draft(recipe: Recipe, catalog: Catalog | None = None) -> Draft:
    """Lay ``recipe`` out as one SVG body on the base's viewBox and frame it (one render at ``PROBE`` px)."""
    catalog = catalog or default_catalog()
    base_entry = usable_emoji(recipe.base, catalog, "base")
    base = emoji_parts(base_entry, recipe.style)
    borrowed = [part for part in FEATURE_PARTS if recipe.donor(part) is not None]
    dropped = set(borrowed) | ({"extras"} if borrowed and base.is_face else set())  # a new face, not old tears
    keep = ["base", *(p for p in FEATURE_PARTS if p not in dropped)] if base.is_face else ["base"]
    base_markup = "".join(p.markup for p in base.pieces(*keep))
    definitions = base.cut.definitions
    palette = check_palette(recipe.palette)
    if palette is not None:
        mapping = colour_mapping(palette, base.colour)
        base_markup = recolour_markup(base_markup, mapping)
        definitions = recolour_markup(definitions, mapping)
    lent: list[tuple[str, IconParts, list]] = []
    for part in borrowed:
        donor_entry = usable_emoji(recipe.donor(part), catalog, f"{part} donor")
        if part == "extras" and not emoji_parts(donor_entry, recipe.style).has("extras"):
            continue  # "whatever extras the face has": none is a valid answer
        donor = donor_parts(donor_entry, recipe.style, part)
        pieces = donor.lent(part, base.is_face)
        if not pieces:
            raise KitchenInputError(
                f"{donor_entry.char} ({donor_entry.name}) shows its {part} only with a hand over it, which stays "
                "on a face; pick another face for this object."
            )
        lent.append((part, donor, pieces))
    radius = _face_radius(base)
    centre = _features_centre(base, [(donor, pieces) for _, donor, pieces in lent], radius)
    behind, front, halos = [], [], []
    seen_donors: set[str] = set()
    for part, donor, pieces in lent:
        if donor.slug not in seen_donors and donor.slug != base.slug:
            definitions += donor.cut.definitions
            seen_donors.add(donor.slug)
        transform, scale = _placement(donor, base, centre, radius)
        halo_width = HALO * max(donor.icon.width, donor.icon.height)
        for piece in pieces:
            target = behind if part == "extras" and piece.index < (donor.face_index or 0) else front
            markup = keep_line_weight(piece.markup, scale)
            target.append(f'<g transform="{transform}">{markup}</g>')
            if not base.is_face and part != "extras":
                halos.append(f'<g transform="{transform}">{halo(markup, halo_width)}</g>')
    body = f"<defs>{definitions}</defs>" if definitions else ""
    body += "".join(behind) + base_markup + "".join(halos) + "".join(front)
    icon, probe = framed_with_probe(
        VectorIcon(base.icon.slug, body, base.icon.width, base.icon.height, base.icon.left, base.icon.top)
    )
    return Draft(replace(recipe, palette=palette), icon, probe)


_PAINT = re.compile(r'\b(fill|stroke)="(?!none")[^"]*"')
_STROKE_WIDTH = re.compile(r'\bstroke-width="([0-9.eE+-]+)"')


def halo(markup: str, width: float) -> str:
    """A white copy of a feature, widened by ``width`` on each side, drawn under it on a non-face base.

    Why: a face's features are drawn for a plain face disc; on a dark moon or a busy rocket, brown eyes and
    OpenMoji's thin black lines disappear into the base. A thin white rim, as on stickers, keeps them legible.
    """
    markup = _PAINT.sub(lambda m: f'{m.group(1)}="#fff"', markup)
    markup = _STROKE_WIDTH.sub(lambda m: f'stroke-width="{float(m.group(1)) + 2 * width:.4g}"', markup)
    return (
        f'<g fill="#fff" stroke="#fff" stroke-width="{2 * width:.4g}" stroke-linejoin="round" '
        f'stroke-linecap="round" opacity="0.9">{markup}</g>'
    )


def framed_with_probe(icon: VectorIcon, probe: int = PROBE) -> tuple[VectorIcon, Image.Image]:
    """``icon`` on a square viewBox around what it draws, with a ``FRAME_PAD`` margin on each side.

    Why: the sets pad their artwork differently (OpenMoji leaves a sixth of the canvas empty, Noto a twentieth),
    and borrowed features may reach past the base's viewBox; framing every result alike, as the image data set
    does, makes a kitchen emoji fill a Slack slot like any other and never clips a tear. Returns the framed icon
    and the probe render it was measured on (the judge reads that one: see :class:`Draft`).
    """
    side = max(icon.width, icon.height) * (1 + 2 * PROBE_MARGIN)
    left = icon.left + icon.width / 2 - side / 2
    top = icon.top + icon.height / 2 - side / 2
    wide = VectorIcon(icon.slug, icon.body, side, side, left, top)
    rendered = render_svg(wide.svg(), probe)
    box = rendered.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
    if box is None:
        raise KitchenInputError(f"The recipe for {icon.slug} draws nothing visible.")
    x0, y0 = left + box[0] * side / probe, top + box[1] * side / probe
    x1, y1 = left + box[2] * side / probe, top + box[3] * side / probe
    content = max(x1 - x0, y1 - y0)
    framed_side = content / (1 - 2 * FRAME_PAD)
    left, top = (x0 + x1) / 2 - framed_side / 2, (y0 + y1) / 2 - framed_side / 2
    return VectorIcon(icon.slug, icon.body, framed_side, framed_side, left, top), rendered


def png_bytes(image: Image.Image) -> bytes:
    """An optimised PNG within the 128 KB custom-emoji limit (128 px vector renders are ~5-20 KB)."""
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    if len(data) > MAX_FILE_BYTES:
        raise KitchenInputError(f"The PNG is {len(data)} bytes, over the {MAX_FILE_BYTES} byte limit.")
    return data
