"""A viewer signs in with real Chromium after a sandbox cycle, opens every page, sees the report's figures
to the cent, and the console stays clean; each page is kept as a screenshot and checked not blank."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PIL import Image
from playwright.async_api import ConsoleMessage, Page

from tests.web.helpers import ARTIFACTS, VIEWER

PAGES = ("/", "/money", "/worklists", "/reports", "/eligibility", "/fleet")


def summary_rows(report: Path) -> list[list[Any]]:
    book = load_workbook(report, read_only=True)
    return [list(row) for row in book["Summary"].iter_rows(values_only=True)]


def section(rows: list[list[Any]], heading: str) -> list[list[Any]]:
    """The rows under a Summary heading, up to the next blank row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == heading)
    out = []
    for row in rows[start + 1 :]:
        if not row or row[0] in (None, ""):
            break
        out.append(row)
    return out


def as_shown(value: Any, unit: str) -> str:
    """How a billing person expects the figure: $1,234.56, 12.34%, 41.2 days, 150."""
    number = Decimal(str(value)).quantize(Decimal("0.01") if unit in ("money", "percent") else Decimal("0.1"))
    if unit == "money":
        return f"${number:,.2f}" if number >= 0 else f"-${-number:,.2f}"
    if unit == "percent":
        return f"{number:.2f}%"
    if unit == "days":
        return f"{number} days"
    return f"{int(number)}"


def not_blank(path: Path) -> bool:
    """A screenshot with real content: many colours and not one colour over nearly all of it."""
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    total = sum(count for count, _ in colours)
    return len(colours) > 20 and max(count for count, _ in colours) < 0.97 * total


def same_bytes(one: Path, other: Path) -> bool:
    return Path(one).read_bytes() == Path(other).read_bytes()


async def sign_in(page: Page, url: str, name: str, password: str) -> None:
    await page.goto(f"{url}/login")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{url}/")


async def test_viewer_opens_every_page_and_sees_the_reports_figures(dashboard: Any, browser: Any) -> None:
    context = await browser.new_context()
    problems: list[str] = []
    page = await context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        await sign_in(page, dashboard.url, *VIEWER)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        claim_links = []
        for path in PAGES:
            await page.goto(f"{dashboard.url}{path}")
            assert await page.locator("h1").count() == 1
            shot = ARTIFACTS / f"{path.strip('/') or 'today'}.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert not_blank(shot), f"{shot} looks blank"
            if path == "/worklists":
                claim_links = await page.locator("#underpaid a[href^='/claims/']").all()
                href = await claim_links[0].get_attribute("href")
        assert claim_links, "the work lists link no claim"
        await page.goto(f"{dashboard.url}{href}")
        shot = ARTIFACTS / "claim.png"
        await page.screenshot(path=str(shot), full_page=True)
        assert not_blank(shot)
        assert await page.locator("#eras .card").count() >= 1
        assert "Underpaid" in await page.locator("#verdict").inner_text()

        rows = summary_rows(dashboard.report)
        await page.goto(f"{dashboard.url}/money")
        kpis = section(rows, "Key performance indicator")
        assert len(kpis) >= 6
        for name, value, unit, *_ in kpis:
            shown = await page.locator(f'#kpis [data-kpi="{name}"] dd').inner_text()
            assert shown == ("n/a" if value is None else as_shown(value, unit)), name
        stake = {row[0]: row[1] for row in section(rows, "Money at stake")}
        at_stake = await page.locator("#at-stake").inner_text()
        assert as_shown(stake["Total at stake"], "money") in at_stake
        assert as_shown(stake["Underpaid: appeal"], "money") in at_stake
        payers = section(rows, "By payer")
        table = await page.locator("#payers").inner_text()
        for payer, claims, charges, paid, *_ in payers:
            assert f"{payer}\t{claims}\t{as_shown(charges, 'money')}\t{as_shown(paid, 'money')}" in table
        categories = await page.locator("#categories").inner_text()
        assert "Paid as expected" in categories and "ERA not in PM" in categories
        assert await page.locator("svg.chart").count() >= 5

        await page.goto(f"{dashboard.url}/reports")
        async with page.expect_download() as waiting:
            await page.locator("#reports a").first.click()
        download = await waiting.value
        assert download.suggested_filename == dashboard.report.name
        saved = await download.path()
        assert same_bytes(saved, dashboard.report)

        await page.goto(f"{dashboard.url}/eligibility")
        assert await page.locator("#not-set-up").count() == 1
        await page.goto(f"{dashboard.url}/fleet")
        assert "Single machine" in await page.locator("#single-machine").inner_text()
        await page.goto(f"{dashboard.url}/")
        today = await page.locator("main").inner_text()
        assert "What ran today" in today and "reconcile" in today and "Nothing needs a person" in today
        assert await page.locator("form[action='/actions/run']").count() == 0  # a viewer has no admin forms
    finally:
        await context.close()
    assert problems == [], problems


async def test_money_page_prints_on_paper(dashboard: Any, browser: Any) -> None:
    """The printed Money page keeps its charts (print style sheet) and has no navigation or forms."""
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await sign_in(page, dashboard.url, *VIEWER)
        await page.goto(f"{dashboard.url}/money")
        await page.emulate_media(media="print")
        assert await page.locator("header.top nav").is_hidden()
        assert await page.locator("svg.chart").first.is_visible()
        pdf = await page.pdf(format="Letter", landscape=True)
        (ARTIFACTS / "money.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    finally:
        await context.close()
