"""Score ``--validation`` judges alone and joined, on the validation split only (JUDGE_CARD.md's tables).

``emojiml train judge --validation`` refuses ``--join`` (joining builds the shipped judge), so this script joins
validation judges the way the product does (``join_judges``: the normalised mean of the members' image->text
vectors) and scores R-precision@1 among 10 prompts on the validation emoji (10% of the training emoji, seed 7;
the held-out emoji stay unseen), averaged over 10 draws of the 9 other prompts: one draw moves by about +-0.02
on these ~580 images, which is the size of the differences being judged.

    PYTHONPATH=. python scripts/score-validation-judges.py A=runs/A B=runs/B C=runs/C --join A+B --join A+B+C
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch

from emojiml.generate.data import load_dataset
from emojiml.generate.evaluate import r_precision
from emojiml.generate.judge import EmojiJudge, _images, _split, join_judges, load_judge

DRAWS = 10


def validation_r_precision(judge: EmojiJudge, dataset, index: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation over ``DRAWS`` draws of the 9 other prompts, on the images at ``index``."""
    x = _images(dataset, index, judge.config.size, "cpu")
    with torch.no_grad():
        vectors = torch.cat([judge.eval().text_vectors(chunk) for chunk in x.split(256)]).numpy()
    emoji = [dataset.samples[i].emoji for i in index]
    scores = [r_precision(vectors, dataset.text_vectors[index], emoji, seed=s) for s in range(DRAWS)]
    return float(np.mean(scores)), float(np.std(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("judges", nargs="+", help="NAME=PATH of a --validation judge (its common file stem)")
    parser.add_argument("--join", action="append", default=[], help="NAME+NAME[+...]: score these joined")
    parser.add_argument("--data", default="build/dataset")
    args = parser.parse_args()
    torch.set_num_threads(1)
    paths = {name: Path(path) for name, path in (spec.split("=", 1) for spec in args.judges)}
    dataset = load_dataset(Path(args.data))
    _, index = _split(dataset, validation=True)
    print(f"validation split: {len(index)} images of {len({dataset.samples[i].emoji for i in index})} emoji")
    for name, path in paths.items():
        mean, std = validation_r_precision(load_judge(path), dataset, index)
        print(f"{name}: R-precision@1/10 {mean:.3f} (sd over {DRAWS} draws {std:.3f})")
    with tempfile.TemporaryDirectory() as work:
        for spec in args.join:
            joined = join_judges([paths[name] for name in spec.split("+")], Path(work) / "joined")
            mean, std = validation_r_precision(joined, dataset, index)
            print(f"{spec}: R-precision@1/10 {mean:.3f} (sd over {DRAWS} draws {std:.3f})")


if __name__ == "__main__":
    main()
