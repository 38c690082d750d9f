"""Contact sheets for looking at the kitchen: face splits (to check by eye and fill ``parts.OVERRIDES``) and
the README grid of results across styles, expressions and palettes."""

from __future__ import annotations

from collections import Counter

from PIL import Image, ImageDraw, ImageFont

from emojiml.catalog import default_catalog
from emojiml.generate.kitchen.parts import PARTS, IconParts, has_face, parts_for
from emojiml.generate.kitchen.pieces import Piece
from emojiml.generate.vectors import VectorIcon, load_icon_set, render_svg

CELL = 64
GRID_CELL = 128
GRID_COLUMNS = 6
CAPTION = 30


def parts_sheet(style: str, start: int = 0, count: int = 40) -> tuple[Image.Image, dict[str, int]]:
    """One row per face emoji: whole | base | eyes | mouth | extras; a red bar marks icons left unsplit."""
    catalog = default_catalog()
    icon_set = load_icon_set(style)
    faces = [catalog[i] for i in catalog.base_indices if has_face(catalog[i])][start : start + count]
    sheet = Image.new("RGBA", (CELL * (1 + len(PARTS)), CELL * max(len(faces), 1)), (236, 236, 236, 255))
    counts: Counter[str] = Counter()
    for row, entry in enumerate(faces):
        parts = parts_for(icon_set, entry)
        if parts is None:
            counts["missing"] += 1
            continue
        counts["split" if parts.is_face else "unsplit"] += 1
        sheet.alpha_composite(_draw(parts, parts.cut.pieces), (0, row * CELL))
        for column, part in enumerate(PARTS, start=1):
            sheet.alpha_composite(_draw(parts, parts.pieces(part)), (column * CELL, row * CELL))
        if not parts.is_face:
            ImageDraw.Draw(sheet).rectangle([CELL, row * CELL, sheet.width - 1, row * CELL + 3], fill=(220, 0, 0, 255))
    return sheet, dict(counts)


def _draw(parts: IconParts, pieces: list[Piece] | tuple[Piece, ...]) -> Image.Image:
    icon = parts.icon
    body = parts.cut.definitions + "".join(p.markup for p in pieces)
    return render_svg(VectorIcon(icon.slug, body, icon.width, icon.height, icon.left, icon.top).svg(), CELL)


def kitchen_grid(rows) -> tuple[Image.Image, list[str]]:
    """The README grid: one kitchen result (seed 0, best ranked) per (prompt, style, expression, palette)."""
    from emojiml.generate.kitchen import generate_kitchen
    from emojiml.generate.methods import GenerationRequest

    n_rows = -(-len(rows) // GRID_COLUMNS)
    grid = Image.new("RGBA", (GRID_CELL * GRID_COLUMNS, (GRID_CELL + CAPTION) * n_rows), (255, 255, 255, 255))
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=11)
    captions = []
    for k, (prompt, style, expression, palette) in enumerate(rows):
        request = GenerationRequest(prompt, style=style, expression=expression, palette=palette, n=1, seed=0)
        result = generate_kitchen(request)[0]
        x, y = (k % GRID_COLUMNS) * GRID_CELL, (k // GRID_COLUMNS) * (GRID_CELL + CAPTION)
        grid.alpha_composite(result.image, (x, y))
        label = " ".join(bit for bit in (prompt, expression, palette) if bit)
        draw.text((x + 4, y + GRID_CELL + 1), label[:24], fill=(40, 40, 40), font=font)
        draw.text((x + 4, y + GRID_CELL + 15), style, fill=(120, 120, 120), font=font)
        captions.append(f"{label} [{style}]: {result.recipe}")
    return grid, captions
