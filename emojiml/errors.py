"""One base for every error a person can act on.

Every exception that means "change your input, file or setup" derives from :class:`EmojimlError`, so the CLI's
``main()`` and each page catch that one base and show its message, and nothing else is caught broadly.
"""

from __future__ import annotations


class EmojimlError(Exception):
    """Bad input, a missing file or an unusable model: the message says what to do, in one line."""


class ModelUnavailableError(EmojimlError, RuntimeError):
    """A model's package or weights are missing; the message says what to install or train."""
