"""Recommendations on the command line: ``train content``, ``evaluate emoji-prediction``, ``evaluate
recommender`` and ``suggest`` (batch suggestions through the product's own path). Registered by ``register``
(one line in ``emojiml.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emojiml.command_groups import UsageError, command_group


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
        raise UsageError(f"{error} (or pass the path of an export)") from error


def cmd_evaluate_recommender(args: argparse.Namespace) -> int:
    from emojiml.recommend.evaluate import evaluate_workspace

    if args.k < 1:
        raise UsageError("--k must be at least 1.")
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
                    "auto_strengths": evaluation.auto_strengths,
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
        raise UsageError(f"Cannot read {what} file {path}: {error}") from error


def cmd_suggest(args: argparse.Namespace) -> int:
    from emojiml.recommend.hybrid import parse_weights
    from emojiml.recommend.suggest import suggest_batch

    if args.user and not args.workspace:
        raise UsageError("--user needs --workspace (whose reaction history to use).")
    if args.top < 1:
        raise UsageError("--top must be at least 1.")
    messages = _read_lines(args.input, "input")
    candidates = None
    if args.candidates:
        candidates = [line.strip() for line in _read_lines(args.candidates, "candidates") if line.strip()]
        if not candidates:
            raise UsageError(f"The candidates file {args.candidates} has no emoji (one per line).")
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


def register(commands: argparse._SubParsersAction) -> None:
    """``train content``, ``evaluate emoji-prediction|recommender`` and ``suggest``."""
    training = command_group(commands, "train")
    training = training.add_parser("content", help="the content recommender (TweetEval)")
    training.add_argument("--out", help="where the weights go (default emojiml/assets)")
    training.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
    training.set_defaults(func=cmd_train_content)

    targets = command_group(commands, "evaluate")
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
