"""``emojiml evaluate kitchen``: the kitchen's figures, each from ``generate_kitchen`` fed plain prompts.

- Sharpness: variance of the Laplacian of the luminance on opaque pixels (alpha 255, one pixel in from any
  transparent one) of the 128 px PNGs, over the same for real renders at 128 px: the style's own vector artwork
  framed alike, and the Noto Color Emoji font (109 px bitmaps, the image data set's Noto) framed to 128 px.
- R-precision@1 among 10 on held-out emoji (the image data set's 10% split by emoji; the judge never saw
  them): the prompt is the emoji's name; does the judge's image->text vector of the result rank the emoji's own
  name + keywords above 9 other held-out emoji's? The real artwork's figure is the ceiling. The kitchen ranks
  its candidates with the same judge, so the figure is also given for its best *text* recipe alone.
- ``split="train"`` gives the same figures on a fixed sample of ``TRAIN_SAMPLE`` *training* emoji instead of
  the held-out ones: the split the kitchen's own settings (face size, placement, tile rule) are chosen on, so
  the held-out figure stays a test. The judge has seen these emoji, so their figures read higher.
- Compositional prompts (``compositional_prompts.txt``): share where the judge scores the chosen result above
  the same recipe on a random base.
- Speed: one composition (recipe -> SVG -> 128 px render, parts cached) and one whole request.
- Coverage: share of 200 two-keyword prompts (catalog keywords, fixed seed) that get a recipe, beside the share
  of 60 random-letter prompts that are refused (they should be).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from emojiml.catalog import Catalog, default_catalog
from emojiml.errors import EmojimlError
from emojiml.generate.methods import GenerationRequest

PROMPTS_FILE = Path(__file__).with_name("compositional_prompts.txt")
COVERAGE_PROMPTS = 200
GIBBERISH_PROMPTS = 60
EVALUATION_SEED = 0
TRAIN_SAMPLE = 300  # training emoji in the tuning split (``--split train``)
SPLITS = ("heldout", "train")
SPLIT_WORDS = {"heldout": "held-out", "train": "training"}


@dataclass(frozen=True)
class KitchenReport:
    style: str
    n_heldout: int
    sharpness_kitchen: float
    sharpness_real_vector: float
    sharpness_real_font: float
    sharpness_ratio_vector: float
    sharpness_ratio_font: float
    r_precision: float
    r_precision_text_pick: float
    r_precision_real: float
    heldout_base_is_itself: float
    compositional_win_rate: float
    n_compositional: int
    composition_ms_median: float
    composition_ms_p90: float
    request_s_median: float
    coverage: float
    gibberish_refused: float
    max_png_bytes: int
    split: str = "heldout"

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, value, target or reference) rows for the printed table and the README."""
        return [
            (
                f"sharpness vs the real {self.style} vector art at 128 px",
                f"{self.sharpness_ratio_vector:.2f}x",
                ">= 0.5x",
            ),
            ("sharpness vs Noto font renders at 128 px", f"{self.sharpness_ratio_font:.2f}x", ">= 0.5x"),
            (
                f"R-precision@1 among 10, {self.n_heldout} {SPLIT_WORDS[self.split]} names",
                f"{self.r_precision:.3f}",
                f">= 0.7; text-only pick {self.r_precision_text_pick:.3f}; real art {self.r_precision_real:.3f}",
            ),
            ("held-out results whose base is the named emoji", f"{self.heldout_base_is_itself:.1%}", "reference"),
            (
                f"judge prefers the chosen base to a random one ({self.n_compositional} prompts)",
                f"{self.compositional_win_rate:.1%}",
                ">= 80%",
            ),
            (
                "one composition at 128 px (median / p90)",
                f"{self.composition_ms_median:.1f} / {self.composition_ms_p90:.1f} ms",
                "<= 100 ms",
            ),
            ("one request, 4 results (median)", f"{self.request_s_median:.2f} s", "reference"),
            (f"{COVERAGE_PROMPTS} two-keyword prompts with a recipe", f"{self.coverage:.1%}", ">= 90%"),
            (f"{GIBBERISH_PROMPTS} random-letter prompts refused", f"{self.gibberish_refused:.1%}", "reference"),
            ("largest PNG", f"{self.max_png_bytes / 1024:.1f} KB", "<= 128 KB"),
        ]


def sharpness(image: Image.Image) -> float:
    """Variance of the Laplacian of luminance over opaque pixels (edges against transparency excluded)."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float64) / 255.0
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    opaque = ndimage.binary_erosion(rgba[..., 3] >= 0.999, iterations=1)
    if opaque.sum() < 16:
        return 0.0
    return float(ndimage.laplace(luminance)[opaque].var())


def heldout_emoji(catalog: Catalog | None = None) -> list:
    """The image data set's held-out emoji (same curation and split seed), in catalog order."""
    from emojiml.generate.data import curated_emoji, holdout_keys

    entries = curated_emoji(catalog)
    held = holdout_keys(e.key for e in entries)
    return [e for e in entries if e.key in held]


def training_sample(catalog: Catalog | None = None, n: int = TRAIN_SAMPLE) -> list:
    """A fixed sample of ``n`` training (not held-out) emoji, in catalog order: the kitchen's tuning split."""
    from emojiml.generate.data import curated_emoji, holdout_keys

    entries = curated_emoji(catalog)
    held = holdout_keys(e.key for e in entries)
    training = [e for e in entries if e.key not in held]
    chosen = set(np.random.default_rng(EVALUATION_SEED).permutation(len(training))[:n].tolist())
    return [e for i, e in enumerate(training) if i in chosen]


def coverage_prompts(catalog: Catalog, n: int = COVERAGE_PROMPTS, seed: int = EVALUATION_SEED) -> list[str]:
    """``n`` two-word prompts of catalog keywords (single alphabetic words), drawn with a fixed seed."""
    words = sorted({k.lower() for e in catalog if not e.is_custom for k in e.keywords if k.isalpha() and len(k) > 2})
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(words, size=2, replace=False)) for _ in range(n)]


def gibberish_prompts(n: int = GIBBERISH_PROMPTS, seed: int = EVALUATION_SEED) -> list[str]:
    rng = np.random.default_rng(seed + 1)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    return [" ".join("".join(rng.choice(letters, size=rng.integers(4, 9))) for _ in range(2)) for _ in range(n)]


def compositional_prompts(path: Path = PROMPTS_FILE) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def _r_precision(images: list[Image.Image], emoji_keys: list[str], true_text: np.ndarray) -> float:
    from emojiml.generate.evaluate import r_precision
    from emojiml.generate.kitchen.rank import judge_text_vectors

    return r_precision(judge_text_vectors(images), true_text, emoji_keys, seed=EVALUATION_SEED)


def _first_drawable(choices):
    """The best-by-text recipe that draws (as ``generate_kitchen`` skips a donor without the part)."""
    from emojiml.generate.kitchen.compose import KitchenInputError, compose

    for choice in choices:
        try:
            return compose(choice.recipe)
        except KitchenInputError:
            continue
    raise KitchenInputError("No candidate recipe could be drawn.")


def evaluate_kitchen(
    style: str = "noto", limit: int | None = None, progress=None, split: str = "heldout"
) -> KitchenReport:
    """Every figure of the module docstring for ``style``; ``limit`` caps the prompts per figure (tests);
    ``split="train"`` names training emoji instead of the held-out ones (the tuning split)."""
    from emojiml import models
    from emojiml.generate.data import NOTO_FONT, NotoRenderer, frame
    from emojiml.generate.kitchen import generate_kitchen
    from emojiml.generate.kitchen.compose import Recipe, compose, png_bytes
    from emojiml.generate.kitchen.rank import prompt_scores
    from emojiml.generate.kitchen.recipe import candidates, propose_recipes

    say = progress or (lambda message: None)
    catalog = default_catalog()
    embeddings = models.catalog_embeddings(catalog)
    drawable = set(candidates(style).bases)
    if split not in SPLITS:
        raise EmojimlError(f"Unknown split {split!r}; choose one of: {', '.join(SPLITS)}.")
    named = heldout_emoji(catalog) if split == "heldout" else training_sample(catalog)
    held = [e for e in named if catalog.index_of(e.key) in drawable][:limit]
    say(f"{split}: {len(held)} emoji")
    kitchen_images, text_pick_images, real_images, font_images, keys, itself = [], [], [], [], [], 0
    request_seconds, png_sizes = [], []
    font = NotoRenderer() if NOTO_FONT.exists() else None
    for k, entry in enumerate(held):
        started = time.perf_counter()
        result = generate_kitchen(GenerationRequest(entry.name, style=style, n=4, seed=EVALUATION_SEED))
        request_seconds.append(time.perf_counter() - started)
        kitchen_images.append(result[0].image)
        png_sizes.append(len(png_bytes(result[0].image)))
        itself += int(result[0].details["kitchen_recipe"]["base"] == entry.key)
        text_pick_images.append(_first_drawable(propose_recipes(entry.name, style, n=8)).image)
        real_images.append(compose(Recipe(entry.key, style=style)).image)
        if font is not None and (drawn := font.render(entry, 128)) is not None:
            font_images.append(frame(drawn, 128))
        keys.append(entry.key)
        if k % 20 == 0:
            say(f"held-out {k + 1}/{len(held)}")
    true_text = np.stack([embeddings[catalog.index_of(key)] for key in keys])
    sharp_kitchen = float(np.mean([sharpness(i) for i in kitchen_images]))
    sharp_vector = float(np.mean([sharpness(i) for i in real_images]))
    sharp_font = float(np.mean([sharpness(i) for i in font_images])) if font_images else float("nan")

    rng = np.random.default_rng(EVALUATION_SEED)
    pool = candidates(style).bases
    wins, composition_ms, prompts = 0, [], compositional_prompts()[:limit]
    for prompt in prompts:
        chosen = generate_kitchen(GenerationRequest(prompt, style=style, n=1, seed=EVALUATION_SEED))[0]
        recipe = Recipe(**chosen.details["kitchen_recipe"])
        started = time.perf_counter()
        compose(recipe)  # parts are cached by now: this is the composition cost alone
        composition_ms.append((time.perf_counter() - started) * 1000)
        other = None
        for _ in range(20):  # a random base that can carry this recipe (any usable emoji of the style)
            try:
                other = compose(recipe.with_base(catalog[int(pool[rng.integers(len(pool))])].key)).image
                break
            except EmojimlError:
                continue
        if other is None:
            raise EmojimlError(f"No random base could carry the recipe for {prompt!r}.")
        chosen_score, other_score = prompt_scores([chosen.image, other], prompt)
        wins += int(chosen_score > other_score)
    say(f"compositional: {wins}/{len(prompts)}")

    covered = 0
    coverage_set = coverage_prompts(catalog)[:limit]
    for prompt in coverage_set:
        try:
            generate_kitchen(GenerationRequest(prompt, style=style, n=1, seed=EVALUATION_SEED))
            covered += 1
        except EmojimlError:
            pass
    refused = 0
    gibberish = gibberish_prompts()[:limit]
    for prompt in gibberish:
        try:
            propose_recipes(prompt, style, n=1)
        except EmojimlError:
            refused += 1
    say(f"coverage: {covered}/{len(coverage_set)}; gibberish refused {refused}/{len(gibberish)}")

    return KitchenReport(
        style=style,
        n_heldout=len(held),
        sharpness_kitchen=round(sharp_kitchen, 5),
        sharpness_real_vector=round(sharp_vector, 5),
        sharpness_real_font=round(sharp_font, 5),
        sharpness_ratio_vector=round(sharp_kitchen / sharp_vector, 3),
        sharpness_ratio_font=round(sharp_kitchen / sharp_font, 3) if font_images else float("nan"),
        r_precision=round(_r_precision(kitchen_images, keys, true_text), 3),
        r_precision_text_pick=round(_r_precision(text_pick_images, keys, true_text), 3),
        r_precision_real=round(_r_precision(real_images, keys, true_text), 3),
        heldout_base_is_itself=round(itself / max(len(held), 1), 3),
        compositional_win_rate=round(wins / max(len(prompts), 1), 3),
        n_compositional=len(prompts),
        composition_ms_median=round(float(np.median(composition_ms)), 1),
        composition_ms_p90=round(float(np.percentile(composition_ms, 90)), 1),
        request_s_median=round(float(np.median(request_seconds)), 2),
        coverage=round(covered / max(len(coverage_set), 1), 3),
        gibberish_refused=round(refused / max(len(gibberish), 1), 3),
        max_png_bytes=max(png_sizes),
        split=split,
    )


def report_table(report: KitchenReport) -> str:
    lines = [f"| kitchen ({report.style}) | value | target / reference |", "|---|---|---|"]
    lines += [f"| {figure} | {value} | {target} |" for figure, value, target in report.rows()]
    return "\n".join(lines)


def report_dict(report: KitchenReport) -> dict:
    return asdict(report)
