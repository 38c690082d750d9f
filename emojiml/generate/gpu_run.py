"""One fixed-budget training run of every image model, for a borrowed GPU (``scripts/train-gpu.sh``).

Why one module with its own small CLI: the GPU machine has torch, numpy, safetensors, Pillow and SciPy but
neither the sentence encoder's weights nor the ``emoji`` package, and it must build nothing at run time. So
this reads a data set built (and packed) here, with the prompt vectors it needs stored beside it, and
imports nothing beyond ``emojiml.generate``. The jobs (GAN, the round-1 GAN recipe as an ablation, VAE,
upscaler, a 64 px judge) run as parallel processes: each is far too small to fill the GPU alone. Each job
saves its checkpoint first and then evaluates it on held-out emoji, so a run cut short still brings
weights back.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

log = logging.getLogger("emojiml.gpu_run")

JOBS = ("upscaler", "judge64", "gan", "gan-plain", "vae")
SHARE = {"upscaler": 0.5, "judge64": 0.3, "gan": 1.0, "gan-plain": 1.0, "vae": 1.0}  # of the budget's minutes
# Warm starts from the shipped VAE (``--jobs``): the recipes that won on the CPU, given a GPU's steps. A long run
# can pass its best weights early (the CPU's VAE-GAN was best at 25,000 images seen), so each keeps an export at
# KEEP_FROM steps and every doubling; they are chosen afterwards on training emoji, on the CPU, not here.
RECIPES = {  # job: (model, batch, Adam lr, first kept step)
    "vaegan": ("gan", 32, 1e-4, 250),  # the shipped GAN's recipe (``train gan --init-from assets/vae``)
    "vaegan-wide": ("gan", 128, 1e-4, 100),  # the same with 4x the batch
    "vae-cont": ("vae", 128, 1e-4, 500),  # the shipped VAE, trained on
}
SHARE.update(dict.fromkeys(RECIPES, 1.0))


def _no_encoder(texts):
    raise RuntimeError("No sentence encoder here: pack the data set with its prompt vectors (pack_dataset).")


def run_job(
    job: str,
    data: Path,
    out: Path,
    minutes: float,
    device: str,
    max_steps: int | None,
    deadline: float | None,
    batch: int = 128,
    start: Path | None = None,
) -> dict:
    """Train one job's model into ``out/job.*`` and, for the image models, evaluate it; return the facts."""
    import torch

    from emojiml.generate.data import load_dataset
    from emojiml.generate.train import TrainConfig

    torch.set_num_threads(3)
    dataset = load_dataset(data)
    facts: dict = {"job": job, "device": device}
    started = time.monotonic()
    if job == "upscaler":
        from emojiml.generate.upscale import train_upscaler

        batch = 64 if device.startswith("cuda") else 8
        facts["train"] = asdict(
            train_upscaler(dataset, out / "upscaler", minutes, batch, device=device, max_steps=max_steps)
        )
        from emojiml.generate.upscale import evaluate_upscaler, load_upscaler

        facts["eval"] = evaluate_upscaler(load_upscaler(out / "upscaler"), dataset)
    elif job in RECIPES:
        facts["train"] = train_recipe(job, data, out, minutes, device, max_steps, start)
        facts["eval"] = "none here: the kept checkpoints are chosen on training emoji afterwards"
    elif job == "judge64":
        from emojiml.generate.judge import train_judge

        facts["train"] = asdict(
            train_judge(dataset, out / "judge64", minutes, 128, max_steps=max_steps, size=64, device=device)
        )
    else:
        model = "vae" if job == "vae" else "gan"
        gpu = device.startswith("cuda")
        config = TrainConfig(model=model, size=64, batch=batch if gpu else 8, device=device, sample_every_s=60.0)
        if job == "gan-plain":  # the first release's recipe at 64 px: no noise inputs, no diversity term
            config = TrainConfig(**{**asdict(config), "noise": False, "ds_weight": 0.0, "rec_final_weight": 1.0})
        facts["train"] = train_into(job, data, out, minutes, config, max_steps)
        for other in ("upscaler", "judge64"):  # trained beside this job on a shorter budget
            if deadline is None or time.time() < deadline:
                wait_for(out / f"{other}.json", 60)
        facts["eval"] = evaluate_model(dataset, out, job, model, deadline)
    facts["wall_minutes"] = round((time.monotonic() - started) / 60, 2)
    (out / f"{job}-facts.json").write_text(json.dumps(facts, indent=2))
    return facts


def train_recipe(
    job: str, data: Path, out: Path, minutes: float, device: str, max_steps: int | None, start: Path | None = None
) -> dict:
    """Train one of :data:`RECIPES` from the shipped VAE (or the VAE export ``start``, e.g. a kept checkpoint of
    an earlier run) into ``out/JOB.*``, its kept exports in ``out/kept-JOB/``."""
    from emojiml.config import settings
    from emojiml.generate.train import TrainConfig

    model, batch, lr, keep_from = RECIPES[job]
    gpu = device.startswith("cuda")
    config = TrainConfig(
        model=model,
        size=64,
        batch=batch if gpu else 8,
        lr=lr,
        device=device,
        sample_every_s=60.0,
        keep_from_step=keep_from if gpu else 1,
    )
    return train_into(job, data, out, minutes, config, max_steps, init_from=start or settings().asset_dir / "vae")


def train_into(
    job: str, data: Path, out: Path, minutes: float, config, max_steps: int | None, init_from: Path | None = None
) -> dict:
    """Train ``config.model`` in ``out/work-JOB`` and move its export to ``out/JOB.*`` (and any kept exports to
    ``out/kept-JOB/``); returns the steps, minutes and batch."""
    from emojiml.generate.train import train

    work = out / f"work-{job}"
    trainer = train(
        config.model,
        data,
        work,
        minutes,
        config=config,
        encode=_no_encoder,
        progress=False,
        max_steps=max_steps,
        init_from=init_from,
    )
    for suffix in (".safetensors", ".json"):
        (work / f"{config.model}{suffix}").replace(out / f"{job}{suffix}")
    if (work / "kept").exists():
        (work / "kept").replace(out / f"kept-{job}")
    return {"steps": trainer.step_count, "minutes": round(trainer.trained_seconds / 60, 2), "batch": config.batch}


def evaluate_model(dataset, out: Path, job: str, kind: str, deadline: float | None = None) -> list[dict]:
    """The held-out figures of ``out/job.*``: finished (with this run's upscaler) and raw, under the shipped
    32 px judge and under this run's 64 px judge when it is there; none started after ``deadline`` (epoch s)."""
    from emojiml.config import settings
    from emojiml.generate.evaluate import evaluate_generation, report_dict
    from emojiml.generate.gan import load_generator
    from emojiml.generate.judge import load_judge
    from emojiml.generate.upscale import load_upscaler
    from emojiml.generate.vae import load_vae

    net = load_generator(out / job) if kind == "gan" else load_vae(out / job)
    upscaler = load_upscaler(out / "upscaler") if (out / "upscaler.json").exists() else None
    judges = {"judge32": load_judge(settings().asset_dir / "judge")}
    if (out / "judge64.json").exists():
        judges["judge64"] = load_judge(out / "judge64")
    rows = []
    for judge_name, judge in judges.items():  # most wanted first: a run near its deadline drops the rest
        for output in ("finished", "raw"):
            if deadline is not None and time.time() > deadline - 45:
                log.warning("%s: no time left for the %s %s evaluation", job, judge_name, output)
                continue
            report = evaluate_generation(job, net, judge, dataset, upscaler=upscaler, raw=output == "raw")
            rows.append({"judge": judge_name, **report_dict(report)})
            log.info(
                "%s %s %s: FID ratio %.2f, diversity %.3f, sharpness %.3f",
                job,
                judge_name,
                report.output,
                report.fid_ratio,
                report.diversity,
                report.sharpness,
            )
    return rows


def write_cards(out: Path, summary: dict) -> None:
    """``RUN_CARD.md``: where and how long each job trained and its held-out figures, for the model cards."""
    from dataclasses import fields

    from emojiml.generate.evaluate import GenerationReport, report_table

    names = {f.name for f in fields(GenerationReport)}
    lines = [
        "# GPU run (`scripts/train-gpu.sh`)",
        "",
        f"Wall time {summary['wall_minutes']} min; exit codes {summary['codes']}.",
        "",
    ]
    for job in summary["codes"]:
        facts = summary.get(job)
        if not facts:
            lines += [f"## {job}: no result", ""]
            continue
        lines += [f"## {job}", "", f"Device {facts['device']}; training: `{json.dumps(facts.get('train'))}`.", ""]
        evals = facts.get("eval")
        if isinstance(evals, list):
            for judge in dict.fromkeys(row["judge"] for row in evals):
                reports = [
                    GenerationReport(**{k: v for k, v in row.items() if k in names})
                    for row in evals
                    if row["judge"] == judge
                ]
                lines += [f"Judge: {judge}", "", report_table(reports), ""]
        elif evals:
            lines += [f"Evaluation: `{json.dumps(evals)}`", ""]
    (out / "RUN_CARD.md").write_text("\n".join(lines))


def wait_for(path: Path, seconds: float) -> None:
    """Wait until ``path`` exists (the upscaler and judge a GAN's evaluation uses), at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a data set folder from build-dataset (or its packed copy)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--minutes", type=float, default=5.5, help="training budget of the GAN and VAE jobs")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--max-steps", type=int, help="stop every job after this many steps (CI)")
    parser.add_argument("--job", choices=(*JOBS, *RECIPES), help="run one job in this process (the parent starts them)")
    parser.add_argument(
        "--jobs", nargs="+", choices=(*JOBS, *RECIPES), default=list(JOBS), help="the jobs to run in parallel"
    )
    parser.add_argument("--deadline", type=float, help="epoch seconds after which no evaluation starts")
    parser.add_argument("--batch", type=int, default=128, help="GAN/VAE batch on a GPU (8 on a CPU)")
    parser.add_argument("--init-from", type=Path, help="the VAE export the recipes start from (default: shipped)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.job:
        minutes = args.minutes * SHARE[args.job]
        job, data, device = args.job, Path(args.data), args.device
        facts = run_job(job, data, out, minutes, device, args.max_steps, args.deadline, args.batch, args.init_from)
        log.info("%s done in %.1f min", args.job, facts["wall_minutes"])
        return 0
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            print("--device cuda but torch sees no CUDA device", file=sys.stderr)
            return 2
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    common = ["--data", args.data, "--out", args.out, "--minutes", str(args.minutes), "--device", args.device]
    if args.max_steps is not None:
        common += ["--max-steps", str(args.max_steps)]
    if args.deadline is not None:
        common += ["--deadline", str(args.deadline)]
    if args.init_from is not None:
        common += ["--init-from", str(args.init_from)]
    started = time.monotonic()
    procs = {
        job: subprocess.Popen([sys.executable, "-m", "emojiml.generate.gpu_run", *common, "--job", job], env=env)
        for job in args.jobs
    }
    codes = {job: proc.wait() for job, proc in procs.items()}
    summary = {"codes": codes, "wall_minutes": round((time.monotonic() - started) / 60, 2)}
    for job in args.jobs:
        facts = out / f"{job}-facts.json"
        summary[job] = json.loads(facts.read_text()) if facts.exists() else None
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    write_cards(out, summary)
    print(json.dumps(codes))
    return 0 if all(code == 0 for code in codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
