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


# --- workspaces: import chat exports, list what is stored (emojiml.workspace) ---
def cmd_import(args: argparse.Namespace) -> int:
    from emojiml.workspace import ExportError, import_path

    try:
        report = import_path(args.path, args.workspace)
    except ExportError as error:
        raise UserError(str(error)) from error
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
    _add_workspace_commands(commands)
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
