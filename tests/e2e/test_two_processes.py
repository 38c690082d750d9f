"""Two app processes on one PostgreSQL: what one writes, the other shows (caches follow the workspace revision)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import save_screenshot, serve_app, wait_until_idle
from tests.workspace.conftest import postgres_url  # noqa: F401  (the throw-away PostgreSQL server fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CSV = "user,emoji,timestamp\n" + "".join(f"person{i % 7},🎉,2024-03-0{1 + i % 9}T10:00:00Z\n" for i in range(40))


@pytest.fixture(scope="module")
def two_apps(postgres_url, tmp_path_factory):  # noqa: F811
    env = {"EMOJIML_DATABASE_URL": postgres_url}
    with (
        serve_app(tmp_path_factory.mktemp("process-a"), env) as first,
        serve_app(tmp_path_factory.mktemp("process-b"), env) as second,
    ):
        yield first, second


def test_an_import_through_one_process_is_seen_by_the_other(page, two_apps, tmp_path):
    first, second = two_apps
    export = tmp_path / "team-party.csv"
    export.write_text(CSV)

    page.goto(f"{first}/workspace")
    wait_until_idle(page)
    page.get_by_text("Import an export").click()
    page.locator('input[type="file"]').set_input_files(str(export))
    page.get_by_label("Workspace name").fill("team-party")
    page.get_by_role("button", name="Import").click()
    page.get_by_text("team-party", exact=False).first.wait_for(timeout=60_000)
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0

    page.goto(f"{second}/workspace")
    wait_until_idle(page)
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="team-party").click()
    wait_until_idle(page)
    reactions = page.locator('[data-testid="stMetric"]').filter(has_text="Inline emoji")
    assert reactions.count() == 1
    save_screenshot(page, "two-processes-second-sees-import")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').filter(has_text="40").count() >= 1  # the 40 CSV events
