"""The Studio pages in headless Chromium: type a prompt, press Generate, see the emoji, download a PNG and a GIF
within Slack's and Discord's limits (128x128, at most 128 KB)."""

from __future__ import annotations

import time

import pytest
from PIL import Image

from tests.e2e.conftest import save_screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
LIMIT = 128 * 1024


def test_type_a_prompt_generate_and_download_a_png(page, app_url, tmp_path):
    page.goto(f"{app_url}/generate")
    wait_until_idle(page, 300)
    box = page.locator('input[aria-label="Prompt"]')
    box.fill("taco cat")
    box.press("Enter")
    wait_until_idle(page)
    tiles = page.locator('[data-testid="stImage"] img')
    before = tiles.count()
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text(":taco_cat_8:").wait_for(timeout=300_000)  # the first run loads the models
    wait_until_idle(page)
    assert tiles.count() >= before + 8
    assert page.get_by_text("nearest real:").count() >= 8
    assert page.locator('[data-testid="stException"]').count() == 0
    save_screenshot(page, "generate-taco-cat")

    box.fill("sleepy moon")  # warm: models and references are cached now
    box.press("Enter")
    wait_until_idle(page)
    started = time.perf_counter()
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text(":sleepy_moon_8:").wait_for(timeout=60_000)
    print(f"warm Generate of 8 emoji, click to the 8th tile, in the browser: {time.perf_counter() - started:.2f} s")
    wait_until_idle(page)

    pick = page.locator('input[aria-label="Emoji"]').input_value()
    assert pick == ":sleepy_moon:", "the add form picks the new batch's first, not the old one's (was :taco_cat:)"
    page.get_by_text(":sleepy_moon_5:").scroll_into_view_if_needed()
    save_screenshot(page, "generate-grid")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="PNG").first.click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "sleepy_moon.png"
    assert path.stat().st_size <= LIMIT
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (128, 128) and image.mode == "RGBA"


def test_interpolate_and_download_a_16_frame_gif(page, app_url, tmp_path):
    page.goto(f"{app_url}/interpolate")
    wait_until_idle(page, 300)
    page.get_by_text("12 frames, ping-pong loop").wait_for(timeout=300_000)
    slider = page.locator('input[type="range"][aria-label="Steps"]')
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    page.get_by_text("16 frames, ping-pong loop").wait_for(timeout=120_000)
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    chart = page.locator('[data-testid="stPlotlyChart"]')
    chart.scroll_into_view_if_needed()
    assert chart.count() == 1, "the latent map is drawn"
    save_screenshot(page, "interpolate-16-frames")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download GIF").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename.endswith(".gif")
    assert path.stat().st_size <= LIMIT
    with Image.open(path) as image:
        assert image.format == "GIF" and image.size == (128, 128)
        assert image.n_frames == 30  # 16 frames there and 14 back: a seamless loop


def test_interpolate_same_a_and_b_shows_a_message(page, app_url):
    page.goto(f"{app_url}/interpolate")
    wait_until_idle(page, 300)
    box = page.locator('input[aria-label="B: search"]')
    box.fill("grinning")
    box.press("Enter")
    page.get_by_text("A and B are the same emoji").wait_for(timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    save_screenshot(page, "interpolate-same-a-and-b")
