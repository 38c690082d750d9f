"""Weak polarity labels for team chat: Slack messages labelled by the emoji people put on them.

Why: the rated developer comments (se-sentiment) hold few launches, outages, thank-yous or well-dones, which is
what team chat is full of. In a Slack export, colleagues already said how a message landed: 🎉 on "release 2.3 is
out", 😞 on "the nightly build failed". Each message's emoji (the reactions it got and the emoji its author typed)
are mapped through their polarity (``emojiml.text.sentiment.emoji_polarity``: the Emoji Sentiment Ranking prior
plus VADER's reading of the emoji) and the mean decides the label; messages whose emoji are mixed or plain
(👀, 📅) are left out, and so are messages without emoji (no signal). The emoji themselves are removed from the
text, so a model learns the words ("well done", "outage"), not the emoji (the analyser reads those separately).

Only English exports are read (``ENGLISH_EXPORTS``); the data come from ``settings().data_dir / "slack-exports"``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from emojiml import models
from emojiml.catalog import Catalog, default_catalog, emoji_in_text
from emojiml.config import settings
from emojiml.text.datasets import DatasetMissingError
from emojiml.text.sentiment import emoji_polarity
from emojiml.workspace.slack_text import has_words, is_system_message, readable

ENGLISH_EXPORTS = ("r-contributors-slack", "digitalrebar-slack", "houstondatavis-slack")
POSITIVE_AT = 0.5
"""Mean emoji polarity at or above which a message counts as positive (👍 0.94, 🎉 1.0, 🙂 0.88; 👀 0.06)."""
NEGATIVE_AT = -0.3
"""At or below which it counts as negative (😞 -0.57, 😕 -0.76, 😢 -0.47)."""
MIN_WORDS = 3
_CUSTOM = re.compile(r":[\w+'\-]+:")


@dataclass(frozen=True)
class WeakLabel:
    text: str
    """The message as Slack shows it, without its emoji."""
    polarity: str
    """"positive" or "negative"."""
    emoji: tuple[str, ...]
    """The emoji that decided it (reactions, then inline)."""


def strip_emoji(text: str) -> str:
    """``text`` without Unicode emoji and without custom ``:name:`` codes, whitespace squeezed."""
    for key in set(emoji_in_text(text)):
        text = text.replace(key, " ")
    text = "".join(ch for ch in text if ch not in "\ufe0f\u200d")
    return " ".join(_CUSTOM.sub(" ", text).split())


def weak_labels(export: str, catalog: Catalog | None = None) -> list[WeakLabel]:
    """The weakly labelled messages of one export folder under ``slack-exports`` (by first appearance)."""
    from emojiml.workspace.archive import read_path
    from emojiml.workspace.importer import parse_export

    folder = settings().data_dir / "slack-exports" / export
    if not folder.exists():
        raise DatasetMissingError(f"{folder} is missing: set EMOJIML_DATA to the folder holding the shared data sets.")
    catalog = catalog or default_catalog()
    parsed = parse_export(read_path(folder), catalog)
    emoji_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in parsed.events:
        if not event.is_custom:
            emoji_of[event.channel, event.message_id].append(event.emoji)
    names = {user: name for user, (name, _bot) in parsed.users.items()}
    vader = models.vader()
    polarity_of: dict[str, float] = {}
    labels: dict[str, WeakLabel] = {}
    for message in parsed.messages:
        found = emoji_of.get((message.channel, message.message_id))
        if not found or not message.text or is_system_message(message.text) or not has_words(message.text):
            continue
        text = strip_emoji(readable(message.text, names, catalog=catalog))
        if len(text.split()) < MIN_WORDS or text in labels:
            continue
        for key in found:
            if key not in polarity_of:
                polarity_of[key] = emoji_polarity(key, catalog, vader)
        mean = sum(polarity_of[key] for key in found) / len(found)
        if mean >= POSITIVE_AT or mean <= NEGATIVE_AT:
            labels[text] = WeakLabel(text, "positive" if mean > 0 else "negative", tuple(found))
    return list(labels.values())
