import json
from pathlib import Path

import pytest

from emojiml.cli import main


def test_search_prints_one_emoji_tab_name_line_per_result(capsys):
    assert main(["search", "luck", "--top", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    assert all(len(line.split("\t")) == 2 for line in lines)
    assert "🍀\tfour leaf clover" in lines


def test_search_of_an_emoji_lists_it_first(capsys):
    main(["search", "🔥", "--top", "3"])
    assert capsys.readouterr().out.splitlines()[0] == "🔥\tfire"


def test_empty_search_prompts_on_stderr_and_exits_2(capsys):
    assert main(["search", "  "]) == 2
    assert "Type a word" in capsys.readouterr().err


def test_build_catalog_without_npm_data_is_a_clear_error(tmp_path, capsys):
    assert main(["build-catalog", "--npm-dir", str(tmp_path)]) == 2
    assert "make catalog" in capsys.readouterr().err


def test_bench_rejects_unknown_sections(capsys):
    assert main(["bench", "--only", "nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err


def test_bench_search_prints_latency_json(capsys):
    assert main(["bench", "--only", "search"]) == 0
    figures = json.loads(capsys.readouterr().out)["search"]
    assert figures["search_queries"] == 200
    assert 0 < figures["search_p50_ms"] <= figures["search_p95_ms"]


def test_bench_generate_reports_native_and_128px_rates(capsys):
    assert main(["bench", "--only", "generate"]) == 0
    results = json.loads(capsys.readouterr().out)
    figures = results["generate"]
    assert figures["gan_native_px"] == 64
    assert figures["gan_images_per_s_batch64"] > figures["gan_128px_images_per_s_batch64"] > 0  # upscaling costs
    assert figures["upscale_step"] in ("learned upscaler", "lanczos")
    assert 0 < figures["vae_interpolation_16_frames_s"] < 5
    assert results["machine"]["encoder_precision"] in ("bf16", "fp32")


@pytest.mark.parametrize("argv", [[], ["no-such-command"]])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def _fake_training(monkeypatch) -> dict:
    """Replace the generators' training with one that records what the CLI passed and writes empty weights."""
    import emojiml.generate.train as training

    seen: dict = {}

    def fake_train(kind, data, work, minutes, resume, config, init_from=None):
        seen.update(config=config, init_from=init_from)
        for suffix in (".safetensors", ".json"):
            (work / f"{kind}{suffix}").parent.mkdir(parents=True, exist_ok=True)
            (work / f"{kind}{suffix}").write_text("{}")
        return type("Trainer", (), {"trained_seconds": 60.0, "step_count": 3})()

    monkeypatch.setattr(training, "train", fake_train)
    return seen


def test_train_judge_passes_its_step_budget_and_name_weight(tmp_path, monkeypatch):
    import emojiml.generate.data as data
    import emojiml.generate.judge as judge

    seen: dict = {}
    monkeypatch.setattr(data, "load_dataset", lambda root: "dataset")
    monkeypatch.setattr(judge, "train_judge", lambda dataset, out, **kwargs: seen.update(kwargs))
    assert main(["train", "judge", "--steps", "500", "--name-weight", "0", "--out", str(tmp_path)]) == 0
    assert seen["max_steps"] == 500 and seen["name_weight"] == 0
    assert main(["train", "judge", "--out", str(tmp_path)]) == 0
    assert seen["max_steps"] is None and seen["name_weight"] > 0 and seen["ema"] > 0  # the shipped member's recipe


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--steps", "0"], "--steps must be 1 or more"),
        (["--name-weight", "-1"], "0 or more"),
        (["--ema", "1"], "--ema must be in [0, 1)"),
        (["--join", "emojiml/assets/judge", "--validation"], "for choosing settings"),
    ],
)
def test_bad_judge_budgets_are_clear_errors(flags, message, capsys):
    assert main(["train", "judge", *flags]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("flags", "expected"), [([], 0.02), (["--kl-weight", "0.002"], 0.002)])
def test_train_vae_passes_the_kl_weight_to_training(flags, expected, tmp_path, monkeypatch, capsys):
    seen = _fake_training(monkeypatch)
    args = ["train", "vae", "--minutes", "1", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "o")]
    assert main(args + flags) == 0
    assert seen["config"].kl_weight == expected
    assert "Trained vae for 3 steps" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["gan", "judge"])
def test_kl_weight_for_a_model_without_one_is_a_clear_error(kind, capsys):
    assert main(["train", kind, "--minutes", "1", "--kl-weight", "0.1"]) == 2
    assert "--kl-weight is the VAE's KL weight" in capsys.readouterr().err


def test_a_negative_kl_weight_is_a_clear_error(capsys):
    assert main(["train", "vae", "--minutes", "1", "--kl-weight", "-0.5"]) == 2
    assert "--kl-weight must be 0 or more" in capsys.readouterr().err


def test_train_init_from_and_lr_reach_training(tmp_path, monkeypatch):
    seen = _fake_training(monkeypatch)
    args = ["train", "vae", "--minutes", "1", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "o")]
    assert main([*args, "--init-from", "emojiml/assets/vae.safetensors", "--lr", "6e-5", "--temperature", "1.3"]) == 0
    assert seen["init_from"] == Path("emojiml/assets/vae") and seen["config"].lr == 6e-5
    assert seen["config"].temperature == 1.3
    assert main([*args, "--text-noise", "0.4"]) == 0 and seen["config"].text_noise == 0.4
    assert main(["train", "gan", *args[2:], "--temperature", "0.8"]) == 0 and seen["config"].temperature == 0.8


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "vae", "--init-from", "x", "--resume"], "pick one"),
        (["train", "judge", "--init-from", "x"], "always trains from scratch"),
        (["train", "vae", "--lr", "0"], "--lr must be above 0"),
        (["train", "judge", "--temperature", "1.3"], "--temperature is the GAN's or VAE's"),
        (["train", "vae", "--temperature", "0"], "--temperature is the GAN's or VAE's"),
        (["train", "vae", "--text-noise", "-0.1"], "--text-noise must be 0 or more"),
        (["evaluate", "generation", "--split", "train", "--cards"], "--cards writes the held-out figures"),
        (["evaluate", "generation", "--cards", "--temperature", "1.2"], "--cards writes the shipped models'"),
        (["evaluate", "generation", "--temperature", "0"], "--temperature must be above 0"),
        (["evaluate", "generation", "--checkpoint", "emojiml/assets/judge"], "not a GAN or VAE export"),
    ],
)
def test_contradictory_training_and_evaluation_flags_are_clear_errors(argv, message, capsys):
    assert main([*argv, *(["--minutes", "1"] if argv[0] == "train" else [])]) == 2
    assert message in capsys.readouterr().err


def test_steady_rate_reports_the_first_pass_and_the_median_of_the_rest(monkeypatch):
    from emojiml import bench

    clock = iter([0.0, 2.0, 10.0, 11.0, 20.0, 20.5, 30.0, 30.25])  # passes of 2, 1, 0.5 and 0.25 s
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock))
    calls = []
    assert bench._steady_rate(lambda: calls.append(1), n_items=100) == (50.0, 200.0)
    assert len(calls) == 4


def test_every_family_registers_its_commands():
    """The split CLI offers every command and every train/evaluate target (a family left out of
    ``cli.FAMILIES`` would silently drop its commands)."""
    import argparse

    from emojiml.cli import build_parser

    def choices(parser: argparse.ArgumentParser) -> dict:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return action.choices

    commands = choices(build_parser())
    assert set(commands) == {
        "build-catalog", "search", "index", "evaluate", "bench", "import", "workspaces", "train", "suggest",
        "analyze", "build-dataset", "generate", "generate-grid", "interpolate", "export-feedback", "mashup",
        "kitchen-parts", "kitchen-grid", "users", "delete-workspace", "report",
    }  # fmt: skip
    assert set(choices(commands["train"])) == {"content", "emotion", "act", "sentiment", "gan", "vae", "judge"}
    assert set(choices(commands["evaluate"])) == {
        "search", "emoji-prediction", "recommender", "context", "generation", "kitchen", "feedback",
    }  # fmt: skip
    assert commands["generate"].get_default("func").__name__ == "<lambda>"  # the kitchen routes --model kitchen


def test_evaluate_generation_scores_a_kept_checkpoint_at_the_temperature_asked(monkeypatch):
    """How a GPU run's kept exports are chosen: through the CLI, on training emoji, at several temperatures."""
    import emojiml.generate.data as data
    import emojiml.generate.evaluate as evaluate
    from emojiml import models
    from emojiml.generate.gan import load_generator

    seen = []

    def fake_evaluate(name, net, judge, dataset, upscaler=None, raw=False, split="holdout"):
        seen.append((name, net, split))
        return name

    monkeypatch.setattr(evaluate, "evaluate_generation", fake_evaluate)
    monkeypatch.setattr(evaluate, "report_table", lambda reports: "table")
    monkeypatch.setattr(data, "load_dataset", lambda path: None)
    monkeypatch.setattr(models, "evaluation_judge", lambda: None)
    monkeypatch.setattr(models, "upscaler", lambda: None)
    argv = ["evaluate", "generation", "--split", "train", "--checkpoint", "emojiml/assets/gan.json"]
    assert main([*argv, "--temperature", "1.4"]) == 0
    name, net, split = seen[-1]
    assert (name, split, net.config.temperature) == ("gan", "train", 1.4)
    shipped = load_generator(Path("emojiml/assets/gan"))
    assert shipped.config.temperature != 1.4 and net.config.size == shipped.config.size
    assert main(["evaluate", "generation", "--models", "vae", "--temperature", "2.5"]) == 0
    assert seen[-1][0] == "vae" and seen[-1][1].config.temperature == 2.5
    assert models.vae_model().config.temperature != 2.5  # the cached shipped model is left as it was
