"""Conversation context on the command line: ``train emotion|act|sentiment``, ``analyze`` and ``evaluate
context``. Registered by ``register`` (one line in ``emojiml.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emojiml.command_groups import command_group
from emojiml.config import settings
from emojiml.text.datasets import EVALUATION_SETS


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
    rows |= {"tuned_layers": args.tuned_layers, "top_learning_rate": args.top_learning_rate}
    rows |= {"batch_size": args.batch_size} if args.batch_size else {}
    if args.model == "sentiment":
        rows["slack_weak"] = args.slack_weak
        rows["dailydialog"] = args.dailydialog
    if args.model == "emotion":
        rows["goemotions_rows"] = args.goemotions_rows
        rows["act"] = args.act_head
    if args.model == "act":
        rows |= {"sequence": args.sequence, "sentence_ngrams": args.sentence_ngrams}
    if args.model != "sentiment":
        rows["wide"] = args.wide
        rows["tuning_share"] = args.tuning_share
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

    results = evaluate_context(args.split, sets=args.sets or EVALUATION_SETS)
    print(json.dumps(results, indent=2))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``train emotion|act|sentiment``, ``analyze`` and ``evaluate context``."""
    models = command_group(commands, "train")
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
        if name != "sentiment":
            model.add_argument("--wide", action="store_true", help="add a linear path from the n-grams to the logits")
            model.add_argument(
                "--tuning-share",
                type=float,
                default=0.0,
                help="hold out this share of the train dialogues to pick the epoch and offsets (0: validation does)",
            )
        if name == "emotion":
            model.add_argument("--goemotions-rows", type=int, help="use only the first N GoEmotions comments")
            model.add_argument(
                "--act-head", action="store_true", help="also learn dialogue acts (one model for emotion and act)"
            )
        if name == "act":
            model.add_argument(
                "--sequence", type=int, default=0, help="width of a GRU over each dialogue's turns (0: none)"
            )
            model.add_argument(
                "--sentence-ngrams", action="store_true", help="add the last sentence's words to the n-grams"
            )
        if name == "sentiment":
            model.add_argument(
                "--slack-weak", action="store_true", help="add Slack messages labelled by their emoji (weak labels)"
            )
            model.add_argument(
                "--dailydialog",
                action="store_true",
                help="add DailyDialog turns with the polarity of their emotion label (soft labels)",
            )
        model.add_argument(
            "--tuned-layers", type=int, default=0, help="fine-tune a copy of the encoder's last N layers (0: none)"
        )
        model.add_argument("--top-learning-rate", type=float, default=1e-4, help="learning rate of those layers")
        model.add_argument("--batch-size", type=int, help="rows per training step (default 256)")
        model.add_argument("--out", help="output folder (default: emojiml/assets)")
        model.set_defaults(func=cmd_train_context)

    analyze = commands.add_parser("analyze", help="per-message context of a conversation, as JSON lines")
    analyze.add_argument(
        "--input", required=True, help=".txt (one message per line) or .jsonl (text, conversation, user)"
    )
    analyze.add_argument("--format", choices=("txt", "jsonl"), help="input format (default: from the extension)")
    analyze.set_defaults(func=cmd_analyze)

    targets = command_group(commands, "evaluate")
    context = targets.add_parser("context", help="emotion, act and sentiment metrics")
    context.add_argument("--split", default="validation", choices=("validation", "test"))
    context.add_argument(
        "--sets", nargs="+", choices=EVALUATION_SETS, help="evaluate only these sets (default: all of them)"
    )
    context.set_defaults(func=cmd_evaluate_context)
