"""``scripts/train-gpu.sh`` end to end on the CPU with one step per job: the GPU run's code path, with the
modules a GPU machine lacks (the ``emoji`` package, the sentence encoder, spaCy) made unimportable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emojiml.generate.data import pack_dataset

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train-gpu.sh"


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_train_gpu_script_trains_evaluates_and_writes_loadable_checkpoints(tiny_dataset, tmp_path):
    from emojiml.generate.gan import load_generator
    from emojiml.generate.upscale import load_upscaler
    from emojiml.generate.vae import load_vae

    packed = pack_dataset(tiny_dataset.root, tmp_path / "data", hires_limit=40)
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules.update(dict.fromkeys(['emoji', 'sentence_transformers', 'spacy']))\n"
    )
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(blocker), "OMP_NUM_THREADS": "1"}
    out = tmp_path / "run"
    done = subprocess.run(
        # one step per job (MAX_STEPS 1); MINUTES 1 only sets the evaluation deadline (3 min), which 0.05 made
        # so tight that a loaded machine skipped evaluations
        ["bash", str(SCRIPT), str(packed), str(out), "1", "cpu", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["codes"].values()) == {0}
    assert load_generator(out / "gan").config.noise and not load_generator(out / "gan-plain").config.noise
    assert load_vae(out / "vae").config.size == 64 and load_upscaler(out / "upscaler").config.scale == 2
    outputs = {row["output"] for row in summary["gan"]["eval"]}
    assert outputs == {"finished (upscaler) 128 px", "raw 64 px"}
    assert {"judge32", "judge64"} == {row["judge"] for row in summary["vae"]["eval"]}
    card = (out / "RUN_CARD.md").read_text()
    assert all(f"## {job}" in card for job in ("gan", "gan-plain", "vae", "upscaler", "judge64"))


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_warm_start_recipes_keep_their_checkpoints_for_choosing_afterwards(tiny_dataset, tmp_path, monkeypatch):
    """The recipes start from the shipped VAE, whose styles and groups the tiny data set lacks: a copy of it
    trained for one step on that data set stands in for it (``settings().asset_dir`` points there)."""
    from emojiml.config import settings
    from emojiml.generate import gpu_run
    from emojiml.generate.gan import load_generator
    from emojiml.generate.train import TrainConfig, train

    assets = tmp_path / "assets"
    train("vae", tiny_dataset.root, tmp_path / "start", 10, config=TrainConfig(model="vae", batch=8), max_steps=1)
    assets.mkdir()
    for suffix in (".safetensors", ".json"):
        (tmp_path / "start" / f"vae{suffix}").replace(assets / f"vae{suffix}")
    monkeypatch.setenv("EMOJIML_ASSETS", str(assets))
    settings.cache_clear()
    try:
        facts = gpu_run.run_job("vaegan", tiny_dataset.root, tmp_path / "run", 10, "cpu", 2, None)
    finally:
        settings.cache_clear()
    kept = sorted(p.name for p in (tmp_path / "run" / "kept-vaegan").glob("*.json"))
    assert kept == ["gan-000001.json", "gan-000002.json"]  # on a CPU every doubling from step 1
    assert facts["train"]["steps"] == 2
    assert load_generator(tmp_path / "run" / "vaegan").meta["initialised_from"]["path"] == "vae"
