"""Vector emoji artwork from the Iconify JSON packages on npm, rendered crisply at any size with resvg.

One module for every consumer of real vector emoji (the kitchen composes from the SVG bodies; the neural
models render training images at 64/128 px), so all of them read the same four sets the same way:

- noto: ``@iconify-json/noto``, Apache-2.0, viewBox 128
- twemoji: ``@iconify-json/twemoji``, CC-BY-4.0, viewBox 36
- openmoji: ``@iconify-json/openmoji``, CC-BY-SA-4.0, viewBox 72
- fluent: ``@iconify-json/fluent-emoji-flat``, MIT, viewBox 32

``make vectors`` (reached by ``make run`` and ``make test``) installs them into the git-ignored
``build/npm-vectors``; nothing of them is committed. Each set keys icons by the slugified CLDR name
(``smiling-face-with-heart-eyes``) and maps code points to slugs in ``chars.json``; an icon is an SVG
``body`` on the set's viewBox. The license is read from each package's own ``info.json`` and checked
against the one recorded in ``emojiml/assets/ATTRIBUTION.md``, so a re-licensed upgrade fails loudly.

Why validate every body at load: one unparsable icon must cost that icon, not a crash in the middle of a
training run or a page; malformed ones are skipped and counted (``IconSet.skipped``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image

from emojiml.catalog import Emoji, normalize_key
from emojiml.config import REPO_DIR
from emojiml.errors import EmojimlError

VECTOR_DIR = REPO_DIR / "build" / "npm-vectors" / "node_modules" / "@iconify-json"
"""Where ``make vectors`` installs the packages (git-ignored)."""

# style -> (npm package directory under @iconify-json, SPDX license the package must declare)
PACKAGES: dict[str, tuple[str, str]] = {
    "noto": ("noto", "Apache-2.0"),
    "twemoji": ("twemoji", "CC-BY-4.0"),
    "openmoji": ("openmoji", "CC-BY-SA-4.0"),
    "fluent": ("fluent-emoji-flat", "MIT"),
}
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
MIN_SIZE, MAX_SIZE = 1, 4096


class VectorSourceError(EmojimlError):
    """A vector set is missing, carries an unexpected license, or an SVG cannot be rendered."""


@dataclass(frozen=True)
class VectorIcon:
    """One icon: its SVG ``body`` (the children of ``<svg>``) on the viewBox ``left top width height``."""

    slug: str
    body: str
    width: float
    height: float
    left: float = 0.0
    top: float = 0.0

    @property
    def view_box(self) -> str:
        return f"{_number(self.left)} {_number(self.top)} {_number(self.width)} {_number(self.height)}"

    def svg(self, size: int | None = None) -> str:
        """A standalone SVG document; ``size`` sets its pixel width and height (the viewBox is centred)."""
        dimensions = f' width="{size}" height="{size}"' if size else ""
        return (
            f'<svg xmlns="{SVG_NAMESPACE}" xmlns:xlink="{XLINK_NAMESPACE}" viewBox="{self.view_box}"{dimensions}>'
            f"{self.body}</svg>"
        )


@dataclass(frozen=True)
class IconSet:
    """One style's icons: slug -> :class:`VectorIcon`, code points -> slug, and what was skipped."""

    style: str
    package: str
    version: str
    license: str
    author: str
    width: float  # the set's default viewBox size (noto 128, twemoji 36, openmoji 72, fluent 32)
    height: float
    icons: dict[str, VectorIcon] = field(repr=False)
    codepoints: dict[str, str] = field(repr=False)  # "1f62d" / "1f9d1-200d-1f3a8" -> slug
    skipped: dict[str, str] = field(default_factory=dict, repr=False)  # slug -> why it was left out

    def __len__(self) -> int:
        return len(self.icons)

    def __contains__(self, slug: object) -> bool:
        return slug in self.icons

    def get(self, slug: str) -> VectorIcon | None:
        return self.icons.get(slug)

    def slug_for(self, emoji: Emoji) -> str | None:
        """The slug of a catalog emoji in this set: by code points first, then by its slugified CLDR name."""
        if emoji.is_custom:
            return None
        slug = self.codepoints.get(codepoint_key(emoji.char))
        if slug in self.icons:
            return slug
        slug = slugify(emoji.name)
        return slug if slug in self.icons else None

    def icon_for(self, emoji: Emoji) -> VectorIcon | None:
        """The icon of a catalog emoji in this set, or None when the set does not draw it."""
        slug = self.slug_for(emoji)
        return None if slug is None else self.icons[slug]

    def render(self, slug: str, size: int) -> Image.Image:
        """Icon ``slug`` as a ``size`` x ``size`` RGBA image (the whole viewBox, centred)."""
        icon = self.icons.get(slug)
        if icon is None:
            raise VectorSourceError(f"The {self.style} set has no icon {slug!r}.")
        return render_svg(icon.svg(), size)


def icon_sets() -> tuple[str, ...]:
    """Every vector style emojiml knows, installed or not (see :func:`installed_icon_sets`)."""
    return tuple(PACKAGES)


def installed_icon_sets(root: Path | None = None) -> tuple[str, ...]:
    """The styles whose package is installed under ``root`` (default :data:`VECTOR_DIR`)."""
    root = Path(root) if root is not None else VECTOR_DIR
    return tuple(style for style, (folder, _) in PACKAGES.items() if (root / folder / "icons.json").is_file())


def slugify(name: str) -> str:
    """A CLDR name as the Iconify sets key it: ``"smiling face with heart-eyes"`` -> ``smiling-face-with-heart-eyes``.

    A fallback for emoji whose code points a set's ``chars.json`` does not list.
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("’", "").replace("'", "")).strip("-")


def codepoint_key(char: str) -> str:
    """The ``chars.json`` key of an emoji: lower-case hex code points joined by ``-``, without U+FE0E/FE0F."""
    return "-".join(f"{ord(c):x}" for c in normalize_key(char))


def load_icon_set(style: str, root: Path | None = None) -> IconSet:
    """The icons of ``style`` (one of :func:`icon_sets`), read once per process and root.

    Raises :class:`VectorSourceError` when the package is not installed or declares another license.
    """
    if style not in PACKAGES:
        raise VectorSourceError(f"Unknown vector style {style!r}; choose one of: {', '.join(PACKAGES)}.")
    return _load_icon_set(style, (Path(root) if root is not None else VECTOR_DIR).resolve())


@cache
def _load_icon_set(style: str, root: Path) -> IconSet:
    folder, expected_license = PACKAGES[style]
    directory = root / folder
    if not (directory / "icons.json").is_file():
        raise VectorSourceError(
            f"The {style} vector emoji are not installed ({directory} is missing): run `make vectors`."
        )
    try:
        info = json.loads((directory / "info.json").read_text())
        data = json.loads((directory / "icons.json").read_text())
        chars = json.loads((directory / "chars.json").read_text()) if (directory / "chars.json").is_file() else {}
        version = json.loads((directory / "package.json").read_text()).get("version", "?")
    except (OSError, ValueError) as error:
        raise VectorSourceError(f"The {style} vector package in {directory} is unreadable ({error}).") from error
    license_id = info.get("license", {}).get("spdx", "")
    if license_id != expected_license:
        raise VectorSourceError(
            f"@iconify-json/{folder} declares license {license_id or 'none'!r}, not {expected_license}: "
            "check it before use and update ATTRIBUTION.md."
        )
    width = float(data.get("width", 16))
    height = float(data.get("height", width))
    icons: dict[str, VectorIcon] = {}
    skipped: dict[str, str] = {}
    for slug, raw in data.get("icons", {}).items():
        icon, why = _icon(slug, raw, width, height)
        if icon is None:
            skipped[slug] = why
        else:
            icons[slug] = icon
    for slug, alias in data.get("aliases", {}).items():
        parent = icons.get(alias.get("parent", "")) if isinstance(alias, dict) else None
        if parent is None:
            skipped[slug] = "alias of a missing or skipped icon"
        else:
            icons[slug] = _transformed(slug, parent, alias)
    return IconSet(
        style=style,
        package=f"@iconify-json/{folder}",
        version=str(version),
        license=license_id,
        author=str(info.get("author", {}).get("name", "")),
        width=width,
        height=height,
        icons=icons,
        codepoints={str(k): str(v) for k, v in chars.items()},
        skipped=skipped,
    )


def _icon(slug: str, raw: object, width: float, height: float) -> tuple[VectorIcon | None, str]:
    """A validated icon, or (None, why) when its body is missing or not well-formed SVG markup."""
    if not isinstance(raw, dict) or not isinstance(raw.get("body"), str) or not raw["body"].strip():
        return None, "no SVG body"
    body = raw["body"]
    try:
        ElementTree.fromstring(f'<svg xmlns="{SVG_NAMESPACE}" xmlns:xlink="{XLINK_NAMESPACE}">{body}</svg>')
        icon = VectorIcon(
            slug=slug,
            body=body,
            width=float(raw.get("width", width)),
            height=float(raw.get("height", height)),
            left=float(raw.get("left", 0)),
            top=float(raw.get("top", 0)),
        )
    except (ElementTree.ParseError, TypeError, ValueError) as error:
        return None, f"malformed SVG ({error})"
    if icon.width <= 0 or icon.height <= 0:
        return None, "empty viewBox"
    return icon, ""


def _transformed(slug: str, parent: VectorIcon, alias: dict) -> VectorIcon:
    """An alias icon: the parent's body, flipped or rotated by quarter turns as the alias says."""
    w, h = parent.width, parent.height
    cx, cy = parent.left + w / 2, parent.top + h / 2
    transforms = []
    if alias.get("hFlip"):
        transforms.append(f"translate({_number(2 * cx)} 0) scale(-1 1)")
    if alias.get("vFlip"):
        transforms.append(f"translate(0 {_number(2 * cy)}) scale(1 -1)")
    if alias.get("rotate"):
        transforms.append(f"rotate({90 * int(alias['rotate'])} {_number(cx)} {_number(cy)})")
    body = f'<g transform="{" ".join(transforms)}">{parent.body}</g>' if transforms else parent.body
    return VectorIcon(slug, body, w, h, parent.left, parent.top)


def render_svg(svg: str, size: int) -> Image.Image:
    """An SVG document rendered to a ``size`` x ``size`` RGBA image with resvg (transparent background).

    A non-square viewBox is fitted and centred (SVG's default ``xMidYMid meet``). Raises
    :class:`VectorSourceError` for markup resvg cannot render.
    """
    if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise VectorSourceError(f"The render size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}.")
    import resvg_py

    svg = _sized(svg, size)
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size, skip_system_fonts=True))
    except (ValueError, RuntimeError) as error:
        raise VectorSourceError(f"This SVG cannot be rendered ({error}).") from error
    with Image.open(BytesIO(png)) as image:
        rendered = image.convert("RGBA")
    if rendered.size != (size, size):  # resvg keeps the aspect ratio of a document without a square size
        canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        rendered.thumbnail((size, size), Image.Resampling.LANCZOS)
        canvas.paste(rendered, ((size - rendered.width) // 2, (size - rendered.height) // 2))
        rendered = canvas
    return rendered


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)


def _sized(svg: str, size: int) -> str:
    """``svg`` with a square pixel width and height on its root, so every viewBox fills the same canvas."""
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise VectorSourceError("This is not an SVG document (no <svg> element).")
    tag = re.sub(r'\s(width|height)="[^"]*"', "", match.group(0))
    tag = tag[:-1].rstrip("/").rstrip() + f' width="{size}" height="{size}">'
    if match.group(0).endswith("/>"):
        tag = tag[:-1] + "/>"
    return svg[: match.start()] + tag + svg[match.end() :]


def _number(value: float) -> str:
    return f"{value:g}"
