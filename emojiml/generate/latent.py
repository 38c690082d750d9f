"""The VAE's latent space as the Interpolate page walks it: encode real emoji and uploads, interpolate between
two of them (linear or spherical), add attribute directions ("+ hearts", "- smile"), and map it all in 2-D.

Why directions from keywords: the VAE never saw attribute labels, but the catalog's keywords name them; the mean
encoding of the real emoji whose name or keywords carry a word, minus the mean of the other emoji of their groups,
points from "an emoji" towards "an emoji with that thing" (the classic latent-arithmetic recipe, with keywords as
labels). It is taken in both of the decoder's inputs, the posterior code and the condition encoding, because this
decoder draws most of *what* from the condition and mostly pose and detail from the code.
Why spherical interpolation: VAE posteriors are near-Gaussian, whose mass lies on a shell; a straight line
between two codes passes closer to the origin (blander images midway), a great-circle arc keeps the norm.
Why PCA for the map: it is linear, so the interpolation path stays a faithful line or arc in the picture, and it
is instant; UMAP or t-SNE would bend the path and cost seconds.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from emojiml.catalog import Emoji
from emojiml.generate.studio import StudioInputError, catalog_vectors, noto_renders, premultiplied_batch

MODES = ("linear", "spherical")
MIN_STEPS, MAX_STEPS = 2, 24  # 24 frames ping-ponged still fit a 128 KB GIF
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_PIXELS = 2048 * 2048
MIN_ATTRIBUTE_EMOJI = 2
ATTRIBUTE_EXAMPLES = ("hearts", "sunglasses", "smile", "tears", "sparkles", "fire", "crown", "sweat")
ATTRIBUTE = re.compile(r"([+\-−])\s*([a-z][a-z \-]*)")


@dataclass(frozen=True)
class Endpoint:
    """One end of an interpolation: what it is, how it looks, and its VAE code and condition."""

    label: str  # "😀 grinning face" or the uploaded file's name
    image: Image.Image  # the framed input at the VAE's resolution (RGBA)
    z: torch.Tensor  # (z_dim,) posterior mean
    cond: torch.Tensor  # (cond_dim,)
    fingerprint: str  # equal for the same emoji or the same upload: "the same A and B" is refused


@dataclass(frozen=True)
class LatentAtlas:
    """The real emoji's posterior means and the PCA plane the page draws them on."""

    entries: tuple[Emoji, ...]
    z: np.ndarray  # (N, z_dim)
    cond: np.ndarray  # (N, cond_dim) the VAE's condition encoding of each emoji's name, style and group
    mean: np.ndarray  # (z_dim,)
    components: np.ndarray  # (2, z_dim) the top two principal directions
    coords: np.ndarray  # (N, 2)
    explained: tuple[float, float]  # share of the variance on each axis

    def project(self, z: np.ndarray) -> np.ndarray:
        """(M, z_dim) codes -> (M, 2) map coordinates."""
        return (np.asarray(z) - self.mean) @ self.components.T


@dataclass(frozen=True)
class Morph:
    """An interpolation: its frames (128 px RGBA), codes and map coordinates."""

    frames: list[Image.Image]
    z: np.ndarray  # (steps, z_dim)
    coords: np.ndarray  # (steps, 2)
    attributes: tuple[tuple[str, float], ...]


def _vae():
    from emojiml import models

    return models.vae_model()


def _condition(vae, text: np.ndarray, style: str, group: str) -> torch.Tensor:
    from emojiml.generate.sample import Condition, condition_tensors

    return condition_tensors(vae, [Condition(text=text.astype(np.float32), style=style, group=group)])[0]


def _check_style(vae, style: str) -> str:
    if style not in vae.config.styles:
        raise StudioInputError(f"Unknown style {style!r}; choose one of: {', '.join(vae.config.styles)}.")
    return style


@torch.no_grad()
def _encode(vae, image: Image.Image, text: np.ndarray, group: str, style: str) -> tuple[torch.Tensor, torch.Tensor]:
    cond = _condition(vae, text, style, group)
    mu, _ = vae.encode(premultiplied_batch([image], vae.config.size), cond[None])
    return mu[0], cond


def _group_for(vae, entry: Emoji | None, text: np.ndarray) -> str:
    from emojiml.generate.sample import infer_group

    if entry is not None and entry.group in vae.config.groups:
        return entry.group
    return infer_group(text, vae.config.groups)


def catalog_endpoint(entry: Emoji, style: str = "noto") -> Endpoint:
    """A catalog emoji as an interpolation end: drawn with Noto (or a workspace's generated custom emoji's own
    image), conditioned on its name + keywords."""
    from emojiml import models
    from emojiml.generate.data import NotoRenderer, frame

    vae = _vae()
    _check_style(vae, style)
    if entry.is_custom:
        if not (entry.image or "").startswith("data:image/png;base64,"):
            raise StudioInputError(f"{entry.char} has no image here; upload its PNG instead.")
        image = frame(Image.open(io.BytesIO(base64.b64decode(entry.image.split(",", 1)[1]))), vae.config.size)
        text = models.encode([entry.description])[0]
    else:
        image = NotoRenderer().render(entry, vae.config.size)
        if image is None:
            raise StudioInputError(f"Noto cannot draw {entry.char} {entry.name}; pick another or upload a PNG.")
        text = catalog_vectors([entry])[0]
    z, cond = _encode(vae, image, text, _group_for(vae, entry, text), style)
    return Endpoint(f"{entry.char} {entry.name}", image, z, cond, f"emoji:{entry.key}")


def read_image_upload(data: bytes, filename: str) -> Image.Image:
    """An uploaded PNG (or other raster) as RGBA, refused with a clear message when it is too big, not an
    image, or empty."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise StudioInputError(
            f"{filename} is {len(data) / 2**20:.1f} MB; upload an emoji image up to {MAX_UPLOAD_BYTES // 2**20} MB."
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_UPLOAD_PIXELS:
                raise StudioInputError(f"{filename} is {width}x{height}; upload an image up to 2048x2048.")
            image.load()
            return image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise StudioInputError(f"{filename} is not an image (PNG, GIF, JPEG or WebP); upload an emoji.") from error


def upload_endpoint(data: bytes, filename: str, style: str = "noto") -> Endpoint:
    """An uploaded image as an interpolation end, conditioned on what the judge thinks it shows."""
    import hashlib

    from emojiml import models
    from emojiml.generate.data import frame

    vae = _vae()
    _check_style(vae, style)
    try:
        image = frame(read_image_upload(data, filename), vae.config.size)
    except ValueError as error:
        raise StudioInputError(f"{filename} is fully transparent; nothing to interpolate from.") from error
    judge = models.evaluation_judge()
    with torch.no_grad():
        text = judge.text_vectors(premultiplied_batch([image], judge.config.size))[0].numpy()
    z, cond = _encode(vae, image, text, _group_for(vae, None, text), style)
    return Endpoint(filename, image, z, cond, "upload:" + hashlib.sha256(data).hexdigest())


# ----------------------------------------------------------------------------------------------- the walk
def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation of vectors ``a`` and ``b`` (z,) at times ``t`` (T, 1): the angle is walked
    evenly and the norm is interpolated linearly; nearly parallel vectors fall back to a straight line."""
    norm_a, norm_b = a.norm(), b.norm()
    cos = torch.dot(a / norm_a, b / norm_b).clamp(-1, 1)
    omega = torch.arccos(cos)
    if omega < 1e-4:
        return torch.lerp(a[None], b[None], t)
    unit = (torch.sin((1 - t) * omega) * (a / norm_a) + torch.sin(t * omega) * (b / norm_b)) / torch.sin(omega)
    return unit * torch.lerp(norm_a, norm_b, t)


def interpolate_codes(a: torch.Tensor, b: torch.Tensor, steps: int, mode: str = "spherical") -> torch.Tensor:
    """(steps, z) codes from ``a`` to ``b``, both ends included."""
    if mode not in MODES:
        raise StudioInputError(f"Unknown interpolation {mode!r}; choose one of: {', '.join(MODES)}.")
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise StudioInputError(f"Use {MIN_STEPS} to {MAX_STEPS} steps, not {steps}.")
    t = torch.linspace(0, 1, steps)[:, None]
    return slerp(a, b, t) if mode == "spherical" else torch.lerp(a[None], b[None], t)


def parse_attributes(text: str) -> list[tuple[str, float]]:
    """``"+ hearts, - smile"`` -> ``[("hearts", 1.0), ("smile", -1.0)]``; a bare word counts as ``+``."""
    text = (text or "").strip().lower()
    if not text:
        return []
    if text[0] not in "+-−":
        text = "+ " + text
    found = [(word.strip(" -"), -1.0 if sign in "-−" else 1.0) for sign, word in ATTRIBUTE.findall(text)]
    found = [(word, sign) for word, sign in found if word]
    if not found:
        raise StudioInputError(f"Write attributes like '+ hearts, - smile', not {text!r}.")
    return found


def _carries(entry: Emoji, word: str) -> bool:
    stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
    words = {w for k in (entry.name, *entry.keywords) for w in re.findall(r"[a-z]+", k.lower())}
    return word in words or stem in words or f"{stem}s" in words


@cache
def latent_atlas() -> LatentAtlas:
    """Every curated emoji drawn in Noto, encoded by the VAE (Noto style, its own group and name), and the PCA
    plane of those codes: built once per process (about a second after the first Generate)."""
    from emojiml.generate.sample import Condition, condition_tensors

    vae = _vae()
    entries, images = noto_renders()
    text = catalog_vectors(entries)
    conditions = [
        Condition(text=text[k], style="noto", group=_group_for(vae, entry, text[k])) for k, entry in enumerate(entries)
    ]
    with torch.no_grad():
        cond = condition_tensors(vae, conditions)
        x = premultiplied_batch(images, vae.config.size)
        z = torch.cat([vae.encode(xc, cc)[0] for xc, cc in zip(x.split(256), cond.split(256), strict=True)]).numpy()
    mean = z.mean(axis=0)
    _, singular, vt = np.linalg.svd(z - mean, full_matrices=False)
    variance = singular**2 / (singular**2).sum()
    return LatentAtlas(
        entries=entries,
        z=z,
        mean=mean,
        components=vt[:2],
        cond=cond.numpy(),
        coords=(z - mean) @ vt[:2].T,
        explained=(float(variance[0]), float(variance[1])),
    )


def attribute_direction(word: str) -> tuple[np.ndarray, np.ndarray]:
    """((z,), (cond,)): how the codes and condition encodings of real emoji whose name or keywords carry
    ``word`` differ from those of the other emoji *of their own group*: comparing within groups keeps
    "+ sunglasses" (😎, 🕶️) from also meaning "+ face" or "+ object"."""
    atlas = latent_atlas()
    carrying = np.array([_carries(entry, word) for entry in atlas.entries])
    if carrying.sum() < MIN_ATTRIBUTE_EMOJI:
        examples = ", ".join(ATTRIBUTE_EXAMPLES)
        raise StudioInputError(
            f"Only {int(carrying.sum())} real emoji carry {word!r}; try a more common attribute ({examples})."
        )
    groups = np.array([entry.group for entry in atlas.entries])
    rows = np.flatnonzero(carrying)
    directions = []
    for codes in (atlas.z, atlas.cond):
        others = {g: codes[(groups == g) & ~carrying].mean(axis=0) for g in set(groups[carrying])}
        directions.append(np.mean([codes[k] - others[groups[k]] for k in rows], axis=0))
    return directions[0], directions[1]


def attribute_examples(word: str, top: int = 8) -> list[Emoji]:
    """Some of the real emoji a direction was learned from (shown beside the control)."""
    return [entry for entry in latent_atlas().entries if _carries(entry, word)][:top]


@torch.no_grad()
def morph(
    a: Endpoint,
    b: Endpoint,
    steps: int = 12,
    mode: str = "spherical",
    attributes: Sequence[tuple[str, float]] = (),
    strength: float = 1.0,
) -> Morph:
    """``steps`` frames morphing ``a`` into ``b``; every attribute direction is added along the whole walk."""
    from emojiml import models
    from emojiml.generate.sample import to_images, upscale

    if a.fingerprint == b.fingerprint:
        raise StudioInputError("A and B are the same emoji; pick two different ones to interpolate.")
    z = interpolate_codes(a.z, b.z, steps, mode)  # (steps, z_dim)
    cond = torch.lerp(a.cond[None], b.cond[None], torch.linspace(0, 1, steps)[:, None])  # (steps, cond_dim)
    for word, sign in attributes:
        dz, dc = attribute_direction(word)
        z = z + torch.from_numpy(sign * strength * dz).float()
        cond = cond + torch.from_numpy(sign * strength * dc).float()
    vae = _vae()
    frames = to_images(upscale(vae.decode(z, cond), models.upscaler()))
    codes = z.numpy()
    return Morph(frames, codes, latent_atlas().project(codes), tuple(attributes))


@torch.no_grad()
def blend(a: Endpoint, b: Endpoint, n: int = 4, seed: int = 0, spread: float = 0.15) -> list[Image.Image]:
    """``n`` VAE mashups of two emoji: codes around the spherical midpoint, jittered by ``seed``."""
    from emojiml import models
    from emojiml.generate.sample import to_images, upscale

    if a.fingerprint == b.fingerprint:
        raise StudioInputError("Pick two different emoji to mash up.")
    generator = torch.Generator().manual_seed(int(seed))
    t = (0.5 + spread * (torch.rand((n, 1), generator=generator) * 2 - 1)).clamp(0, 1)
    z = slerp(a.z, b.z, t)
    z = z + 0.25 * torch.randn(z.shape, generator=generator) * z.std()
    cond = torch.lerp(a.cond[None], b.cond[None], t)
    vae = _vae()
    return to_images(upscale(vae.decode(z, cond), models.upscaler()))


def vae_mashup(a: Emoji, b: Emoji, style: str = "noto", n: int = 4, seed: int = 0) -> list:
    """The VAE's mashup of two catalog emoji as generation results (``studio.MASHUPS``)."""
    from emojiml.generate.methods import GeneratedEmoji, slack_name

    images = blend(catalog_endpoint(a, style), catalog_endpoint(b, style), n, seed)
    name = slack_name(" ".join(e.shortcodes[0] if e.shortcodes else e.name for e in (a, b)))
    recipe = f"VAE blend of {a.char} and {b.char}"
    return [
        GeneratedEmoji(image, name, "vae", seed, recipe=recipe, details={"index": k}) for k, image in enumerate(images)
    ]


def styles() -> tuple[str, ...]:
    """The art styles the VAE is conditioned on."""
    return tuple(_vae().config.styles)


def animation_gif(morph: Morph) -> bytes:
    """The morph as a looping 128x128 GIF of at most 128 KB (``sample.gif_bytes``), or a message to act on."""
    from emojiml.generate.sample import gif_bytes

    try:
        return gif_bytes(morph.frames)
    except ValueError as error:
        raise StudioInputError(f"{error} (now {len(morph.frames)}).") from error
