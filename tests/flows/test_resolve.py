"""Selector resolution in real Chromium: first strategy that resolves wins, drift states, SelectorMissing."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext

from connector.errors import ConfigError, SelectorMissing
from connector.selectormap import PageSpec, parse_map

HTML = """<!doctype html><main>
<form aria-label="Sign in"><label for="u">Username</label><input id="u" data-testid="signin-username">
<button type="submit">Sign in</button></form>
<table><tbody><tr class="r"><td>P1</td><td><a href="/a">835</a></td></tr>
<tr class="r"><td>P2</td><td><a href="/b">835</a></td></tr></tbody></table>
<p>Welcome</p><p>Welcome</p></main>"""

MAP = {
    "portal": "test",
    "selectors": {
        "login.username": ["data-testid=gone", "label=Username", "css=#u"],
        "login.submit": ['role=button[name="Sign in"]'],
        "payments.row": {"many": True, "any": ["css=tr.r"]},
        "payments.row_835": ['role=link[name="835"]'],
        "home.welcome": ["text=Welcome"],
        "home.absent": ["css=#nope", "data-testid=nope"],
    },
    "pages": {
        "home": {
            "path": "/",
            "names": ["login.username", "login.submit", "payments.row", "payments.row_835", "home.welcome"],
            "within": {"payments.row_835": "payments.row"},
        }
    },
}


async def test_first_strategy_that_resolves_wins(context: BrowserContext) -> None:
    page = await context.new_page()
    await page.set_content(HTML)
    smap = parse_map(MAP)
    strategy, _, count = await smap.probe(page, "login.username")
    assert str(strategy) == "label=Username" and count == 1
    rows = await smap.find(page, "payments.row")
    assert await rows.count() == 2
    link = await smap.find(rows.nth(1), "payments.row_835")
    assert await link.get_attribute("href") == "/b"
    with pytest.raises(SelectorMissing) as err:
        await smap.find(page, "home.absent", timeout_s=0.3)
    assert err.value.portal == "test" and err.value.name == "home.absent"
    with pytest.raises(SelectorMissing, match="not defined"):
        smap.entry("nowhere.thing")


async def test_drift_report_states(context: BrowserContext) -> None:
    page = await context.new_page()
    await page.set_content(HTML)
    smap = parse_map(MAP)
    spec = smap.pages["home"]
    report = {c.name: c for c in await smap.check_page(page, spec)}
    assert report["login.username"].state == "matched"
    assert report["payments.row"].state == "matched" and report["payments.row"].count == 2
    assert report["payments.row_835"].state == "matched"
    assert report["home.welcome"].state == "several"
    planted = PageSpec("home", "/", ("home.absent",))
    assert [c.state for c in await smap.check_page(page, planted)] == ["none"]


COLUMNS_MAP = {
    "portal": "t",
    "selectors": {
        "p.row": {"many": True, "any": ["css=tbody tr"]},
        "p.amount": ["column=Amount"],
        "p.gone": ["column=Payer"],
    },
}


@pytest.mark.parametrize(
    ("head", "cells"),
    [
        ("<th>No</th><th>Amount</th>", "<th>7</th><td>$5</td>"),
        ("<th>Amount</th><th>No</th>", "<td>$5</td><th>7</th>"),
    ],
)
async def test_column_strategy_follows_moved_columns(context: BrowserContext, head: str, cells: str) -> None:
    smap = parse_map(COLUMNS_MAP)
    page = await context.new_page()
    await page.set_content(f"<table><thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>")
    row = (await smap.find(page, "p.row")).first
    assert await (await smap.find(row, "p.amount")).inner_text() == "$5"
    assert await smap.probe(row, "p.gone") == (None, None, 0)


@pytest.mark.parametrize(
    "bad",
    [
        {"portal": "x", "selectors": {"login.user": ["jquery=input"]}},
        {"portal": "x", "selectors": {"Login": ["css=a"]}},
        {"portal": "x", "selectors": {"login.user": []}},
        {"portal": "x", "selectors": {"login.user": ["role=button name=x"]}},
        {"portal": "x", "selectors": {"a.b": ["css=a"]}, "pages": {"p": {"path": "/", "names": ["c.d"]}}},
        {"selectors": {"a.b": ["css=a"]}},
    ],
)
def test_invalid_maps_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        parse_map(bad)
