"""The catalog and its search on the command line: ``build-catalog``, ``search``, ``index`` and
``evaluate search``. Registered by ``register`` (one line in ``emojiml.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emojiml.command_groups import EXIT_USAGE, UsageError, command_group
from emojiml.config import settings


def cmd_build_catalog(args: argparse.Namespace) -> int:
    from emojiml.catalog import TAGS_FILE
    from emojiml.catalog_builder import build_catalog, build_language_tags, write_catalog, write_language_tags

    npm_dir = Path(args.npm_dir)
    if not (npm_dir / "emojibase-data").is_dir():
        raise UsageError(
            f"{npm_dir} has no emojibase-data: run `make catalog`, or "
            "`npm install emojibase-data emojilib emoji-datasource` and pass its node_modules."
        )
    sentiment = Path(args.sentiment) if args.sentiment else None
    if sentiment is not None and not sentiment.exists():
        raise UsageError(f"Sentiment ranking file not found: {sentiment}")
    rows = build_catalog(npm_dir, sentiment)
    out = Path(args.out) if args.out else settings().asset_dir / "catalog.json.gz"
    write_catalog(rows, out)
    with_sentiment = sum(1 for row in rows if row["s"] is not None)
    print(f"Wrote {len(rows)} emoji ({with_sentiment} with a sentiment prior) to {out}")
    tags = build_language_tags(npm_dir)
    write_language_tags(tags, out.with_name(TAGS_FILE))
    print(f"Wrote {len(tags)} keywords in other languages to {out.with_name(TAGS_FILE)}")
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


def cmd_evaluate_search(args: argparse.Namespace) -> int:
    from emojiml import models
    from emojiml.search_probes import DEFAULT_PROBES, hit_rates, read_probes

    probes = read_probes(Path(args.probes or DEFAULT_PROBES))
    print(json.dumps(hit_rates(models.emoji_search(), probes), indent=2, ensure_ascii=False))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``build-catalog``, ``search``, ``index`` and ``evaluate search``."""
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

    probes = command_group(commands, "evaluate").add_parser(
        "search", help="hit@1/hit@3 of emoji search on a probe list"
    )
    probes.add_argument("--probes", help="query<TAB>emoji... TSV (default: tests/fixtures/search_probes.tsv)")
    probes.set_defaults(func=cmd_evaluate_search)
