"""The streamed path equals the held one: reconcile() handing each claim's rows to a sink (the workbook's
spools, the store) writes the same report, the same store rows and the same totals as the rows held in lists.

Also the per-claim line matching against the whole-file matcher it replaced (kept here as the yardstick), on
random lines whose ids repeat across claims, and a check that the comparison catches one wrong streamed row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector.jobs.reconcile import claim_result, line_result, result_rows
from connector.reconcile import ClaimRow, LineRow, ReconciliationResult, read_bank_csv
from connector.reconcile.engine import handed_over
from connector.reconcile.lines import LineKey, match_lines
from connector.reconcile.snapshot import kpi_rows, snapshot
from connector.reconcile.summary import kpis
from connector.reconcile.totals import Totals, payer_key, recent_by_id
from connector.report import ReportWriter, write_report
from tests.reconcile.book import reconcile
from tests.reconcile.test_streaming import _cells


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Sandbox ERAs (some read twice), its PM export, bank deposits."""
    from connector.pm.reader import read_export
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import read_835

    data = generate(seed=23, payments=160)
    folder = tmp_path_factory.mktemp("sink")
    paths = exports.write_exports(data, folder)
    remittances = [r for p in data.payments for r in read_835(era.era_bytes(data, p))]
    for index in range(0, len(remittances), 3):  # a second payer
        remit = remittances[index]
        remittances[index] = dataclasses.replace(remit, payer=dataclasses.replace(remit.payer, name="AETNA"))
    remittances += remittances[:3]  # read twice: counted once
    return {
        "remittances": remittances,
        "claims": read_export(paths.pm_csv, "generic").claims,
        "deposits": read_bank_csv(paths.bank_csv.read_text()),
        "as_of": data.as_of,
    }


def _run(inputs: dict[str, Any], sink: Any = None) -> ReconciliationResult:
    return reconcile(list(inputs["remittances"]), list(inputs["claims"]), as_of=inputs["as_of"],
                     deposits=inputs["deposits"], inputs={"PM export": "pm.csv"}, sink=sink)  # fmt: skip


def test_the_sink_gets_every_row_in_report_order(inputs: dict[str, Any]) -> None:
    held = _run(inputs)
    got: list[tuple[ClaimRow, list[LineRow]]] = []
    streamed = _run(inputs, lambda claim, lines: got.append((claim, list(lines))))
    assert streamed.claims == [] and streamed.lines == []
    assert [claim for claim, _lines in got] == held.claims
    assert [line for _claim, lines in got for line in lines] == held.lines
    assert any(c.flags for c in held.claims) and any(c.category == "missing_era" for c in held.claims)
    assert held.provider_adjustments and any(p.claim_id for p in held.provider_adjustments)
    # everything else: PLB rows, denials, tie-out, KPIs, aging, deposits, findings
    assert streamed == dataclasses.replace(held, claims=[], lines=[])


def test_running_totals_equal_the_totals_of_the_held_rows(inputs: dict[str, Any]) -> None:
    held = _run(inputs)
    streamed = _run(inputs, lambda claim, lines: None)
    assert streamed.totals is not None
    again = Totals.of(held.claims, held.lines, recent_by_id(inputs["claims"], inputs["as_of"]))
    assert streamed.category_counts() == dataclasses.replace(held, totals=None).category_counts()
    assert streamed.totals.payer_table() == again.payer_table()
    assert streamed.totals.denial_groups() == again.denial_groups() == held.denials
    assert streamed.totals.aging == again.aging == held.aging
    # the snapshot from running totals = the snapshot of the rows held, per-payer KPIs from the PM claims
    by_hand = dataclasses.replace(held, totals=None)
    assert snapshot(streamed) == snapshot(by_hand, inputs["claims"])
    payers = snapshot(streamed)["payers"]
    assert len(payers) == 2
    for payer in payers:  # the per-payer KPIs as the snapshot computed them from the held rows
        mine = [c for c in held.claims if payer_key(c.payer) == payer_key(payer["payer"])]
        ids = {c.claim_id for c in mine}
        pm = [c for c in inputs["claims"] if c.claim_id in ids]
        assert payer["kpis"] == kpi_rows(kpis(dataclasses.replace(held, claims=mine), pm, None))


def test_streamed_workbook_equals_the_workbook_of_the_held_rows(
    inputs: dict[str, Any], tmp_path: Path
) -> None:
    held = _run(inputs)
    writer = ReportWriter()
    streamed = _run(inputs, writer.add)
    extra = {"Scrub exceptions": [{"claim_id": "C1", "rule": "R1"}]}
    ours = _cells(writer.save(streamed, tmp_path / "streamed.xlsx", extra=extra))
    theirs = _cells(write_report(held, tmp_path / "held.xlsx", extra=extra))
    assert ours["sheets"] == theirs["sheets"]
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert len(ours["Claims"]) == len(held.claims) + 1 and len(ours["Denials"]) > 10


def test_a_wrong_streamed_row_is_caught(inputs: dict[str, Any], tmp_path: Path) -> None:
    """The comparison above fails when one line row is streamed with a wrong amount."""
    held = _run(inputs)
    writer = ReportWriter()
    spoiled = False

    def sink(claim: ClaimRow, lines: list[LineRow]) -> None:
        nonlocal spoiled
        if not spoiled and lines:
            lines = [dataclasses.replace(lines[0], paid=lines[0].paid + Decimal("0.01")), *lines[1:]]
            spoiled = True
        writer.add(claim, lines)

    streamed = _run(inputs, sink)
    ours = _cells(writer.save(streamed, tmp_path / "spoiled.xlsx"))
    theirs = _cells(write_report(held, tmp_path / "held.xlsx"))
    assert ours["Claims"] == theirs["Claims"] and ours["Lines"] != theirs["Lines"]


def test_streamed_store_rows_equal_the_held_result_rows(inputs: dict[str, Any]) -> None:
    """Claim by claim (a claim's row, then its lines'): the same rows as claims-then-lines, and per claim
    number in the same order (the dashboard reads them by claim number, in id order)."""
    held = list(result_rows(_run(inputs)))
    streamed: list[dict[str, Any]] = []

    def sink(claim: ClaimRow, lines: list[LineRow]) -> None:
        streamed.append(claim_result(claim))
        streamed.extend(line_result(line) for line in lines)

    _run(inputs, sink)
    assert sorted(map(repr, streamed)) == sorted(map(repr, held))
    for number in {row["claim_number"] for row in held}:
        assert [r for r in streamed if r["claim_number"] == number] == [
            r for r in held if r["claim_number"] == number
        ]


def test_handed_over_lists_are_emptied(inputs: dict[str, Any]) -> None:
    eras, claims = list(inputs["remittances"]), list(inputs["claims"])
    result = reconcile(handed_over(eras), handed_over(claims), as_of=inputs["as_of"])
    assert eras == [] and claims == [] and result.totals is not None and result.totals.claims > 500


# --- line matching: per claim against the whole-file matcher it replaced ------------------------------------


def _whole_file(era: Sequence[LineKey], pm: Sequence[LineKey]) -> tuple[list[int], list[int]]:
    """The matcher before it went claim by claim (kept verbatim as the reference)."""
    found, kinds, used = [-1] * len(era), [0] * len(era), bytearray(len(pm))
    by_id: dict[str, int] = {}
    for index, line in enumerate(pm):
        if line.line_id:
            by_id[line.line_id] = index
    rest: list[int] = []
    for index, line in enumerate(era):
        hit = by_id.get(line.line_id, -1) if line.line_id else -1
        if hit >= 0 and not used[hit] and pm[hit].claim == line.claim:
            found[index], kinds[index], used[hit] = hit, 1, 1
        else:
            rest.append(index)
    claims = {era[i].claim for i in rest}
    full: dict[tuple[str, str, str, int, int], list[int]] = {}
    loose: dict[tuple[str, str, str, int], list[int]] = {}
    for index, line in enumerate(pm):
        if used[index] or line.claim not in claims:
            continue
        full.setdefault((line.claim, line.procedure, line.modifiers, line.day, line.charge), []).append(index)
        loose.setdefault((line.claim, line.procedure, line.modifiers, line.day), []).append(index)

    def take(candidates: list[int] | None) -> int:
        for index in candidates or []:
            if not used[index]:
                used[index] = 1
                return index
        return -1

    second: list[int] = []
    for index in rest:
        line = era[index]
        hit = take(full.get((line.claim, line.procedure, line.modifiers, line.day, line.charge)))
        if hit >= 0:
            found[index], kinds[index] = hit, 2
        else:
            second.append(index)
    for index in second:
        line = era[index]
        hit = take(loose.get((line.claim, line.procedure, line.modifiers, line.day)))
        if hit >= 0:
            found[index], kinds[index] = hit, 3
    return found, kinds


@pytest.mark.parametrize("seed", range(40))
def test_per_claim_matching_equals_the_whole_file_matcher(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.choice([3, 8, 40])  # 40 lines in one claim: the indexed path (more pairs than SCAN_LIMIT)

    def key() -> LineKey:
        line_id = rng.choice(["", "", "L1", "L2", "L3"])
        procedure, modifiers = rng.choice(["99213", "J3301"]), rng.choice(["", "25"])
        return LineKey(rng.choice("ABCD"), line_id, procedure, modifiers, 739000 + rng.randrange(2),
                       rng.choice([5000, 7500]))  # fmt: skip

    era = [key() for _ in range(rng.randrange(size * 2))]
    pm = [key() for _ in range(rng.randrange(size * 2))]
    found, kinds = match_lines(era, pm)
    assert (found, list(kinds)) == _whole_file(era, pm)


def test_a_line_id_names_the_last_pm_line_carrying_it_across_claims() -> None:
    day = dt.date(2026, 3, 2).toordinal()
    pm = [LineKey("A", "L1", "99213", "", day, 5000), LineKey("B", "L1", "99213", "", day, 5000)]
    era = [LineKey("A", "L1", "99213", "", day, 5000)]
    found, kinds = match_lines(era, pm)
    assert (found, list(kinds)) == ([0], [2])  # not by id (L1 names B's line): by content
