"""``emojiml ...``: the same functions the pages call, for training, evaluation and batch use.

Each sub-command is a small function ``cmd_NAME(args) -> int`` registered in ``build_parser``. Errors a
person can fix (bad input, missing data) print one line to stderr and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from emojiml.config import settings

EXIT_USAGE = 2


class UserError(Exception):
    """Bad input or a missing file: printed as one line, exit code 2."""


def cmd_build_catalog(args: argparse.Namespace) -> int:
    from emojiml.catalog_builder import build_catalog, write_catalog

    npm_dir = Path(args.npm_dir)
    if not (npm_dir / "emojibase-data").is_dir():
        raise UserError(
            f"{npm_dir} has no emojibase-data: run `make catalog`, or "
            "`npm install emojibase-data emojilib emoji-datasource` and pass its node_modules."
        )
    sentiment = Path(args.sentiment) if args.sentiment else None
    if sentiment is not None and not sentiment.exists():
        raise UserError(f"Sentiment ranking file not found: {sentiment}")
    rows = build_catalog(npm_dir, sentiment)
    out = Path(args.out) if args.out else settings().asset_dir / "catalog.json.gz"
    write_catalog(rows, out)
    with_sentiment = sum(1 for row in rows if row["s"] is not None)
    print(f"Wrote {len(rows)} emoji ({with_sentiment} with a sentiment prior) to {out}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from emojiml import models

    result = models.emoji_search().search(args.query, top=args.top)
    if result.notice:
        print(result.notice, file=sys.stderr)
    for hit in result.hits:
        print(f"{hit.emoji.char}\t{hit.emoji.name}")
    return 0 if result.hits else EXIT_USAGE


def cmd_index(args: argparse.Namespace) -> int:
    """Warm the on-disk caches (catalog and vocabulary embeddings) so the first page load is fast."""
    from emojiml import models

    search = models.emoji_search()
    print(f"Indexed {len(search.catalog)} emoji; caches in {settings().cache_dir}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from emojiml.bench import run_bench

    try:
        results = run_bench(args.only)
    except ValueError as error:
        raise UserError(str(error)) from error
    print(json.dumps(results, indent=2))
    return 0


# --- generate: emoji image data set, GAN/VAE training, evaluation, sampling (issue 6) -------------------------


def cmd_build_dataset(args: argparse.Namespace) -> int:
    from emojiml.generate.data import DatasetError, build_dataset

    sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
    try:
        dataset = build_dataset(
            Path(args.out),
            sources=sources,
            size=args.size,
            node_modules=Path(args.npm_dir) if args.npm_dir else None,
            limit=args.limit,
        )
    except DatasetError as error:
        raise UserError(str(error)) from error
    n_emoji = len({s.emoji for s in dataset.samples})
    held = len({s.emoji for s in dataset.samples if s.split == "holdout"})
    print(f"Wrote {len(dataset.samples)} images of {n_emoji} emoji ({held} held out) to {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    import shutil

    import torch

    from emojiml.generate.data import DatasetError
    from emojiml.generate.train import MAX_MINUTES, TrainConfig, train

    if not 0 < args.minutes <= MAX_MINUTES:
        raise UserError(f"--minutes must be in (0, {MAX_MINUTES:g}], got {args.minutes}.")
    torch.set_num_threads(args.threads)
    if args.model == "judge":
        return _train_judge(args)
    work = Path(args.work or f"build/train-{args.model}")
    config = TrainConfig(model=args.model, size=args.size, batch=args.batch, seed=args.seed)
    try:
        trainer = train(args.model, Path(args.data), work, args.minutes, resume=args.resume, config=config)
    except DatasetError as error:
        raise UserError(str(error)) from error
    out = Path(args.out) if args.out else settings().asset_dir
    out.mkdir(parents=True, exist_ok=True)
    for suffix in (".safetensors", ".json"):
        shutil.copyfile(work / f"{args.model}{suffix}", out / f"{args.model}{suffix}")
    minutes = trainer.trained_seconds / 60
    print(f"Trained {args.model} for {trainer.step_count} steps ({minutes:.1f} min); wrote {out / args.model}.*")
    return 0


def _train_judge(args: argparse.Namespace) -> int:
    from emojiml.generate.data import DatasetError, load_dataset
    from emojiml.generate.judge import train_judge

    try:
        dataset = load_dataset(Path(args.data))
    except DatasetError as error:
        raise UserError(str(error)) from error
    out = Path(args.out) if args.out else settings().asset_dir
    report = train_judge(dataset, out / "judge", minutes=args.minutes, seed=args.seed)
    print(f"Trained the evaluation judge: {report}; wrote {out / 'judge'}.*")
    return 0


def cmd_evaluate_generation(args: argparse.Namespace) -> int:
    from emojiml import models
    from emojiml.generate.checkpoint import CheckpointError
    from emojiml.generate.data import DatasetError, load_dataset
    from emojiml.generate.evaluate import evaluate_generation, report_dict, report_table, write_card_metrics

    try:
        dataset = load_dataset(Path(args.data))
        judge = models.evaluation_judge()
        loaders = {"gan": models.gan_generator, "vae": models.vae_model}
        reports = [evaluate_generation(name, loaders[name](), judge, dataset) for name in args.models]
    except (DatasetError, CheckpointError) as error:
        raise UserError(str(error)) from error
    table = report_table(reports)
    print(table)
    if args.json:
        Path(args.json).write_text(json.dumps([report_dict(r) for r in reports], indent=2))
    if args.cards:
        for report in reports:
            write_card_metrics(settings().asset_dir / f"{report.model.upper()}_CARD.md", report_table([report]))
    return 0


def _sampling_error():
    from emojiml.generate.checkpoint import CheckpointError
    from emojiml.generate.sample import GenerationInputError

    return (GenerationInputError, CheckpointError)


def cmd_generate(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import generate_emoji, png_bytes

    try:
        images = generate_emoji(args.prompt, args.style, args.group, args.n, args.seed, args.model)
    except _sampling_error() as error:
        raise UserError(str(error)) from error
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "-".join(args.prompt.split())[:40] or "emoji"
    for i, image in enumerate(images):
        (out / f"{stem}-{args.model}-{args.style}-{args.seed + i}.png").write_bytes(png_bytes(image))
    print(f"Wrote {len(images)} 128x128 PNGs to {out}")
    return 0


def cmd_generate_grid(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import prompt_grid

    try:
        grid = prompt_grid(args.model, seeds=args.seeds)
    except _sampling_error() as error:
        raise UserError(str(error)) from error
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    grid.save(args.out, optimize=True)
    print(f"Wrote {args.out}: rows = README prompts, columns = {args.seeds} seeds per style")
    return 0


def cmd_interpolate(args: argparse.Namespace) -> int:
    from emojiml.generate.sample import gif_bytes, interpolate_emoji

    try:
        frames = interpolate_emoji(args.source, args.target, args.steps, args.style)
    except _sampling_error() as error:
        raise UserError(str(error)) from error
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gif_bytes(frames))
    print(f"Wrote a {len(frames)}-step animation ({out.stat().st_size} bytes) to {out}")
    return 0


def add_generate_commands(commands: argparse._SubParsersAction) -> None:
    dataset = commands.add_parser("build-dataset", help="render the emoji image data set for the GAN and VAE")
    dataset.add_argument("--sources", default="noto,twemoji,openmoji", help="comma-separated: noto,twemoji,openmoji")
    dataset.add_argument("--size", type=int, default=64)
    dataset.add_argument("--npm-dir", default="build/npm-generate/node_modules", help="node_modules from make dataset")
    dataset.add_argument("--limit", type=int, help="only the first N emoji (tiny subsets for tests)")
    dataset.add_argument("--out", default="build/dataset")
    dataset.set_defaults(func=cmd_build_dataset)

    training = commands.add_parser("train", help="train the emoji GAN, VAE or evaluation judge on a built data set")
    training.add_argument("model", choices=("gan", "vae", "judge"))
    training.add_argument("--data", default="build/dataset", help="folder written by build-dataset")
    training.add_argument("--minutes", type=float, default=60.0, help="total training time budget (max 90)")
    training.add_argument("--resume", action="store_true", help="continue from WORK/state.safetensors")
    training.add_argument("--work", help="checkpoints and sample grids (default build/train-MODEL)")
    training.add_argument("--out", help="where the final model is copied (default emojiml/assets)")
    training.add_argument("--size", type=int, default=32, choices=(32, 64), help="native resolution")
    training.add_argument("--batch", type=int, default=32)
    training.add_argument("--seed", type=int, default=0)
    training.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
    training.set_defaults(func=cmd_train)

    evaluate = commands.add_parser("evaluate", help="print quality figures")
    targets = evaluate.add_subparsers(dest="target", required=True, metavar="TARGET")
    generation = targets.add_parser("generation", help="FID/KID, R-precision, memorisation, diversity of GAN and VAE")
    generation.add_argument("--data", default="build/dataset")
    generation.add_argument("--models", nargs="+", default=["gan", "vae"], choices=("gan", "vae"))
    generation.add_argument("--json", help="also write the figures as JSON here")
    generation.add_argument("--cards", action="store_true", help="write the table into GAN_CARD.md / VAE_CARD.md")
    generation.set_defaults(func=cmd_evaluate_generation)

    generate = commands.add_parser("generate", help="draw new emoji for a prompt: 128x128 RGBA PNGs")
    generate.add_argument("--prompt", required=True)
    generate.add_argument("--style", default="noto", help="noto, twemoji or openmoji")
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


# --- end generate ----------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emojiml", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build-catalog", help="derive the shipped catalog table from npm emoji data")
    build.add_argument(
        "--npm-dir", required=True, help="node_modules holding emojibase-data, emojilib, emoji-datasource"
    )
    build.add_argument("--sentiment", help="Emoji_Sentiment_Data_v1.0.csv (Emoji Sentiment Ranking)")
    build.add_argument("--out", help="output path (default: emojiml/assets/catalog.json.gz)")
    build.set_defaults(func=cmd_build_catalog)

    search = commands.add_parser("search", help="ranked emoji search: one 'emoji<TAB>name' line per result")
    search.add_argument("query")
    search.add_argument("--top", type=int, default=10)
    search.set_defaults(func=cmd_search)

    index = commands.add_parser("index", help="build the on-disk embedding caches ahead of first use")
    index.set_defaults(func=cmd_index)

    bench = commands.add_parser("bench", help="print speed figures as JSON")
    bench.add_argument("--only", nargs="*", help="sections to run (default: all)")
    bench.set_defaults(func=cmd_bench)
    add_generate_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:
        print(f"emojiml: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
