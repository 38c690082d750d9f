"""Image generation on the command line: the data set (``build-dataset``), ``train gan|vae|judge``,
``evaluate generation``, ``generate``, ``generate-grid``, ``interpolate`` and the Studio's ``export-feedback``.
Registered by ``register`` (one line in ``emojiml.cli``); the kitchen adds its own in ``kitchen/commands.py``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from emojiml.command_groups import UsageError, command_group
from emojiml.config import settings

JUDGE_NAME_WEIGHT = 0.5  # the shipped judge's second member: weight of its second caption, the bare name
JUDGE_EMA = 0.999  # ... and the decay of its weight average (JUDGE_CARD.md)


def cmd_build_dataset(args: argparse.Namespace) -> int:
    from emojiml.generate.data import build_dataset

    sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
    dataset = build_dataset(
        Path(args.out),
        sources=sources,
        size=args.size,
        node_modules=Path(args.npm_dir) if args.npm_dir else None,
        limit=args.limit,
        hires=args.hires or None,
    )
    n_emoji = len({s.emoji for s in dataset.samples})
    held = len({s.emoji for s in dataset.samples if s.split == "holdout"})
    print(f"Wrote {len(dataset.samples)} images of {n_emoji} emoji ({held} held out) to {args.out}")
    return 0


def cmd_train_generator(args: argparse.Namespace) -> int:
    import shutil
    from dataclasses import replace

    import torch

    from emojiml.generate.train import MAX_MINUTES, TrainConfig, train

    if not 0 < args.minutes <= MAX_MINUTES:
        raise UsageError(f"--minutes must be in (0, {MAX_MINUTES:g}], got {args.minutes}.")
    if args.kl_weight is not None and args.generator_model != "vae":
        raise UsageError(f"--kl-weight is the VAE's KL weight; `train {args.generator_model}` has no such setting.")
    if args.temperature is not None and (args.generator_model == "judge" or not args.temperature > 0):
        raise UsageError(f"--temperature is the GAN's or VAE's sampling temperature, above 0; got {args.temperature}.")
    if args.kl_weight is not None and not args.kl_weight >= 0:
        raise UsageError(f"--kl-weight must be 0 or more, got {args.kl_weight}.")
    if args.init_from and args.generator_model == "judge":
        raise UsageError("--init-from is for the GAN and the VAE; the judge always trains from scratch.")
    if args.init_from and args.resume:
        raise UsageError("--init-from starts a new run from a checkpoint and --resume continues WORK's run: pick one.")
    if args.text_noise is not None and not args.text_noise >= 0:
        raise UsageError(f"--text-noise must be 0 or more, got {args.text_noise}.")
    if args.lr is not None and not args.lr > 0:
        raise UsageError(f"--lr must be above 0, got {args.lr}.")
    torch.set_num_threads(args.threads)
    if args.generator_model == "judge":
        if args.steps is not None and args.steps < 1:
            raise UsageError(f"--steps must be 1 or more, got {args.steps}.")
        if not 0 <= args.ema < 1:
            raise UsageError(f"--ema must be in [0, 1), got {args.ema}.")
        if args.join and args.validation:
            raise UsageError("--join builds the shipped judge; --validation judges are for choosing settings.")
        if not args.name_weight >= 0:
            raise UsageError(f"--name-weight must be 0 or more, got {args.name_weight}.")
        return _train_judge(args)
    work = Path(args.work or f"build/train-{args.generator_model}")
    if args.device != "cpu" and not (args.device.startswith("cuda") and torch.cuda.is_available()):
        raise UsageError(f"--device {args.device}: torch sees no CUDA device here; use --device cpu.")
    config = TrainConfig(
        model=args.generator_model, size=args.size, batch=args.batch, seed=args.seed, device=args.device
    )
    if args.kl_weight is not None:
        config = replace(config, kl_weight=args.kl_weight)
    if args.temperature is not None:
        config = replace(config, temperature=args.temperature)
    if args.lr is not None:
        config = replace(config, lr=args.lr)
    if args.text_noise is not None:
        config = replace(config, text_noise=args.text_noise)
    extra = {"feedback": Path(args.feedback)} if args.feedback else {}  # the Studio's ratings (issue 18)
    if args.init_from:  # "emojiml/assets/vae", or either of its two files
        start = Path(args.init_from)
        extra["init_from"] = start.with_suffix("") if start.suffix in (".safetensors", ".json") else start
    trainer = train(
        args.generator_model, Path(args.data), work, args.minutes, resume=args.resume, config=config, **extra
    )
    out = Path(args.out) if args.out else settings().asset_dir
    out.mkdir(parents=True, exist_ok=True)
    for suffix in (".safetensors", ".json"):
        shutil.copyfile(work / f"{args.generator_model}{suffix}", out / f"{args.generator_model}{suffix}")
    minutes = trainer.trained_seconds / 60
    print(
        f"Trained {args.generator_model} for {trainer.step_count} steps ({minutes:.1f} min); "
        f"wrote {out / args.generator_model}.*"
    )
    return 0


def _train_judge(args: argparse.Namespace) -> int:
    import tempfile

    from emojiml.generate.data import load_dataset
    from emojiml.generate.judge import join_judges, train_judge

    dataset = load_dataset(Path(args.data))
    out = Path(args.out) if args.out else settings().asset_dir
    with tempfile.TemporaryDirectory() as work:
        # with --join the new judge is a member: trained aside, then saved with the others (which may live at out)
        trained = Path(work) / "judge" if args.join else out / "judge"
        report = train_judge(
            dataset,
            trained,
            minutes=args.minutes,
            seed=args.seed,
            max_steps=args.steps,
            size=args.size,
            validation=args.validation,
            ema=args.ema,
            name_weight=args.name_weight,
        )
        print(f"Trained the evaluation judge: {report}")
        if args.join:
            join_judges(
                [Path(p).with_suffix("") if p.endswith((".json", ".safetensors")) else Path(p) for p in args.join]
                + [trained],
                out / "judge",
            )
            print(f"Joined it to {', '.join(args.join)} (their mean image->text vector scores prompts).")
    print(f"Wrote {out / 'judge'}.*")
    return 0


def load_checkpoint(path: Path):
    """The GAN generator or VAE exported at ``path`` (either of its two files, or their common stem), by the kind
    its JSON names; :class:`CheckpointError` when it is neither."""
    from emojiml.checkpoint import CheckpointError, read_config
    from emojiml.generate.gan import load_generator
    from emojiml.generate.vae import load_vae

    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    kind = read_config(stem).get("kind")
    if kind not in ("gan", "vae"):
        raise CheckpointError(f"{stem} is a {kind or 'unknown'} checkpoint, not a GAN or VAE export.")
    return load_generator(stem) if kind == "gan" else load_vae(stem)


def with_temperature(net, temperature: float | None):
    """``net`` sampling at ``temperature`` instead of its own (None: unchanged); a copy, the cached model stays."""
    if temperature is None:
        return net
    import copy
    from dataclasses import replace

    changed = copy.copy(net)
    changed.config = replace(net.config, temperature=temperature)
    return changed


def cmd_evaluate_generation(args: argparse.Namespace) -> int:
    from emojiml import models
    from emojiml.generate.data import load_dataset
    from emojiml.generate.evaluate import evaluate_generation, report_dict, report_table, write_card_metrics

    if args.cards and args.split != "holdout":
        raise UsageError("--cards writes the held-out figures; training-emoji figures (--split train) are for tuning.")
    if args.cards and (args.checkpoint or args.temperature is not None):
        raise UsageError("--cards writes the shipped models' figures: drop --checkpoint and --temperature.")
    if args.temperature is not None and not args.temperature > 0:
        raise UsageError(f"--temperature must be above 0; got {args.temperature}.")
    nets = {"gan": models.gan_generator, "vae": models.vae_model}
    names = args.models
    if args.checkpoint:  # a run's kept export in place of the shipped model of its kind (checked before the data)
        net = load_checkpoint(Path(args.checkpoint))
        names = [net.meta["kind"]]
        nets = {names[0]: lambda: net}
    dataset = load_dataset(Path(args.data))
    judge = models.evaluation_judge()
    reports = [  # what a person gets (128 px files), then the decoder's own output beside it
        evaluate_generation(
            name,
            with_temperature(nets[name](), args.temperature),
            judge,
            dataset,
            upscaler=models.upscaler(),
            raw=raw,
            split=args.split,
        )
        for name in names
        for raw in ((False, True) if args.raw else (False,))
    ]
    table = report_table(reports)
    print(table)
    if args.json:
        Path(args.json).write_text(json.dumps([report_dict(r) for r in reports], indent=2))
    if args.cards:
        for name in args.models:
            own = [r for r in reports if r.model == name]
            write_card_metrics(settings().asset_dir / f"{name.upper()}_CARD.md", report_table(own))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import generate_emoji, png_bytes

    images = generate_emoji(args.prompt, args.style, args.group, args.n, args.seed, args.model)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "-".join(args.prompt.split())[:40] or "emoji"
    for i, image in enumerate(images):
        (out / f"{stem}-{args.model}-{args.style}-{args.seed + i}.png").write_bytes(png_bytes(image))
    print(f"Wrote {len(images)} 128x128 PNGs to {out}")
    return 0


def cmd_generate_grid(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import prompt_grid

    grid = prompt_grid(args.model, seeds=args.seeds)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    grid.save(args.out, optimize=True)
    print(f"Wrote {args.out}: rows = README prompts, columns = {args.seeds} seeds per style")
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import gif_bytes, interpolate_emoji

    frames = interpolate_emoji(args.source, args.target, args.steps, args.style)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gif_bytes(frames))
    print(f"Wrote a {len(frames)}-step animation ({out.stat().st_size} bytes) to {out}")
    return 0


def cmd_export_feedback(args: argparse.Namespace) -> int:
    """``emojiml export-feedback --out FILE [--workspace NAME]``: the Studio's ratings as JSON Lines."""
    from emojiml.generate.feedback import export_feedback
    from emojiml.workspace import open_store

    records = export_feedback(open_store(), Path(args.out), args.workspace)
    liked = sum(r.rating == 1 for r in records)
    print(f"Wrote {len(records)} rated generations ({liked} liked, {len(records) - liked} disliked) to {args.out}")
    return 0


def cmd_evaluate_feedback(args: argparse.Namespace) -> int:
    """``emojiml evaluate feedback [--ratings FILE] [--sheets DIR]``: before/after of the rating loop."""
    from emojiml.generate import feedback_evaluate

    if args.sheets:
        count = feedback_evaluate.rating_sheets(Path(args.sheets))
        print(f"Drew {count} (prompt, recipe) images to rate in {args.sheets}")
        return 0
    ratings = Path(args.ratings) if args.ratings else feedback_evaluate.SESSION_RATINGS
    print(feedback_evaluate.feedback_table(feedback_evaluate.evaluate_feedback(ratings)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``build-dataset``, ``train gan|vae|judge``, ``evaluate generation|feedback``, ``generate``,
    ``generate-grid``, ``interpolate`` and ``export-feedback``."""
    dataset = commands.add_parser("build-dataset", help="render the emoji image data set for the GAN and VAE")
    dataset.add_argument("--sources", default="noto,twemoji,openmoji,fluent", help="comma-separated styles")
    dataset.add_argument("--size", type=int, default=64)
    dataset.add_argument("--hires", type=int, default=128, help="also render at this size (upscaler targets; 0: no)")
    dataset.add_argument("--npm-dir", default="build/npm-vectors/node_modules", help="@iconify-json sets")
    dataset.add_argument("--limit", type=int, help="only the first N emoji (tiny subsets for tests)")
    dataset.add_argument("--out", default="build/dataset")
    dataset.set_defaults(func=cmd_build_dataset)

    models = command_group(commands, "train")
    for name, about in (
        ("gan", "the emoji GAN"),
        ("vae", "the emoji VAE"),
        ("judge", "the generation-evaluation judge"),
    ):
        training = models.add_parser(name, help=f"{about} on a built emoji image data set")
        training.add_argument("--data", default="build/dataset", help="folder written by build-dataset")
        training.add_argument("--minutes", type=float, default=60.0, help="total training time budget (max 90)")
        training.add_argument("--resume", action="store_true", help="continue from WORK/state.safetensors")
        training.add_argument(
            "--init-from",
            metavar="CHECKPOINT",
            help="GAN/VAE: start a new run from exported weights (e.g. emojiml/assets/vae), fresh optimiser",
        )
        training.add_argument("--lr", type=float, help="base learning rate (default: TrainConfig's; the VAE uses 5x)")
        training.add_argument("--work", help="checkpoints and sample grids (default build/train-MODEL)")
        training.add_argument("--out", help="where the final model is copied (default emojiml/assets)")
        sizes = (32, 64) if name == "judge" else (64,)  # the judge: 32 px ships (JUDGE_CARD.md says why)
        training.add_argument("--size", type=int, default=sizes[0], choices=sizes, help="native resolution")
        training.add_argument("--device", default="cpu", help="cpu, or cuda (bf16 autocast) on a GPU machine")
        training.add_argument("--batch", type=int, default=32)
        training.add_argument("--seed", type=int, default=0)
        training.add_argument(
            "--kl-weight", type=float, help="VAE: weight of the KL term per nat (default: TrainConfig's)"
        )
        training.add_argument(
            "--temperature", type=float, help="GAN/VAE: sampling temperature stored in the export (default 1)"
        )
        training.add_argument(
            "--text-noise", type=float, help="GAN/VAE: conditioning augmentation, noise length on the text vector"
        )
        training.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
        training.add_argument("--feedback", help="GAN/VAE: rated set from export-feedback (liked: extra positives)")
        if name == "judge":
            training.add_argument(
                "--steps",
                type=int,
                help="train this many steps (the learning-rate schedule follows them, so the result does not "
                "depend on the machine's load); --minutes still caps the wall time",
            )
            training.add_argument(
                "--ema", type=float, default=JUDGE_EMA, help="decay of the weight average that is saved (0: none)"
            )
            training.add_argument(
                "--join",
                action="append",
                metavar="CHECKPOINT",
                help="save the new judge together with this one (repeatable; e.g. emojiml/assets/judge): the first "
                "joined judge keeps the FID features, all of them score prompts",
            )
            training.add_argument(
                "--name-weight",
                type=float,
                default=JUDGE_NAME_WEIGHT,
                help="weight of the second caption, each emoji's bare name (0: name + keywords only)",
            )
            training.add_argument(
                "--validation",
                action="store_true",
                help="train on 90%% of the training emoji and report on the rest (choosing settings; the "
                "held-out emoji stay unseen and unscored)",
            )
        training.set_defaults(func=cmd_train_generator, generator_model=name)

    targets = command_group(commands, "evaluate")
    generation = targets.add_parser("generation", help="FID/KID, R-precision, memorisation, diversity of GAN and VAE")
    generation.add_argument("--data", default="build/dataset")
    generation.add_argument("--models", nargs="+", default=["gan", "vae"], choices=("gan", "vae"))
    generation.add_argument("--json", help="also write the figures as JSON here")
    generation.add_argument("--cards", action="store_true", help="write the table into GAN_CARD.md / VAE_CARD.md")
    generation.add_argument("--raw", action="store_true", help="also score the raw 64 px decoder output")
    generation.add_argument(
        "--split",
        default="holdout",
        choices=("holdout", "train"),
        help="holdout (the reported figures) or train: training emoji, for choosing sampling settings",
    )
    generation.add_argument(
        "--checkpoint", help="a GAN or VAE export (e.g. a GPU run's OUT/kept-JOB/gan-002000) instead of the shipped one"
    )
    generation.add_argument("--temperature", type=float, help="sample at this temperature instead of the model's own")
    generation.set_defaults(func=cmd_evaluate_generation)
    rated = targets.add_parser("feedback", help="before/after figures of the rating loop (kitchen recipe ranking)")
    rated.add_argument(
        "--ratings", help="rated set: JSON Lines with prompt, recipe, rating (default: the shipped session)"
    )
    rated.add_argument("--sheets", help="instead: draw every image the evaluation can show, to rate, in this folder")
    rated.set_defaults(func=cmd_evaluate_feedback)

    generate = commands.add_parser("generate", help="draw new emoji for a prompt: 128x128 RGBA PNGs")
    generate.add_argument("--prompt", required=True)
    generate.add_argument("--style", default="noto", help="noto, twemoji, openmoji or fluent")
    generate.add_argument("--group", help="Unicode group (default: inferred from the prompt)")
    generate.add_argument("--n", type=int, default=8)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--model", default="gan", choices=("gan", "vae"))
    generate.add_argument("--out", required=True, help="folder for the PNGs")
    generate.set_defaults(func=cmd_generate)

    grid = commands.add_parser("generate-grid", help="PNG grid of the README prompts in every style (docs)")
    grid.add_argument("--model", default="gan", choices=("gan", "vae"))
    grid.add_argument("--seeds", type=int, default=2)
    grid.add_argument("--out", required=True)
    grid.set_defaults(func=cmd_generate_grid)

    interpolate = commands.add_parser("interpolate", help="animate one emoji into another (VAE latent walk)")
    interpolate.add_argument("--from", dest="source", required=True, help="an emoji character or a PNG path")
    interpolate.add_argument("--to", dest="target", required=True, help="an emoji character or a PNG path")
    interpolate.add_argument("--steps", type=int, default=12)
    interpolate.add_argument("--style", default="noto")
    interpolate.add_argument("--out", required=True, help="the animated GIF to write")
    interpolate.set_defaults(func=cmd_interpolate)

    feedback = commands.add_parser("export-feedback", help="write the Studio's rated generations as JSON Lines")
    feedback.add_argument("--out", required=True, help="the .jsonl file to write")
    feedback.add_argument("--workspace", help="only this workspace's ratings (default: all)")
    feedback.set_defaults(func=cmd_export_feedback)
