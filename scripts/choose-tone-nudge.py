"""Choose the tone step's implied-emoji nudge (``emojiml.recommend.tone.IMPLIED_NUDGE`` / ``IMPLIED_CENTER``).

The tone step decides whether a message reads negative (score at most ``-NEGATIVE_AT``: no celebration, a concern
emoji). This script reads messages through the tone step's own readers (``Tone.readings``) and scores that decision
by F1 of "negative" against human labels, for each nudge and centre of a small grid, on training-derived data only:
  * the 15% of each se-sentiment train split that ``emojiml train sentiment`` holds out (the same seeded split),
  * the first 6,000 DailyDialog train turns and the first 4,000 GoEmotions train comments (polarity implied by their
    emotion labels, as ``emojiml evaluate context`` reads it; the polarity model never saw either).
It prints the grid by the mean F1 of the four sets and the best setting. ``--check`` also prints the validation
splits (se-sentiment, DailyDialog, GoEmotions validation) as a check, never for choosing.

    PYTHONPATH=. python scripts/choose-tone-nudge.py [--check]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import f1_score

from emojiml.catalog import default_catalog
from emojiml.encoder import cached_encode
from emojiml.recommend.base import MessageBatch
from emojiml.recommend.content import EncodedMessages
from emojiml.recommend.tone import IMPLIED_CENTER, IMPLIED_NUDGE, NEGATIVE_AT, Tone
from emojiml.text.datasets import POLARITIES, SE_SOURCES, read_dailydialog, read_goemotions, read_se_sentiment
from emojiml.text.evaluate import polarity_of
from emojiml.text.train import se_tuning_rows

NUDGES = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
CENTERS = (0.0, 0.1, 0.2, 0.3)


def se_sentiment_set(source: str, split: str, rows: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
    """(texts, gold polarity -1/0/1) of a se-sentiment split, or of its ``rows``."""
    data = read_se_sentiment(source, split)
    picked = [data[i] for i in rows] if rows is not None else data
    return [r.text for r in picked], np.array([POLARITIES.index(r.polarity) - 1 for r in picked])


def dailydialog_set(split: str, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """(texts, polarity implied by the emotion label) of DailyDialog turns."""
    turns = read_dailydialog(split)[:limit]
    return [t.text for t in turns], polarity_of(np.array([t.emotion for t in turns]))


def goemotions_set(split: str, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """(texts, polarity implied by the single emotion label; -2 where a comment has several) of GoEmotions."""
    comments = read_goemotions(split)[:limit]
    labels = np.array([c.labels[0] if len(c.labels) == 1 else -1 for c in comments])
    return [c.text for c in comments], polarity_of(labels)


def choosing_sets() -> dict[str, tuple[list[str], np.ndarray]]:
    """Name -> (texts, gold polarity -1/0/1, -2 where left out), training-derived."""
    sizes = [len(read_se_sentiment(source, "train")) for source in SE_SOURCES]
    held = [rows for _, rows in se_tuning_rows(sizes)]  # the part `emojiml train sentiment` holds out
    sets = {
        f"se-{source} held-out train": se_sentiment_set(source, "train", rows)
        for source, rows in zip(SE_SOURCES, held, strict=True)
    }
    sets["dailydialog train"] = dailydialog_set("train", 6000)
    sets["goemotions train"] = goemotions_set("train", 4000)
    return sets


def checking_sets() -> dict[str, tuple[list[str], np.ndarray]]:
    sets = {f"se-{source} validation": se_sentiment_set(source, "validation") for source in SE_SOURCES}
    sets["dailydialog validation"] = dailydialog_set("validation")
    sets["goemotions validation"] = goemotions_set("validation")
    return sets


def readings(tone: Tone, texts: list[str], tag: str):
    """The tone step's readers over ``texts``, from the shared encoder's vectors as suggest has them."""
    filled = [t if t.strip() else " " for t in texts]
    vectors = cached_encode(filled, tag)
    encoded = EncodedMessages(vectors, np.zeros((len(texts), 1), np.float32))
    return tone.readings(MessageBatch(texts, encoded))


def negative_f1(reading, gold: np.ndarray, nudge: float, center: float) -> float:
    keep = gold > -2
    negative = reading.scored(nudge, center).score <= -NEGATIVE_AT
    return 100 * f1_score(gold[keep] == -1, negative[keep])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="also print the validation splits (never for choosing)")
    args = parser.parse_args()
    tone = Tone().fit(None, default_catalog())
    chosen = {name: (readings(tone, texts, "tone-nudge"), gold) for name, (texts, gold) in choosing_sets().items()}
    checks = {}
    if args.check:
        checks = {name: (readings(tone, texts, "tone-nudge"), gold) for name, (texts, gold) in checking_sets().items()}
    rows = []
    for nudge in NUDGES:
        for center in CENTERS if nudge else (0.0,):
            scores = {name: negative_f1(r, gold, nudge, center) for name, (r, gold) in chosen.items()}
            shown = {name: negative_f1(r, gold, nudge, center) for name, (r, gold) in checks.items()}
            rows.append((float(np.mean(list(scores.values()))), nudge, center, scores, shown))
    rows.sort(key=lambda row: -row[0])
    for mean, nudge, center, scores, shown in rows:
        parts = " · ".join(f"{name} {value:.2f}" for name, value in {**scores, **shown}.items())
        print(f"nudge {nudge:g} centre {center:g}: mean {mean:.2f} ({parts})")
    best = rows[0]
    print(f"best: nudge {best[1]:g}, centre {best[2]:g} (shipped: {IMPLIED_NUDGE:g}, {IMPLIED_CENTER:g})")


if __name__ == "__main__":
    main()
