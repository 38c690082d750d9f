"""Recolouring in OKLab/OKLCh: a palette moves an emoji's fills as a person sees colour, and keeps outlines.

Why OKLab: rotating hue in HSV turns a yellow face's orange shading muddy and changes how light it looks;
in OKLCh (Ottosson 2020) shifting hue and scaling chroma around a reference colour keeps the artwork's
shading steps (light and dark tones of one fill stay light and dark), so the result still reads as drawn.
Outlines and near-greys (chroma below ``GREY_CHROMA``) are kept, as are strokes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from emojiml.errors import EmojimlError

GREY_CHROMA = 0.03
HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
NAMED_COLOURS = {  # CSS names the sets use in fills
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "yellow": "#ffff00",
    "orange": "#ffa500",
    "gray": "#808080",
    "grey": "#808080",
}
# Named palettes: a target colour (the main fill moves to it, the rest follows) or a tone change.
PALETTE_COLOURS = {
    "red": "#e53935",
    "orange": "#fb8c00",
    "gold": "#f6c343",
    "green": "#43a047",
    "teal": "#26a69a",
    "blue": "#3b82f6",
    "ocean": "#0277bd",
    "purple": "#8e44ad",
    "pink": "#f06292",
    "brown": "#8d6e63",
    "sunset": "#ff7043",
    "forest": "#2e7d32",
}
PALETTE_TONES = ("pastel", "neon", "mono", "night")
PALETTES = tuple(PALETTE_COLOURS) + PALETTE_TONES


class PaletteError(EmojimlError):
    """A palette that is neither a known name nor a hex colour."""


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(np.maximum(c, 0), 1 / 2.4) - 0.055)


def rgb_to_oklch(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """sRGB in 0..1 -> (L, C, h in degrees)."""
    r, g, b = _srgb_to_linear(np.asarray(rgb, dtype=np.float64))
    lms = np.cbrt(
        [
            0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
            0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
            0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
        ]
    )
    lightness = 0.2104542553 * lms[0] + 0.7936177850 * lms[1] - 0.0040720468 * lms[2]
    a = 1.9779984951 * lms[0] - 2.4285922050 * lms[1] + 0.4505937099 * lms[2]
    bb = 0.0259040371 * lms[0] + 0.7827717662 * lms[1] - 0.8086757660 * lms[2]
    return float(lightness), float(np.hypot(a, bb)), float(np.degrees(np.arctan2(bb, a)) % 360)


def _oklch_to_linear(lightness: float, chroma: float, hue: float) -> np.ndarray:
    a, b = chroma * np.cos(np.radians(hue)), chroma * np.sin(np.radians(hue))
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return np.array(
        [
            4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
            -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
            -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_,
        ]
    )


def oklch_to_rgb(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    """(L, C, h) -> sRGB in 0..1, reducing chroma until the colour is displayable (keeps lightness and hue)."""
    lightness = min(max(lightness, 0.0), 1.0)
    low, high = 0.0, max(chroma, 0.0)
    if np.all((linear := _oklch_to_linear(lightness, high, hue)) >= -1e-4) and np.all(linear <= 1 + 1e-4):
        low = high
    else:
        for _ in range(20):  # binary search for the largest chroma inside sRGB
            mid = (low + high) / 2
            linear = _oklch_to_linear(lightness, mid, hue)
            if np.all(linear >= -1e-4) and np.all(linear <= 1 + 1e-4):
                low = mid
            else:
                high = mid
    rgb = _linear_to_srgb(np.clip(_oklch_to_linear(lightness, low, hue), 0, 1))
    return tuple(float(v) for v in np.clip(rgb, 0, 1))


def parse_hex(text: str) -> tuple[float, float, float]:
    """``#3b82f6`` / ``3b82f6`` / ``#38f`` -> sRGB in 0..1; :class:`PaletteError` for anything else."""
    match = HEX.match(text.strip())
    if match is None:
        raise PaletteError(
            f"{text!r} is not a colour: give a hex colour like #3b82f6 or a palette: {', '.join(PALETTES)}."
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[k : k + 2], 16) / 255 for k in (0, 2, 4))


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)


def check_palette(palette: str | None) -> str | None:
    """A valid palette name or normalised hex colour (lower case, with ``#``), or None for no palette."""
    if palette is None or not palette.strip():
        return None
    name = palette.strip().lower()
    if name in PALETTES:
        return name
    return to_hex(parse_hex(name))


def colour_mapping(palette: str, reference: tuple[float, float, float]) -> Callable[[tuple], tuple]:
    """A function moving one sRGB colour as ``palette`` says, relative to the artwork's main colour."""
    ref_l, ref_c, ref_h = rgb_to_oklch(reference)
    if palette in PALETTE_TONES:
        tone = {
            "pastel": lambda lch: (0.82 + 0.15 * lch[0], lch[1] * 0.45, lch[2]),
            "neon": lambda lch: (max(lch[0], 0.6), lch[1] * 1.8 + 0.02, lch[2]),
            "mono": lambda lch: (lch[0], 0.0, lch[2]),
            "night": lambda lch: (lch[0] * 0.55, lch[1] * 0.8, (lch[2] + 40) % 360),
        }[palette]
        return lambda rgb: oklch_to_rgb(*tone(rgb_to_oklch(rgb)))
    target = parse_hex(PALETTE_COLOURS.get(palette, palette))
    t_l, t_c, t_h = rgb_to_oklch(target)
    chroma_scale = t_c / ref_c if ref_c > GREY_CHROMA else 1.0

    def move(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
        lightness, chroma, hue = rgb_to_oklch(rgb)
        if ref_c <= GREY_CHROMA:  # a grey artwork (robot, ghost): tint it towards the target
            return oklch_to_rgb(lightness + 0.5 * (t_l - ref_l), max(chroma, t_c * 0.8), t_h)
        return oklch_to_rgb(lightness + (t_l - ref_l), chroma * chroma_scale, (hue + t_h - ref_h) % 360)

    return move


_COLOUR_ATTRIBUTE = re.compile(r'\b(fill|stop-color)="([^"]+)"|\b(fill|stop-color)\s*:\s*([^;"]+)')


def recolour_markup(markup: str, mapping: Callable[[tuple], tuple]) -> str:
    """``markup`` with every fill and gradient stop colour moved by ``mapping``; strokes and greys kept."""

    def replace(match: re.Match) -> str:
        attribute = match.group(1) or match.group(3)
        value = (match.group(2) or match.group(4)).strip()
        colour = NAMED_COLOURS.get(value.lower(), value)
        if not HEX.match(colour):
            return match.group(0)  # url(#gradient), none, currentColor: the gradient's stops are moved instead
        rgb = parse_hex(colour)
        if rgb_to_oklch(rgb)[1] < GREY_CHROMA:
            return match.group(0)  # outlines, greys, white highlights keep their colour
        new = to_hex(mapping(rgb))
        return f'{attribute}="{new}"' if match.group(1) else f"{attribute}:{new}"

    return _COLOUR_ATTRIBUTE.sub(replace, markup)
