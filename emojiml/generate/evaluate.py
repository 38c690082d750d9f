"""``emojiml evaluate generation``: how good are the generated emoji, measured on held-out emoji.

Every figure is computed for prompts the models never trained on (the held-out 10% of emoji, each in every
style it exists in), against the real held-out images:

- FID / KID in the judge's feature space, beside the *floor* FID(train real, held-out real) of equally many
  real images: the ratio says how far generation is from "as good as other real emoji". The floor is the
  mean over ``FLOOR_DRAWS`` random draws of training images: with ~500 images one draw is too noisy (the
  samples' own FID varies by 0.3% across seeds, a single floor by 13%).
- R-precision@1 among 10: does the judge's image->text projection rank the true prompt above 9 other
  held-out prompts? Random is 0.1; the same figure for the real images is the ceiling.
- Memorisation: share of samples whose nearest *training* image (pixels, same style) is closer than the
  1st percentile of distances between a training emoji and its nearest *different* training emoji; also at
  the median ("typical") distance, with the real held-out images' share beside both as the reference.
- Diversity: mean pairwise judge-feature distance between samples of one prompt across 8 seeds, over the
  mean pairwise distance between different real emoji (1.0 = as varied as different emoji are).
- Sharpness: mean squared Laplacian of the images at the output size over that of the real held-out emoji
  rendered at that size (1.0 = as crisp as a real render; a real emoji shrunk to 32 px and blown up again
  scores about 0.04).

Two outputs are scored: ``finished`` (what a person gets: 128 px through ``sample.upscale``) and ``raw``
(the decoder's own 64 px output), so a step after the decoder can never hide what the model draws.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg

from emojiml.generate.data import EmojiDataset
from emojiml.generate.transforms import premultiplied

N_CANDIDATES = 10
DIVERSITY_PROMPTS = 48
DIVERSITY_SEEDS = 8
FLOOR_DRAWS = 40  # one draw of ~500 training images moved the floor by ±13% (ratio 3.6-5.5 for one model)
PROBE_SEED = 17  # which training emoji ``split="train"`` scores
CARD_START, CARD_END = "<!-- metrics:start -->", "<!-- metrics:end -->"


@dataclass(frozen=True)
class GenerationReport:
    model: str
    size: int
    output: str  # "finished (upscaler|lanczos) 128 px" or "raw 64 px"
    n_samples: int
    fid: float
    fid_floor: float
    fid_ratio: float
    kid: float
    kid_floor: float
    r_precision: float
    r_precision_real: float
    memorised_share: float
    memorised_share_real: float
    memorised_share_median: float
    memorised_share_median_real: float
    diversity: float
    sharpness: float

    def rows(self) -> list[tuple[str, str, str]]:
        """(metric, value, reference) rows for the printed table and the model card."""
        floor, real = f"floor (train real vs held-out): {self.fid_floor:.2f}", "real held-out:"
        return [
            ("FID vs held-out real (judge features)", f"{self.fid:.2f}", floor),
            ("FID ratio (target <= 3, goal <= 1.5)", f"{self.fid_ratio:.2f}", "1.0 = as close as real emoji"),
            ("KID x 1000", f"{self.kid * 1000:.2f}", f"floor: {self.kid_floor * 1000:.2f}"),
            (
                "R-precision@1 among 10 (target >= 0.6)",
                f"{self.r_precision:.3f}",
                f"real images: {self.r_precision_real:.3f}; random 0.1",
            ),
            (
                "memorised, 1st-percentile threshold (<= 1%)",
                f"{self.memorised_share:.1%}",
                f"{real} {self.memorised_share_real:.1%}",
            ),
            (
                "memorised, median threshold",
                f"{self.memorised_share_median:.1%}",
                f"{real} {self.memorised_share_median_real:.1%}",
            ),
            (
                "diversity across 8 seeds (target >= 0.25)",
                f"{self.diversity:.3f}",
                "1.0 = as varied as different emoji",
            ),
            ("sharpness vs real (target >= 0.25)", f"{self.sharpness:.3f}", "1.0 = as crisp as a real render"),
        ]


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FID between two feature sets (rows are samples)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    try:
        covmean = linalg.sqrtm(cov_a @ cov_b, disp=False)[0]
    except TypeError:  # SciPy >= 1.16 dropped ``disp`` (a GPU machine had it): one return value
        covmean = linalg.sqrtm(cov_a @ cov_b)
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * covmean))


def kernel_distance(a: np.ndarray, b: np.ndarray) -> float:
    """KID: unbiased MMD^2 with the cubic polynomial kernel (Binkowski et al. 2018)."""
    d = a.shape[1]
    kernel = lambda x, y: (x @ y.T / d + 1) ** 3  # noqa: E731
    k_aa, k_bb, k_ab = kernel(a, a), kernel(b, b), kernel(a, b)
    m, n = len(a), len(b)
    return float(
        (k_aa.sum() - np.trace(k_aa)) / (m * (m - 1)) + (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1)) - 2 * k_ab.mean()
    )


def _features(judge, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.cat([judge.features(chunk) for chunk in x.split(256)]).numpy().astype(np.float64)


def _text_vectors(judge, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return torch.cat([judge.text_vectors(chunk) for chunk in x.split(256)]).numpy()


def r_precision(image_text: np.ndarray, true_text: np.ndarray, emoji: list[str], seed: int = 0) -> float:
    """Share of images whose own prompt outranks 9 prompts of other (distinct) held-out emoji."""
    rng = np.random.default_rng(seed)
    by_emoji = {e: true_text[i] for i, e in enumerate(emoji)}
    keys = sorted(by_emoji)
    n_others = min(N_CANDIDATES, len(keys)) - 1
    hits = 0
    for i, own in enumerate(emoji):
        others = [k for k in rng.permutation(keys)[: n_others + 1] if k != own][:n_others]
        candidates = np.stack([by_emoji[own], *[by_emoji[k] for k in others]])  # (10, 384)
        scores = candidates @ image_text[i]
        hits += int(scores.argmax() == 0)
    return hits / len(emoji)


def nearest_train_distance(x: np.ndarray, styles: np.ndarray, train: np.ndarray, train_styles: np.ndarray):
    """Per image: RMS pixel distance to the nearest training image of the same style."""
    out = np.empty(len(x))
    for style in np.unique(styles):
        pool = train[train_styles == style].reshape((train_styles == style).sum(), -1)
        queries = x[styles == style].reshape((styles == style).sum(), -1)
        d2 = (queries**2).sum(1)[:, None] + (pool**2).sum(1)[None] - 2 * queries @ pool.T
        out[styles == style] = np.sqrt(np.maximum(d2.min(1), 0) / pool.shape[1])
    return out


def copy_thresholds(train: np.ndarray, styles: np.ndarray, emoji: np.ndarray) -> tuple[float, float]:
    """1st percentile and median of each training image's distance to its nearest *different* emoji."""
    distances = []
    for style in np.unique(styles):
        mask = styles == style
        pool = train[mask].reshape(mask.sum(), -1)
        names = emoji[mask]
        d2 = (pool**2).sum(1)[:, None] + (pool**2).sum(1)[None] - 2 * pool @ pool.T
        d2[names[:, None] == names[None]] = np.inf
        distances.append(np.sqrt(np.maximum(d2.min(1), 0) / pool.shape[1]))
    distances = np.concatenate(distances)
    return float(np.percentile(distances, 1)), float(np.median(distances))


def real_floor(
    train: np.ndarray, held: np.ndarray, rng: np.random.Generator, draws: int = FLOOR_DRAWS
) -> tuple[float, float]:
    """(FID, KID) of as many real training images as there are held-out ones, each averaged over ``draws``
    random draws of training images (rows of ``train``), against the held-out features ``held``."""
    picks = [train[rng.choice(len(train), size=len(held), replace=False)] for _ in range(draws)]
    fid = float(np.mean([frechet_distance(pick, held) for pick in picks]))
    return fid, float(np.mean([kernel_distance(pick, held) for pick in picks]))


def laplacian_energy(x: torch.Tensor) -> torch.Tensor:
    """Per image: mean squared 4-neighbour Laplacian of premultiplied RGBA in [0, 1] (edge crispness)."""
    x = (x.float() + 1) / 2
    kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).repeat(x.shape[1], 1, 1, 1)
    lap = F.conv2d(x, kernel.to(x.device), groups=x.shape[1])
    return (lap**2).mean(dim=(1, 2, 3))


def real_at(dataset: EmojiDataset, index: np.ndarray, size: int) -> torch.Tensor:
    """Real images of ``index`` at ``size``: the high-resolution renders when the data set has that size,
    else the native ones (area-shrunk, or Lanczos-enlarged)."""
    from emojiml.generate.sample import lanczos

    if dataset.hires is not None and dataset.hires.shape[1] == size and np.isin(index, dataset.hires_index).all():
        position = {int(i): k for k, i in enumerate(dataset.hires_index)}
        return premultiplied(dataset.hires[[position[int(i)] for i in index]], size)
    if size <= dataset.size:
        return premultiplied(dataset.images[index], size)
    return lanczos(premultiplied(dataset.images[index], dataset.size), size)


def sharpness_ratio(x: torch.Tensor, real: torch.Tensor) -> float:
    """Mean Laplacian energy of ``x`` over that of ``real`` (same size)."""
    return float(laplacian_energy(x).mean() / laplacian_energy(real).mean().clamp(min=1e-12))


def evaluation_split(dataset: EmojiDataset, split: str = "holdout") -> tuple[np.ndarray, np.ndarray]:
    """(probe, reference) sample indices. ``holdout``: the held-out emoji against the training ones (the
    reported figures). ``train``: as many *training* emoji as are held out (a seeded draw by emoji) against
    the other training emoji — for choosing sampling settings without looking at the held-out split; its
    figures are optimistic (the model trained on those emoji) and are never reported as quality."""
    if split == "holdout":
        return dataset.indices("holdout"), dataset.indices("train")
    if split != "train":
        raise ValueError(f"Unknown evaluation split {split!r}; choose holdout or train.")
    train = dataset.indices("train")
    emoji = np.array([dataset.samples[i].emoji for i in train])
    keys = np.unique(emoji)
    n_probe = len({dataset.samples[i].emoji for i in dataset.indices("holdout")}) or max(1, len(keys) // 10)
    probe_keys = np.random.default_rng(PROBE_SEED).permutation(keys)[:n_probe]
    in_probe = np.isin(emoji, probe_keys)
    return train[in_probe], train[~in_probe]


def evaluate_generation(
    model_name: str,
    net,
    judge,
    dataset: EmojiDataset,
    seed: int = 0,
    upscaler=None,
    raw: bool = False,
    split: str = "holdout",
) -> GenerationReport:
    """All figures for one loaded model (GAN generator or VAE) on the held-out emoji of ``dataset`` it knows
    the style of: its finished 128 px output through ``sample.upscale`` (with ``upscaler``, else Lanczos), or,
    with ``raw``, the decoder's own output at its native size. ``split="train"`` scores training emoji
    instead (:func:`evaluation_split`), for tuning."""
    from emojiml.generate.sample import OUTPUT_SIZE, upscale

    native = net.config.size
    out_size = native if raw else OUTPUT_SIZE
    finish = (lambda x: x) if raw else (lambda x: upscale(x, upscaler, OUTPUT_SIZE))
    known = np.array([s.style in net.config.styles for s in dataset.samples])
    probe, reference = evaluation_split(dataset, split)
    held = np.array([i for i in probe if known[i]], dtype=np.int64)
    train = np.array([i for i in reference if known[i]], dtype=np.int64)
    styles_all = np.array(
        [net.config.styles.index(s.style) if s.style in net.config.styles else -1 for s in dataset.samples]
    )
    groups_all = dataset.group_ids(net.config.groups)
    text = torch.from_numpy(dataset.text_vectors[held])
    style = torch.from_numpy(styles_all[held])
    group = torch.from_numpy(groups_all[held])
    with torch.no_grad():
        cond = net.condition(text, style, group)
        fake = torch.cat([finish(chunk) for chunk in net.render(cond, torch.Generator().manual_seed(seed)).split(128)])
    real_held = premultiplied(dataset.images[held], native)
    rng = np.random.default_rng(seed)
    f_fake, f_held = _features(judge, fake), _features(judge, real_held)
    f_train_all = _features(judge, premultiplied(dataset.images[train], native))
    fid = frechet_distance(f_fake, f_held)
    fid_floor, kid_floor = real_floor(f_train_all, f_held, rng)

    emoji = [dataset.samples[i].emoji for i in held]
    true_text = dataset.text_vectors[held]
    r_fake = r_precision(_text_vectors(judge, fake), true_text, emoji, seed)
    r_real = r_precision(_text_vectors(judge, real_held), true_text, emoji, seed)

    train_pixels = ((premultiplied(dataset.images[train], native) + 1) / 2).numpy()
    train_styles = styles_all[train]
    strict, typical = copy_thresholds(train_pixels, train_styles, np.array([dataset.samples[i].emoji for i in train]))
    fake_native = F.adaptive_avg_pool2d(fake, native) if fake.shape[-1] != native else fake
    d_fake = nearest_train_distance(((fake_native + 1) / 2).numpy(), styles_all[held], train_pixels, train_styles)
    d_real = nearest_train_distance(((real_held + 1) / 2).numpy(), styles_all[held], train_pixels, train_styles)

    pick = rng.choice(len(held), size=min(DIVERSITY_PROMPTS, len(held)), replace=False)
    spreads = []
    with torch.no_grad():
        for i in pick:
            batch = net.render(
                cond[i : i + 1].repeat(DIVERSITY_SEEDS, 1), torch.Generator().manual_seed(int(seed + 1 + i))
            )
            spreads.append(_mean_pairwise(_features(judge, finish(batch))))
    between = _mean_pairwise(f_held[rng.choice(len(held), size=min(256, len(held)), replace=False)])
    kind = "raw" if raw else f"finished ({'upscaler' if upscaler is not None else 'lanczos'})"
    kind = kind if split == "holdout" else f"{kind}, TRAINING emoji"

    return GenerationReport(
        model=model_name,
        size=native,
        output=f"{kind} {out_size} px",
        n_samples=len(held),
        fid=round(fid, 3),
        fid_floor=round(fid_floor, 3),
        fid_ratio=round(fid / max(fid_floor, 1e-9), 3),
        kid=round(kernel_distance(f_fake, f_held), 5),
        kid_floor=round(kid_floor, 5),
        r_precision=round(r_fake, 3),
        r_precision_real=round(r_real, 3),
        memorised_share=round(float((d_fake < strict).mean()), 4),
        memorised_share_real=round(float((d_real < strict).mean()), 4),
        memorised_share_median=round(float((d_fake < typical).mean()), 4),
        memorised_share_median_real=round(float((d_real < typical).mean()), 4),
        diversity=round(float(np.mean(spreads)) / max(between, 1e-9), 3),
        sharpness=round(sharpness_ratio(fake, real_at(dataset, held, out_size)), 3),
    )


def _mean_pairwise(features: np.ndarray) -> float:
    d = np.sqrt(np.maximum(((features[:, None] - features[None]) ** 2).sum(-1), 0))
    n = len(features)
    return float(d.sum() / (n * (n - 1)))


def report_table(reports: list[GenerationReport]) -> str:
    """A markdown table of every model's figures (printed by the CLI, pasted into cards and the README)."""
    lines = ["| model | metric | value | reference |", "|---|---|---|---|"]
    for report in reports:
        for metric, value, reference in report.rows():
            lines.append(f"| {report.model}, {report.output} | {metric} | {value} | {reference} |")
    return "\n".join(lines)


def write_card_metrics(card, table: str) -> None:
    """Replace the block between the metrics markers of a model card with ``table``."""
    text = card.read_text()
    start, end = text.index(CARD_START) + len(CARD_START), text.index(CARD_END)
    card.write_text(text[:start] + "\n" + table + "\n" + text[end:])


def report_dict(report: GenerationReport) -> dict:
    return asdict(report)
