"""Weak polarity labels from a real Slack export: messages labelled by the emoji colleagues put on them."""

import pytest

from emojiml.catalog import emoji_in_text
from emojiml.config import settings
from emojiml.text.slack_labels import strip_emoji, weak_labels

EXPORT = "houstondatavis-slack"
pytestmark = pytest.mark.skipif(
    not (settings().data_dir / "slack-exports" / EXPORT).is_dir(), reason="the Slack exports are not in EMOJIML_DATA"
)


def test_weak_labels_read_the_emoji_and_keep_only_the_words():
    labels = weak_labels(EXPORT)
    polarities = {label.polarity for label in labels}
    assert polarities == {"positive", "negative"}
    assert all(label.emoji and not emoji_in_text(label.text) and ":" not in label.text[:1] for label in labels)
    negative = [label.text for label in labels if label.polarity == "negative"]
    assert any("can't make it" in text for text in negative), negative[:5]


def test_strip_emoji_removes_unicode_and_custom_codes():
    assert strip_emoji("release is out 🎉🎉 :partyparrot: well done 👍🏽") == "release is out well done"
