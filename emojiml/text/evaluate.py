"""``emojiml evaluate context``: the figures of the product's own analysis path on labelled data splits.

Every set is written as the JSONL that ``emojiml analyze`` reads (one line per message, with its conversation id),
parsed by the same reader and analysed by the same ``ContextAnalyzer.analyze`` that the CLI and the Context page
call, so a printed figure is what a user gets. Metrics (in percent), as the published results report them:

* DailyDialog emotion: micro-F1 over the six non-neutral classes; DailyDialog dialogue act: accuracy
  (each dialogue one conversation);
* GoEmotions-Ekman: macro-F1 over the 7 classes on single-label rows (each comment its own conversation);
* sentiment: macro-F1 over negative/neutral/positive of GitHub and Jira developer comments (se-sentiment, each
  its own conversation), and, as before, of the polarity implied by DailyDialog and GoEmotions emotion labels
  (joy positive; anger, disgust, fear, sadness negative; neutral neutral; surprise and multi-label rows left out).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.metrics import f1_score

from emojiml.text.analyze import ContextAnalyzer, Message, MessageAnalysis
from emojiml.text.datasets import (
    ACTS,
    EMOTIONS,
    EVALUATION_SETS,
    NEGATIVE_EMOTIONS,
    POLARITIES,
    SE_SOURCES,
    DatasetMissingError,
    read_dailydialog,
    read_goemotions,
    read_se_sentiment,
)
from emojiml.text.inputs import parse_messages
from emojiml.text.train import act_accuracy, comment_emotion_f1, dialogue_emotion_f1, sentiment_macro_f1

CHUNK_MESSAGES = 512
"""Messages per ``analyze`` call (whole conversations only): bounds memory on the larger splits."""
NEGATIVE = [EMOTIONS.index(name) for name in NEGATIVE_EMOTIONS]


def as_jsonl(rows: Sequence[tuple[str, str]]) -> str:
    """(conversation id, text) rows as ``emojiml analyze``'s JSONL input."""
    return "".join(json.dumps({"text": text, "conversation": conversation}) + "\n" for conversation, text in rows)


def analyze_jsonl(analyzer: ContextAnalyzer, content: str, source: str) -> list[MessageAnalysis]:
    """What ``emojiml analyze`` gives for a JSONL file with this ``content``, analysed in chunks of whole
    conversations (a conversation's analysis depends only on its own messages)."""
    messages = parse_messages(content, "jsonl", source)
    results: list[MessageAnalysis] = []
    for chunk in _conversation_chunks(messages):
        results += analyzer.analyze(chunk)
    return results


def _conversation_chunks(messages: list[Message]) -> Iterator[list[Message]]:
    chunk: list[Message] = []
    for message in messages:
        if len(chunk) >= CHUNK_MESSAGES and message.conversation != chunk[-1].conversation:
            yield chunk
            chunk = []
        chunk.append(message)
    if chunk:
        yield chunk


def polarity_of(labels: np.ndarray) -> np.ndarray:
    """-1/0/1 per row from its emotion label; surprise (neither) and multi-label rows (-1) are -2: left out."""
    polarity = np.zeros(len(labels), dtype=np.int64)
    polarity[np.isin(labels, NEGATIVE)] = -1
    polarity[labels == EMOTIONS.index("joy")] = 1
    polarity[(labels == EMOTIONS.index("surprise")) | (labels < 0)] = -2
    return polarity


def _polarity_f1(gold: np.ndarray, analyses: Sequence[MessageAnalysis]) -> float:
    predicted = np.array([{"positive": 1, "negative": -1}.get(a.sentiment.label, 0) for a in analyses])
    keep = gold > -2
    return 100 * f1_score(gold[keep], predicted[keep], labels=[-1, 0, 1], average="macro", zero_division=0)


def _emotions(analyses: Sequence[MessageAnalysis]) -> np.ndarray:
    return np.array([EMOTIONS.index(a.emotion.label) for a in analyses], dtype=np.int64)


def evaluate_dailydialog(analyzer: ContextAnalyzer, split: str) -> dict[str, float]:
    rows = read_dailydialog(split)
    analyses = analyze_jsonl(analyzer, as_jsonl([(f"dd-{r.dialogue}", r.text) for r in rows]), f"dailydialog-{split}")
    emotions = np.array([r.emotion for r in rows], dtype=np.int64)
    acts = np.array([ACTS.index(a.act.label) for a in analyses], dtype=np.int64)
    return {
        "dailydialog_emotion_micro_f1": dialogue_emotion_f1(emotions, _emotions(analyses)),
        "dailydialog_act_accuracy": act_accuracy(np.array([r.act for r in rows]), acts),
        "sentiment_dailydialog_macro_f1": _polarity_f1(polarity_of(emotions), analyses),
        "dailydialog_turns": len(rows),
    }


def evaluate_goemotions(analyzer: ContextAnalyzer, split: str) -> dict[str, float]:
    rows = read_goemotions(split)
    analyses = analyze_jsonl(analyzer, as_jsonl([(f"ge-{i}", r.text) for i, r in enumerate(rows)]), "goemotions")
    labels = np.array([r.labels[0] if len(r.labels) == 1 else -1 for r in rows], dtype=np.int64)
    return {
        "goemotions_ekman_macro_f1": comment_emotion_f1(labels, _emotions(analyses)),
        "sentiment_goemotions_macro_f1": _polarity_f1(polarity_of(labels), analyses),
        "goemotions_single_label_rows": int((labels >= 0).sum()),
    }


def evaluate_se_sentiment(analyzer: ContextAnalyzer, source: str, split: str) -> dict[str, float]:
    rows = read_se_sentiment(source, split)
    content = as_jsonl([(f"{source}-{i}", r.text) for i, r in enumerate(rows)])
    analyses = analyze_jsonl(analyzer, content, f"se-sentiment {source}")
    gold = np.array([POLARITIES.index(r.polarity) for r in rows])
    predicted = np.array([POLARITIES.index(a.sentiment.label) for a in analyses])
    return {f"sentiment_{source}_macro_f1": sentiment_macro_f1(gold, predicted), f"{source}_rows": len(rows)}


def evaluate_context(
    split: str = "validation", analyzer: ContextAnalyzer | None = None, sets: Sequence[str] = EVALUATION_SETS
) -> dict[str, float]:
    """All figures for one split ("validation" or, where present, "test"), or those of ``sets`` only (names from
    ``EVALUATION_SETS``); a set whose split is not in the data folder is listed under ``missing`` (the test
    splits are kept outside the repo)."""
    unknown = set(sets) - set(EVALUATION_SETS)
    if unknown:
        choices = ", ".join(EVALUATION_SETS)
        raise ValueError(f"Unknown evaluation set(s) {', '.join(sorted(unknown))}; choose from {choices}.")
    analyzer = analyzer or ContextAnalyzer()
    runs = {
        "dailydialog": lambda: evaluate_dailydialog(analyzer, split),
        "goemotions": lambda: evaluate_goemotions(analyzer, split),
        **{f"se-sentiment/{s}": (lambda s=s: evaluate_se_sentiment(analyzer, s, split)) for s in SE_SOURCES},
    }
    results: dict[str, float] = {}
    missing = []
    for name in [name for name in EVALUATION_SETS if name in sets]:
        try:
            results.update(runs[name]())
        except DatasetMissingError:
            missing.append(name)
    if len(missing) == len(sets):
        raise DatasetMissingError(f"No labelled {split} split under the data folder (EMOJIML_DATA).")
    rounded: dict = {key: round(value, 2) if isinstance(value, float) else value for key, value in results.items()}
    return {**rounded, **({"missing": missing} if missing else {})}
