"""The demo workspace on a fresh start, the Workspace page, the CLI and the import bench."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from emojiml.cli import main
from emojiml.config import settings
from emojiml.workspace import DEMO_WORKSPACE, ensure_demo_workspace
from emojiml.workspace.demo import demo_export_path
from tests.workspace.builders import zip_bytes

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "workspace.py")


def test_demo_ships_with_its_license():
    folder = demo_export_path().parent
    assert demo_export_path().stat().st_size < 200_000
    assert (folder / "LICENSE").read_text().strip() == "MIT"


def test_demo_workspace_loads_once(sqlite_store):
    assert ensure_demo_workspace(sqlite_store) == DEMO_WORKSPACE
    first = sqlite_store.workspace(DEMO_WORKSPACE)
    ensure_demo_workspace(sqlite_store)
    assert sqlite_store.workspace(DEMO_WORKSPACE).revision == first.revision  # not re-imported
    counts = sqlite_store.counts(DEMO_WORKSPACE)
    assert (counts.messages, counts.reactions, counts.reactors) == (1_382, 199, 17)


def test_page_shows_the_demo_workspace_and_filters_by_channel():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.selectbox(key="workspace").value == DEMO_WORKSPACE
    assert at.metric[0].value == "1,382"
    assert len(at.get("plotly_chart")) == 4
    at.selectbox[1].select("general").run()
    assert not at.exception
    assert 0 < int(at.metric[0].value.replace(",", "")) < 1_382


def test_cli_import_and_list(tmp_path, small_export, capsys):
    export = tmp_path / "team-export.zip"
    export.write_bytes(zip_bytes(small_export))
    assert main(["import", str(export), "--workspace", "team"]) == 0
    assert "Workspace 'team' (slack)" in capsys.readouterr().out
    assert main(["import", str(export), "--workspace", "team"]) == 0
    assert ", 0 added;" in capsys.readouterr().out
    assert main(["workspaces"]) == 0
    assert any(line.startswith("team\tslack\t") for line in capsys.readouterr().out.splitlines())


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"not a zip")
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("emojiml: export.zip is not a zip") and "\n" not in err


@pytest.mark.skipif(
    not (settings().data_dir / "slack-exports" / "r-contributors-slack").is_dir(), reason="shared data missing"
)
def test_import_bench_reports_speed():
    from emojiml.bench import run_bench

    figures = run_bench(["import"])["import"]
    assert figures["import_messages"] == 12_564 and figures["reimport_added"] == 0
    assert figures["import_msgs_per_s"] > 0


def test_page_shows_hostile_names_as_text():
    """A display name with a link and Markdown is text on every element of the page, never a link or an image."""
    from emojiml.workspace import import_upload, open_store
    from tests.workspace.builders import slack_day

    hostile = "<a href='http://evil.example'>[Ann](http://evil.example) ![x](http://evil.example/x.png)</a>"
    day = slack_day({"ts": "1500000000.1", "user": "U1", "text": "hi :tada:", "reactions": []})
    users = b'[{"id": "U1", "profile": {"display_name": "%s"}}]' % hostile.encode()
    export = zip_bytes({"general/2017-07-14.json": day, "users.json": users})
    import_upload(export, "x.zip", "hostile", store=open_store())
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="workspace").select("hostile").run()
    assert not at.exception
    heatmap = at.get("plotly_chart")[-1].proto.spec
    assert "&lt;a href=" in heatmap and "<a href=" not in heatmap
    assert not any("](http" in block.value for block in at.markdown)
