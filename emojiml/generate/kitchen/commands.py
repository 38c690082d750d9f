"""The kitchen's CLI: ``mashup``, ``generate --model kitchen``, ``kitchen-parts``, ``kitchen-grid`` and
``evaluate kitchen``. Registered by ``register`` (one line in ``emojiml.cli``), after the generate family.

``generate`` is shared with the GAN and VAE: this module adds ``kitchen`` to its ``--model`` choices and the
kitchen's ``--expression`` and ``--palette`` options, and routes ``--model kitchen`` here, so the neural
models' commands (``emojiml.generate.commands``) stay as they are.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from emojiml.command_groups import command_group
from emojiml.generate.methods import EXPRESSIONS

GRID_ROWS = (  # (prompt, style, expression, palette): the README grid, 24 results
    ("crying cactus", "noto", None, None),
    ("robot with heart eyes", "noto", None, None),
    ("sleepy moon", "noto", None, None),
    ("taco cat", "noto", None, None),
    ("birthday cake", "twemoji", "joy", None),
    ("pizza", "twemoji", "anger", None),
    ("ghost", "twemoji", "fear", None),
    ("avocado", "twemoji", "surprise", None),
    ("cloud", "openmoji", "sadness", None),
    ("broccoli", "openmoji", "disgust", None),
    ("penguin", "openmoji", "neutral", None),
    ("rocket", "openmoji", "joy", "neon"),
    ("thumbs up", "fluent", "joy", None),
    ("blushing peach", "fluent", None, None),
    ("cool penguin", "fluent", None, None),
    ("angry volcano", "fluent", None, None),
    ("happy avocado", "noto", None, "#3b82f6"),
    ("laughing potato", "twemoji", None, "pastel"),
    ("sad balloon", "openmoji", None, "teal"),
    ("heart eyes cookie", "fluent", None, "purple"),
    ("ghost with sunglasses", "noto", None, None),
    ("scared banana", "twemoji", None, None),
    ("sick frog", "openmoji", None, None),
    ("winking star", "fluent", None, "night"),
)


def cmd_mashup(args: argparse.Namespace) -> int:
    from emojiml.generate.kitchen import mashup
    from emojiml.generate.kitchen.compose import KitchenInputError, png_bytes

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise KitchenInputError(f"--out must end in .png or .svg, not {out.name!r}.")
    result = mashup(args.a, args.b, style=args.style, palette=args.palette)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".svg":
        out.write_text(result.svg)
    else:
        out.write_bytes(png_bytes(result.image))
    print(f"Wrote :{result.name}: ({result.recipe}) to {out}")
    return 0


def cmd_generate_kitchen(args: argparse.Namespace) -> int:
    from emojiml.generate.kitchen import generate_kitchen
    from emojiml.generate.kitchen.compose import png_bytes
    from emojiml.generate.methods import GenerationRequest

    request = GenerationRequest(
        prompt=args.prompt,
        style=args.style,
        expression=args.expression,
        palette=args.palette,
        group=args.group,
        n=args.n,
        seed=args.seed,
    )
    results = generate_kitchen(request)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for k, result in enumerate(results):
        stem = f"{result.name}-{args.style}-{args.seed}-{k}"
        (out / f"{stem}.png").write_bytes(png_bytes(result.image))
        (out / f"{stem}.svg").write_text(result.svg or "")
        print(f":{result.name}:  {result.recipe}  judge {result.prompt_score:+.3f}  -> {out / stem}.png/.svg")
    return 0


def cmd_kitchen_parts(args: argparse.Namespace) -> int:
    from emojiml.generate.kitchen.sheets import parts_sheet

    sheet, counts = parts_sheet(args.style, start=args.start, count=args.count)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(f"Wrote {args.out}: columns whole | base | eyes | mouth | extras; {counts}")
    return 0


def cmd_kitchen_grid(args: argparse.Namespace) -> int:
    from emojiml.generate.kitchen.sheets import kitchen_grid

    grid, captions = kitchen_grid(GRID_ROWS)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    grid.save(args.out, optimize=True)
    for caption in captions:
        print(caption)
    print(f"Wrote {args.out}")
    return 0


def cmd_evaluate_kitchen(args: argparse.Namespace) -> int:
    from emojiml.generate.kitchen.evaluate import evaluate_kitchen, report_dict, report_table

    report = evaluate_kitchen(
        args.style, limit=args.limit, progress=lambda message: print(message, flush=True), split=args.split
    )
    print(report_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report_dict(report), indent=2))
    return 0


def _extend_generate(commands: argparse._SubParsersAction) -> None:
    """Add the kitchen to the shared ``generate`` command (its model choice and two options)."""
    generate = commands.choices.get("generate")
    if generate is None:
        return
    model = next(action for action in generate._actions if action.dest == "model")
    model.choices = (*model.choices, "kitchen")
    generate.add_argument("--expression", choices=EXPRESSIONS, help="kitchen: the face's emotion")
    generate.add_argument("--palette", help="kitchen: a palette name (pastel, neon, teal...) or a hex colour")
    neural = generate.get_default("func")
    generate.set_defaults(func=lambda args: (cmd_generate_kitchen if args.model == "kitchen" else neural)(args))


def register(commands: argparse._SubParsersAction) -> None:
    """The kitchen's commands (``evaluate kitchen`` joins the shared ``evaluate`` group)."""
    styles = ("noto", "twemoji", "openmoji", "fluent")
    mashup = commands.add_parser("mashup", help="Emoji Kitchen: A's base with B's eyes, mouth and extras")
    mashup.add_argument("a", help="the base: an emoji, :shortcode: or name (🌵)")
    mashup.add_argument("b", help="the face lending its features (😭)")
    mashup.add_argument("--style", default="noto", choices=styles)
    mashup.add_argument("--palette", help="a palette name or a hex colour for the base")
    mashup.add_argument("--out", required=True, help="FILE.png (128x128) or FILE.svg")
    mashup.set_defaults(func=cmd_mashup)

    parts = commands.add_parser("kitchen-parts", help="a sheet of face emoji split into base/eyes/mouth/extras")
    parts.add_argument("--style", default="noto", choices=styles)
    parts.add_argument("--start", type=int, default=0)
    parts.add_argument("--count", type=int, default=40)
    parts.add_argument("--out", required=True)
    parts.set_defaults(func=cmd_kitchen_parts)

    grid = commands.add_parser("kitchen-grid", help="the README grid of 24 kitchen results")
    grid.add_argument("--out", default="docs/generate/kitchen-grid.png")
    grid.set_defaults(func=cmd_kitchen_grid)

    targets = command_group(commands, "evaluate")
    evaluate = targets.add_parser("kitchen", help="sharpness, R-precision, composition, speed and coverage")
    evaluate.add_argument("--style", default="noto", choices=styles)
    evaluate.add_argument("--limit", type=int, help="at most N prompts per figure (a quick check)")
    evaluate.add_argument("--json", help="also write the figures as JSON here")
    evaluate.add_argument(
        "--split",
        default="heldout",
        choices=("heldout", "train"),
        help="name held-out emoji (the reported figures) or a fixed sample of training emoji (to tune on)",
    )
    evaluate.set_defaults(func=cmd_evaluate_kitchen)
    _extend_generate(commands)
