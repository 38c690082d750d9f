"""``emojiml ...``: the same functions the pages call, for training, evaluation and batch use.

This module only builds the parser and runs the chosen command. Each family registers its own sub-commands with
one ``register(commands)`` in its ``commands.py`` (the catalog's and the bench's at the package's top level);
``train`` and ``evaluate`` are groups every family adds to (``emojiml.command_groups``). Errors a person can fix
(bad input, missing data: the ``EmojimlError`` family) print one line to stderr and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from emojiml import bench, catalog_commands
from emojiml.analytics import commands as analytics_commands
from emojiml.auth import commands as auth_commands
from emojiml.command_groups import EXIT_USAGE
from emojiml.errors import EmojimlError
from emojiml.generate import commands as generate_commands
from emojiml.generate.kitchen import commands as kitchen_commands
from emojiml.recommend import commands as recommend_commands
from emojiml.text import commands as text_commands
from emojiml.workspace import commands as workspace_commands

FAMILIES = (
    catalog_commands,
    bench,
    workspace_commands,
    recommend_commands,
    text_commands,
    generate_commands,
    kitchen_commands,  # after generate: it adds ``--model kitchen`` to ``generate``
    auth_commands,
    analytics_commands,
)
"""Whose commands ``emojiml`` offers, in the order ``emojiml --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emojiml", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from emojiml import models

        models.limit_cpu_threads()  # only when EMOJIML_CPU_THREADS says; training's --threads overrides torch's
        return args.func(args)
    except EmojimlError as error:
        print(f"emojiml: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
