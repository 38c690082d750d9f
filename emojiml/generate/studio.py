"""What the Studio's Generate page does around ``methods.generate``: check the request, compare every result with
the real emoji it is nearest to, score it against the prompt, name and pack the exports for Slack or Discord, and
add a result to a workspace's custom emoji.

Why the nearest real emoji: people should see a result is new and not a copy. The distance is the cosine distance
in the judge's feature space (the FID space, trained on real emoji only) to every curated emoji drawn in Noto, set
against how far real emoji are from *their* nearest other emoji: below the 1st percentile of that reads as a copy.
The prompt score is the judge's image->text cosine with the prompt's sentence vector, and its *uncertainty* is the
share of real emoji that match their own name better (0: as sure as for real emoji, 1: less sure than any), so the
review queue can put the least convincing results first whatever the method.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import torch
from PIL import Image

from emojiml.catalog import Catalog, Emoji, custom_emoji, default_catalog
from emojiml.config import settings
from emojiml.errors import EmojimlError
from emojiml.generate.methods import (
    EXPRESSIONS,
    METHODS,
    GeneratedEmoji,
    GenerationRequest,
    available_methods,
    generate,
    slack_name,
)

MAX_RESULTS = 16  # the page's "how many" slider; more would not fit one screen of 128 px tiles
REFERENCE_SIZE = 64  # the real emoji are drawn once at this size and area-downsampled to the judge's
HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
STOP_WORDS = frozenset({"a", "an", "and", "the", "of", "with", "in", "on", "at", "to", "for", "from", "by", "or"})
ProgressCallback = Callable[[float, str], None]

# Which request fields each method reads (the page greys out the rest); a method not listed reads them all,
# so a new method needs no change here to get every control.
METHOD_FIELDS: dict[str, frozenset[str]] = {
    "gan": frozenset({"style", "group"}),
    "vae": frozenset({"style", "group"}),
    "kitchen": frozenset({"style", "expression", "palette"}),
}
ALL_FIELDS = frozenset({"style", "group", "expression", "palette"})


class StudioInputError(EmojimlError):
    """A request, name or upload the person must change; the message says how."""


class CustomEmojiExistsError(StudioInputError):
    """The workspace already has a custom emoji of that name."""


# --------------------------------------------------------------------------------------------- what to ask for
def method_fields(method: str) -> frozenset[str]:
    """The request fields ``method`` uses (all of them for a method this module does not know)."""
    return METHOD_FIELDS.get(method, ALL_FIELDS)


# Where a method's style and palette choices come from when its module carries no ``STYLES`` / ``PALETTES``:
# "module:attribute", a tuple or a function returning one.
STYLE_SOURCES: dict[str, str] = {"kitchen": "emojiml.generate.vectors:installed_icon_sets"}
PALETTE_SOURCES: dict[str, str] = {"kitchen": "emojiml.generate.kitchen.palette:PALETTES"}


def _method_module(method: str):
    import importlib

    return importlib.import_module(METHODS[method].split(":")[0])


def _choices(sources: dict[str, str], method: str, attribute: str, default: tuple[str, ...]) -> tuple[str, ...]:
    import importlib

    if method in sources:
        module_name, name = sources[method].split(":")
        value = getattr(importlib.import_module(module_name), name)
        return tuple(value() if callable(value) else value)
    return tuple(getattr(_method_module(method), attribute, default))


def method_styles(method: str) -> tuple[str, ...]:
    """The art styles ``method`` can draw (its module's ``STYLES``, or ``STYLE_SOURCES``), else the data set's."""
    from emojiml.generate.data import STYLES

    return _choices(STYLE_SOURCES, method, "STYLES", STYLES)


def method_palettes(method: str) -> tuple[str, ...]:
    """Named palettes ``method`` offers (its module's ``PALETTES``, or ``PALETTE_SOURCES``) besides hex colours."""
    return _choices(PALETTE_SOURCES, method, "PALETTES", ())


@cache
def unicode_groups() -> tuple[str, ...]:
    """The Unicode groups the generators were trained on (curated: no flags, components or keycaps)."""
    from emojiml.generate.data import curated_emoji

    return tuple(sorted({entry.group for entry in curated_emoji()}))


def check_palette(value: str | None, named: Sequence[str] = ()) -> str | None:
    """``None``, a named palette, or a hex colour normalised to ``#rrggbb``."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value in named:
        return value
    match = HEX_COLOUR.match(value)
    if not match:
        choices = f"one of {', '.join(named)} or " if named else ""
        raise StudioInputError(f"Colour {value!r} is not {choices}a hex colour such as #3b82f6.")
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


def check_request(request: GenerationRequest, method: str) -> GenerationRequest:
    """The request with its prompt cleaned, or :class:`StudioInputError` naming the field to change."""
    if method not in available_methods():
        raise StudioInputError(
            f"Method {method!r} is not installed here; choose one of: {', '.join(available_methods())}."
        )
    prompt = " ".join((request.prompt or "").split())
    if not prompt:
        raise StudioInputError("The prompt is empty: describe the emoji, e.g. 'taco cat' or 'sleepy moon'.")
    if not 1 <= request.n <= MAX_RESULTS:
        raise StudioInputError(f"Ask for 1 to {MAX_RESULTS} emoji, not {request.n}.")
    if not 0 <= request.seed < 2**31:
        raise StudioInputError(f"The seed must be a whole number from 0 to {2**31 - 1}, not {request.seed}.")
    if request.expression is not None and request.expression not in EXPRESSIONS:
        raise StudioInputError(f"Unknown expression {request.expression!r}; choose one of: {', '.join(EXPRESSIONS)}.")
    if request.group is not None and request.group not in unicode_groups():
        raise StudioInputError(f"Unknown group {request.group!r}; choose one of: {', '.join(unicode_groups())}.")
    styles = method_styles(method)
    if request.style not in styles:
        raise StudioInputError(
            f"The {method} method has no style {request.style!r}; choose one of: {', '.join(styles)}."
        )
    palette = check_palette(request.palette, method_palettes(method))
    return replace(request, prompt=prompt, palette=palette)


# ------------------------------------------------------------------------------------------- the real emoji
@dataclass(frozen=True)
class RealEmojiIndex:
    """Every curated emoji drawn in Noto, with its judge features and how well it matches its own name."""

    entries: tuple[Emoji, ...]
    images: np.ndarray  # (N, S, S, 4) uint8 RGBA, S = REFERENCE_SIZE
    features: np.ndarray  # (N, F) unit judge features
    self_scores: np.ndarray  # (N,) sorted: judge image->text cosine of each emoji with its own name
    copy_distance: float  # 1st percentile of real emoji's distance to their nearest *other* emoji
    typical_distance: float  # the median of that distance

    def nearest(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices, cosine distances) of the nearest real emoji for each row of unit ``features`` (B, F)."""
        similarity = features @ self.features.T  # (B, N)
        best = similarity.argmax(axis=1)
        return best, 1.0 - similarity[np.arange(len(best)), best]

    def uncertainty(self, score: float) -> float:
        """The share of real emoji whose own name matches them better than ``score`` matches its prompt."""
        return float(1.0 - np.searchsorted(self.self_scores, score) / len(self.self_scores))


def noto_renders(size: int = REFERENCE_SIZE) -> tuple[tuple[Emoji, ...], np.ndarray]:
    """The curated emoji the Noto font can draw, and their (N, size, size, 4) images, cached on disk by the
    catalog's fingerprint (drawing 1,600 glyphs takes seconds; reading them back, milliseconds)."""
    from emojiml.generate.data import NotoRenderer, curated_emoji

    entries = curated_emoji()
    path = settings().cache_dir / f"noto-renders-{default_catalog().fingerprint}-{size}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            keys, images = stored["keys"].tolist(), stored["images"]
        by_key = {entry.key: entry for entry in entries}
        if all(key in by_key for key in keys) and len(keys) == len(images):
            return tuple(by_key[key] for key in keys), images
    renderer = NotoRenderer()
    drawn = [(entry, renderer.render(entry, size)) for entry in entries]
    kept = [(entry, np.asarray(image, dtype=np.uint8)) for entry, image in drawn if image is not None]
    images = np.stack([image for _, image in kept])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.stem}.tmp.npz")
    np.savez(temporary, keys=np.array([entry.key for entry, _ in kept]), images=images)
    temporary.replace(path)
    return tuple(entry for entry, _ in kept), images


def premultiplied_batch(images: Sequence[Image.Image] | np.ndarray, size: int) -> torch.Tensor:
    """RGBA images -> (B, 4, size, size) premultiplied [-1, 1], as the models and the judge read them."""
    from emojiml.generate.transforms import premultiplied

    array = images if isinstance(images, np.ndarray) else np.stack([np.asarray(i.convert("RGBA")) for i in images])
    return premultiplied(array, size)


@torch.no_grad()
def judge_features(judge, x: torch.Tensor) -> np.ndarray:
    """(B, F) unit judge features of premultiplied images."""
    features = torch.cat([judge.features(chunk) for chunk in x.split(256)])
    return torch.nn.functional.normalize(features, dim=1).numpy()


def catalog_vectors(entries: Sequence[Emoji]) -> np.ndarray:
    """(N, 384) sentence vectors of Unicode emoji's name + keywords, from the on-disk catalog embedding cache."""
    from emojiml import models

    catalog = default_catalog()
    vectors = models.catalog_embeddings(catalog)
    return vectors[[catalog.index_of(entry.key) for entry in entries]]


def _name_vectors(entries: Sequence[Emoji]) -> np.ndarray:
    """(N, 384) sentence vectors of the emoji's bare names, cached on disk. Why names and not name + keywords:
    prompts are a few words, and a few words score lower than a keyword list; calibrating against names keeps
    "taco" on a real taco as certain as real emoji are of their own names."""
    from emojiml import models

    texts = [entry.name for entry in entries]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = settings().cache_dir / f"emoji-names-{models.ENCODER_NAME}-{digest}.npy"
    if path.exists():
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), 384):
            return vectors
    vectors = models.encode(texts, batch_size=128)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.stem}.tmp.npy")
    np.save(temporary, vectors)
    temporary.replace(path)
    return vectors


@cache
def real_emoji_index() -> RealEmojiIndex:
    """The reference every result is compared with, built once per process (a few seconds the first time)."""
    from emojiml import models

    judge = models.evaluation_judge()
    entries, images = noto_renders()
    x = premultiplied_batch(images, judge.config.size)
    features = judge_features(judge, x)
    with torch.no_grad():
        image_text = torch.cat([judge.text_vectors(chunk) for chunk in x.split(256)]).numpy()
    names = _name_vectors(entries)
    self_scores = np.sort((image_text * names).sum(axis=1))
    similarity = features @ features.T
    np.fill_diagonal(similarity, -np.inf)
    nearest_other = 1.0 - similarity.max(axis=1)
    return RealEmojiIndex(
        entries=entries,
        images=images,
        features=features,
        self_scores=self_scores,
        copy_distance=float(np.percentile(nearest_other, 1)),
        typical_distance=float(np.median(nearest_other)),
    )


# ------------------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class StudioEmoji:
    """One result as the page shows and exports it."""

    emoji: GeneratedEmoji
    prompt: str
    style: str
    export_name: str  # unique within its batch: taco_cat, taco_cat_2
    png: bytes  # 128x128 RGBA, at most 128 KB
    nearest: Emoji
    nearest_distance: float
    verdict: str  # "new", "close to a real emoji" or "a near copy"
    prompt_score: float | None
    uncertainty: float  # 0 (sure) .. 1 (unsure): what the review queue sorts by
    model_version: str

    @property
    def has_svg(self) -> bool:
        return bool(self.emoji.svg)


def unique_names(names: Sequence[str]) -> list[str]:
    """Slack names made unique by the lowest free numeric suffix, in order: taco_cat, taco_cat_2, taco_cat_3."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = slack_name(name)
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}_{suffix}"
        taken.add(candidate)
        out.append(candidate)
    return out


@cache
def model_version(method: str) -> str:
    """What made a result, for the feedback table: the method's ``MODEL_VERSION`` when its module has one,
    else the first 12 hex digits of the SHA-256 of its shipped weights, else ``code``."""
    version = getattr(_method_module(method), "MODEL_VERSION", None)
    if version:
        return str(version)
    weights = settings().asset_dir / f"{method}.safetensors"
    if weights.exists():
        return hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    return "code"


def _verdict(distance: float, index: RealEmojiIndex) -> str:
    if distance <= index.copy_distance:
        return "a near copy"
    return "new" if distance > index.typical_distance else "close to a real emoji"


def describe(emojis: Sequence[GeneratedEmoji], prompt: str, style: str, progress: ProgressCallback | None = None):
    """Nearest real emoji, prompt score and uncertainty of each result (the methods' own scores kept)."""
    from emojiml import models
    from emojiml.generate.sample import png_bytes

    if not emojis:
        return []
    index = real_emoji_index()
    judge = models.evaluation_judge()
    x = premultiplied_batch([e.image for e in emojis], judge.config.size)
    nearest, distances = index.nearest(judge_features(judge, x))
    with torch.no_grad():
        scores = judge.text_vectors(x).numpy() @ models.prompt_vector(prompt)
    names = unique_names([e.name for e in emojis])
    results = []
    for k, emoji in enumerate(emojis):
        score = emoji.prompt_score if emoji.prompt_score is not None else float(scores[k])
        ambiguity = emoji.details.get("ambiguity")
        uncertainty = float(ambiguity) if isinstance(ambiguity, int | float) else index.uncertainty(score)
        results.append(
            StudioEmoji(
                emoji=emoji,
                prompt=prompt,
                style=style,
                export_name=names[k],
                png=png_bytes(emoji.image.resize((128, 128)) if emoji.image.size != (128, 128) else emoji.image),
                nearest=index.entries[int(nearest[k])],
                nearest_distance=float(distances[k]),
                verdict=_verdict(float(distances[k]), index),
                prompt_score=round(score, 3),
                uncertainty=round(uncertainty, 3),
                model_version=model_version(emoji.method),
            )
        )
        if progress:
            progress(0.6 + 0.4 * (k + 1) / len(emojis), f"Compared {k + 1} of {len(emojis)} with the real emoji…")
    return results


# Methods whose results differ by recipe, so the ratings can rank them: the page passes the workspace's recipe
# preferences in the request (``GenerationRequest.preferences``) and the method adds them to its own ranking.
FEEDBACK_RANKED = frozenset({"kitchen"})


def recipe_preferences_for(store, workspace: str, method: str) -> dict[str, float]:
    """The workspace's ratings as recipe preferences, for a method they can re-rank (else none)."""
    from emojiml.generate.feedback import rated_records, recipe_preferences

    if method not in FEEDBACK_RANKED:
        return {}
    return recipe_preferences([r for r in rated_records(store, workspace) if r.method == method])


def generate_for_studio(
    request: GenerationRequest,
    method: str,
    progress: ProgressCallback | None = None,
    preferences: dict[str, float] | None = None,
) -> list[StudioEmoji]:
    """``methods.generate`` for the page: the request checked, every result described (see :func:`describe`);
    ``preferences`` (recipe -> preference, from the ratings) go to a recipe-ranked method's own ranking."""
    request = check_request(request, method)
    if progress:
        progress(0.05, f"Drawing {request.n} emoji with {method}…")
    if preferences and method in FEEDBACK_RANKED:
        request = replace(request, preferences=tuple(sorted(preferences.items())))
    emojis = generate(request, method)
    if progress:
        progress(0.6, "Comparing with the real emoji…")
    return describe(emojis, request.prompt, request.style, progress)


# Mashups of two catalog emoji, by method: "module:function" taking (a, b, style, n, seed) -> list[GeneratedEmoji].
MASHUPS: dict[str, str] = {
    "kitchen": "emojiml.generate.studio:kitchen_mashup",
    "vae": "emojiml.generate.latent:vae_mashup",
}


def kitchen_mashup(a: Emoji, b: Emoji, style: str = "noto", n: int = 1, seed: int = 0) -> list[GeneratedEmoji]:
    """Emoji Kitchen's A + B (A's base, B's face) first, then ``n - 1`` variations of it that look different
    (palettes, expressions, one part alone, B + A): ``kitchen.mashups``."""
    from emojiml.generate.kitchen import mashups

    return mashups(a.key, b.key, style, n, seed)


def mashup_methods() -> tuple[str, ...]:
    """The installed methods that can mash up two emoji."""
    return tuple(m for m in MASHUPS if m in available_methods())


def mashup_for_studio(
    a: Emoji, b: Emoji, method: str, style: str = "noto", n: int = 4, seed: int = 0, progress=None
) -> list[StudioEmoji]:
    """``n`` mashups of ``a`` and ``b`` by ``method``, described like generated results."""
    import importlib

    if method not in mashup_methods():
        raise StudioInputError(f"{method} cannot mash up two emoji; choose one of: {', '.join(mashup_methods())}.")
    if a.key == b.key:
        raise StudioInputError("Pick two different emoji to mash up.")
    if not 1 <= n <= MAX_RESULTS:
        raise StudioInputError(f"Ask for 1 to {MAX_RESULTS} emoji, not {n}.")
    module_name, function_name = MASHUPS[method].split(":")
    if progress:
        progress(0.05, f"Mashing up {a.char} and {b.char} with {method}…")
    emojis = getattr(importlib.import_module(module_name), function_name)(a, b, style, n, seed)
    if progress:
        progress(0.6, "Comparing with the real emoji…")
    return describe(emojis, f"{a.name} {b.name}", style, progress)


def generation_row(result: StudioEmoji, position: int) -> dict:
    """Result ``position`` of a batch as a row of the store's ``generations`` table (``record_generations``)."""
    return {
        "prompt": result.prompt,
        "method": result.emoji.method,
        "style": result.style,
        "seed": int(result.emoji.seed),
        "position": position,
        "model_version": result.model_version,
        "name": result.export_name,
        "png": result.png,
        "recipe": result.emoji.recipe,
        "prompt_score": result.prompt_score,
        "uncertainty": result.uncertainty,
        "nearest": result.nearest.key,
    }


# ------------------------------------------------------------------------------------------------ exports
def export_zip(results: Sequence[StudioEmoji]) -> bytes:
    """A zip of the results' PNGs (and SVGs where the method drew one), named like Slack emoji, plus a
    ``emoji.json`` manifest (name, prompt, method, seed, nearest real emoji) for bulk-upload tools."""
    if not results:
        raise StudioInputError("Select at least one emoji to put in the zip.")
    names = unique_names([r.export_name for r in results])
    buffer = io.BytesIO()
    manifest = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        for name, result in zip(names, results, strict=True):
            archive.writestr(f"{name}.png", result.png)
            if result.emoji.svg:
                archive.writestr(f"{name}.svg", result.emoji.svg)
            manifest.append(
                {
                    "name": name,
                    "prompt": result.prompt,
                    "method": result.emoji.method,
                    "seed": result.emoji.seed,
                    "recipe": result.emoji.recipe,
                    "nearest_real_emoji": result.nearest.char,
                }
            )
        archive.writestr("emoji.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


# ------------------------------------------------------------------------------------- workspace custom emoji
def prompt_keywords(prompt: str, name: str) -> tuple[str, ...]:
    """The words search and recommendations should find a custom emoji by: its name's parts and the prompt's
    words, lower case, without stop words, in order."""
    words = re.findall(r"[a-z0-9]+", f"{name.replace('_', ' ')} {prompt}".lower())
    return tuple(dict.fromkeys(w for w in words if w not in STOP_WORDS and len(w) > 1))


def add_to_workspace(store, workspace: str, result: StudioEmoji, name: str | None = None) -> Emoji:
    """Store ``result`` as the workspace's custom emoji ``:name:``; it then appears in the workspace's search and
    recommendations (see :func:`workspace_catalog`)."""
    chosen = slack_name(name or result.export_name)
    if name is not None and not re.fullmatch(r"[a-z0-9_]{1,32}", name.strip()):
        raise StudioInputError(f"{name!r} is not a Slack emoji name: use up to 32 lower-case letters, digits or _.")
    if chosen in store.custom_emoji_art_names(workspace) or f":{chosen}:" in _custom_keys(store, workspace):
        raise CustomEmojiExistsError(f"{workspace} already has :{chosen}:; pick another name.")
    keywords = prompt_keywords(result.prompt, chosen)
    store.add_custom_emoji(workspace, chosen, keywords, result.png, prompt=result.prompt, method=result.emoji.method)
    return custom_emoji(chosen, keywords)


def workspace_catalog(store, workspace: str, base: Catalog | None = None) -> Catalog:
    """The Unicode catalog plus the workspace's custom emoji: the generated ones with their keywords and image
    (a data URI), then any other custom names its events use."""
    import base64

    art = [
        custom_emoji(row.name, row.keywords, "data:image/png;base64," + base64.b64encode(row.png).decode())
        for row in store.custom_emoji_art(workspace)
    ]
    catalog = (base or default_catalog()).with_custom(art)
    return catalog.with_custom(custom_emoji(key) for key in _custom_keys(store, workspace))


def _custom_keys(store, workspace: str) -> list[str]:
    """The workspace's custom emoji keys; none for a workspace not stored yet (adding an emoji creates it)."""
    return store.custom_emoji(workspace) if store.workspace(workspace) else []
