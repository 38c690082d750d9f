"""Active learning for generated emoji: every generation is stored, people rate them 👍/👎, the least certain
come first for review, and the rated set flows back into training and ranking.

The rated set (``emojiml export-feedback``) is JSON Lines, one generation per line: ``workspace, prompt, method,
style, seed, position, model_version, name, recipe, rating (+1/-1), rated_at (ISO UTC), prompt_score,
uncertainty, nearest (the nearest real emoji), png (base64 of the 128 px PNG)``.

How ratings become training weights (``emojiml train gan|vae --feedback FILE``): a liked generation joins the
training set as an extra positive, drawn ``LIKED_WEIGHT`` times as often as one real image, conditioned on its
prompt, style and its nearest real emoji's group. A disliked one is never a positive; instead the real images of
the emoji it came out nearest to are drawn ``DISLIKED_WEIGHT`` times as often: a rejected output that resembles a
real emoji means the model leans on that emoji where the prompt did not ask for it (a "taco cat" that comes out as
🌭), so it hears less of it. Every other real image keeps weight 1. The kitchen's recipe ranking reads the same
file through :func:`recipe_preferences`: a recipe's mean rating, shrunk towards 0 for recipes rated only once.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from emojiml.errors import EmojimlError

LIKED_WEIGHT = 2.0
DISLIKED_WEIGHT = 0.5
RANK_WEIGHT = 0.1  # a recipe's preference (-1..1) is worth this much judge + text score in the kitchen's ranking
PRIOR_RATINGS = 2.0  # recipe_preferences: a recipe's mean rating is shrunk as if it had this many 0 ratings too


class FeedbackFileError(EmojimlError):
    """A feedback file that is missing or not the JSON Lines ``export-feedback`` writes."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One rated generation."""

    workspace: str
    prompt: str
    method: str
    style: str
    seed: int
    position: int
    model_version: str
    name: str
    recipe: str
    rating: int  # +1 liked, -1 disliked
    rated_at: str
    prompt_score: float | None
    uncertainty: float
    nearest: str
    png: str  # base64

    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(base64.b64decode(self.png))).convert("RGBA")


def _iso(seconds: float | None) -> str:
    return "" if seconds is None or pd.isna(seconds) else datetime.fromtimestamp(seconds, UTC).isoformat()


def rated_records(store, workspace: str | None = None) -> list[FeedbackRecord]:
    """The rated generations in ``store`` (of one workspace, or all), oldest rating first."""
    frame = store.generations_frame(workspace, rated=True)
    return [
        FeedbackRecord(
            workspace=row.workspace,
            prompt=row.prompt,
            method=row.method,
            style=row.style,
            seed=int(row.seed),
            position=int(row.position),
            model_version=row.model_version,
            name=row.name,
            recipe=row.recipe,
            rating=int(row.rating),
            rated_at=_iso(row.rated_at),
            prompt_score=None if pd.isna(row.prompt_score) else float(row.prompt_score),
            uncertainty=float(row.uncertainty),
            nearest=row.nearest,
            png=base64.b64encode(bytes(row.png)).decode(),
        )
        for row in frame.itertuples(index=False)
    ]


def export_feedback(store, path: Path, workspace: str | None = None) -> list[FeedbackRecord]:
    """Write the rated set to ``path`` as JSON Lines (atomically) and return it."""
    records = rated_records(store, workspace)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records))
    temporary.replace(path)
    return records


def read_feedback(path: Path) -> list[FeedbackRecord]:
    """The records of a file ``export-feedback`` wrote; :class:`FeedbackFileError` naming the bad line."""
    path = Path(path)
    if not path.is_file():
        raise FeedbackFileError(f"{path} is not a file: write one with `emojiml export-feedback --out {path}`.")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = FeedbackRecord(**json.loads(line))
            if record.rating not in (1, -1):
                raise ValueError(f"rating {record.rating!r} is not +1 or -1")
            base64.b64decode(record.png, validate=True)
        except (json.JSONDecodeError, TypeError, ValueError) as error:
            raise FeedbackFileError(f"{path} line {number} is not a feedback record ({error}).") from error
        records.append(record)
    return records


# ------------------------------------------------------------------------------------------- training hook
@dataclass(frozen=True)
class FeedbackWeights:
    """What the rated set adds to a training set: extra positives and a weight per real training image."""

    images: np.ndarray  # (M, S, S, 4) uint8: the liked generations, at the data set's size
    prompts: tuple[str, ...]  # (M,)
    styles: tuple[str, ...]  # (M,)
    groups: tuple[str, ...]  # (M,) their nearest real emoji's group
    extra_weights: np.ndarray  # (M,) LIKED_WEIGHT each
    real_weights: np.ndarray  # (N_train,) 1, or DISLIKED_WEIGHT for the emoji disliked outputs came out nearest


def feedback_weights(
    records: Sequence[FeedbackRecord], train_emoji: Sequence[str], size: int, styles: Sequence[str], groups
) -> FeedbackWeights:
    """The weights of :mod:`this module's docstring <emojiml.generate.feedback>` for a training split whose
    images show ``train_emoji`` (catalog keys, one per image); ``groups`` maps a catalog key to its group."""
    liked = [r for r in records if r.rating == 1 and r.style in styles]
    disliked = {r.nearest for r in records if r.rating == -1}
    images = [np.asarray(r.image().resize((size, size), Image.Resampling.LANCZOS)) for r in liked]
    real_weights = np.array([DISLIKED_WEIGHT if key in disliked else 1.0 for key in train_emoji], dtype=np.float64)
    return FeedbackWeights(
        images=np.stack(images) if images else np.zeros((0, size, size, 4), dtype=np.uint8),
        prompts=tuple(r.prompt for r in liked),
        styles=tuple(r.style for r in liked),
        groups=tuple(groups(r.nearest) for r in liked),
        extra_weights=np.full(len(liked), LIKED_WEIGHT),
        real_weights=real_weights,
    )


class WeightedBatches:
    """A trainer's mini-batches with the rated set mixed in: same ``next()`` as ``train.Batches``, rows drawn
    without replacement with probability proportional to their weight."""

    def __init__(self, batches, weights: FeedbackWeights, encode: Callable[[list[str]], np.ndarray], dataset) -> None:
        import torch

        from emojiml.generate.transforms import premultiplied

        extra = len(weights.prompts)
        text = encode(list(weights.prompts)) if extra else np.zeros((0, batches.text.shape[1]), dtype=np.float32)
        device = self.device = batches.images.device  # a CUDA run keeps the whole set on the GPU
        self.images = torch.cat([batches.images, premultiplied(weights.images, batches.images.shape[-1]).to(device)])
        self.text = torch.cat([batches.text, torch.from_numpy(np.asarray(text, dtype=np.float32)).to(device)])
        styles = torch.tensor([dataset.styles.index(s) for s in weights.styles], dtype=torch.long, device=device)
        groups = torch.tensor([dataset.groups.index(g) for g in weights.groups], dtype=torch.long, device=device)
        self.style, self.group = torch.cat([batches.style, styles]), torch.cat([batches.group, groups])
        self.index = np.arange(len(self.images))
        self.batch = batches.batch
        self.rng = batches.rng
        p = np.concatenate([weights.real_weights, weights.extra_weights])
        self.p = p / p.sum()
        self.added, self.downweighted = extra, int((weights.real_weights < 1).sum())

    def next(self):
        import torch

        pick = torch.from_numpy(self.rng.choice(len(self.index), self.batch, replace=False, p=self.p)).to(self.device)
        return self.images[pick], self.text[pick], self.style[pick], self.group[pick]


def with_feedback(trainer, path: Path, encode) -> WeightedBatches:
    """Swap ``trainer.batches`` for batches weighted by the rated set in ``path`` (``train --feedback``)."""
    from emojiml.catalog import default_catalog

    dataset = trainer.dataset
    catalog = default_catalog()
    train_rows = dataset.indices("train")
    fallback = dataset.groups[0]

    def group_of(key: str) -> str:
        entry = catalog.get(key) if key else None
        return entry.group if entry is not None and entry.group in dataset.groups else fallback

    weights = feedback_weights(
        read_feedback(path),
        [dataset.samples[i].emoji for i in train_rows],
        dataset.size,
        dataset.styles,
        group_of,
    )
    trainer.batches = WeightedBatches(trainer.batches, weights, encode, dataset)
    return trainer.batches


# ------------------------------------------------------------------------------------------- ranking hook
def recipe_preferences(records: Sequence[FeedbackRecord]) -> dict[str, float]:
    """Per recipe: the mean rating in [-1, 1], shrunk towards 0 by ``PRIOR_RATINGS`` (one 👍 is +0.33, five
    are +0.71), for a ranking that adds it to the judge's score: liked recipes rise, disliked ones sink."""
    totals: dict[str, list[int]] = {}
    for record in records:
        if record.recipe:
            totals.setdefault(record.recipe, []).append(record.rating)
    return {recipe: sum(r) / (len(r) + PRIOR_RATINGS) for recipe, r in totals.items()}
