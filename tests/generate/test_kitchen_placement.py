"""Where a face goes on an object: the calm region (no drawn edges), pulled to the middle; tiles told apart."""

from __future__ import annotations

import numpy as np

from emojiml.generate.kitchen.parts import calm_circle, drawn_edges, is_tile
from emojiml.generate.vectors import VectorIcon

SIZE = 64
ICON = VectorIcon("test", "", 64, 64, 0, 0)  # one viewBox unit per pixel


def _disc(cx: float, cy: float, r: float) -> np.ndarray:
    y, x = np.indices((SIZE, SIZE))
    return (x - cx) ** 2 + (y - cy) ** 2 <= r**2


def _rgba(mask: np.ndarray, colour=(0.9, 0.2, 0.2)) -> np.ndarray:
    rgba = np.zeros((SIZE, SIZE, 4), dtype=np.float32)
    rgba[mask, :3] = colour
    rgba[mask, 3] = 1.0
    return rgba


def test_a_window_is_an_edge_and_the_face_avoids_it():
    body = _disc(32, 32, 26)
    window = _disc(32, 20, 8)
    rgba = _rgba(body)
    rgba[window, :3] = (0.3, 0.6, 0.9)  # a blue window in the red body
    edges = drawn_edges(rgba)
    assert edges[window & ~_disc(32, 20, 6)].any() and not edges[_disc(32, 44, 4)].any()
    cx, cy, r = calm_circle(rgba, ICON)
    assert np.hypot(cx - 32, cy - 20) > 8 + r - 1  # the face's circle does not reach into the window
    plain_cx, plain_cy, plain_r = calm_circle(_rgba(body), ICON)
    assert abs(plain_cx - 32) < 2 and abs(plain_cy - 32) < 2 and plain_r > r  # without it: the middle


def test_smooth_shading_is_not_an_edge():
    rgba = _rgba(_disc(32, 32, 26))
    rgba[..., 0] *= np.linspace(0.6, 1.0, SIZE)[None, :]  # a gradient across the disc
    assert not drawn_edges(rgba).any()


def test_a_crescent_face_sits_mid_arc():
    crescent = _disc(32, 32, 28) & ~_disc(44, 32, 24)  # thick on the left, horns up and down
    cx, cy, r = calm_circle(_rgba(crescent), ICON)
    assert crescent[int(cy), int(cx)] and abs(cy - 32) < 6 and r > 2


def test_tiles_fill_a_square_box():
    square = np.zeros((SIZE, SIZE), dtype=np.float32)
    square[8:56, 8:56] = 1.0
    assert is_tile(square)
    assert not is_tile(_disc(32, 32, 24).astype(np.float32))  # a round object is no tile
    wide = np.zeros((SIZE, SIZE), dtype=np.float32)
    wide[20:44, 2:62] = 1.0
    assert not is_tile(wide)  # a full but long box (a banner, a train) is no tile


def test_a_box_slides_inside_the_silhouette():
    from emojiml.generate.kitchen.parts import fit_inside

    crescent = _disc(32, 32, 28) & ~_disc(44, 32, 24)  # thick on the left
    cx, cy = fit_inside(crescent, ICON, (20, 32), (5, 5), reach=8)
    y, x = np.indices((SIZE, SIZE))
    box = (abs(x + 0.5 - cx) <= 5) & (abs(y + 0.5 - cy) <= 5)
    before = (abs(x + 0.5 - 20) <= 5) & (abs(y + 0.5 - 32) <= 5)
    assert (box & ~crescent).sum() < (before & ~crescent).sum()  # less of the box hangs off the crescent
    assert np.hypot(cx - 20, cy - 32) <= 8  # within its reach
    assert fit_inside(_disc(32, 32, 26), ICON, (32, 32), (5, 5), reach=8) == (32, 32)  # inside already: stays


def _spill(recipe) -> float:
    """Share of a composition's opaque pixels that lie off its base's own drawing (on the base's viewBox)."""
    from emojiml.generate.kitchen.compose import draft, emoji_parts, usable_emoji
    from emojiml.generate.vectors import render_svg

    base = emoji_parts(usable_emoji(recipe.base), recipe.style).icon

    def opaque(body: str) -> np.ndarray:
        icon = VectorIcon(base.slug, body, base.width, base.height, base.left, base.top)
        return np.asarray(render_svg(icon.svg(), 128))[..., 3] > 128

    whole, plain = opaque(draft(recipe).icon.body), opaque(base.body)
    return float((whole & ~plain).sum() / whole.sum())


def test_features_stay_on_a_thin_object():
    from emojiml.generate.kitchen.compose import Recipe

    # before the features' box was centred and slid inside: 5.6% and 3.3% of the drawing hung off the object
    assert _spill(Recipe("🌙", "😪", "😪", "😪", "noto")) < 0.04  # 😪's bubble on the crescent's arc
    assert _spill(Recipe("🍌", "😨", "😨", "😨", "twemoji")) < 0.02


def test_a_face_avoids_a_dark_pit_but_a_dark_object_keeps_its_own():
    body, pit = _disc(32, 32, 28), _disc(30, 38, 14)
    rgba = _rgba(body, (0.75, 0.9, 0.6))  # light flesh
    rgba[pit, :3] = (0.35, 0.15, 0.1)  # a brown pit, the largest calm circle (the face went there before)
    cx, cy, _ = calm_circle(rgba, ICON)
    assert not pit[int(cy), int(cx)] and np.hypot(cx - 30, cy - 38) > 14  # on the flesh, not the pit
    dark = _rgba(body, (0.2, 0.2, 0.25))  # an all-dark object (a bowling ball): its own middle
    cx, cy, _ = calm_circle(dark, ICON)
    assert abs(cx - 32) < 2 and abs(cy - 32) < 2


def test_placement_overrides_put_faces_where_they_read():
    from emojiml.catalog import default_catalog
    from emojiml.generate.kitchen.compose import emoji_parts

    def middle(parts):
        icon = parts.icon
        return icon.left + icon.width / 2, icon.top + icon.height / 2

    banana = emoji_parts(default_catalog().get("🍌"), "twemoji")
    (cx, cy, _), (mx, my) = banana.anchor, middle(banana)
    assert cx < mx and cy > my  # the yellow body, lower left, not the peeled tip (upper right)
    penguin = emoji_parts(default_catalog().get("🐧"), "openmoji")
    (_, cy, _), (_, my) = penguin.anchor, middle(penguin)
    assert cy < my  # the upper belly
