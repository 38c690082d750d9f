"""The emoji image data set: real emoji artwork in four styles, one 64x64 RGBA array per (emoji, style),
and the same images at 128 px for the upscaler.

Why these sources: every style comes from SVG (the ``@iconify-json`` sets of Noto, Twemoji, OpenMoji and
Fluent Emoji Flat, read through :mod:`emojiml.generate.vectors`, rendered with resvg), so 64 and 128 px are
equally sharp; their licenses (Apache-2.0, CC-BY-4.0, CC-BY-SA-4.0, MIT) allow training. Apple's artwork
does not. Without the npm sets, Noto falls back to the Debian colour font (the tests' tiny data set).

Curation: only skin-tone bases (tones would swamp the set with near-copies), no flags (rectangles of
stripes, a world of their own) and no keycaps (a digit in a box says nothing about the text encoder's
meaning). 10% of emoji are held out *by emoji* (all styles of a held-out emoji go to the held-out split)
so evaluation measures generation for prompts the models never saw.

Images are stored as plain (straight-alpha) RGBA uint8 in ``images.npy`` and ``images_hires.npy``; models
see premultiplied colours (transparent pixels are (0, 0, 0, 0)), which keeps the background clean.
:func:`pack_dataset` writes an xz-compressed copy small enough to travel to a GPU machine."""

from __future__ import annotations

import json
import logging
import lzma
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from emojiml.errors import EmojimlError

if TYPE_CHECKING:  # the catalog needs the ``emoji`` package, absent on a GPU machine that only trains
    from emojiml.catalog import Catalog, Emoji

log = logging.getLogger(__name__)

STYLES = ("noto", "twemoji", "openmoji", "fluent")
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
    from emojiml.catalog import default_catalog

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


def _framed(image: Image.Image | None, size: int) -> Image.Image | None:
    """``frame(image, size)``, or None for a missing or blank drawing."""
    if image is None:
        return None
    try:
        return frame(image, size)
    except ValueError:
        return None


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

    def draw(self, entry: Emoji, pixels: int) -> Image.Image | None:
        """The glyph as drawn at the font's only size (``pixels`` is ignored); None when the font lacks it."""
        canvas = self._draw(entry.char)
        if canvas.tobytes() == self._notdef or canvas.width > 2 * NOTO_SIZE:
            return None  # missing glyph, or a sequence the font draws as several glyphs side by side
        return canvas

    def render(self, entry: Emoji, size: int) -> Image.Image | None:
        return _framed(self.draw(entry, 2 * size), size)


class IconifyReader:
    """One style's SVGs through the shared vector module (:mod:`emojiml.generate.vectors`, which the kitchen
    uses too), rasterised with resvg at any size.

    Why vectors: every style renders sharp at 64 and at 128 px from the same source, instead of a 109 px
    bitmap font and 64 px PNGs blown up or shrunk.
    """

    def __init__(self, node_modules: Path, style: str) -> None:
        from emojiml.generate.vectors import VectorSourceError, load_icon_set

        try:
            self.icons = load_icon_set(style, node_modules / "@iconify-json")
        except VectorSourceError as error:
            raise DatasetError(str(error)) from error

    def draw(self, entry: Emoji, pixels: int) -> Image.Image | None:
        """The emoji's SVG rasterised to ``pixels`` square; None when the set does not draw it."""
        slug = self.icons.slug_for(entry)
        return None if slug is None else self.icons.render(slug, pixels)

    def render(self, entry: Emoji, size: int) -> Image.Image | None:
        return _framed(self.draw(entry, 2 * size), size)


@dataclass(frozen=True)
class EmojiDataset:
    """A built data set on disk: ``images`` (N, S, S, 4) uint8 RGBA, ``samples`` metadata, text vectors."""

    root: Path
    images: np.ndarray
    samples: tuple[Sample, ...]
    text_vectors: np.ndarray  # (N, 384) unit float32, sentence embedding of each sample's text
    hires: np.ndarray | None = None  # (M, H, H, 4) uint8 RGBA at the upscaler's size, of samples ``hires_index``
    hires_index: np.ndarray | None = None  # (M,) sample indices of ``hires`` (all samples in a built data set)

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


def _readers(sources: tuple[str, ...], node_modules: Path | None) -> dict:
    """One reader per style: the Iconify SVG set from ``node_modules``; Noto falls back to the colour font
    when no SVG sets are installed (the tests' tiny data set needs no npm)."""
    from emojiml.generate.vectors import installed_icon_sets

    installed = installed_icon_sets(node_modules / "@iconify-json") if node_modules is not None else ()
    readers = {}
    for source in sources:
        if source in installed:
            readers[source] = IconifyReader(node_modules, source)
        elif source == "noto":
            readers[source] = NotoRenderer()
        else:
            raise DatasetError(f"Source {source} needs --npm-dir with @iconify-json sets (run `make dataset`).")
    return readers


def build_dataset(
    out: Path,
    sources: tuple[str, ...] = STYLES,
    size: int = 64,
    node_modules: Path | None = None,
    catalog: Catalog | None = None,
    limit: int | None = None,
    encode=None,
    hires: int | None = None,
) -> EmojiDataset:
    """Render every curated emoji in every source style and write the data set to ``out``.

    ``hires`` also renders every image at that size (``images_hires.npy``: the upscaler's targets).
    ``limit`` keeps the first N curated emoji (tests build a tiny real subset from the Noto font alone).
    ``encode`` maps texts to unit vectors (default: the shared sentence encoder).
    """
    unknown = sorted(set(sources) - set(STYLES))
    if unknown or not sources:
        raise DatasetError(f"Unknown source(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(STYLES)}.")
    for side in (size, hires or size):
        if not 16 <= side <= 256:
            raise DatasetError(f"Sizes must be between 16 and 256 px, got {side}.")
    readers = _readers(tuple(sources), node_modules)
    entries = curated_emoji(catalog)[:limit] if limit else curated_emoji(catalog)
    held = holdout_keys(e.key for e in entries)
    images: list[np.ndarray] = []
    large: list[np.ndarray] = []
    samples: list[Sample] = []
    for entry in entries:
        for source, reader in readers.items():
            drawn = reader.draw(entry, 2 * max(size, hires or 0))  # one raster, framed to every size
            image = _framed(drawn, size)
            if image is None:
                continue
            images.append(np.asarray(image, dtype=np.uint8))
            if hires:
                large.append(np.asarray(_framed(drawn, hires), dtype=np.uint8))
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
    if hires:
        np.save(out / "images_hires.npy", np.stack(large))
    np.save(out / "text_vectors.npy", text_vectors)
    meta = {
        "size": size,
        "hires": hires,
        "sources": list(sources),
        "renderer": {s: type(r).__name__ for s, r in readers.items()},
        "holdout_share": HOLDOUT_SHARE,
        "split_seed": SPLIT_SEED,
        "samples": [s.__dict__ | {"keywords": list(s.keywords)} for s in samples],
    }
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False))
    write_prompt_vectors(out, encode)
    log.info("Wrote %d images of %d emoji to %s", len(samples), len({s.emoji for s in samples}), out)
    return load_dataset(out)


def _load_array(root: Path, name: str) -> np.ndarray | None:
    """``name.npy``, or ``name.npy.xz`` (the compressed copy that travels to a GPU machine); None if neither."""
    if (root / f"{name}.npy").exists():
        return np.load(root / f"{name}.npy", allow_pickle=False)
    if (root / f"{name}.npy.xz").exists():
        return np.load(BytesIO(lzma.decompress((root / f"{name}.npy.xz").read_bytes())), allow_pickle=False)
    return None


def _save_xz(path: Path, array: np.ndarray) -> None:
    """Write ``array`` as ``path`` + ".xz": xz halves what zlib leaves of emoji images."""
    buffer = BytesIO()
    np.save(buffer, array, allow_pickle=False)
    Path(f"{path}.xz").write_bytes(lzma.compress(buffer.getvalue(), preset=1))


def write_prompt_vectors(root: Path, encode=None) -> None:
    """``prompt_vectors.json``: the sentence vectors of the sample-grid prompts, so training can draw its
    progress grids where no sentence encoder is installed (a GPU machine)."""
    from emojiml.generate.train import GRID_PROMPTS

    if encode is None:
        from emojiml.models import encode
    vectors = np.asarray(encode(list(GRID_PROMPTS)), dtype=np.float32)
    table = {p: [round(float(v), 6) for v in row] for p, row in zip(GRID_PROMPTS, vectors, strict=True)}
    (Path(root) / "prompt_vectors.json").write_text(json.dumps(table))


def pack_dataset(root: Path, out: Path, hires_limit: int = 3000, seed: int = 0, encode=None) -> Path:
    """A compressed copy of the data set in ``root`` small enough to send to a GPU machine (64 MiB with the
    code): xz-compressed arrays, float16 text vectors, the grid prompts' vectors, and the high-resolution
    images of at most ``hires_limit`` random *training* samples (the upscaler never trains on held-out
    emoji, and 128 px renders of all 6,000 images do not fit). :func:`load_dataset` reads it like the original."""
    dataset = load_dataset(root)
    out.mkdir(parents=True, exist_ok=True)
    _save_xz(out / "images.npy", dataset.images)
    _save_xz(out / "text_vectors.npy", dataset.text_vectors.astype(np.float16))
    if dataset.hires is not None:
        train = np.intersect1d(dataset.indices("train"), dataset.hires_index)
        keep = np.sort(np.random.default_rng(seed).permutation(train)[:hires_limit])
        position = {int(i): k for k, i in enumerate(dataset.hires_index)}
        _save_xz(out / "images_hires.npy", dataset.hires[[position[int(i)] for i in keep]])
        _save_xz(out / "hires_index.npy", keep.astype(np.int64))
    (out / "dataset.json.xz").write_bytes(lzma.compress((Path(root) / "dataset.json").read_bytes()))
    write_prompt_vectors(out, encode)
    return out


def load_dataset(root: Path) -> EmojiDataset:
    """Read a data set written by :func:`build_dataset`; a clear error when it is missing or inconsistent."""
    root = Path(root)
    meta_path = root / "dataset.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
    elif Path(f"{meta_path}.xz").exists():  # a packed copy
        meta = json.loads(lzma.decompress(Path(f"{meta_path}.xz").read_bytes()))
    else:
        raise DatasetError(f"No data set in {root}: run `emojiml build-dataset --out {root}` (after `make dataset`).")
    samples = tuple(Sample(**{**s, "keywords": tuple(s["keywords"])}) for s in meta["samples"])
    images = _load_array(root, "images")
    text_vectors = _load_array(root, "text_vectors")
    hires = _load_array(root, "images_hires")
    if images is None or text_vectors is None:
        raise DatasetError(f"The data set in {root} lacks its arrays: rebuild it with `emojiml build-dataset`.")
    text_vectors = text_vectors.astype(np.float32)
    n = len(samples)
    if images.shape[0] != n or text_vectors.shape != (n, 384) or images.shape[-1] != 4:
        raise DatasetError(f"The data set in {root} is inconsistent: rebuild it with `emojiml build-dataset`.")
    hires_index = _load_array(root, "hires_index")
    if hires is not None and hires_index is None:
        hires_index = np.arange(n)
    if hires is not None and (len(hires_index) != hires.shape[0] or hires_index.max(initial=0) >= n):
        raise DatasetError(
            f"The high-resolution images in {root} do not match: rebuild it with `emojiml build-dataset`."
        )
    return EmojiDataset(root, images, samples, text_vectors, hires, hires_index)
