"""Load test (``make loadtest``; skipped otherwise): N browser sessions tour the app on two processes, one PostgreSQL.

Each session, in its own Chromium context, imports a small CSV once (the write path), then loops a scripted tour —
Search with a query, Recommend (moving a slider when the page has one), Context with a typed reply, and every other
page in the sidebar — until the time is up. Every step's time to "page ready" (Streamlit idle) is recorded. The test
reports p50/p95 per step, errors (exception boxes, timeouts) and rows lost (events imported through the pages but
not in the database), writes the table to ``artifacts/loadtest.md`` and fails on any error or lost row.

It stops by itself: a fixed wall-clock budget per round (``EMOJIML_LOADTEST_SECONDS``, default 120) and the session
counts in ``EMOJIML_LOADTEST_SESSIONS`` (default ``8,16``); traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from emojiml.workspace.store import WorkspaceStore, events, workspaces
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, serve_app
from tests.workspace.conftest import postgres_url  # noqa: F401  (the throw-away PostgreSQL server fixture)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("EMOJIML_LOADTEST"), reason="the load test runs with `make loadtest`"),
]

EVENTS_PER_IMPORT = 30
STEP_TIMEOUT_S = 120


def _csv(session: int) -> str:
    rows = (f"person{i % 5},👍,2024-0{1 + i % 9}-1{i % 10}T10:00:00Z" for i in range(EVENTS_PER_IMPORT))
    return "user,emoji,timestamp\n" + "\n".join(rows) + "\n"


async def _idle(page, timeout_s: float = STEP_TIMEOUT_S) -> None:
    """Streamlit has rendered and its running indicator stayed gone for a second."""
    await page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=timeout_s * 1000)
    deadline, quiet_since = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        running = await page.locator('[data-testid="stStatusWidget"], [data-testid="stSpinner"]').count()
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("page still running")


class Tour:
    """One browser session's scripted visits, with the time each step took and what went wrong."""

    def __init__(self, browser, url: str, session: int, tmp: Path) -> None:
        self.browser, self.url, self.session, self.tmp = browser, url, session, tmp
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.imported = 0

    async def step(self, name: str, action) -> None:
        started = time.monotonic()
        try:
            await action()
            await _idle(self.page)
            if await self.page.locator('[data-testid="stException"]').count():
                raise RuntimeError("exception box on the page")
        except Exception as error:  # a load test counts every failure instead of stopping at the first
            self.errors.append(f"session {self.session} {name}: {type(error).__name__}: {str(error)[:120]}")
            return
        self.times.setdefault(name, []).append(time.monotonic() - started)

    async def run(self, deadline: float) -> None:
        context = await self.browser.new_context(viewport={"width": 1300, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_S * 1000)  # a step may wait this long before it counts as an error
        self.page = await context.new_page()
        await self.step("import", self._import)
        while time.monotonic() < deadline:
            await self.step("search", self._search)
            await self.step("recommend", self._recommend)
            await self.step("context", self._context)
            for link in await self._other_pages():
                await self.step(link.rsplit("/", 1)[-1] or "home", lambda link=link: self.page.goto(link))
        await context.close()

    async def _import(self) -> None:
        export = self.tmp / f"load-{self.session}.csv"
        export.write_text(_csv(self.session))
        await self.page.goto(f"{self.url}/workspace")
        await _idle(self.page)
        await self.page.get_by_text("Import an export").click()
        await self.page.locator('input[type="file"]').set_input_files(str(export))
        await self.page.get_by_label("Workspace name").fill(f"load-{self.session}")
        await self.page.get_by_role("button", name="Import").click()
        refused = self.page.get_by_text("Nothing was imported")
        await refused.or_(self.page.get_by_text("emoji events read")).first.wait_for(timeout=STEP_TIMEOUT_S * 1000)
        if await refused.count():
            raise RuntimeError(await refused.first.inner_text())
        self.imported = EVENTS_PER_IMPORT

    async def _search(self) -> None:
        await self.page.goto(self.url)
        await _idle(self.page)
        box = self.page.locator('input[aria-label="Search"]')
        await box.fill("party")
        await box.press("Enter")

    async def _recommend(self) -> None:
        await self.page.goto(f"{self.url}/recommend")
        await _idle(self.page)
        sliders = self.page.locator('[role="slider"]')
        if await sliders.count():
            await sliders.first.focus()
            await sliders.first.press("ArrowRight")

    async def _context(self) -> None:
        await self.page.goto(f"{self.url}/context")
        await _idle(self.page)
        reply = self.page.get_by_placeholder("sounds great, see you Friday!")
        if await reply.count():
            await reply.fill("the build is broken again")
            await reply.press("Enter")

    async def _other_pages(self) -> list[str]:
        links = self.page.locator('[data-testid="stSidebarNav"] a')
        hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
        known = ("", "workspace", "recommend", "context", "search")
        return [h for h in hrefs if h and h.rstrip("/") != self.url and h.rstrip("/").rsplit("/", 1)[-1] not in known]


async def _round(urls: list[str], sessions: int, seconds: float, tmp: Path) -> list[Tour]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        tours = [Tour(browser, urls[i % len(urls)], i, tmp) for i in range(sessions)]
        warm = Tour(browser, urls[0], -1, tmp)  # one untimed pass per process loads the models first
        for url in urls:
            warm.url = url
            await warm.step("warm-up", warm._search)
            await warm.step("warm-up", warm._recommend)
            await warm.step("warm-up", warm._context)
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(tour.run(deadline) for tour in tours))
        await browser.close()
    return tours


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def test_sessions_tour_two_processes_without_errors_or_lost_rows(postgres_url, tmp_path_factory):  # noqa: F811
    sizes = [int(n) for n in os.environ.get("EMOJIML_LOADTEST_SESSIONS", "8,16").split(",")]
    seconds = float(os.environ.get("EMOJIML_LOADTEST_SECONDS", "120"))
    env = {"EMOJIML_DATABASE_URL": postgres_url}
    lines = [
        f"Load test, {time.strftime('%Y-%m-%d')}: 2 app processes, one PostgreSQL, {seconds:.0f} s per round, "
        f"{os.cpu_count()} CPU cores shared by the servers and the browsers.",
        "",
        "| sessions | step | visits | p50 s | p95 s |",
        "|---|---|---|---|---|",
    ]
    problems: list[str] = []
    with (
        serve_app(tmp_path_factory.mktemp("load-a"), env) as first,
        serve_app(tmp_path_factory.mktemp("load-b"), env) as second,
    ):
        for sessions in sizes:
            store = WorkspaceStore(postgres_url)
            with store.engine.begin() as connection:  # each round imports into fresh workspaces
                connection.execute(workspaces.delete().where(workspaces.c.name.like("load-%")))
            tours = asyncio.run(_round([first, second], sessions, seconds, tmp_path_factory.mktemp("csv")))
            with store.engine.connect() as connection:
                stored = connection.execute(
                    select(func.count())
                    .select_from(events.join(workspaces, workspaces.c.id == events.c.workspace_id))
                    .where(workspaces.c.name.like("load-%"))
                ).scalar_one()
            expected = sum(tour.imported for tour in tours)
            errors = [error for tour in tours for error in tour.errors]
            steps: dict[str, list[float]] = {}
            for tour in tours:
                for name, times in tour.times.items():
                    steps.setdefault(name, []).extend(times)
            for name, times in sorted(steps.items()):
                lines.append(
                    f"| {sessions} | {name} | {len(times)} | {_percentile(times, 50):.2f} | "
                    f"{_percentile(times, 95):.2f} |"
                )
            lines.append(f"| {sessions} | **errors** · **rows lost** | {len(errors)} · {expected - stored} | | |")
            if expected != stored:
                problems.append(f"{expected - stored} rows lost with {sessions} sessions")
            problems += errors
    report = REPO / "artifacts" / "loadtest.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join([*lines, "", *problems[:20]]) + "\n")
    print("\n".join(lines))
    assert not problems, "\n".join(problems[:20])
