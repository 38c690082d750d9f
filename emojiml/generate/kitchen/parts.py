"""Face emoji split into base, eyes (with brows), mouth and extras; any emoji measured as a base for a face.

The split is geometric and chromatic, per style, because the four sets draw faces differently (Noto shades the
disc with extra paths, OpenMoji strokes every outline separately, Twemoji merges features into one path):

1. Every piece (see :mod:`pieces`) is rendered alone at ``MEASURE_SIZE`` px to get its box, area, mask and
   mean colour: rendering is the one measure that honours transforms, strokes and gradients alike.
2. The face is the largest filled piece; its box is the face box.
3. A piece is *base* when it is large, covers the face box (an outline ring) or has the face's colour
   (shading, highlights); *extras* when it is blue (tears, sweat, ice) or lies mostly outside the face below
   its middle (hands, tears running off); attachments outside the face above its middle (ears, hats,
   antennas) stay with the base. A piece in front of the lower face that reaches the chin and past the face's
   edge is a hand over the mouth (🤭, 🫢, 🙊): it goes with the *mouth*, so a new mouth is not drawn under
   the old hand and a borrowed mouth brings it onto another face (not onto an object: ``IconParts.lent``).
   The rest is *eyes* above ``EYE_LINE`` of the face box and *mouth* below.
4. An outline (a stroke with no fill) that traces a filled piece takes that piece's part.
5. ``OVERRIDES`` fixes what the rules get wrong, found by looking at ``emojiml kitchen parts`` sheets.

A non-face emoji receives features in its largest *calm* circle (:func:`calm_circle`): the largest circle
inside the silhouette that crosses no drawn edge (a rocket's window, a cookie's chips, the outline of a
penguin's belly; not a dark area while a light one will do: an avocado's pit), pulled toward the middle of the
drawing (a crescent's face sits mid-arc, not at one end); ``fit_inside`` then slides the features onto it. A
*tile* (a symbol drawn on a filled square, ✴️ 🆗) is measured too: the kitchen only uses one as a base when
the prompt names it.
"""

from __future__ import annotations

import colorsys
import zlib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy import ndimage

from emojiml.catalog import Emoji
from emojiml.generate.kitchen.pieces import CutIcon, Piece, cut_icon, prefix_ids
from emojiml.generate.vectors import IconSet, VectorIcon, load_icon_set, render_svg

PARTS = ("base", "eyes", "mouth", "extras")
MEASURE_SIZE = 64
EYE_LINE = 0.56  # share of the face box's height above which a feature is an eye or brow
MOUTH_LINE = 0.45  # ... unless it is centred (within CENTRED of the width) and below this line: a mouth
CENTRED = 0.1
TALL = 0.5  # a filled piece this tall (share of the face's height) is shading, not a feature
EAR_LINE, EAR_SIDE = 0.2, 0.3  # above this line and this far off-centre: inside an ear
HAND_LINE, HAND_TOP, HAND_OUTSIDE = 0.55, 0.38, 0.015  # a hand over the mouth: centred below HAND_LINE, top
# below HAND_TOP (under the eyes: 🫣's hands over the eyes stay), reaching the chin and out of the face
SOFT_ALPHA = 0.6  # mean opacity under which a piece is a soft glow (blush), not a drawn feature
SOFT_MIN_PIXELS = 40  # smaller pieces look soft only because their edges are anti-aliased
BIG_SHARE = 0.45  # a piece with this share of the face's area is part of the base
EDGE_STEP = 0.2  # a colour step (0..1, largest channel, between pixels 2 apart) that is a drawn edge
CENTRE_PULL = 0.3  # calm circles lose this much radius per unit of distance from the drawing's centroid
CALM_MIN = 0.4  # a calm circle smaller than this share of the silhouette's own is too busy: use the silhouette's
DARK_LUMA = 0.35  # luma under which a calm region is too dark for a face's dark features (an avocado's pit)
LIGHT_MIN = 0.5  # ... unless the light calm circle is under this share of the calm one (a dark object: its own)
TILE_FILL = 0.9  # an icon covering this share of its own box, nearly square, is a tile (✴️ 🆗 🟧)
FACE_SUBGROUP_PREFIX = "face-"
FACE_LIKE_SUBGROUPS = ("cat-face", "monkey-face")

# (style, slug) -> {piece index: part} for pieces the rules misplace, or {"*": "none"} for an icon that has no
# usable split (it is then only used whole, as a base). Found by eye on `emojiml kitchen parts` sheets.
OVERRIDES: dict[tuple[str, str], dict[int | str, str]] = {
    **{
        (style, slug): {"*": "none"}  # tilted, upside down or melting: the eye line does not hold
        for style in ("noto", "twemoji", "openmoji", "fluent")
        for slug in ("rolling-on-the-floor-laughing", "upside-down-face", "melting-face")
    },
    ("twemoji", "face-screaming-in-fear"): {5: "extras", 6: "extras"},  # hands on the cheeks, not a mouth
    ("noto", "face-screaming-in-fear"): {7: "extras", 14: "eyes", 16: "eyes"},  # hand; the eyes' rims
    ("openmoji", "face-screaming-in-fear"): {13: "extras"},  # the outline of the blue forehead
    ("openmoji", "face-in-clouds"): {2: "base", 10: "base"},  # a cloud across the chin, not a hand
}
# (style, slug) -> the calm circle of a non-face base where ``calm_circle`` picks a poor spot, found by eye on
# `emojiml kitchen-grid`: (x, y) as shares of the drawing's box, r as a share of its size.
PLACEMENT_OVERRIDES: dict[tuple[str, str], tuple[float, float, float]] = {
    ("twemoji", "banana"): (0.36, 0.7, 0.125),  # the yellow body; the calm circle was the small peeled tip
    ("openmoji", "penguin"): (0.5, 0.45, 0.11),  # the upper belly; the belly's thick outline kept the face low
}


@dataclass(frozen=True)
class Shape:
    """Where a piece draws, measured on a ``MEASURE_SIZE`` canvas of the icon's viewBox."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in viewBox units
    area: float  # opaque share of the canvas
    colour: tuple[float, float, float]  # mean straight RGB in 0..1 (alpha-weighted)
    mask: np.ndarray  # (S, S) float alpha in 0..1
    rgba: np.ndarray | None = None  # (S, S, 4) the render itself, kept for the whole icon only

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class IconParts:
    """One icon cut into labelled pieces; ``face_box`` is None for an icon used only whole (a non-face base)."""

    style: str
    slug: str
    icon: VectorIcon
    cut: CutIcon
    labels: tuple[str, ...]  # per piece, one of PARTS
    face_box: tuple[float, float, float, float] | None
    face_index: int | None
    anchor: tuple[float, float, float]  # (cx, cy, r): where features go on this icon, in viewBox units
    colour: tuple[float, float, float]  # main sRGB colour (the face's, else the mean): what a palette moves
    extent: float  # the larger side of what the icon draws, in viewBox units (OpenMoji pads its viewBox)
    is_tile: bool = False  # a symbol on a filled square (✴️ 🆗): a base only when the prompt names it
    hands: frozenset[int] = frozenset()  # indices of the mouth's pieces that are a hand over it (🤭 🫢)
    boxes: tuple[tuple[float, float, float, float] | None, ...] = ()  # per piece of a face: its box (viewBox)
    silhouette: np.ndarray | None = field(default=None, compare=False)  # (S, S) bool: what a non-face base covers

    @property
    def is_face(self) -> bool:
        return self.face_box is not None

    def pieces(self, *parts: str) -> list[Piece]:
        """The pieces of the named parts, in paint order."""
        return [p for p, label in zip(self.cut.pieces, self.labels, strict=True) if label in parts]

    def has(self, part: str) -> bool:
        return part in self.labels

    def footprint(self, pieces: list[Piece]) -> tuple[float, float, float, float] | None:
        """The box ``pieces`` of this face draw in, in units of the face's radius from its centre (``anchor``)."""
        boxes = [self.boxes[p.index] for p in pieces if p.index < len(self.boxes) and self.boxes[p.index]]
        if not boxes:
            return None
        cx, cy, r = self.anchor
        return (
            (min(b[0] for b in boxes) - cx) / r,
            (min(b[1] for b in boxes) - cy) / r,
            (max(b[2] for b in boxes) - cx) / r,
            (max(b[3] for b in boxes) - cy) / r,
        )

    def lent(self, part: str, onto_face: bool) -> list[Piece]:
        """The pieces of ``part`` this face lends to a base: a hand over the mouth only onto another face.

        Why: on a potato or a cactus, 🤭's hand floated beside the object; the hand belongs to a face."""
        return [p for p in self.pieces(part) if onto_face or p.index not in self.hands]


def is_face_emoji(emoji: Emoji) -> bool:
    """Emoji whose drawing is a face the splitter understands (the yellow faces, cat and monkey faces): donors."""
    return emoji.subgroup.startswith(FACE_SUBGROUP_PREFIX) or emoji.subgroup in FACE_LIKE_SUBGROUPS


def has_face(emoji: Emoji) -> bool:
    """Emoji that draw a face of their own (donor faces, 🐱 cat face, 🌝 full moon face): as a base, the split
    removes that face's eyes and mouth before new ones go on; when no split is found they stay whole."""
    return is_face_emoji(emoji) or "face" in emoji.name.split()


def measure(
    icon: VectorIcon, definitions: str, markup: str, size: int = MEASURE_SIZE, keep_render: bool = False
) -> Shape | None:
    """The shape one fragment draws on its own (None when it draws nothing visible)."""
    svg = VectorIcon(icon.slug, definitions + markup, icon.width, icon.height, icon.left, icon.top).svg()
    rgba = np.asarray(render_svg(svg, size), dtype=np.float32) / 255.0  # (S, S, 4)
    alpha = rgba[..., 3]
    total = float(alpha.sum())
    if total < 0.5:
        return None
    ys, xs = np.nonzero(alpha > 0.1)
    if len(xs) == 0:
        return None
    scale = max(icon.width, icon.height) / size
    off_x = icon.left - (max(icon.width, icon.height) - icon.width) / 2
    off_y = icon.top - (max(icon.width, icon.height) - icon.height) / 2
    box = (
        off_x + xs.min() * scale,
        off_y + ys.min() * scale,
        off_x + (xs.max() + 1) * scale,
        off_y + (ys.max() + 1) * scale,
    )
    colour = tuple(float((rgba[..., k] * alpha).sum() / total) for k in range(3))
    return Shape(box, total / alpha.size, colour, alpha, rgba if keep_render else None)


def _hue_saturation_value(colour: tuple[float, float, float]) -> tuple[float, float, float]:
    h, s, v = colorsys.rgb_to_hsv(*colour)
    return h * 360, s, v


def _is_blue(colour) -> bool:
    hue, saturation, value = _hue_saturation_value(colour)
    return 180 <= hue <= 250 and saturation > 0.15 and value > 0.4


def _close_colour(a, b, tolerance: float = 0.12) -> bool:
    return float(np.abs(np.subtract(a, b)).max()) < tolerance


def _box_iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def label_pieces(cut: CutIcon, shapes: list[Shape | None]) -> tuple[tuple[str, ...], int | None]:
    """A part per piece and the index of the face piece (None when no piece looks like a face)."""
    filled = [i for i, (p, s) in enumerate(zip(cut.pieces, shapes, strict=True)) if s is not None and p.fill != "none"]
    if not filled:
        return tuple("base" for _ in cut.pieces), None
    face = max(filled, key=lambda i: shapes[i].area)
    face_shape = shapes[face]
    fx0, fy0, fx1, fy1 = face_shape.box
    fw, fh = fx1 - fx0, fy1 - fy0
    face_mask = face_shape.mask > 0.5
    face_colour = face_shape.colour
    labels: list[str] = []
    for i, (piece, shape) in enumerate(zip(cut.pieces, shapes, strict=True)):
        if shape is None or i == face:
            labels.append("base")
            continue
        cx, cy = shape.centre
        outside = float((shape.mask * ~face_mask).sum() / max(shape.mask.sum(), 1e-6))
        drawn = shape.mask[shape.mask > 0.05]
        rows, columns = np.nonzero(shape.mask > 0.05)
        blob = drawn.size > 0.5 * (np.ptp(rows) + 1) * (np.ptp(columns) + 1)  # a glow fills its box; a line does not
        soft = blob and drawn.size > SOFT_MIN_PIXELS and float(drawn.mean()) < SOFT_ALPHA
        if shape.area >= BIG_SHARE * face_shape.area or (shape.width >= 0.6 * fw and shape.height >= 0.6 * fh):
            labels.append("base")  # the disc's shading, rim and outline ring
        elif _is_blue(shape.colour) or soft:
            labels.append("extras")  # tears, sweat, and soft blush
        elif outside > 0.5:
            labels.append("base" if cy < fy0 + 0.5 * fh else "extras")
        elif i < face:
            labels.append("base")  # drawn before the face and inside it: hidden detail of the head
        elif _over_mouth(shape, face_shape.box) and outside > HAND_OUTSIDE:
            labels.append("hand")  # in front of the lower face, reaching past its edge: a hand over the mouth
        elif piece.fill != "none" and shape.height >= TALL * fh:
            labels.append("base")  # taller than any eye or mouth: shading down the side of the head
        elif cy < fy0 + EAR_LINE * fh and abs(cx - (fx0 + fx1) / 2) > EAR_SIDE * fw:
            labels.append("base")  # high in a corner: the inside of an ear or a horn
        elif piece.fill != "none" and shape.area > 0.02 * face_shape.area and _close_colour(shape.colour, face_colour):
            labels.append("base")  # shading and highlights in the face's own colour
        elif abs(cx - (fx0 + fx1) / 2) < CENTRED * fw and cy > fy0 + MOUTH_LINE * fh:
            labels.append("mouth")  # centred below the middle: a mouth, even in Fluent's high-set faces
        elif cy < fy0 + EYE_LINE * fh:
            labels.append("eyes")
        else:
            labels.append("mouth")
    mouths = [shapes[i].box for i, label in enumerate(labels) if label == "mouth"]
    for i, label in enumerate(labels):
        if label == "eyes" and any(_inside_share(shapes[i].box, box) > 0.5 for box in mouths):
            labels[i] = "mouth"  # the top of a mouth (teeth) that reaches above the eye line
    for i, (piece, shape) in enumerate(zip(cut.pieces, shapes, strict=True)):
        if shape is None or piece.fill != "none" or i == face:
            continue
        twins = [j for j in filled if j != i and _box_iou(shape.box, shapes[j].box) > 0.6]
        if twins:
            labels[i] = labels[max(twins, key=lambda j: _box_iou(shape.box, shapes[j].box))]
    return tuple(labels), face


def hand_pieces(labels: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[int]]:
    """``labels`` with each hand over the mouth labelled *mouth* (🤭's hand is how it shows its mouth: a face
    base drops it with its mouth), and the indices of those hand pieces (a non-face base is not lent them)."""
    hands = frozenset(i for i, label in enumerate(labels) if label == "hand")
    return tuple("mouth" if label == "hand" else label for label in labels), hands


def _over_mouth(shape: Shape, face_box) -> bool:
    """A piece across the face's centre line, from under the eyes to the chin: where a hand over a mouth is
    (🤭, 🤫, 🙊), not hands on the cheeks (🙀) or over the eyes (🙈, 🫣)."""
    fx0, fy0, fx1, fy1 = face_box
    fh = fy1 - fy0
    x0, y0, x1, y1 = shape.box
    return (
        x0 < (fx0 + fx1) / 2 < x1
        and shape.centre[1] > fy0 + HAND_LINE * fh
        and y0 > fy0 + HAND_TOP * fh
        and y1 >= fy1 - 0.05 * fh
    )


def _inside_share(a, b) -> float:
    """Share of box ``a``'s area that lies inside box ``b``."""
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    area = (a[2] - a[0]) * (a[3] - a[1])
    return max(0.0, x1 - x0) * max(0.0, y1 - y0) / area if area > 0 else 0.0


def _to_viewbox(icon: VectorIcon, size: int, x: float, y: float, r: float) -> tuple[float, float, float]:
    scale = max(icon.width, icon.height) / size
    off_x = icon.left - (max(icon.width, icon.height) - icon.width) / 2
    off_y = icon.top - (max(icon.width, icon.height) - icon.height) / 2
    return off_x + (x + 0.5) * scale, off_y + (y + 0.5) * scale, r * scale


def inscribed_circle(mask: np.ndarray, icon: VectorIcon) -> tuple[float, float, float]:
    """(cx, cy, r) in viewBox units of the largest circle inside the opaque part of ``mask``."""
    inside = np.pad(mask > 0.5, 1)
    distance = ndimage.distance_transform_edt(inside)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return _to_viewbox(icon, mask.shape[0], x, y, float(distance[y, x]))


def drawn_edges(rgba: np.ndarray) -> np.ndarray:
    """(S, S) bool: opaque pixels where the colour steps by ``EDGE_STEP`` or more (outlines, a window's rim).

    Smooth gradients (Noto's shading) are not edges; a step is measured between pixels two apart, on straight
    colour, so anti-aliasing does not halve it.
    """
    alpha, colour = rgba[..., 3], rgba[..., :3]  # straight (not premultiplied) colour in 0..1
    step = np.zeros(alpha.shape, dtype=np.float32)
    for axis in (0, 1):
        forward = np.abs(np.roll(colour, -1, axis) - np.roll(colour, 1, axis)).max(-1)
        step = np.maximum(step, forward)
    solid = alpha > 0.5
    near_solid = ndimage.binary_erosion(solid, iterations=1)  # steps against the background are the silhouette
    return (step >= EDGE_STEP) & near_solid


def calm_circle(rgba: np.ndarray, icon: VectorIcon) -> tuple[float, float, float]:
    """(cx, cy, r) in viewBox units: where a face goes on a non-face drawing.

    The largest circle inside the silhouette that crosses no drawn edge (:func:`drawn_edges`), each candidate
    centre losing ``CENTRE_PULL`` of radius per unit of distance from the drawing's centroid. Why: the largest
    circle in the silhouette alone put the rocket's face over its window and the crescent's at its thick end.
    A drawing too busy for any calm circle (``CALM_MIN`` of the silhouette's) falls back to the silhouette's.
    Dark areas (luma under ``DARK_LUMA``) are not calm while a light calm circle of ``LIGHT_MIN`` of the calm one
    exists: the Twemoji avocado's face sat on its brown pit, where dark eyes read only through their white rim.
    """
    alpha = rgba[..., 3]
    inside = alpha > 0.5
    whole = ndimage.distance_transform_edt(np.pad(inside, 1))[1:-1, 1:-1]
    calm = ndimage.distance_transform_edt(np.pad(inside & ~drawn_edges(rgba), 1))[1:-1, 1:-1]
    if calm.max() < CALM_MIN * whole.max():
        calm = whole
    luma = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    light = ndimage.distance_transform_edt(np.pad(inside & ~drawn_edges(rgba) & (luma >= DARK_LUMA), 1))[1:-1, 1:-1]
    if light.max() >= LIGHT_MIN * calm.max():
        calm = light
    ys, xs = np.nonzero(inside)
    cy, cx = ys.mean(), xs.mean()
    grid_y, grid_x = np.indices(alpha.shape)
    score = calm - CENTRE_PULL * np.hypot(grid_y - cy, grid_x - cx)
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    return _to_viewbox(icon, alpha.shape[0], x, y, float(calm[y, x]))


def fit_inside(
    silhouette: np.ndarray, icon: VectorIcon, centre: tuple[float, float], half: tuple[float, float], reach: float
) -> tuple[float, float]:
    """The centre, within ``reach`` of ``centre`` (viewBox units), for a box of half-sizes ``half`` that puts the
    most of the box inside ``silhouette`` (ties: the nearest to ``centre``).

    Why: a face's features on a thin object spilled off it (😪's bubble below the crescent moon's arc); sliding
    the features' box, not shrinking it, keeps them on the object at the size that reads.
    """
    size = silhouette.shape[0]
    scale = max(icon.width, icon.height) / size  # viewBox units per pixel
    off_x = icon.left - (max(icon.width, icon.height) - icon.width) / 2
    off_y = icon.top - (max(icon.width, icon.height) - icon.height) / 2
    integral = np.pad(np.cumsum(np.cumsum(silhouette.astype(np.float32), 0), 1), ((1, 0), (1, 0)))
    hw, hh = max(half[0] / scale, 0.5), max(half[1] / scale, 0.5)
    steps = int(np.ceil(reach / scale))
    shifts = np.arange(-steps, steps + 1)
    sx, sy = np.meshgrid(shifts, shifts)  # (K, K) pixel shifts
    px, py = (centre[0] - off_x) / scale + sx, (centre[1] - off_y) / scale + sy
    x0 = np.clip(np.round(px - hw), 0, size).astype(int)
    x1 = np.clip(np.round(px + hw), 0, size).astype(int)
    y0 = np.clip(np.round(py - hh), 0, size).astype(int)
    y1 = np.clip(np.round(py + hh), 0, size).astype(int)
    inside = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    share = inside / (4 * hw * hh)
    distance = np.hypot(sx, sy)
    share = np.where(distance <= steps, share, -1.0) - 1e-4 * distance  # ties go to the smallest move
    k = np.unravel_index(int(np.argmax(share)), share.shape)
    return centre[0] + sx[k] * scale, centre[1] + sy[k] * scale


def is_tile(mask: np.ndarray) -> bool:
    """A drawing that fills its nearly square box (a symbol's tile: ✴️ 🆗 🟧), not an object's outline."""
    rows, columns = np.nonzero(mask > 0.5)
    if len(rows) == 0:
        return False
    height, width = np.ptp(rows) + 1, np.ptp(columns) + 1
    return 0.85 <= width / height <= 1.18 and (mask > 0.5).sum() >= TILE_FILL * width * height


@cache
def icon_is_tile(style: str, slug: str) -> bool:
    """:func:`is_tile` for icon ``slug`` of ``style`` from one render, without cutting it into parts."""
    icon = load_icon_set(style).get(slug)
    if icon is None:
        raise KeyError(slug)
    alpha = np.asarray(render_svg(icon.svg(), MEASURE_SIZE).getchannel("A"), dtype=np.float32) / 255.0
    return is_tile(alpha)


@cache
def icon_parts(style: str, slug: str, face: bool) -> IconParts:
    """The labelled pieces of icon ``slug`` in ``style``; ``face`` asks for the face split (else all base)."""
    icon_set = load_icon_set(style)
    icon = icon_set.get(slug)
    if icon is None:
        raise KeyError(slug)
    cut = cut_icon(prefix_ids(icon.body, f"k{zlib.crc32(f'{style}/{slug}'.encode()):08x}"))
    whole = measure(icon, cut.definitions, "".join(p.markup for p in cut.pieces), keep_render=True)
    override = OVERRIDES.get((style, slug), {})
    labels: tuple[str, ...] = tuple("base" for _ in cut.pieces)
    face_index = None
    tile = False
    hands: frozenset[int] = frozenset()
    face_box = None
    boxes: tuple = ()
    if face and override.get("*") != "none":
        shapes = [measure(icon, cut.definitions, p.markup) for p in cut.pieces]
        labels, face_index = label_pieces(cut, shapes)
        labels, hands = hand_pieces(tuple(override.get(i, label) for i, label in enumerate(labels)))
        if face_index is not None and ("eyes" in labels or "mouth" in labels):
            face_box = shapes[face_index].box
            boxes = tuple(shape.box if shape is not None else None for shape in shapes)
        else:
            labels, face_index = tuple("base" for _ in cut.pieces), None
    colour = whole.colour if whole is not None else (0.5, 0.5, 0.5)
    if face_box is not None:
        x0, y0, x1, y1 = face_box
        anchor = ((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) / 2)
        colour = shapes[face_index].colour
    else:
        mask = whole.mask if whole is not None else np.ones((MEASURE_SIZE, MEASURE_SIZE))
        tile = icon_is_tile(style, slug)
        anchor = inscribed_circle(mask, icon) if tile or whole is None else calm_circle(whole.rgba, icon)
    if whole is not None:
        x0, y0, x1, y1 = whole.box
        extent = max(x1 - x0, y1 - y0)
    else:
        extent = max(icon.width, icon.height)
    if face_box is None and whole is not None and (style, slug) in PLACEMENT_OVERRIDES:
        fx, fy, fr = PLACEMENT_OVERRIDES[(style, slug)]
        x0, y0, x1, y1 = whole.box
        anchor = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0), fr * extent)
    silhouette = whole.mask > 0.5 if whole is not None and face_box is None else None
    return IconParts(
        style, slug, icon, cut, labels, face_box, face_index, anchor, colour, extent, tile, hands, boxes, silhouette
    )


def parts_for(icon_set: IconSet, emoji: Emoji) -> IconParts | None:
    """The parts of a catalog emoji in ``icon_set`` (face split for faces), or None when the set lacks it."""
    slug = icon_set.slug_for(emoji)
    if slug is None:
        return None
    return icon_parts(icon_set.style, slug, has_face(emoji))
