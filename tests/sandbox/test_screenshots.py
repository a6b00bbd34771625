"""Real Chromium (Playwright async API) signs in and renders every page; screenshots are non-trivial."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from connector.sandbox.server import SandboxServer
from tests.conftest import skip_or_fail
from tests.sandbox.helpers import batch_837

ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("CONNECTOR_BROWSER__EXECUTABLE", "/usr/bin/chromium")
    if not Path(path).exists():
        skip_or_fail(f"Chromium not found at {path}")
    return path


def _non_trivial(shot: Path) -> None:
    assert shot.stat().st_size > 8_000, shot.name
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, shot.name


async def test_every_page_renders_in_chromium(sandbox_fresh: SandboxServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    executable = _chromium()
    sandbox_fresh.set_fault("announcement", 0)
    upload = tmp_path / "claims.837"
    upload.write_bytes(batch_837(sandbox_fresh.data, sandbox_fresh.data.claims[:3], control=41))
    shots: list[Path] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()

            async def shoot(name: str) -> None:
                path = tmp_path / f"{name}.png"
                await page.screenshot(path=str(path), full_page=True)
                shots.append(path)

            base = sandbox_fresh.base_url
            await page.goto(f"{base}/signin")
            await page.get_by_label("Username").fill(sandbox_fresh.username)
            await page.get_by_label("Password").fill(sandbox_fresh.password)
            await shoot("signin")
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_label("One-time code").fill(sandbox_fresh.totp_now())
            await shoot("totp")
            await page.get_by_role("button", name="Verify").click()
            await page.get_by_role("heading", name="Dashboard").wait_for()
            await shoot("dashboard")
            await page.get_by_role("link", name="Payments").click()
            await page.get_by_role("link", name="Next").wait_for()
            await shoot("payments")
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Download 835 for payment").first.click()
            assert (await (await download_info.value).path()).read_bytes().startswith(b"ISA")
            await page.get_by_role("link", name="Claim status").click()
            await page.get_by_label("Claim number").fill(sandbox_fresh.data.claims[0].claim_id)
            await page.get_by_role("button", name="Search").click()
            await page.get_by_role("table").wait_for()
            await shoot("claim-status")
            await page.get_by_role("link", name="Claim batches").click()
            await page.get_by_label("Claim file (837)").set_input_files(str(upload))
            await page.get_by_role("button", name="Upload").click()
            await page.get_by_test_id("batch-id").wait_for()
            await shoot("batches")
            await page.get_by_role("link", name="Responses").click()
            await page.get_by_role("link", name="Download 277CA for batch").wait_for()
            await shoot("responses")
            await page.goto(f"{base}/status")
            await shoot("status")
            sandbox_fresh.set_variant("v2")
            await page.goto(f"{base}/payments")
            await page.get_by_role("button", name="Search").wait_for()
            await shoot("payments-v2")
        finally:
            await browser.close()
    assert len(shots) == 9
    for shot in shots:
        _non_trivial(shot)


@pytest.mark.parametrize("path", ["/signin", "/status"])
def test_public_pages_answer(sandbox_fresh: SandboxServer, path: str) -> None:
    import httpx

    assert httpx.get(sandbox_fresh.base_url + path).status_code == 200
