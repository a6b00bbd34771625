"""Selector maps define every flow name; the offline check passes on recordings and fails on drift."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.browser import BrowserSession
from connector.cli import app
from connector.jobs.drift import check_offline
from connector.resources import data_dir
from connector.selectormap import available_maps, load_map
from flows import all_names, names_for

RECORDED = ("sandbox-v1", "sandbox-v2")


def test_maps_are_data_only_and_complete() -> None:
    folder = data_dir("selectors")
    assert not (folder / "__init__.py").exists()
    assert set(RECORDED) | {"optum-pay"} <= set(available_maps())
    for name in available_maps():
        smap = load_map(name)
        assert smap.missing(names_for(smap)) == [], name
    assert load_map("sandbox-v1").missing(all_names()) == []
    assert load_map("optum-pay").verified is False
    assert all(load_map(n).verified for n in RECORDED)


@pytest.mark.parametrize("portal", [*RECORDED, "optum-pay"])
def test_offline_check_passes_on_committed_recordings(portal: str) -> None:
    folder = data_dir("recordings") / portal
    result = CliRunner().invoke(app, ["selectors", "check", "--offline", str(folder)])
    assert result.exit_code == 0, result.output
    assert "not recorded" in result.output  # batch_result needs an upload; covered by the flow tests
    assert "none" not in result.output.split("not recorded")[0]


def _plant_drift(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest)
    page = dest / "payments.html"
    html = page.read_text()
    html = re.sub(r'data-testid="[^"]*download-835[^"]*"', "", html)
    html = html.replace("/835", "/x12").replace(">835<", ">ERA<")
    page.write_text(html)


async def test_offline_check_fails_on_planted_drift(tmp_path: Path) -> None:
    planted = tmp_path / "sandbox-v1"
    _plant_drift(data_dir("recordings") / "sandbox-v1", planted)
    async with BrowserSession() as browser:
        reports = await check_offline(load_map("sandbox-v1"), planted, browser)
    misses = [(r.page, c.name, c.state) for r in reports for c in r.misses]
    assert misses == [("payments", "payments.row_835", "none")]


def test_offline_check_command_exits_1_on_drift(tmp_path: Path) -> None:
    planted = tmp_path / "sandbox-v1"
    _plant_drift(data_dir("recordings") / "sandbox-v1", planted)
    result = CliRunner().invoke(app, ["selectors", "check", "--offline", str(planted), "--map", "sandbox-v1"])
    assert result.exit_code == 1, result.output
    assert "payments.row_835" in result.output and "1 selector(s) missing" in result.output


async def test_v1_map_reads_v2_pages_by_visible_labels() -> None:
    async with BrowserSession() as browser:
        reports = await check_offline(load_map("sandbox-v1"), data_dir("recordings") / "sandbox-v2", browser)
    by_name = {c.name: c for r in reports for c in r.checks}
    assert [c for r in reports for c in r.misses] == []  # renamed testids, moved columns: labels still hold
    assert by_name["login.username"].strategy == "label=Username"
    assert by_name["payments.search"].strategy == 'role=button[name="Search"]'
    assert by_name["payments.row_payer"].strategy == "column=Payer"
