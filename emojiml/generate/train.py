"""``emojiml train gan|vae``: time-budgeted training with sample grids, checkpoints and ``--resume``.

Why a time budget instead of epochs: the models must train within a fixed number of minutes on a shared
CPU or a borrowed GPU, so ``--minutes`` is the contract; the step count is whatever the machine managed.
The same code runs on CUDA (``--device cuda``, bf16 autocast): only tensors' placement and the autocast
context differ, so a GPU run is the CPU recipe with more steps.
Everything needed to continue (weights, EMA, optimiser moments, step, seconds trained) is in
``WORK/state.safetensors`` + ``state.json``; the shipped model is exported to ``OUT/NAME.safetensors``.
``--init-from CHECKPOINT`` starts a *new* run from exported weights (the shipped model, which has no work
folder: it trained on a borrowed GPU) with fresh optimiser moments; the export records where it started.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from emojiml.checkpoint import (
    CheckpointError,
    load_optimizer,
    read_config,
    read_json,
    read_tensors,
    save_model,
    save_optimizer,
    save_tensors,
    write_json,
)
from emojiml.generate.blocks import augment_real, diff_augment, ssim_loss
from emojiml.generate.data import EmojiDataset, load_dataset
from emojiml.generate.gan import Discriminator, GANConfig, Generator, load_generator
from emojiml.generate.transforms import premultiplied, to_rgba_images
from emojiml.generate.vae import ConditionalVAE, ImageEncoder, VAEConfig, load_vae, reconstruction_loss

log = logging.getLogger(__name__)

GRID_PROMPTS = ("cat face", "pizza", "party", "crying laughing", "blue heart", "rocket")
MAX_MINUTES = 90.0
SAMPLING_SETTINGS = ("temperature",)  # config keys that do not change what is trained (``--init-from`` ignores them)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one run; stored in the state file so ``--resume`` continues the same run."""

    model: str
    size: int = 64
    batch: int = 32
    lr: float = 2e-4
    seed: int = 0
    augment: bool = True
    text_noise: float = 0.0  # length of Gaussian noise added to each unit text vector (then renormalised); 0 = off
    kl_weight: float = 0.02  # VAE: weight of KL(q || learned prior) per nat against per-pixel L1
    kl_warmup_steps: int = 1000
    temperature: float = 1.0  # sampling temperature written into the export (chosen on training emoji)
    rec_weight: float = 5.0  # GAN: weight of the cVAE-GAN reconstruction anchor (0 = pure GAN)
    gan_kl_weight: float = 0.5  # GAN: KL(E(x) || N(0, I)); strong, so the content must come from the condition
    gan_ssim_weight: float = 1.0  # GAN: weight of the SSIM term in the anchor (as in the VAE's loss)
    rec_final_weight: float = 0.5  # GAN: the anchor weight falls linearly to this over the budget's second half
    ds_weight: float = 1.0  # GAN: diversity-sensitive term (two seeds of one prompt must differ); 0 = off
    ds_cap: float = 0.2  # GAN: the term stops rewarding once images differ this much per unit of z distance
    noise: bool = True  # GAN: per-layer noise inputs in the generator
    gan_z_dim: int = 64  # GAN: latent size (a GAN started from the VAE takes the VAE's)
    gan_prior: bool = False  # GAN: learned conditional prior p(z | c) (set when started from a VAE checkpoint)
    d_warmup_steps: int = 0  # GAN: steps in which only the discriminator learns from the adversarial loss
    device: str = "cpu"
    amp: bool = True  # bf16 autocast on CUDA (ignored on the CPU)
    ema_decay: float = 0.999
    sample_every_s: float = 300.0
    checkpoint_every_s: float = 300.0
    keep_from_step: int = 0  # > 0: also keep an export at this step and every doubling of it (work/kept/)


def grid_image(images: list[Image.Image], columns: int, scale: int = 2, background=(236, 236, 236)) -> Image.Image:
    """Tile RGBA images on a light background (so transparency shows), nearest-upscaled for viewing."""
    size = images[0].width
    rows = (len(images) + columns - 1) // columns
    canvas = Image.new("RGBA", (columns * size, rows * size), (*background, 255))
    for i, image in enumerate(images):
        canvas.alpha_composite(image, ((i % columns) * size, (i // columns) * size))
    return canvas.resize((canvas.width * scale, canvas.height * scale), Image.Resampling.NEAREST).convert("RGB")


class Batches:
    """Seeded random mini-batches of the training split: images and their three conditions, kept on ``device``
    (the whole set fits on a GPU, so a step never waits for a copy)."""

    def __init__(
        self, dataset: EmojiDataset, size: int, batch: int, seed: int, split: str = "train", device: str = "cpu"
    ) -> None:
        self.index = dataset.indices(split)
        self.images = premultiplied(dataset.images[self.index], size).to(device)
        self.text = torch.from_numpy(dataset.text_vectors[self.index]).to(device)
        self.style = torch.from_numpy(dataset.style_ids(dataset.styles)[self.index]).to(device)
        self.group = torch.from_numpy(dataset.group_ids(dataset.groups)[self.index]).to(device)
        self.batch = min(batch, len(self.index))
        self.rng = np.random.default_rng(seed)
        self.device = device

    def next(self) -> tuple[torch.Tensor, ...]:
        pick = torch.from_numpy(self.rng.choice(len(self.index), self.batch, replace=False)).to(self.device)
        return self.images[pick], self.text[pick], self.style[pick], self.group[pick]


def autocast(config: TrainConfig):
    """bf16 autocast on CUDA when ``config.amp``; nothing on the CPU (where bf16 convs are slower, not faster)."""
    if config.device.startswith("cuda") and config.amp:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def prompt_vectors(dataset: EmojiDataset, prompts: tuple[str, ...], encode) -> np.ndarray:
    """Sentence vectors of ``prompts``: from ``prompt_vectors.json`` in the data set folder when it has them
    all (a GPU machine has no sentence encoder), else from ``encode``."""
    stored = dataset.root / "prompt_vectors.json"
    if stored.exists():
        table = read_json(stored)
        if all(p in table for p in prompts):
            return np.array([table[p] for p in prompts], dtype=np.float32)
    if encode is None:
        from emojiml.models import encode
    return np.asarray(encode(list(prompts)), dtype=np.float32)


def _grid_conditions(dataset: EmojiDataset, encode) -> tuple[torch.Tensor, ...]:
    """The README prompts in every style: text vectors, style ids and each prompt's nearest training group."""
    vectors = torch.from_numpy(prompt_vectors(dataset, GRID_PROMPTS, encode))
    nearest = (vectors @ torch.from_numpy(dataset.text_vectors).T).argmax(dim=1)
    groups = torch.tensor([dataset.groups.index(dataset.samples[i].group) for i in nearest])
    n_styles = len(dataset.styles)
    text = vectors.repeat_interleave(n_styles, 0)
    style = torch.arange(n_styles).repeat(len(GRID_PROMPTS))
    return text, style, groups.repeat_interleave(n_styles, 0)


class Trainer:
    """Shared loop: budget, progress, grids, checkpoints, resume. Subclasses define ``step`` and the parts."""

    name = ""

    def __init__(self, dataset: EmojiDataset, config: TrainConfig, work: Path, encode) -> None:
        self.dataset, self.config, self.work = dataset, config, Path(work)
        torch.manual_seed(config.seed)
        self.device = torch.device(config.device)
        self.batches = Batches(dataset, config.size, config.batch, config.seed, device=config.device)
        self.grid = tuple(t.to(self.device) for t in _grid_conditions(dataset, encode))
        self.step_count = 0
        self.trained_seconds = 0.0
        self.history: list[dict] = []
        self.budget_seconds = MAX_MINUTES * 60
        self.initialised_from: dict | None = None  # set by ``init_from``; kept in state.json and the export

    # parts a subclass provides
    def modules(self) -> dict[str, nn.Module]:
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def step(self, batch: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def sample_grid(self) -> torch.Tensor:
        raise NotImplementedError

    def export(self, path: Path) -> None:
        raise NotImplementedError

    def load_exported(self, path: Path) -> dict:
        """Fill the trained modules from the exported checkpoint at ``path``; returns its JSON."""
        raise NotImplementedError

    def init_from(self, path: Path) -> None:
        """Start from an exported checkpoint's weights (optimiser moments fresh, step 0). It must be this
        kind of model with the same architecture, styles and groups; :class:`CheckpointError` otherwise."""
        meta = self.load_exported(Path(path))
        earlier = meta.get("initialised_from")  # a chain of warm starts adds up
        self.initialised_from = {
            "path": Path(path).name,
            "steps": meta.get("steps", 0) + (earlier or {}).get("steps", 0),
            "trained_minutes": round(meta.get("trained_minutes", 0) + (earlier or {}).get("trained_minutes", 0), 1),
            "device": meta.get("device", "unknown") + (f" after {earlier['device']}" if earlier else ""),
        }

    def _check_exported(self, path: Path, model: nn.Module) -> None:
        """:class:`CheckpointError` unless ``model`` (loaded from ``path``) has this run's model config."""
        mine, theirs = self.model_config.to_dict(), model.config.to_dict()
        differ = sorted(k for k in mine if mine[k] != theirs.get(k) and k not in SAMPLING_SETTINGS)
        if differ:
            raise CheckpointError(
                f"{Path(path).with_suffix('.json')} was trained with another {self.name} config "
                f"({', '.join(differ)} differ from this data set and size); --init-from needs the same one."
            )

    # the loop
    def run(self, minutes: float, progress: bool = True, max_steps: int | None = None) -> Path:
        try:
            from tqdm import tqdm
        except ImportError:  # a bare GPU machine: no progress bar
            progress, tqdm = False, None

        budget = min(minutes, MAX_MINUTES) * 60
        if self.step_count and budget != self.budget_seconds:
            log.warning(
                "Resuming with a %.0f-minute budget instead of %.0f: schedules that follow the budget (the GAN's "
                "falling anchor) are rescaled from here on.",
                budget / 60,
                self.budget_seconds / 60,
            )
        self.budget_seconds = budget
        (self.work / "samples").mkdir(parents=True, exist_ok=True)
        started = time.monotonic() - self.trained_seconds
        last_sample = last_checkpoint = time.monotonic()
        bar = (
            tqdm(total=round(budget), initial=round(self.trained_seconds), unit="s", disable=not progress)
            if tqdm
            else None
        )
        running: dict[str, float] = {}
        while self.trained_seconds < budget and (max_steps is None or self.step_count < max_steps):
            torch.manual_seed(self.config.seed * 1_000_003 + self.step_count)
            batch = self.batches.next()
            if self.config.augment:
                batch = (augment_real(batch[0]), *batch[1:])
            if self.config.text_noise > 0:
                batch = (batch[0], jitter_text(batch[1], self.config.text_noise), *batch[2:])
            losses = self.step(batch)  # detached tensors: reading them waits for the GPU, so only every 10th
            self.step_count += 1
            if self.step_count % 10 == 0:
                values = {k: float(v) for k, v in losses.items()}
                running = {k: 0.8 * running.get(k, v) + 0.2 * v for k, v in values.items()}
            now = time.monotonic()
            self.trained_seconds = now - started
            if self.step_count % 50 == 0:
                if bar is not None:
                    bar.n = min(bar.total, round(self.trained_seconds))
                    bar.set_postfix({k: f"{v:.3f}" for k, v in running.items()})
                self.history.append({"step": self.step_count, "seconds": round(self.trained_seconds), **running})
            if now - last_sample >= self.config.sample_every_s:
                self.save_grid()
                last_sample = now
            if now - last_checkpoint >= self.config.checkpoint_every_s:
                self.save_state()
                last_checkpoint = now
            if self._keeps(self.step_count):
                self.keep_export()
        if bar is not None:
            bar.close()
        self.save_grid()
        self.save_state()
        return self.work / f"{self.name}.safetensors"

    def _keeps(self, step: int) -> bool:
        """Whether ``step`` is one of the kept checkpoints: ``keep_from_step`` times a power of two. Why
        doublings: a long run (a GPU's budget) may pass the best weights early, and checkpoints spaced evenly
        in log-steps cover both the first hundreds of steps and the run's end at a few megabytes each."""
        first = self.config.keep_from_step
        if first <= 0 or step < first or step % first:
            return False
        multiple = step // first
        return multiple & (multiple - 1) == 0  # a power of two

    def keep_export(self) -> Path:
        """Export the current weights to ``work/kept/NAME-STEP`` (chosen later on training emoji)."""
        path = self.work / "kept" / f"{self.name}-{self.step_count:06d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.export(path)
        return path

    def save_grid(self) -> Path:
        path = self.work / "samples" / f"{self.name}-{self.step_count:06d}.png"
        grid_image(to_rgba_images(self.sample_grid()), columns=len(self.dataset.styles) * 2).save(path)
        return path

    def facts(self) -> dict:
        return {
            "steps": self.step_count,
            "trained_minutes": round(self.trained_seconds / 60, 1),
            "train_config": asdict(self.config),
            "train_images": len(self.batches.index),
            "device": str(self.device) if self.device.type == "cpu" else f"{self.device.type} ({_device_name()})",
            "styles": list(self.dataset.styles),
            "groups": list(self.dataset.groups),
            **({"initialised_from": self.initialised_from} if self.initialised_from else {}),
        }

    def save_state(self) -> None:
        tensors: dict[str, torch.Tensor] = {}
        optim_meta = {}
        for prefix, module in self.modules().items():
            for key, value in module.state_dict().items():
                tensors[f"{prefix}.{key}"] = value.detach().clone().contiguous()
        for prefix, optimizer in self.optimizers().items():
            opt_tensors, optim_meta[prefix] = save_optimizer(optimizer, f"opt_{prefix}")
            tensors.update(opt_tensors)
        self.work.mkdir(parents=True, exist_ok=True)
        save_tensors(tensors, self.work / "state.safetensors")
        meta = {
            "model": self.name,
            "step": self.step_count,
            "trained_seconds": self.trained_seconds,
            "budget_seconds": self.budget_seconds,
            "config": asdict(self.config),
            "optimizers": optim_meta,
            "history": self.history[-400:],
            "initialised_from": self.initialised_from,
        }
        write_json(self.work / "state.json", meta, indent=None)
        self.export(self.work / self.name)

    def load_state(self) -> None:
        meta = read_json(self.work / "state.json")
        tensors = read_tensors(self.work / "state.safetensors")
        for prefix, module in self.modules().items():
            own = {k[len(prefix) + 1 :]: v for k, v in tensors.items() if k.startswith(prefix + ".")}
            module.load_state_dict(own, strict=True)
        for prefix, optimizer in self.optimizers().items():
            load_optimizer(optimizer, f"opt_{prefix}", tensors, meta["optimizers"][prefix])
        self.step_count = meta["step"]
        self.trained_seconds = meta["trained_seconds"]
        self.budget_seconds = meta.get("budget_seconds", self.budget_seconds)
        self.history = meta.get("history", [])
        self.initialised_from = meta.get("initialised_from")


def jitter_text(text: torch.Tensor, length: float) -> torch.Tensor:
    """Unit text vectors (B, D) moved by isotropic noise of about ``length`` and renormalised: conditioning
    augmentation (StackGAN's idea). Why: each training emoji has one text vector, so the condition encoder
    sees about 1,470 points and may be arbitrary between them; a held-out prompt sits at cosine ~0.74 of its
    nearest training prompt, in exactly that gap."""
    noise = torch.randn_like(text) * (length / text.shape[1] ** 0.5)
    return F.normalize(text + noise, dim=1)


def generator_widths(size: int) -> tuple[int, ...]:
    """Decoder channel widths from 4x4 up to ``size`` (32 or 64 px) that the GAN and the VAE train with.
    Why so narrow: 64 px sampling must run at 500 images/s at batch 64 on a CPU."""
    return (128, 64, 32, 16) if size == 32 else (128, 64, 32, 16, 8)


def encoder_widths(size: int) -> tuple[int, ...]:
    """Channel widths of the stride-2 convolutions that read an image down to 4x4: the VAE's encoder and the
    GAN's discriminator, one layer more at 64 px."""
    return (32, 64, 128) if size == 32 else (16, 32, 64, 128)


def _device_name() -> str:
    return torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA"


class VAETrainer(Trainer):
    name = "vae"

    def __init__(self, dataset: EmojiDataset, config: TrainConfig, work: Path, encode) -> None:
        super().__init__(dataset, config, work, encode)
        self.model_config = VAEConfig(
            dataset.styles,
            dataset.groups,
            config.size,
            widths=generator_widths(config.size),
            enc_widths=encoder_widths(config.size),
            temperature=config.temperature,
        )
        self.model = ConditionalVAE(self.model_config).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr * 5)

    def modules(self):
        return {"vae": self.model}

    def optimizers(self):
        return {"vae": self.optimizer}

    def step(self, batch):
        x, text, style, group = batch
        self.model.train()
        with autocast(self.config):
            recon, kl = self.model(x, self.model.condition(text, style, group))
        recon, kl = recon.float(), kl.float()
        rec = reconstruction_loss(recon, x) + ssim_loss(recon, x)
        ramp = self.config.kl_warmup_steps
        warm = min(1.0, self.step_count / ramp) if ramp > 0 else 1.0
        loss = rec + warm * self.config.kl_weight * kl.mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return {"rec": rec.detach(), "kl": kl.mean().detach()}

    @torch.no_grad()
    def sample_grid(self):
        self.model.eval()
        text, style, group = self.grid
        return self.model.render(self.model.condition(text, style, group), torch.Generator().manual_seed(0))

    def export(self, path: Path) -> None:
        save_model(self.model, {"kind": "vae", "config": self.model_config.to_dict(), **self.facts()}, path)

    def load_exported(self, path: Path) -> dict:
        model = load_vae(path)
        self._check_exported(path, model)
        self.model.load_state_dict(model.state_dict())
        return model.meta


class GANTrainer(Trainer):
    name = "gan"

    def __init__(self, dataset: EmojiDataset, config: TrainConfig, work: Path, encode) -> None:
        super().__init__(dataset, config, work, encode)
        widths = {"widths": generator_widths(config.size), "d_widths": encoder_widths(config.size)}
        self.model_config = GANConfig(
            dataset.styles,
            dataset.groups,
            config.size,
            z_dim=config.gan_z_dim,
            noise=config.noise,
            prior=config.gan_prior,
            temperature=config.temperature,
            **widths,
        )
        self.generator = Generator(self.model_config).to(self.device)
        self.discriminator = Discriminator(self.model_config).to(self.device)
        self.ema = copy.deepcopy(self.generator).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.encoder = ImageEncoder(config.size, widths["d_widths"]).to(self.device)
        self.posterior = nn.Linear(self.encoder.out_dim + self.model_config.cond_dim, 2 * self.model_config.z_dim)
        self.posterior = self.posterior.to(self.device)
        g_params = [*self.generator.parameters(), *self.encoder.parameters(), *self.posterior.parameters()]
        self.opt_g = torch.optim.Adam(g_params, lr=config.lr, betas=(0.0, 0.99))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr * 2, betas=(0.0, 0.99))

    def modules(self):
        return {
            "G": self.generator,
            "D": self.discriminator,
            "ema": self.ema,
            "E": self.encoder,
            "post": self.posterior,
        }

    def optimizers(self):
        return {"g": self.opt_g, "d": self.opt_d}

    def step(self, batch):
        x, text, style, group = batch
        self.generator.train()
        b, z_dim = x.shape[0], self.model_config.z_dim
        pairs = b // 2 if self.config.ds_weight > 0 else 0  # prompts drawn with a second seed
        with autocast(self.config):
            cond = self.generator.condition(text, style, group)
            z = torch.randn((b + pairs, z_dim), device=self.device)  # the seed's noise (z itself without a prior)
            both = torch.cat([cond, cond[:pairs]])
            drawn = self.generator(self.generator.latent(z, both), both).float()
            fake = drawn[:b]
            d_real = self.discriminator(diff_augment(x), text, style, group)
            d_fake = self.discriminator(diff_augment(fake.detach()), text, style, group)
            loss_d = F.relu(1 - d_real.float()).mean() + F.relu(1 + d_fake.float()).mean()
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()

        with autocast(self.config):
            loss_g = -self.discriminator(diff_augment(fake), text, style, group).float().mean()
        losses = {"d": loss_d.detach(), "g": loss_g.detach()}
        if self.step_count < self.config.d_warmup_steps:  # a fresh discriminator's gradients are noise
            loss_g = loss_g * 0.0
        if pairs:
            loss_g = loss_g - self.config.ds_weight * self.diversity(drawn[:pairs], drawn[b:], z[:pairs], z[b:])
            losses["ds"] = self.last_ds
        if self.config.rec_weight > 0:
            with autocast(self.config):
                mu, logvar = self.posterior(torch.cat([self.encoder(x), cond], 1)).float().chunk(2, 1)
                logvar = logvar.clamp(-8, 4)
                z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
                recon = self.generator(z, cond).float()
            rec = reconstruction_loss(recon, x)
            if self.config.gan_ssim_weight > 0:
                rec = rec + self.config.gan_ssim_weight * ssim_loss(recon, x)
            if self.generator.prior is None:  # KL(E(x) || N(0, I)), strong: content must come from the condition
                kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1).mean()
                kl_weight = self.config.gan_kl_weight
            else:  # KL(E(x) || p(z | c)) at the VAE's weight: the anchor is the VAE's own loss
                mu_p, logvar_p = (t.float() for t in self.generator.prior_params(cond))
                kl = 0.5 * (logvar_p - logvar + (logvar.exp() + (mu - mu_p) ** 2) / logvar_p.exp() - 1).sum(1).mean()
                kl_weight = self.config.kl_weight
            loss_g = loss_g + self.anchor_weight() * rec + kl_weight * kl
            losses["rec"] = rec.detach()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self._update_ema()
        return losses

    def diversity(self, a: torch.Tensor, b: torch.Tensor, za: torch.Tensor, zb: torch.Tensor) -> torch.Tensor:
        """The diversity-sensitive term (Yang et al. 2019, DSGAN): how much two seeds of one prompt differ per
        unit of z distance, capped at ``ds_cap``. Measured on 16 px area averages, so it asks for different
        shapes and colours, not for pixel noise; the cap stops it rewarding chaos once seeds differ enough."""
        image_gap = (F.avg_pool2d(a, 4) - F.avg_pool2d(b, 4)).abs().mean(dim=(1, 2, 3))
        ratio = image_gap / (za - zb).abs().mean(dim=1)
        self.last_ds = ratio.mean().detach()
        return ratio.clamp(max=self.config.ds_cap).mean()

    def anchor_weight(self) -> float:
        """The reconstruction anchor's weight now: ``rec_weight`` for the first half of the budget, then a
        linear fall to ``rec_final_weight``. Why: the anchor gets shapes early, but L1 pulls towards the
        blurry conditional mean; late in training the adversarial loss should have the last word."""
        start, final = self.config.rec_weight, self.config.rec_final_weight
        progress = min(1.0, max(0.0, self.trained_seconds / self.budget_seconds - 0.5) * 2)
        return start + (final - start) * progress

    @torch.no_grad()
    def _update_ema(self) -> None:
        decay = min(self.config.ema_decay, (1 + self.step_count) / (10 + self.step_count))
        for ema_p, p in zip(self.ema.parameters(), self.generator.parameters(), strict=True):
            ema_p.lerp_(p, 1 - decay)
        for ema_b, b in zip(self.ema.buffers(), self.generator.buffers(), strict=True):
            ema_b.copy_(b)

    @torch.no_grad()
    def sample_grid(self):
        text, style, group = self.grid
        return self.ema.render(self.ema.condition(text, style, group), torch.Generator().manual_seed(0))

    def export(self, path: Path) -> None:
        save_model(self.ema, {"kind": "gan", "config": self.model_config.to_dict(), **self.facts()}, path)

    def load_exported(self, path: Path) -> dict:
        """The export holds only the EMA generator: the generator and its EMA start from it; the
        discriminator and the anchor's encoder start fresh (they catch up within a few hundred steps).
        A VAE checkpoint (a VAE-GAN start) gives the condition encoder, prior and decoder to the generator
        and its encoder and posterior to the anchor; the noise inputs start at zero, the discriminator fresh."""
        if read_config(Path(path)).get("kind") == "vae":
            return self._load_vae(path)
        model = load_generator(path)
        self._check_exported(path, model)
        self.generator.load_state_dict(model.state_dict())
        self.ema.load_state_dict(model.state_dict())
        return model.meta

    def _load_vae(self, path: Path) -> dict:
        vae = load_vae(path)
        mine, theirs = self.model_config.to_dict(), vae.config.to_dict()
        differ = [k for k in ("styles", "groups", "size", "z_dim", "cond_dim", "widths") if mine[k] != theirs[k]]
        if differ or not self.model_config.prior or vae.config.enc_widths != self.model_config.d_widths:
            raise CheckpointError(
                f"{Path(path).with_suffix('.json')}: a GAN starts from a VAE only with the VAE's decoder and a "
                f"learned prior ({', '.join(differ) or 'prior/encoder widths'} differ)."
            )
        weights = {k: v for k, v in vae.state_dict().items() if k.split(".")[0] in ("condition", "prior", "decoder")}
        missing, unexpected = self.generator.load_state_dict(weights, strict=False)
        if unexpected or any(".noise." not in k for k in missing):
            raise CheckpointError(f"{path}: VAE weights do not fit the generator ({missing + unexpected}).")
        self.ema.load_state_dict(self.generator.state_dict())
        self.encoder.load_state_dict(vae.encoder.state_dict())
        self.posterior.load_state_dict(vae.posterior.state_dict())
        return vae.meta


TRAINERS = {"gan": GANTrainer, "vae": VAETrainer}


def train(
    model: str,
    data: Path,
    work: Path,
    minutes: float,
    resume: bool = False,
    config: TrainConfig | None = None,
    encode=None,
    progress: bool = True,
    max_steps: int | None = None,
    feedback: Path | None = None,
    init_from: Path | None = None,
) -> Trainer:
    """Train ``model`` ("gan" or "vae") on the data set in ``data`` for ``minutes`` of total training time
    (``max_steps`` stops earlier: tests run a few steps). ``init_from`` starts a new run from an exported
    checkpoint (``resume`` continues a work folder's run instead; both at once is an error)."""
    if model not in TRAINERS:
        raise ValueError(f"Unknown model {model!r}; choose from {', '.join(TRAINERS)}.")
    if encode is None:
        from emojiml.models import encode
    work = Path(work)
    config = config or TrainConfig(model=model)
    if init_from is not None and resume:
        raise ValueError("--init-from starts a new run and --resume continues one: pass one of them.")
    if init_from is not None:  # the exported model already trained through the KL warm-up
        config = replace(config, kl_warmup_steps=0)
        start = read_config(Path(init_from))
        if model == "gan" and start.get("kind") == "vae":  # VAE-GAN: the generator takes the VAE's decoder
            z_dim = start.get("config", {}).get("z_dim", config.gan_z_dim)
            config = replace(config, gan_prior=True, gan_z_dim=z_dim, d_warmup_steps=max(config.d_warmup_steps, 100))
    if resume and (work / "state.json").exists():
        saved = read_json(work / "state.json")
        config = replace(TrainConfig(**saved["config"]), sample_every_s=config.sample_every_s)
    trainer = TRAINERS[model](load_dataset(data), config, work, encode)
    if feedback is not None:  # the Studio's rated set: liked as extra positives (emojiml.generate.feedback)
        from emojiml.generate.feedback import with_feedback

        with_feedback(trainer, feedback, encode)
    if init_from is not None:
        trainer.init_from(Path(init_from))
        log.info("Initialised %s from %s (%s)", model, init_from, trainer.initialised_from)
    if resume and (work / "state.json").exists():
        trainer.load_state()
        log.info("Resumed %s at step %d (%.1f min trained)", model, trainer.step_count, trainer.trained_seconds / 60)
    trainer.run(minutes, progress=progress, max_steps=max_steps)
    return trainer
