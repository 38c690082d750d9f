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
    add_context_commands(commands)
    return parser


# --- Conversation context (emojiml.text): train emotion|act, analyze, evaluate context ------------------------


def cmd_train_context(args: argparse.Namespace) -> int:
    """Train the emotion or act classifier from settings().data_dir and write it (and its card) to the assets."""
    import logging

    import torch

    from emojiml.text.datasets import DatasetMissingError
    from emojiml.text.model_card import write_model_card
    from emojiml.text.train import train_act, train_emotion

    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    trainer = train_emotion if args.model == "emotion" else train_act
    rows = {"dailydialog_rows": args.dailydialog_rows}
    if args.model == "emotion":
        rows["goemotions_rows"] = args.goemotions_rows
    try:
        model = trainer(epochs=args.epochs, seed=args.seed, **rows)
    except DatasetMissingError as error:
        raise UserError(str(error)) from error
    out = Path(args.out) if args.out else settings().asset_dir
    model.save(out, args.model)
    card = write_model_card(model, args.model, out, " ".join(["emojiml", *sys.argv[1:]]) if sys.argv else "")
    print(json.dumps({"model": args.model, "metrics": model.config.metrics, "card": str(card)}))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """One JSON line per input line: sentiment, emotion, act, state, entities, topics, suggestions."""
    from emojiml.models import ModelUnavailableError
    from emojiml.text.analyze import ContextAnalyzer
    from emojiml.text.inputs import InputFormatError, read_messages

    try:
        messages = read_messages(Path(args.input), args.format)
        analyses = ContextAnalyzer().analyze(messages)
    except (InputFormatError, ModelUnavailableError) as error:
        raise UserError(str(error)) from error
    for analysis in analyses:
        print(json.dumps(analysis.to_record(), ensure_ascii=False))
    return 0


def cmd_evaluate_context(args: argparse.Namespace) -> int:
    from emojiml.models import ModelUnavailableError
    from emojiml.text.datasets import DatasetMissingError
    from emojiml.text.evaluate import evaluate_context

    try:
        results = evaluate_context(args.split)
    except (DatasetMissingError, ModelUnavailableError) as error:
        raise UserError(str(error)) from error
    print(json.dumps(results, indent=2))
    return 0


def add_context_commands(commands: argparse._SubParsersAction) -> None:
    """``train emotion|act``, ``analyze`` and ``evaluate context``."""
    train = commands.add_parser("train", help="train a shipped model from the real data")
    models = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    for name, about in (("emotion", "Ekman emotion (DailyDialog + GoEmotions)"), ("act", "DailyDialog dialogue acts")):
        model = models.add_parser(name, help=about)
        model.add_argument("--epochs", type=int, default=8)
        model.add_argument("--seed", type=int, default=0)
        model.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
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

    evaluate = commands.add_parser("evaluate", help="print quality figures on a data split")
    targets = evaluate.add_subparsers(dest="target", required=True, metavar="TARGET")
    context = targets.add_parser("context", help="emotion, act and sentiment metrics")
    context.add_argument("--split", default="validation", choices=("validation", "test"))
    context.set_defaults(func=cmd_evaluate_context)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:
        print(f"emojiml: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
