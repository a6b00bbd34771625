"""Codes on an 835 checked against the published lists: unknown CARC/RARC/group codes, retired RARCs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from connector.x12.codes import CodeTable
from connector.x12.model_835 import Adjustment, Remark, Remittance
from connector.x12.model_common import ReadFinding


@dataclass(frozen=True, slots=True)
class CodeLists:
    """The three lists an 835's codes are checked against (``mappings/codes``: carc, rarc, group_codes).

    Loaded by the caller (``connector.codetables.load_code_lists``) and passed to ``read_835``."""

    carc: CodeTable
    rarc: CodeTable
    group: CodeTable

    plain: tuple[frozenset[str], frozenset[str], frozenset[str]] = field(init=False, repr=False)
    """(groups, CARCs, RARCs) that can never be a finding: listed, and without a stop date."""

    def __post_init__(self) -> None:
        def undated(table: CodeTable) -> frozenset[str]:
            return frozenset(c for c in table.codes if table.stop_date(c) is None)

        plain = (frozenset(self.group.codes), undated(self.carc), undated(self.rarc))
        object.__setattr__(self, "plain", plain)


def _use_date(remit: Remittance) -> dt.date | None:
    """The date the codes were used: BPR16, else DTM*405, else ISA09."""
    return remit.payment_date or remit.production_date or remit.envelope.interchange_date


class _Checker:
    def __init__(self, lists: CodeLists, used: dt.date | None) -> None:
        self.lists = lists
        self.used = used
        self.findings: list[ReadFinding] = []
        self.seen: set[tuple[str, str, str]] = set()

    def add(self, kind: str, code: str, claim_id: str, segment: str, message: str) -> None:
        key = (kind, code, claim_id)
        if key not in self.seen:
            self.seen.add(key)
            self.findings.append(ReadFinding("code", message, segment, claim_id=claim_id, code=code))

    def dated(self, table: CodeTable, label: str, code: str, claim_id: str, segment: str) -> None:
        if code not in table.codes:
            self.add(label, code, claim_id, segment, f"{label} {code} is not in the published {label} list")
            return
        stop = table.stop_date(code)
        if stop is not None and self.used is not None and self.used > stop:
            message = (
                f"{label} {code} used on {self.used.isoformat()}, after its stop date {stop.isoformat()}"
            )
            self.add(label + "-stopped", code, claim_id, segment, message)

    def adjustments(self, adjustments: Iterable[Adjustment], claim_id: str) -> None:
        for adj in adjustments:
            if adj.group not in self.lists.group.codes:
                message = f"group code {adj.group} is not in the published group code list"
                self.add("group", adj.group, claim_id, "CAS", message)
            self.dated(self.lists.carc, "CARC", adj.reason, claim_id, "CAS")

    def remarks(self, codes: Iterable[str], claim_id: str, segment: str) -> None:
        for code in codes:
            if code:
                self.dated(self.lists.rarc, "RARC", code, claim_id, segment)


def code_findings(remit: Remittance, lists: CodeLists) -> list[ReadFinding]:
    """One finding per claim and code not in the lists, or (RARC, and CARC when the list has dates) used
    after its stop date (the payment date BPR16, else DTM*405, else ISA09)."""
    if _all_plain(remit, lists):
        return []
    check = _Checker(lists, _use_date(remit))
    for claim in remit.claims:
        cid = claim.claim_id
        check.adjustments(claim.adjustments, cid)
        check.remarks(claim.outpatient[2:7], cid, "MOA")
        inpatient = claim.inpatient
        picks = (inpatient[i] for i in (4, 19, 20, 21, 22, 23) if i < len(inpatient))
        check.remarks((c for c in picks if not _amount(c)), cid, "MIA")
        for line in claim.service_lines:
            check.adjustments(line.adjustments, cid)
            check.remarks(_rarcs(line.remarks), cid, "LQ")
    return check.findings


def _all_plain(remit: Remittance, lists: CodeLists) -> bool:
    """Fast path: every code used is listed and has no stop date (the usual ERA), so no finding."""
    groups: set[str] = set()
    reasons: set[str] = set()
    remarks: set[str] = set()
    for claim in remit.claims:
        for adj in claim.adjustments:
            groups.add(adj.group)
            reasons.add(adj.reason)
        remarks.update(claim.outpatient[2:7])
        if claim.inpatient:
            return False
        for line in claim.service_lines:
            for adj in line.adjustments:
                groups.add(adj.group)
                reasons.add(adj.reason)
            for remark in line.remarks:
                if remark.qualifier == "HE":
                    remarks.add(remark.code)
    remarks.discard("")
    plain_groups, plain_carcs, plain_rarcs = lists.plain
    return groups <= plain_groups and reasons <= plain_carcs and remarks <= plain_rarcs


def _rarcs(remarks: Iterable[Remark]) -> Iterable[str]:
    return (r.code for r in remarks if r.qualifier == "HE")


def _amount(text: str) -> bool:
    """MIA remark positions sometimes carry amounts in old files: those are not codes."""
    return bool(text) and text.replace(".", "", 1).lstrip("-").isdigit()
