"""``emojiml suggest`` / ``evaluate`` end to end through ``cli.main`` (content model + demo workspace)."""

import json

import pytest

from emojiml.cli import main


@pytest.fixture(scope="module")
def demo_workspace():
    from emojiml.workspace import ensure_demo_workspace

    return ensure_demo_workspace()


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_suggest_tsv_one_line_per_input_line(tmp_path, capsys):
    messages = write(tmp_path, "in.txt", ["happy birthday!!", "", "pizza tonight?"])
    assert main(["suggest", "--input", messages, "--top", "3"]) == 0
    lines = capsys.readouterr().out.split("\n")[:-1]
    assert len(lines) == 3 and len(lines[0].split("\t")) == 3 and lines[1] == ""
    assert "🍕" in lines[2].split("\t")


def test_candidates_match_without_fe0f_and_print_as_written(tmp_path, capsys):
    messages = write(tmp_path, "in.txt", ["I love you so much", "so hot today"])
    candidates = write(tmp_path, "cands.txt", ["❤", "🔥", "☀️"])  # ❤ without U+FE0F, ☀️ with it
    assert main(["suggest", "--input", messages, "--candidates", candidates, "--top", "3"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert all(set(row) == {"❤", "🔥", "☀️"} for row in rows)
    assert rows[0][0] == "❤"


def test_non_emoji_candidates_are_named_in_the_error(tmp_path, capsys):
    messages = write(tmp_path, "in.txt", ["hi"])
    candidates = write(tmp_path, "cands.txt", ["👍", "thumbs", "abc"])
    assert main(["suggest", "--input", messages, "--candidates", candidates]) == 2
    error = capsys.readouterr().err
    assert "'thumbs'" in error and "'abc'" in error and error[-1] == "\n" and error.count("\n") == 1


def test_suggest_jsonl_with_workspace_user_and_weights(tmp_path, capsys, demo_workspace):
    messages = write(tmp_path, "in.txt", ["nice chart!", ""])
    args = ["suggest", "--input", messages, "--workspace", demo_workspace, "--format", "jsonl"]
    assert main([*args, "--user", "javier", "--weights", "collaborative=0.5,content=0.3,popularity=0.2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and len(rows[0]["suggestions"]) == 3
    first = rows[0]["suggestions"][0]
    assert sum(first["contributions"].values()) == pytest.approx(first["score"], abs=1e-3)
    assert rows[1]["notices"]  # empty message: no content source


def test_suggest_rejects_bad_weights_and_unknown_people_get_a_note(tmp_path, capsys, demo_workspace):
    messages = write(tmp_path, "in.txt", ["hello"])
    base = ["suggest", "--input", messages, "--workspace", demo_workspace]
    assert main([*base, "--weights", "collaborative=0,content=0,popularity=0"]) == 2
    assert "All weights are 0" in capsys.readouterr().err
    assert main([*base, "--user", "nobody-here"]) == 0
    assert "nobody-here" in capsys.readouterr().err
    assert main(["suggest", "--input", messages, "--user", "x"]) == 2


def test_evaluate_recommender_json_on_the_demo_workspace(capsys, demo_workspace):
    assert main(["evaluate", "recommender", "--workspace", demo_workspace, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    methods = {row["method"] for row in report["methods"]}
    assert {"popularity", "trending", "nmf", "als", "bpr", "content", "hybrid (auto)", "hybrid (best mix)"} <= methods
    assert {"message neighbours", "reaction model"} <= methods
    assert len(report["sweep"]) == 126 and set(report["best_mix"]) == {"any", "new"}  # 5 sources, step 0.2
    assert sum(report["auto_mix"].values()) == pytest.approx(1.0)


def test_an_empty_candidates_file_is_a_clear_error(tmp_path, capsys):
    messages = write(tmp_path, "in.txt", ["hi"])
    candidates = write(tmp_path, "cands.txt", ["", "   "])
    assert main(["suggest", "--input", messages, "--candidates", candidates]) == 2
    error = capsys.readouterr().err
    assert "no emoji" in error and error.count("\n") == 1


def test_evaluate_recommender_unknown_workspace_is_one_line(capsys):
    assert main(["evaluate", "recommender", "--workspace", "no-such-workspace"]) == 2
    assert "no-such-workspace" in capsys.readouterr().err
