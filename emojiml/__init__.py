"""emojiml: generate, recommend and explain emoji with models trained on real data."""

__version__ = "0.1.0"
