"""SVG pieces and palettes: pure functions, no npm packages needed."""

from __future__ import annotations

import numpy as np
import pytest

from emojiml.generate.kitchen.palette import (
    PaletteError,
    check_palette,
    colour_mapping,
    oklch_to_rgb,
    recolour_markup,
    rgb_to_oklch,
)
from emojiml.generate.kitchen.pieces import cut_icon, prefix_ids, split_path
from emojiml.generate.vectors import VectorIcon, render_svg

BODY = (
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#fc0"/></linearGradient></defs>'
    '<circle cx="18" cy="18" r="16" fill="url(#g)"/>'
    '<g fill="#664500"><path d="M10 12h4v4h-4zm12 0h4v4h-4z"/></g>'
    '<path fill="#664500" d="M10 24h16v6H10z M12 25h12v2H12z"/>'
)


def test_split_path_makes_each_subpath_absolute():
    parts = split_path("M10 12h4v4h-4zm12 0h4v4h-4z")
    assert [d.split("h")[0] for d, _ in parts] == ["M10 12", "M22 12"]  # the relative m became an absolute M
    assert parts[1][1] == (22, 12, 26, 16)


def test_split_path_reads_packed_numbers_and_arc_flags():
    parts = split_path("M1.5.5l-1-1a1 1 0 011.898.632M5 5h1")
    assert len(parts) == 2 and parts[0][0].startswith("M1.5 0.5")


def test_cut_icon_separates_features_keeps_holes_and_draws_the_same():
    cut = cut_icon(BODY)
    assert "linearGradient" in cut.definitions
    assert len(cut.pieces) == 4  # face, two eyes from one path, and a mouth whose hole stays with it
    assert cut.pieces[1].fill == "#664500" and cut.pieces[1].markup.startswith('<g fill="#664500">')
    whole = VectorIcon("t", BODY, 36, 36).svg()
    pieces = VectorIcon("t", cut.definitions + "".join(p.markup for p in cut.pieces), 36, 36).svg()
    difference = np.abs(np.asarray(render_svg(whole, 64), int) - np.asarray(render_svg(pieces, 64), int))
    assert difference.mean() < 0.5


def test_prefix_ids_renames_ids_and_references():
    body = prefix_ids(BODY, "k1")
    assert 'id="k1g"' in body and "url(#k1g)" in body and 'id="g"' not in body


def test_palette_validation():
    assert check_palette("#3B82F6") == "#3b82f6"
    assert check_palette("38f") == "#3388ff"
    assert check_palette(" Pastel ") == "pastel"
    assert check_palette("") is None
    for bad in ("#12", "#gggggg", "blurple"):
        with pytest.raises(PaletteError, match="not a colour"):
            check_palette(bad)


def test_oklch_round_trip_and_gamut():
    for rgb in ((1.0, 0.8, 0.3), (0.2, 0.4, 0.9), (0.0, 0.0, 0.0)):
        assert np.allclose(oklch_to_rgb(*rgb_to_oklch(rgb)), rgb, atol=2e-3)
    assert all(0 <= v <= 1 for v in oklch_to_rgb(0.7, 0.5, 140))  # out of gamut: chroma is reduced


def test_recolour_moves_fills_and_keeps_outlines_and_greys():
    markup = '<path fill="#ffcc4d" stroke="#000"/><path fill="#ffffff"/><stop stop-color="#f4900c"/>'
    blue = recolour_markup(markup, colour_mapping("#3b82f6", (1.0, 0.8, 0.3)))
    assert 'stroke="#000"' in blue and 'fill="#ffffff"' in blue
    new_fill = blue.split('fill="')[1][:7]
    assert abs(rgb_to_oklch(tuple(int(new_fill[k : k + 2], 16) / 255 for k in (1, 3, 5)))[2] - 260) < 15
    assert 'stop-color="#f4900c"' not in blue


def test_shrunk_features_keep_their_line_weight():
    from emojiml.generate.kitchen.compose import MAX_STROKE_GAIN, keep_line_weight

    markup = '<path stroke="#000" stroke-width="2" d="M0 0h9"/>'
    assert keep_line_weight(markup, 1.5) == markup  # enlarged lines grow with the face, as drawn
    assert 'stroke-width="2.5"' in keep_line_weight(markup, 0.8)
    assert f'stroke-width="{2 * MAX_STROKE_GAIN:g}"' in keep_line_weight(markup, 0.1)
