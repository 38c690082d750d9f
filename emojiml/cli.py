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

from emojiml.analytics.commands import add_analytics_commands
from emojiml.auth.cli import add_user_commands
from emojiml.config import settings
from emojiml.errors import EmojimlError

EXIT_USAGE = 2


class UserError(EmojimlError):
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

    result = models.emoji_search().search(args.query, top=args.top, skin_tone=args.skin_tone)
    for note in (result.notice, result.hint):
        if note:
            print(note, file=sys.stderr)
    for hit in result.hits:
        print(f"{hit.emoji.char}\t{hit.emoji.name}")
    return 0 if result.hits else EXIT_USAGE


def cmd_index(args: argparse.Namespace) -> int:
    """Warm the on-disk caches (catalog and vocabulary embeddings) so the first page load is fast."""
    from emojiml import models

    search = models.emoji_search()
    print(f"Indexed {len(search.catalog)} emoji; caches in {settings().cache_dir}")
    return 0


def _scale_size(text: str) -> int:
    from emojiml.recommend.scale import ScaleSizeError, check_sizes, parse_size

    try:
        return check_sizes([parse_size(text)])[0]
    except ScaleSizeError as error:  # argparse prints it as one line and exits 2
        raise argparse.ArgumentTypeError(str(error)) from error


def cmd_bench(args: argparse.Namespace) -> int:
    from emojiml.bench import run_bench

    results = run_bench(args.only, args.sizes)
    print(json.dumps(results, indent=2))
    return 0


# --- workspaces: import chat exports, list what is stored (emojiml.workspace) ---
def cmd_import(args: argparse.Namespace) -> int:
    from emojiml.workspace import import_path

    report = import_path(args.path, args.workspace)
    print("\n".join(report.lines()))
    return 0


def cmd_workspaces(args: argparse.Namespace) -> int:
    from emojiml.workspace import open_store

    store = open_store()
    stored = store.workspaces()
    if not stored:
        print("No workspaces yet: `emojiml import PATH` (the app loads its demo workspace on first start).")
    for info in stored:
        c = store.counts(info.name)
        print(
            f"{info.name}\t{info.format}\t{c.messages} messages\t{c.people} people\t{c.reactions} reactions "
            f"({c.reactors} reactors)\t{c.inline} inline\t{c.emoji} emoji ({c.custom_emoji} custom)"
        )
    return 0


def _add_workspace_commands(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser("import", help="import a Slack/Discord/CSV export into the workspace store")
    imports.add_argument("path", help="a .zip/.tar.gz export, an export folder, a DiscordChatExporter .json or a .csv")
    imports.add_argument("--workspace", help="workspace name (default: from the file or folder name)")
    imports.set_defaults(func=cmd_import)
    listing = commands.add_parser("workspaces", help="list the stored workspaces with their counts")
    listing.set_defaults(func=cmd_workspaces)


# --- recommend: content model training, recommender evaluation, batch suggestions (issue 4) ----------------
def cmd_train_content(args: argparse.Namespace) -> int:
    import torch

    from emojiml.recommend.train_content import train_content

    torch.set_num_threads(args.threads)
    train_content(Path(args.out) if args.out else None)
    return 0


def cmd_evaluate_emoji_prediction(args: argparse.Namespace) -> int:
    from emojiml.recommend.train_content import evaluate_emoji_prediction

    result = evaluate_emoji_prediction(args.split, args.limit)
    print(json.dumps(result, indent=2) if args.format == "json" else "\n".join(f"{k}\t{v}" for k, v in result.items()))
    return 0


def _workspace_events(name_or_path: str):
    """Events of a stored workspace, or of an export path (imported into the store first)."""
    from emojiml.workspace import UnknownWorkspaceError, import_path, open_store

    store = open_store()
    name = name_or_path
    if store.workspace(name_or_path) is None and Path(name_or_path).exists():
        name = import_path(name_or_path, store=store).workspace
    try:
        return store.events_frame(name)
    except UnknownWorkspaceError as error:
        raise UserError(f"{error} (or pass the path of an export)") from error


def cmd_evaluate_recommender(args: argparse.Namespace) -> int:
    from emojiml.recommend.evaluate import evaluate_workspace

    if args.k < 1:
        raise UserError("--k must be at least 1.")
    events = _workspace_events(args.workspace)
    evaluation = evaluate_workspace(events, k=args.k)
    table = evaluation.table()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "k": args.k,
                    "train_events": evaluation.n_train,
                    "test_cases": evaluation.n_cases,
                    "methods": table.to_dict(orient="records"),
                    "best_mix": evaluation.best_mix,
                    "auto_mix": evaluation.auto_mix,
                    "auto_method": evaluation.auto_method,
                    "sweep": evaluation.sweep.table.to_dict(orient="records"),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(f"{evaluation.n_train} training events, {evaluation.n_cases} test cases (person x message), k={args.k}")
        print(table.to_string(index=False))
        for variant, mix in evaluation.best_mix.items():
            print(f"best mix ({variant}): " + ", ".join(f"{s}={w:.1f}" for s, w in mix.items()))
        print(
            "auto mix (chosen on the training part): "
            + ", ".join(f"{s}={w:.1f}" for s, w in evaluation.auto_mix.items())
        )
    return 0


def _read_lines(path: str, what: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Cannot read {what} file {path}: {error}") from error


def cmd_suggest(args: argparse.Namespace) -> int:
    from emojiml.recommend.hybrid import parse_weights
    from emojiml.recommend.suggest import suggest_batch

    if args.user and not args.workspace:
        raise UserError("--user needs --workspace (whose reaction history to use).")
    if args.top < 1:
        raise UserError("--top must be at least 1.")
    messages = _read_lines(args.input, "input")
    candidates = None
    if args.candidates:
        candidates = [line.strip() for line in _read_lines(args.candidates, "candidates") if line.strip()]
        if not candidates:
            raise UserError(f"The candidates file {args.candidates} has no emoji (one per line).")
    weights = parse_weights(args.weights) if args.weights else None
    events = _workspace_events(args.workspace) if args.workspace else None
    results = suggest_batch(messages, events, args.user, weights, args.top, candidates)
    for message, result in zip(messages, results, strict=True):
        written = [result.written(s) for s in result.suggestions]
        if args.format == "tsv":
            print("\t".join(written))
        else:
            print(
                json.dumps(
                    {
                        "message": message,
                        "suggestions": [
                            {
                                "emoji": w,
                                "score": round(s.score, 4),
                                "contributions": s.contributions,
                                "reason": s.reason,
                            }
                            for w, s in zip(written, result.suggestions, strict=True)
                        ],
                        "notices": list(result.notices),
                    },
                    ensure_ascii=False,
                )
            )
    for notice in dict.fromkeys(n for r in results for n in r.notices):
        print(f"emojiml: note: {notice}", file=sys.stderr)
    return 0


def add_recommend_commands(commands) -> None:
    """``train content``, ``evaluate emoji-prediction|recommender`` and ``suggest``."""
    training = command_group(commands, "train", "train a model from the shared data", "model", "MODEL")
    training = training.add_parser("content", help="the content recommender (TweetEval)")
    training.add_argument("--out", help="where the weights go (default emojiml/assets)")
    training.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
    training.set_defaults(func=cmd_train_content)

    targets = command_group(commands, "evaluate", "print quality figures", "target", "TARGET")
    prediction = targets.add_parser("emoji-prediction", help="TweetEval emoji macro-F1 of the content model")
    prediction.add_argument("--split", choices=("train", "val", "test"), default="val")
    prediction.add_argument("--limit", type=int, help="only the first N tweets (quick checks)")
    prediction.add_argument("--format", choices=("text", "json"), default="text")
    prediction.set_defaults(func=cmd_evaluate_emoji_prediction)
    recommender = targets.add_parser("recommender", help="HitRate/Recall/NDCG/MRR/coverage per method + weight sweep")
    recommender.add_argument("--workspace", required=True, help="a stored workspace's name, or an export to import")
    recommender.add_argument("--k", type=int, default=10)
    recommender.add_argument("--format", choices=("text", "json"), default="text")
    recommender.set_defaults(func=cmd_evaluate_recommender)

    suggest = commands.add_parser("suggest", help="suggest emoji for each line of a file (tsv or jsonl)")
    suggest.add_argument("--input", required=True, help="one message per line ('-' reads stdin)")
    suggest.add_argument("--candidates", help="one emoji per line: only these are suggested, printed as written")
    suggest.add_argument("--top", type=int, default=3)
    suggest.add_argument("--workspace", help="stored workspace name or export path (adds history and popularity)")
    suggest.add_argument("--user", help="person id or name in the workspace")
    suggest.add_argument("--weights", help="e.g. collaborative=0.4,content=0.4,popularity=0.2")
    suggest.add_argument("--format", choices=("tsv", "jsonl"), default="tsv")
    suggest.set_defaults(func=cmd_suggest)


# --- generate: emoji image data set, GAN/VAE training, evaluation, sampling (issue 6) -------------------------


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
        raise UserError(f"--minutes must be in (0, {MAX_MINUTES:g}], got {args.minutes}.")
    if args.kl_weight is not None and args.generator_model != "vae":
        raise UserError(f"--kl-weight is the VAE's KL weight; `train {args.generator_model}` has no such setting.")
    if args.kl_weight is not None and not args.kl_weight >= 0:
        raise UserError(f"--kl-weight must be 0 or more, got {args.kl_weight}.")
    torch.set_num_threads(args.threads)
    if args.generator_model == "judge":
        return _train_judge(args)
    work = Path(args.work or f"build/train-{args.generator_model}")
    if args.device != "cpu" and not (args.device.startswith("cuda") and torch.cuda.is_available()):
        raise UserError(f"--device {args.device}: torch sees no CUDA device here; use --device cpu.")
    config = TrainConfig(
        model=args.generator_model, size=args.size, batch=args.batch, seed=args.seed, device=args.device
    )
    if args.kl_weight is not None:
        config = replace(config, kl_weight=args.kl_weight)
    rated = {"feedback": Path(args.feedback)} if args.feedback else {}  # the Studio's ratings (issue 18)
    trainer = train(
        args.generator_model, Path(args.data), work, args.minutes, resume=args.resume, config=config, **rated
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
    from emojiml.generate.data import load_dataset
    from emojiml.generate.judge import train_judge

    dataset = load_dataset(Path(args.data))
    out = Path(args.out) if args.out else settings().asset_dir
    report = train_judge(dataset, out / "judge", minutes=args.minutes, seed=args.seed)
    print(f"Trained the evaluation judge: {report}; wrote {out / 'judge'}.*")
    return 0


def cmd_evaluate_generation(args: argparse.Namespace) -> int:
    from emojiml import models
    from emojiml.generate.data import load_dataset
    from emojiml.generate.evaluate import evaluate_generation, report_dict, report_table, write_card_metrics

    dataset = load_dataset(Path(args.data))
    judge = models.evaluation_judge()
    loaders = {"gan": models.gan_generator, "vae": models.vae_model}
    reports = [  # what a person gets (128 px files), then the decoder's own output beside it
        evaluate_generation(name, loaders[name](), judge, dataset, upscaler=models.upscaler(), raw=raw)
        for name in args.models
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


def add_generate_commands(commands: argparse._SubParsersAction) -> None:
    dataset = commands.add_parser("build-dataset", help="render the emoji image data set for the GAN and VAE")
    dataset.add_argument("--sources", default="noto,twemoji,openmoji,fluent", help="comma-separated styles")
    dataset.add_argument("--size", type=int, default=64)
    dataset.add_argument("--hires", type=int, default=128, help="also render at this size (upscaler targets; 0: no)")
    dataset.add_argument("--npm-dir", default="build/npm-vectors/node_modules", help="@iconify-json sets")
    dataset.add_argument("--limit", type=int, help="only the first N emoji (tiny subsets for tests)")
    dataset.add_argument("--out", default="build/dataset")
    dataset.set_defaults(func=cmd_build_dataset)

    models = command_group(commands, "train", "train a model from the shared data", "model", "MODEL")
    for name, about in (
        ("gan", "the emoji GAN"),
        ("vae", "the emoji VAE"),
        ("judge", "the generation-evaluation judge"),
    ):
        training = models.add_parser(name, help=f"{about} on a built emoji image data set")
        training.add_argument("--data", default="build/dataset", help="folder written by build-dataset")
        training.add_argument("--minutes", type=float, default=60.0, help="total training time budget (max 90)")
        training.add_argument("--resume", action="store_true", help="continue from WORK/state.safetensors")
        training.add_argument("--work", help="checkpoints and sample grids (default build/train-MODEL)")
        training.add_argument("--out", help="where the final model is copied (default emojiml/assets)")
        training.add_argument("--size", type=int, default=64, choices=(64,), help="native resolution")
        training.add_argument("--device", default="cpu", help="cpu, or cuda (bf16 autocast) on a GPU machine")
        training.add_argument("--batch", type=int, default=32)
        training.add_argument("--seed", type=int, default=0)
        training.add_argument(
            "--kl-weight", type=float, help="VAE: weight of the KL term per nat (default: TrainConfig's)"
        )
        training.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
        training.add_argument("--feedback", help="GAN/VAE: rated set from export-feedback (liked: extra positives)")
        training.set_defaults(func=cmd_train_generator, generator_model=name)

    targets = command_group(commands, "evaluate", "print quality figures", "target", "TARGET")
    generation = targets.add_parser("generation", help="FID/KID, R-precision, memorisation, diversity of GAN and VAE")
    generation.add_argument("--data", default="build/dataset")
    generation.add_argument("--models", nargs="+", default=["gan", "vae"], choices=("gan", "vae"))
    generation.add_argument("--json", help="also write the figures as JSON here")
    generation.add_argument("--cards", action="store_true", help="write the table into GAN_CARD.md / VAE_CARD.md")
    generation.add_argument("--raw", action="store_true", help="also score the raw 64 px decoder output")
    generation.set_defaults(func=cmd_evaluate_generation)

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
    search.add_argument("--skin-tone", type=int, default=0, choices=range(6), help="1 light .. 5 dark; 0 none")
    search.set_defaults(func=cmd_search)

    index = commands.add_parser("index", help="build the on-disk embedding caches ahead of first use")
    index.set_defaults(func=cmd_index)

    bench = commands.add_parser("bench", help="print speed figures as JSON")
    bench.add_argument("--only", nargs="*", help="sections to run (default: all but scale)")
    bench.add_argument("--sizes", nargs="+", type=_scale_size, help="people per scale run (default: 1e3 1e4 1e5 1e6)")
    bench.set_defaults(func=cmd_bench)
    _add_workspace_commands(commands)
    add_recommend_commands(commands)
    add_context_commands(commands)
    add_generate_commands(commands)
    add_user_commands(commands)
    from emojiml.generate.kitchen.commands import add_kitchen_commands  # also adds --model kitchen to generate

    add_kitchen_commands(commands)
    from emojiml.generate.feedback import add_feedback_commands  # Studio (issue 18)

    add_feedback_commands(commands)
    add_analytics_commands(commands)
    from emojiml.search_probes import add_search_commands

    add_search_commands(command_group(commands, "evaluate", "print quality figures", "target", "TARGET"))
    return parser


# --- Conversation context (emojiml.text): train emotion|act, analyze, evaluate context ------------------------


def cmd_train_context(args: argparse.Namespace) -> int:
    """Train the emotion or act classifier from settings().data_dir and write it (and its card) to the assets."""
    import logging

    import torch

    from emojiml.text.model_card import write_model_card
    from emojiml.text.train import train_act, train_emotion, train_sentiment

    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    trainer = {"emotion": train_emotion, "act": train_act, "sentiment": train_sentiment}[args.model]
    rows = {"dailydialog_rows": args.dailydialog_rows} if args.model != "sentiment" else {}
    if args.model == "emotion":
        rows["goemotions_rows"] = args.goemotions_rows
    model = trainer(epochs=args.epochs, seed=args.seed, **rows)
    out = Path(args.out) if args.out else settings().asset_dir
    model.save(out, args.model)
    card = write_model_card(model, args.model, out, " ".join(["emojiml", *sys.argv[1:]]) if sys.argv else "")
    print(json.dumps({"model": args.model, "metrics": model.config.metrics, "card": str(card)}))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """One JSON line per input line: sentiment, emotion, act, state, entities, topics, suggestions."""
    from emojiml.text.analyze import ContextAnalyzer
    from emojiml.text.inputs import read_messages

    messages = read_messages(Path(args.input), args.format)
    analyses = ContextAnalyzer().analyze(messages)
    for analysis in analyses:
        print(json.dumps(analysis.to_record(), ensure_ascii=False))
    return 0


def cmd_evaluate_context(args: argparse.Namespace) -> int:
    from emojiml.text.evaluate import evaluate_context

    results = evaluate_context(args.split)
    print(json.dumps(results, indent=2))
    return 0


def command_group(commands: argparse._SubParsersAction, name: str, about: str, dest: str, metavar: str):
    """The sub-command group of ``emojiml NAME`` (``train``, ``evaluate``), made by whichever feature asks first,
    so that each feature adds its own ``train X`` / ``evaluate Y`` without touching the others'."""
    parser = commands.choices.get(name) or commands.add_parser(name, help=about)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=dest, required=True, metavar=metavar)


def add_context_commands(commands: argparse._SubParsersAction) -> None:
    """``train emotion|act|sentiment``, ``analyze`` and ``evaluate context``."""
    models = command_group(commands, "train", "train a model from the shared data", "model", "MODEL")
    for name, about in (
        ("emotion", "Ekman emotion (DailyDialog + GoEmotions)"),
        ("act", "DailyDialog dialogue acts"),
        ("sentiment", "polarity of developers' chat (se-sentiment GitHub + Jira)"),
    ):
        model = models.add_parser(name, help=about)
        model.add_argument("--epochs", type=int, default=10 if name == "sentiment" else 8)
        model.add_argument("--seed", type=int, default=0)
        model.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
        if name != "sentiment":
            model.add_argument("--dailydialog-rows", type=int, help="use only the first dialogues up to N turns")
        if name == "emotion":
            model.add_argument("--goemotions-rows", type=int, help="use only the first N GoEmotions comments")
        model.add_argument("--out", help="output folder (default: emojiml/assets)")
        model.set_defaults(func=cmd_train_context)

    analyze = commands.add_parser("analyze", help="per-message context of a conversation, as JSON lines")
    analyze.add_argument(
        "--input", required=True, help=".txt (one message per line) or .jsonl (text, conversation, user)"
    )
    analyze.add_argument("--format", choices=("txt", "jsonl"), help="input format (default: from the extension)")
    analyze.set_defaults(func=cmd_analyze)

    targets = command_group(commands, "evaluate", "print quality figures", "target", "TARGET")
    context = targets.add_parser("context", help="emotion, act and sentiment metrics")
    context.add_argument("--split", default="validation", choices=("validation", "test"))
    context.set_defaults(func=cmd_evaluate_context)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EmojimlError as error:
        print(f"emojiml: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
