"""How many workplace messages get the right polarity: the dev set (tests/text/fixtures/workplace_dev.jsonl, 40
messages written to choose settings on) and the fixture of test_workplace.py (36 messages, for reporting only).

Each message is its own conversation, read by the same ``ContextAnalyzer.analyze`` the CLI calls, with the shipped
polarity model or the one in MODEL_DIR (a folder holding ``sentiment.safetensors`` + ``sentiment.json``, such as
``emojiml train sentiment --out MODEL_DIR`` writes). Prints each set's count and its misreadings.

    PYTHONPATH=. python scripts/workplace-polarity.py [MODEL_DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from emojiml import models
from emojiml.text.analyze import ContextAnalyzer, Message
from emojiml.text.classifier import ContextClassifier

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "text" / "fixtures"
SETS = ("workplace_dev", "workplace_messages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", help="folder of a polarity model (default: the shipped one)")
    args = parser.parse_args()
    model = ContextClassifier.load(Path(args.model_dir), "sentiment") if args.model_dir else None
    analyzer = ContextAnalyzer(search=models.emoji_search(), sentiment_model=model)
    for name in SETS:
        rows = [json.loads(line) for line in (FIXTURES / f"{name}.jsonl").read_text().splitlines() if line.strip()]
        results = analyzer.analyze([Message(row["text"], conversation=str(i)) for i, row in enumerate(rows)])
        right = [r.sentiment.label == row["sentiment"] for row, r in zip(rows, results, strict=True)]
        print(f"{name}: {sum(right)}/{len(rows)}")
        for row, result, ok in zip(rows, results, right, strict=True):
            if not ok:
                read = f"{result.sentiment.label:<8} {result.sentiment.score:+.2f}"
                print(f"  {row['sentiment']:>8} read {read}  {row['text']}")


if __name__ == "__main__":
    main()
