"""Readers for the real training data: DailyDialog (dialogues with per-turn emotion and act) and GoEmotions-Ekman.

Both are read from ``settings().data_dir`` and returned as flat per-utterance tables, so the emotion and act
trainers, the evaluator and the sentiment calibration all see the same rows. DailyDialog is tokenised with
spaces before punctuation ("Say , Jim , how ?"); we undo that, because people type "Say, Jim, how?" and the
encoder should see training text shaped like real input.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from emojiml.config import settings
from emojiml.errors import EmojimlError

EMOTIONS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
EMOTION_POLARITY: dict[str, str | None] = {"joy": "positive", "neutral": "neutral", "surprise": None} | dict.fromkeys(
    ("anger", "disgust", "fear", "sadness"), "negative"
)
"""The polarity each emotion implies (surprise: none, it can be either): the one mapping that analysis (emotion
-> sentiment, conversation state), evaluation and training read."""
NEGATIVE_EMOTIONS = tuple(name for name in EMOTIONS if EMOTION_POLARITY[name] == "negative")
"""Ekman's six plus neutral, in GoEmotions-Ekman's label order (labels.txt)."""
ACTS = ("inform", "question", "directive", "commissive")
POLARITIES = ("negative", "neutral", "positive")
SE_SOURCES = ("github", "jira")
"""The se-sentiment sets: GitHub pull-request/commit comments and Jira issue comments."""
EVALUATION_SETS = ("dailydialog", "goemotions", *(f"se-sentiment/{source}" for source in SE_SOURCES))
"""The labelled sets ``emojiml evaluate context`` reads (``--sets`` picks some)."""

# DailyDialog emotion ids: 0 none, 1 anger, 2 disgust, 3 fear, 4 happiness, 5 sadness, 6 surprise.
_DD_EMOTION = {0: "neutral", 1: "anger", 2: "disgust", 3: "fear", 4: "joy", 5: "sadness", 6: "surprise"}
_DD_SPLIT_FILES = {"train": "train", "validation": "validation", "test": "test"}
_GOEMOTIONS_SPLIT_FILES = {"train": "train.tsv", "validation": "dev.tsv", "dev": "dev.tsv", "test": "test.tsv"}


@dataclass(frozen=True)
class Polarity:
    """One developer comment with its human-rated polarity (one of ``POLARITIES``)."""

    text: str
    polarity: str


class DatasetMissingError(EmojimlError, FileNotFoundError):
    """A training/evaluation file is not under the data directory; the message names it."""


@dataclass(frozen=True)
class Utterance:
    """One DailyDialog turn with its labels and its place in the dialogue."""

    dialogue: int
    turn: int
    n_turns: int
    text: str
    emotion: int
    """Index into ``EMOTIONS``."""
    act: int
    """Index into ``ACTS``."""


@dataclass(frozen=True)
class Comment:
    """One GoEmotions comment with its Ekman label set (indices into ``EMOTIONS``)."""

    text: str
    labels: tuple[int, ...]


_DETOKENISE = [
    (re.compile(r"\s+([,.!?;:%)\]])"), r"\1"),
    (re.compile(r"([(\[$])\s+"), r"\1"),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE), r"\1"),
    (re.compile(r"\s*([’'])\s*(s|t|re|ve|ll|d|m)\b", re.IGNORECASE), r"'\2"),
    (re.compile(r"\s{2,}"), " "),
]


def detokenise(text: str) -> str:
    """DailyDialog's "Say , Jim , how ?" -> "Say, Jim, how?", as a person would type it."""
    text = text.strip()
    for pattern, replacement in _DETOKENISE:
        text = pattern.sub(replacement, text)
    return text


def polarity_of_emotion(emotion: int) -> str | None:
    """The polarity an emotion label (index into ``EMOTIONS``) implies, as ``emojiml evaluate context`` reads it:
    joy positive; anger, disgust, fear and sadness negative; neutral neutral; surprise none (it can be either)."""
    return EMOTION_POLARITY[EMOTIONS[emotion]]


def _require(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissingError(f"{path} is missing: set EMOJIML_DATA to the folder holding the shared data sets.")
    return path


def read_dailydialog(split: str, data_dir: Path | None = None) -> list[Utterance]:
    """All turns of a DailyDialog split, dialogue by dialogue; dialogues whose label counts disagree are skipped."""
    if split not in _DD_SPLIT_FILES:
        raise ValueError(f"Unknown DailyDialog split {split!r}; choose from {', '.join(_DD_SPLIT_FILES)}.")
    folder = (data_dir or settings().data_dir) / "dailydialog" / _DD_SPLIT_FILES[split]
    name = _DD_SPLIT_FILES[split]
    texts = _require(folder / f"dialogues_{name}.txt").read_text(encoding="utf-8").splitlines()
    emotions = _require(folder / f"dialogues_emotion_{name}.txt").read_text(encoding="utf-8").splitlines()
    acts = _require(folder / f"dialogues_act_{name}.txt").read_text(encoding="utf-8").splitlines()
    rows: list[Utterance] = []
    for dialogue, (line, emotion_line, act_line) in enumerate(zip(texts, emotions, acts, strict=True)):
        turns = [detokenise(t) for t in line.split("__eou__")]
        turns = [t for t in turns if t] if not turns[-1] else turns
        emotion_ids = [int(x) for x in emotion_line.split()]
        act_ids = [int(x) for x in act_line.split()]
        if not (len(turns) == len(emotion_ids) == len(act_ids)):
            continue
        for turn, (text, emotion, act) in enumerate(zip(turns, emotion_ids, act_ids, strict=True)):
            rows.append(
                Utterance(
                    dialogue=dialogue,
                    turn=turn,
                    n_turns=len(turns),
                    text=text,
                    emotion=EMOTIONS.index(_DD_EMOTION[emotion]),
                    act=act - 1,
                )
            )
    return rows


def read_goemotions(split: str, data_dir: Path | None = None) -> list[Comment]:
    """GoEmotions-Ekman comments of a split ("validation" reads dev.tsv)."""
    if split not in _GOEMOTIONS_SPLIT_FILES:
        raise ValueError(f"Unknown GoEmotions split {split!r}; choose from {', '.join(_GOEMOTIONS_SPLIT_FILES)}.")
    folder = (data_dir or settings().data_dir) / "goemotions" / "ekman"
    labels = _require(folder / "labels.txt").read_text(encoding="utf-8").split()
    if tuple(labels) != EMOTIONS:
        raise ValueError(f"GoEmotions-Ekman labels.txt lists {labels}, expected {list(EMOTIONS)}.")
    rows = []
    with _require(folder / _GOEMOTIONS_SPLIT_FILES[split]).open(encoding="utf-8", newline="") as handle:
        for record in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(record) < 2:
                continue
            rows.append(Comment(text=record[0], labels=tuple(sorted(int(x) for x in record[1].split(",")))))
    return rows


def read_se_sentiment(source: str, split: str, data_dir: Path | None = None) -> list[Polarity]:
    """The se-sentiment comments of ``source`` ("github" or "jira") and ``split`` ("train" or "validation")."""
    if source not in SE_SOURCES:
        raise ValueError(f"Unknown se-sentiment source {source!r}; choose from {', '.join(SE_SOURCES)}.")
    path = _require((data_dir or settings().data_dir) / "se-sentiment" / f"{source}_{split}.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader, None)  # header: text, polarity
        return [Polarity(record[0], record[1]) for record in reader if len(record) >= 2 and record[1] in POLARITIES]
