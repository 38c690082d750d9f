"""``emojiml evaluate feedback``: does the rating loop help? Before/after figures for the kitchen's recipe ranking.

The question a reviewer asks: after someone rates a first session's results, do later requests show more of what
they like? The evaluation replays that through the page's own functions, in a throw-away store:

1. *Fit session*: for each prompt, the Generate click the page makes (``studio.generate_for_studio``, 4 emoji)
   with seeds ``FIT_SEEDS``; every shown result is stored (``record_generations``) and rated (``rate_generation``)
   with the rating the rated set gives its (prompt, recipe).
2. *Held-out requests*: the same prompts with other seeds (``HELDOUT_SEEDS``), each asked twice: *before*, as the
   page asks with no ratings, and *after*, with the recipe preferences the page reads from the store
   (``studio.recipe_preferences_for``), which the kitchen adds to its own ranking (``generate_kitchen``).
3. The figures: the share of liked (and of disliked) among the results shown, over the held-out requests, and
   the share of requests whose first result is liked. A shown result the rated set has no rating for counts
   as neither, and is reported.

A second split holds out *prompts* instead of seeds (fit on every other prompt's sessions, ask the rest): it
shows whether ratings carry over to new prompts, which exact-recipe preferences cannot do unless a recipe recurs.

The rated set is JSON Lines with ``prompt``, ``recipe`` and ``rating`` (+1/-1) per line: an
``emojiml export-feedback`` file works, and so does ``SESSION_RATINGS``, the one rating session shipped with
the code (see its header for who rated what, how). ``--sheets DIR`` draws every image the evaluation can show
as numbered contact sheets with a ``to_rate.jsonl`` to fill in, which is how that session was made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from emojiml.errors import EmojimlError
from emojiml.generate.methods import GenerationRequest

SESSION_RATINGS = Path(__file__).with_name("kitchen") / "rating_session.jsonl"
PROMPTS = 12  # the first 12 of the kitchen's compositional prompts (written before any figure was measured)
SHOWN = 4  # results per request, as a person looks at them
FIT_SEEDS = (0, 1)
HELDOUT_SEEDS = (2, 3, 4, 5)
METHOD = "kitchen"


class RatingsFileError(EmojimlError):
    """A rated set that is missing or has lines without prompt, recipe and a +1/-1 rating."""


def evaluation_prompts() -> list[str]:
    from emojiml.generate.kitchen.evaluate import compositional_prompts

    return compositional_prompts()[:PROMPTS]


def read_ratings(path: Path) -> dict[tuple[str, str], int]:
    """(prompt, recipe) -> +1/-1 from a JSON Lines rated set (``#`` lines are comments); the last rating wins."""
    path = Path(path)
    if not path.is_file():
        raise RatingsFileError(f"{path} is not a file: write one with `emojiml export-feedback --out {path}`.")
    ratings = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
            rating = int(row["rating"])
            if rating not in (1, -1):
                raise ValueError(f"rating {rating} is not +1 or -1")
            ratings[(" ".join(str(row["prompt"]).split()), str(row["recipe"]))] = rating
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise RatingsFileError(f"{path} line {number} is not a rating ({error}).") from error
    if not ratings:
        raise RatingsFileError(f"{path} holds no ratings.")
    return ratings


def _shown(prompt: str, seed: int, preferences: dict[str, float] | None = None) -> list[str]:
    """The recipes the Generate page shows for ``prompt`` and ``seed`` (with the ratings' preferences, if any)."""
    from emojiml.generate import studio

    results = studio.generate_for_studio(GenerationRequest(prompt, n=SHOWN, seed=seed), METHOD, preferences=preferences)
    return [r.emoji.recipe for r in results]


@dataclass(frozen=True)
class Split:
    """One before/after comparison over the held-out requests."""

    name: str
    fit_ratings: int  # ratings given in the fit sessions
    requests: int
    liked_before: float  # share of shown results that are liked
    liked_after: float
    disliked_before: float
    disliked_after: float
    top_liked_before: float  # share of requests whose first result is liked
    top_liked_after: float
    unrated_shown: int  # shown results the rated set has no rating for (counted as neither)
    changed_requests: int  # held-out requests whose shown results changed


def evaluate_split(
    name: str, fit: list[tuple[str, int]], heldout: list[tuple[str, int]], ratings: dict[tuple[str, str], int]
) -> Split:
    """Fit-session clicks rated in a throw-away store, then each held-out click before and after (module doc)."""
    import tempfile

    from emojiml.generate import studio
    from emojiml.workspace.store import WorkspaceStore

    with tempfile.TemporaryDirectory(prefix="emojiml-feedback-") as home:
        store = WorkspaceStore(f"sqlite:///{home}/feedback.db")
        rated = 0
        for prompt, seed in fit:
            results = studio.generate_for_studio(GenerationRequest(prompt, n=SHOWN, seed=seed), METHOD)
            ids = store.record_generations("eval", [studio.generation_row(r, k) for k, r in enumerate(results)])
            for generation_id, result in zip(ids, results, strict=True):
                rating = ratings.get((result.prompt, result.emoji.recipe))
                if rating is not None:
                    store.rate_generation(generation_id, rating)
                    rated += 1
        preferences = studio.recipe_preferences_for(store, "eval", METHOD)
        store.dispose()
    counts = {"before": [0, 0, 0], "after": [0, 0, 0]}  # liked, disliked, top liked
    unrated = changed = 0
    for prompt, seed in heldout:
        before, after = _shown(prompt, seed), _shown(prompt, seed, preferences)
        changed += before != after
        for label, shown in (("before", before), ("after", after)):
            marks = [ratings.get((prompt, recipe)) for recipe in shown]
            counts[label][0] += sum(m == 1 for m in marks)
            counts[label][1] += sum(m == -1 for m in marks)
            counts[label][2] += marks[0] == 1
            unrated += sum(m is None for m in marks)
    shown_total = SHOWN * len(heldout)
    return Split(
        name=name,
        fit_ratings=rated,
        requests=len(heldout),
        liked_before=counts["before"][0] / shown_total,
        liked_after=counts["after"][0] / shown_total,
        disliked_before=counts["before"][1] / shown_total,
        disliked_after=counts["after"][1] / shown_total,
        top_liked_before=counts["before"][2] / len(heldout),
        top_liked_after=counts["after"][2] / len(heldout),
        unrated_shown=unrated,
        changed_requests=changed,
    )


def evaluate_feedback(path: Path = SESSION_RATINGS) -> list[Split]:
    """Both splits (held-out seeds, held-out prompts) for the rated set in ``path``."""
    ratings = read_ratings(path)
    prompts = evaluation_prompts()
    by_seed = evaluate_split(
        "same prompts, later seeds",
        [(p, s) for p in prompts for s in FIT_SEEDS],
        [(p, s) for p in prompts for s in HELDOUT_SEEDS],
        ratings,
    )
    fit_prompts, new_prompts = prompts[0::2], prompts[1::2]
    by_prompt = evaluate_split(
        "new prompts",
        [(p, s) for p in fit_prompts for s in (*FIT_SEEDS, *HELDOUT_SEEDS)],
        [(p, s) for p in new_prompts for s in HELDOUT_SEEDS],
        ratings,
    )
    return [by_seed, by_prompt]


def feedback_table(splits: list[Split]) -> str:
    """The before/after table the CLI prints and the README carries (Markdown)."""
    lines = [
        "| held-out requests | fit ratings | requests | liked shown: before → after | disliked shown | "
        "first result liked | requests changed | shown, unrated |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in splits:
        lines.append(
            f"| {s.name} | {s.fit_ratings} | {s.requests} | {s.liked_before:.1%} → {s.liked_after:.1%} | "
            f"{s.disliked_before:.1%} → {s.disliked_after:.1%} | {s.top_liked_before:.1%} → {s.top_liked_after:.1%} "
            f"| {s.changed_requests} | {s.unrated_shown} |"
        )
    return "\n".join(lines)


def rating_sheets(out: Path) -> int:
    """Every (prompt, recipe) the evaluation can show, drawn on numbered contact sheets (``sheet-K.png``, 8 by
    5 tiles of 96 px) with ``to_rate.jsonl`` listing them in the same order, rating 0: set +1 or -1 by eye."""
    from PIL import Image, ImageDraw

    from emojiml.generate import studio

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[tuple[str, str], Image.Image] = {}
    for prompt in evaluation_prompts():
        for seed in (*FIT_SEEDS, *HELDOUT_SEEDS):
            for n in (SHOWN, 2 * SHOWN):  # what the page shows, and the pool it re-ranks with preferences
                for r in studio.generate_for_studio(GenerationRequest(prompt, n=n, seed=seed), METHOD):
                    seen.setdefault((r.prompt, r.emoji.recipe), r.emoji.image)
    items = list(seen.items())
    tile, columns, rows = 96, 8, 5
    for sheet in range(0, len(items), columns * rows):
        canvas = Image.new("RGB", (columns * tile, rows * (tile + 14)), "white")
        draw = ImageDraw.Draw(canvas)
        for k, ((prompt, _), image) in enumerate(items[sheet : sheet + columns * rows]):
            x, y = (k % columns) * tile, (k // columns) * (tile + 14)
            canvas.paste(image.resize((tile, tile)), (x, y + 14), image.resize((tile, tile)))
            draw.text((x + 2, y), f"{sheet + k} {prompt}"[:16], fill="black")
        canvas.save(out / f"sheet-{sheet // (columns * rows)}.png")
    lines = [
        json.dumps({"index": k, "prompt": p, "recipe": r, "rating": 0}, ensure_ascii=False)
        for k, ((p, r), _) in enumerate(items)
    ]
    (out / "to_rate.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(items)
