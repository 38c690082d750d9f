"""The emoji image data set: real emoji artwork in three styles, one 64x64 RGBA array per (emoji, style).

Why these sources: Noto ships as a Debian font (no network at build time), Twemoji (CC-BY-4.0) and
OpenMoji (CC-BY-SA-4.0) come as npm packages and have licenses that allow training; Apple's artwork
does not, and ``emoji-datasource-google`` is the same Noto artwork again, so it adds no style.

Curation: only skin-tone bases (tones would swamp the set with near-copies), no flags (rectangles of
stripes, a world of their own) and no keycaps (a digit in a box says nothing about the text encoder's
meaning). 10% of emoji are held out *by emoji* (all styles of a held-out emoji go to the held-out split)
so evaluation measures generation for prompts the models never saw.

Images are stored premultiplied-free as plain RGBA uint8 in one ``images.npy``; models see premultiplied
colours (transparent pixels are (0, 0, 0, 0)), which keeps the background clean.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from emojiml.catalog import Catalog, Emoji, default_catalog
from emojiml.errors import EmojimlError

log = logging.getLogger(__name__)

STYLES = ("noto", "twemoji", "openmoji")
NOTO_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
NOTO_SIZE = 109  # the only size the CBDT bitmap font loads at
EXCLUDED_GROUPS = ("flags", "unknown", "component")
EXCLUDED_SUBGROUPS = ("keycap",)
HOLDOUT_SHARE = 0.10
SPLIT_SEED = 6
PAD = 0.04  # share of the canvas left empty on each side, so every style is framed alike


class DatasetError(EmojimlError, RuntimeError):
    """The data set is missing, incomplete or was built by another version; the message says what to run."""


@dataclass(frozen=True)
class Sample:
    """One image's metadata. ``text`` is what the sentence encoder sees (name + keywords)."""

    emoji: str
    name: str
    group: str
    keywords: tuple[str, ...]
    style: str
    split: str
    text: str


def curated_emoji(catalog: Catalog | None = None) -> list[Emoji]:
    """The emoji the data set covers: skin-tone bases without flags, keycaps and components."""
    catalog = catalog or default_catalog()
    chosen = []
    for index in catalog.base_indices:
        entry = catalog[index]
        if entry.group in EXCLUDED_GROUPS or entry.subgroup in EXCLUDED_SUBGROUPS or entry.is_custom:
            continue
        chosen.append(entry)
    return chosen


def holdout_keys(keys: Iterable[str], share: float = HOLDOUT_SHARE, seed: int = SPLIT_SEED) -> set[str]:
    """A fixed ``share`` of emoji keys, drawn with a seeded permutation of the sorted keys."""
    ordered = sorted(set(keys))
    rng = np.random.default_rng(seed)
    n_hold = max(1, round(len(ordered) * share)) if ordered else 0
    return {ordered[i] for i in rng.permutation(len(ordered))[:n_hold]}


def frame(image: Image.Image, size: int) -> Image.Image:
    """Crop to the visible pixels, centre on a transparent square with a small margin, resize to ``size``."""
    image = image.convert("RGBA")
    box = image.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
    if box is None:
        raise ValueError("image is fully transparent")
    image = image.crop(box)
    side = round(max(image.size) / (1 - 2 * PAD))
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


class NotoRenderer:
    """Renders catalog emoji with the Noto Color Emoji font; detects the font's blank/notdef glyph."""

    def __init__(self, font_path: Path = NOTO_FONT) -> None:
        if not font_path.exists():
            raise DatasetError(f"{font_path} is missing: install the Debian package fonts-noto-color-emoji.")
        self.font = ImageFont.truetype(str(font_path), size=NOTO_SIZE)
        self._notdef = self._draw("\U000e0000").tobytes()  # a code point the font has no glyph for

    def _draw(self, char: str) -> Image.Image:
        left, top, right, bottom = self.font.getbbox(char)
        canvas = Image.new("RGBA", (max(1, right - left) + 8, max(1, bottom - top) + 8), (0, 0, 0, 0))
        ImageDraw.Draw(canvas).text((4 - left, 4 - top), char, font=self.font, embedded_color=True)
        return canvas

    def render(self, entry: Emoji, size: int) -> Image.Image | None:
        canvas = self._draw(entry.char)
        if canvas.tobytes() == self._notdef or canvas.width > 2 * NOTO_SIZE:
            return None  # missing glyph, or a sequence the font draws as several glyphs side by side
        try:
            return frame(canvas, size)
        except ValueError:
            return None


def _codepoint_names(entry: Emoji) -> list[str]:
    """File-name stems the npm packages may use: with and without U+FE0F, lower case."""
    full = "-".join(f"{ord(c):04x}" for c in entry.char)
    bare = "-".join(f"{ord(c):04x}" for c in entry.char if c != "\ufe0f")
    return list(dict.fromkeys([full, bare]))


class TwemojiReader:
    """The 64 px PNGs of ``emoji-datasource-twitter``."""

    def __init__(self, node_modules: Path) -> None:
        self.folder = node_modules / "emoji-datasource-twitter" / "img" / "twitter" / "64"
        if not self.folder.is_dir():
            raise DatasetError(f"{self.folder} is missing: run `make dataset` (npm install emoji-datasource-twitter).")

    def render(self, entry: Emoji, size: int) -> Image.Image | None:
        for stem in _codepoint_names(entry):
            path = self.folder / f"{stem}.png"
            if path.exists():
                with Image.open(path) as image:
                    return frame(image, size)
        return None


class OpenmojiReader:
    """The colour SVGs of ``openmoji``, rasterised with resvg (a maintained Rust renderer)."""

    def __init__(self, node_modules: Path) -> None:
        self.folder = node_modules / "openmoji" / "color" / "svg"
        if not self.folder.is_dir():
            raise DatasetError(f"{self.folder} is missing: run `make dataset` (npm install openmoji).")
        try:
            import resvg_py
        except ImportError as error:
            raise DatasetError("OpenMoji needs the package resvg-py: pip install -r requirements.txt") from error
        self._svg_to_png = resvg_py.svg_to_bytes

    def render(self, entry: Emoji, size: int) -> Image.Image | None:
        for stem in _codepoint_names(entry):
            path = self.folder / f"{stem.upper()}.svg"
            if path.exists():
                png = bytes(self._svg_to_png(svg_path=str(path), width=size * 4, height=size * 4))
                with Image.open(BytesIO(png)) as image:
                    return frame(image, size)
        return None


@dataclass(frozen=True)
class EmojiDataset:
    """A built data set on disk: ``images`` (N, S, S, 4) uint8 RGBA, ``samples`` metadata, text vectors."""

    root: Path
    images: np.ndarray
    samples: tuple[Sample, ...]
    text_vectors: np.ndarray  # (N, 384) unit float32, sentence embedding of each sample's text

    @property
    def size(self) -> int:
        return int(self.images.shape[1])

    @cached_property
    def styles(self) -> tuple[str, ...]:
        return tuple(s for s in STYLES if any(x.style == s for x in self.samples))

    @cached_property
    def groups(self) -> tuple[str, ...]:
        return tuple(sorted({x.group for x in self.samples}))

    def indices(self, split: str) -> np.ndarray:
        return np.array([i for i, s in enumerate(self.samples) if s.split == split], dtype=np.int64)

    def style_ids(self, styles: tuple[str, ...]) -> np.ndarray:
        return np.array([styles.index(s.style) for s in self.samples], dtype=np.int64)

    def group_ids(self, groups: tuple[str, ...]) -> np.ndarray:
        return np.array([groups.index(s.group) for s in self.samples], dtype=np.int64)


def build_dataset(
    out: Path,
    sources: tuple[str, ...] = STYLES,
    size: int = 64,
    node_modules: Path | None = None,
    catalog: Catalog | None = None,
    limit: int | None = None,
    encode=None,
) -> EmojiDataset:
    """Render every curated emoji in every source style and write the data set to ``out``.

    ``limit`` keeps the first N curated emoji (tests build a tiny real subset from the Noto font alone).
    ``encode`` maps texts to unit vectors (default: the shared sentence encoder).
    """
    unknown = sorted(set(sources) - set(STYLES))
    if unknown or not sources:
        raise DatasetError(f"Unknown source(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(STYLES)}.")
    if not 16 <= size <= 256:
        raise DatasetError(f"--size must be between 16 and 256, got {size}.")
    readers = {}
    for source in sources:
        if source == "noto":
            readers[source] = NotoRenderer()
        else:
            if node_modules is None or not node_modules.is_dir():
                raise DatasetError(f"Source {source} needs --npm-dir (node_modules from `make dataset`).")
            readers[source] = TwemojiReader(node_modules) if source == "twemoji" else OpenmojiReader(node_modules)
    entries = curated_emoji(catalog)[:limit] if limit else curated_emoji(catalog)
    held = holdout_keys(e.key for e in entries)
    images: list[np.ndarray] = []
    samples: list[Sample] = []
    for entry in entries:
        for source, reader in readers.items():
            image = reader.render(entry, size)
            if image is None:
                continue
            images.append(np.asarray(image, dtype=np.uint8))
            samples.append(
                Sample(
                    emoji=entry.key,
                    name=entry.name,
                    group=entry.group,
                    keywords=entry.keywords,
                    style=source,
                    split="holdout" if entry.key in held else "train",
                    text=entry.description,
                )
            )
    if not samples:
        raise DatasetError("No emoji could be rendered from the chosen sources.")
    if encode is None:
        from emojiml.models import encode
    texts = sorted({s.text for s in samples})
    vectors = dict(zip(texts, encode(texts), strict=True))
    text_vectors = np.stack([vectors[s.text] for s in samples]).astype(np.float32)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "images.npy", np.stack(images))
    np.save(out / "text_vectors.npy", text_vectors)
    meta = {
        "size": size,
        "sources": list(sources),
        "holdout_share": HOLDOUT_SHARE,
        "split_seed": SPLIT_SEED,
        "samples": [s.__dict__ | {"keywords": list(s.keywords)} for s in samples],
    }
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False))
    log.info("Wrote %d images of %d emoji to %s", len(samples), len({s.emoji for s in samples}), out)
    return load_dataset(out)


def load_dataset(root: Path) -> EmojiDataset:
    """Read a data set written by :func:`build_dataset`; a clear error when it is missing or inconsistent."""
    root = Path(root)
    meta_path = root / "dataset.json"
    if not meta_path.exists():
        raise DatasetError(f"No data set in {root}: run `emojiml build-dataset --out {root}` (after `make dataset`).")
    meta = json.loads(meta_path.read_text())
    samples = tuple(Sample(**{**s, "keywords": tuple(s["keywords"])}) for s in meta["samples"])
    images = np.load(root / "images.npy", allow_pickle=False)
    text_vectors = np.load(root / "text_vectors.npy", allow_pickle=False)
    if images.shape[0] != len(samples) or text_vectors.shape != (len(samples), 384) or images.shape[-1] != 4:
        raise DatasetError(f"The data set in {root} is inconsistent: rebuild it with `emojiml build-dataset`.")
    return EmojiDataset(root=root, images=images, samples=samples, text_vectors=text_vectors)
