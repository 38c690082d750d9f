"""What every family's ``register(commands)`` shares: the ``train`` and ``evaluate`` groups, and the one-line
error for a bad argument.

Why a module of its own: ``emojiml.cli`` imports each family's commands module to call its ``register``, so the
pieces those modules need must sit below all of them, not in ``cli.py``.
"""

from __future__ import annotations

import argparse

from emojiml.errors import EmojimlError

EXIT_USAGE = 2


class UsageError(EmojimlError):
    """An argument or input file a command cannot use: printed as one line, exit code 2."""


GROUPS = {
    "train": ("train a model from the shared data", "model", "MODEL"),
    "evaluate": ("print quality figures", "target", "TARGET"),
}


def command_group(commands: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """The sub-commands of ``emojiml NAME`` (``train``, ``evaluate``), made by whichever family asks first, so
    that each family adds its own ``train X`` / ``evaluate Y`` without touching the others'."""
    about, dest, metavar = GROUPS[name]
    parser = commands.choices.get(name) or commands.add_parser(name, help=about)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=dest, required=True, metavar=metavar)
