"""reconcile(): every ERA claim and line matched to the PM export, netted, categorised and tied out.

Streams: each claim group's rows are built, handed to a sink (or collected) and totalled, then released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from connector.pm.models import ChargeClaim as PMClaim
from connector.pm.models import ChargeLine as PMLine
from connector.pm.models import Claim, charge_claim
from connector.reconcile.adjustments import split
from connector.reconcile.assemble import FeeSchedule, Settings, claim_row, line_row
from connector.reconcile.deposits import match_deposits
from connector.reconcile.keys import billed_procedure, cents, claim_key, day_number, modifier_key
from connector.reconcile.lines import ClaimLineKey, match_claim, paused_gc
from connector.reconcile.model import (
    BankDeposit,
    ClaimRow,
    EraFinding,
    FileNotRead,
    LineRow,
    ReconciliationResult,
    aging_bucket,
)
from connector.reconcile.netting import ClaimGroup, EraEntry, net
from connector.reconcile.plb import apply_marks, plan_provider_adjustments
from connector.reconcile.reasons import ReasonBook
from connector.reconcile.rows import EraClaim, EraLine, EraRemit, compact
from connector.reconcile.summary import payments_by_payer, tie_lines, tie_out
from connector.reconcile.totals import Totals, recent_by_id
from connector.x12.models import Remittance

ZERO = Decimal(0)
RowSink = Callable[[ClaimRow, list[LineRow]], None]
"""Takes each claim row with its line rows as they are produced (the report's spool, the store's insert)."""
T = TypeVar("T")


def handed_over(items: list[T]) -> Iterator[T]:
    """The items of a list, each removed from it as it is taken: pass a caller's list this way and
    ``reconcile()`` alone holds its ERA rows or PM claims (and releases each claim group once consumed)."""
    items.reverse()
    while items:
        yield items.pop()


def reconcile(
    remittances: Iterable[Remittance | EraRemit],
    claims: Iterable[Claim | PMClaim],
    *,
    as_of: dt.date,
    book: ReasonBook,
    tolerance: Decimal = Decimal("0.01"),
    aging_days: int = 30,
    deposits: Sequence[BankDeposit] | None = None,
    fee_schedule: FeeSchedule | None = None,
    clean_claims: Mapping[str, bool] | None = None,
    inputs: Mapping[str, str] | None = None,
    files_not_read: Sequence[FileNotRead] = (),
    sink: RowSink | None = None,
) -> ReconciliationResult:
    """Reconcile remittances against PM claims as of a date.

    ``remittances``: compact rows (``rows.compact``, made as each file is read so its models are released)
    or 835 models (compacted here). ``claims``: compact PM claims (``pm.reader.read_charges``) or full ones
    (compacted here), so there is one code path. Both are consumed once; pass :func:`handed_over` lists to
    let each claim's ERA rows and PM claim be released as soon as its rows are built.

    ``sink``: called with each claim row and its line rows as they are produced, in report order (claim
    groups in the order their first payment was read, then the PM claims with no remittance); the result's
    ``claims`` and ``lines`` then stay empty and its ``totals`` carry what the summaries need. Without a
    sink the rows are collected into ``claims`` and ``lines``.

    ``tolerance``: a line is paid as expected when its allowed amount is within this of the contracted amount.
    ``aging_days``: a submitted claim with no remittance after this many days is ``missing_era``.
    ``book``: the reason book (``connector.codetables.load_reason_book()``), passed in by the caller.
    ``clean_claims``: claim id -> passed the scrubber without edits (for the clean claim rate), when known.
    ``files_not_read``: ERA files that could not be read (listed in the result; the rest is reconciled).
    """
    settings = Settings(book=book, tolerance=tolerance, fee_schedule=fee_schedule)
    kept, excluded = dedupe(remittances)
    del remittances
    pm_claims = [charge_claim(claim) for claim in claims]
    del claims
    with paused_gc():
        groups = group_claims(kept, pm_claims)
        for group in groups.values():
            net(group)
    plan = plan_provider_adjustments(kept, groups, settings.book)
    tie, paid_by_payer, findings = tie_lines(kept), payments_by_payer(kept), era_findings(kept)
    deposit_rows = None if deposits is None else match_deposits(kept, deposits)
    del kept  # each remittance's claims now live on in their groups only
    matched = {g.pm.claim_id for g in groups.values() if g.pm is not None}
    unmatched = [claim for claim in pm_claims if claim.claim_id not in matched]
    recent = recent_by_id(pm_claims, as_of)
    del matched, pm_claims  # a matched PM claim lives on in its group only
    totals = Totals(recent)
    totals.sums.recent = sum(recent.values(), ZERO)
    claim_rows: list[ClaimRow] = []
    line_rows: list[LineRow] = []

    def collect(claim: ClaimRow, lines: list[LineRow]) -> None:
        claim_rows.append(claim)
        line_rows.extend(lines)

    emit = sink or collect
    shadowed = shadowed_line_ids(groups)
    ordered: list[ClaimGroup | None] = list(groups.values())
    del groups
    with paused_gc():
        for index, held in enumerate(ordered):
            assert held is not None
            ordered[index] = None  # released once its rows are out
            lines, contractual = _line_rows(held, settings, shadowed)
            row = claim_row(held, lines, settings, contractual)
            apply_marks(row, held.key, plan)
            totals.add(row, lines)
            emit(row, lines)
        del ordered
        for pm in unmatched:
            row = unremitted_row(pm, as_of, aging_days)
            totals.add(row)
            emit(row, [])
    result = ReconciliationResult(
        as_of=as_of,
        tolerance=tolerance,
        aging_days=aging_days,
        claims=claim_rows,
        lines=line_rows,
        provider_adjustments=plan.rows,
        denials=totals.denial_groups(),
        deposits=deposit_rows,
        tie_out=tie_out(tie, totals.paid, excluded),
        kpis=totals.sums.kpis(clean_claims),
        payments=paid_by_payer,
        aging=dict(totals.aging),
        inputs=dict(inputs or {}),
        excluded_duplicates=excluded,
        files_not_read=list(files_not_read),
        era_findings=findings,
        totals=totals,
    )
    return result


def era_findings(remittances: Iterable[EraRemit]) -> list[EraFinding]:
    """The read findings of every remittance used, for the report (envelope faults, unknown codes)."""
    rows: list[EraFinding] = []
    for remit in remittances:
        for f in remit.read_findings:
            rows.append(
                EraFinding(
                    remit.trace_number,
                    remit.payer.name,
                    f.kind,
                    f.message,
                    f.segment_id or "",
                    f.offset,
                    f.claim_id or "",
                    f.code or "",
                    remit.envelope.interchange_control_number,
                )
            )
    return rows


def dedupe(remittances: Iterable[Remittance | EraRemit]) -> tuple[list[EraRemit], list[str]]:
    """Drop a transaction read twice: same payer, TRN02, ISA13, GS06 and ST02 (never TRN02 alone)."""
    seen: set[tuple[str, ...]] = set()
    kept: list[EraRemit] = []
    excluded: list[str] = []
    for remit in map(compact, remittances):
        env = remit.envelope
        payer = remit.payer.id or remit.payer.reference("2U") or remit.payer.name
        key = (payer, remit.trace_number, env.interchange_control_number, env.group_control_number,
               env.transaction_control_number)  # fmt: skip
        if key in seen:
            excluded.append(f"{remit.trace_number} (ISA13 {env.interchange_control_number}) read twice")
            continue
        seen.add(key)
        kept.append(remit)
    return kept, excluded


def group_claims(remittances: list[EraRemit], pm_claims: list[PMClaim]) -> dict[str, ClaimGroup]:
    """Group every CLP by the PM claim it belongs to: claim number first, else patient + date + charge."""
    by_number: dict[str, PMClaim] = {}
    by_patient: dict[tuple[str, int, int], PMClaim] = {}
    for claim in pm_claims:
        by_number.setdefault(claim_key(claim.claim_id), claim)
        day, total = day_number(claim.first_service_date), cents(claim.total_charge)
        if claim.member_id:
            by_patient.setdefault((claim.member_id.upper(), day, total), claim)
        name = f"{claim.last_name}|{claim.first_name}".upper()
        by_patient.setdefault((name, day, total), claim)
    groups: dict[str, ClaimGroup] = {}
    order = 0
    for remit in remittances:
        head = replace(remit, claims=())  # the entries' remittance: a claim is held by its entry only
        for clp in remit.claims:
            order += 1
            key = claim_key(clp.claim_id)
            pm = by_number.get(key)
            match = "claim_number"
            if pm is None:
                pm = _by_patient(clp, by_patient)
                match = "patient_date_charge" if pm is not None else "none"
            group_key = claim_key(pm.claim_id) if pm is not None else key or f"#{order}"
            group = groups.get(group_key)
            if group is None:
                group = groups[group_key] = ClaimGroup(group_key, pm, match)  # type: ignore[arg-type]
            group.entries.append(EraEntry(order, head, clp))
    return groups


def _by_patient(clp: EraClaim, index: Mapping[tuple[str, int, int], PMClaim]) -> PMClaim | None:
    patient = clp.patient
    if patient is None:
        return None
    dates = [d for line in clp.service_lines if (d := line.service_date) is not None]
    dates += [d.date for d in clp.dates if d.date is not None]  # the rows keep DTM 232 and 472 only
    if not dates:
        return None
    day, total = day_number(min(dates)), cents(abs(clp.charge))
    for who in (patient.id.upper(), f"{patient.last_or_org}|{patient.first}".upper()):
        found = index.get((who, day, total)) if who and who != "|" else None
        if found is not None:
            return found
    return None


def shadowed_line_ids(groups: Mapping[str, ClaimGroup]) -> dict[str, str]:
    """PM line ids carried by the lines of more than one claim -> the key of the last such claim group: an
    id names the last PM line carrying it, so in the other groups it cannot match (only PM lines of groups
    with ERA service lines take part)."""
    owner: dict[str, str] = {}
    several: set[str] = set()
    for group in groups.values():
        if group.pm is None or group.effective is None or not group.effective.claim.service_lines:
            continue
        for line in group.pm.lines:
            if line_id := line.line_id:
                previous = owner.get(line_id)
                if previous is not None and previous != group.key:
                    several.add(line_id)
                owner[line_id] = group.key
    return {line_id: owner[line_id] for line_id in several}


def _line_rows(
    group: ClaimGroup, settings: Settings, shadowed: Mapping[str, str]
) -> tuple[list[LineRow], Decimal]:
    """The group's ERA lines matched to its PM lines, then the PM lines no ERA line took (missing_era); and
    Σ contractual adjustments of the ERA lines (for the claim row)."""
    assert group.effective is not None
    era_lines = group.effective.claim.service_lines
    if not era_lines:
        return [], ZERO
    pm_lines = group.pm.lines if group.pm is not None else ()
    billed = [billed_procedure(line.procedure, line.original_procedure) for line in era_lines]
    era_keys = [_era_key(line, *billed[index]) for index, line in enumerate(era_lines)]
    pm_keys = [_pm_key(line, group.key, shadowed) for line in pm_lines]
    found, kinds = match_claim(era_keys, pm_keys)
    book = settings.book
    rows: list[LineRow] = []
    contractual = ZERO
    for index, line in enumerate(era_lines):
        parts = split(line.adjustments, line.remarks, book)
        contractual += parts.contractual
        pm = pm_lines[hit] if (hit := found[index]) >= 0 else None
        rows.append(line_row(group, line, pm, kinds[index], settings, billed=billed[index], parts=parts))
    if len(pm_lines) > len(era_lines) or -1 in found:  # else every PM line was taken
        taken = set(found)
        rows += [line_row(group, None, pm, 0, settings) for j, pm in enumerate(pm_lines) if j not in taken]
    return rows, contractual


def _era_key(line: EraLine, code: str, modifiers: tuple[str, ...]) -> ClaimLineKey:
    return (line.line_control_number or "", code, modifier_key(modifiers), day_number(line.service_date),
            cents(abs(line.charge)))  # fmt: skip


def _pm_key(line: PMLine, group_key: str, shadowed: Mapping[str, str]) -> ClaimLineKey:
    line_id = line.line_id if shadowed.get(line.line_id, group_key) == group_key else ""
    return (line_id, line.procedure_code, modifier_key(line.modifiers), day_number(line.service_date),
            cents(line.charge))  # fmt: skip


def unremitted_row(claim: PMClaim, as_of: dt.date, aging_days: int) -> ClaimRow:
    """A PM claim with no remittance: missing_era once older than ``aging_days`` whatever the PM status says
    (a claim the PM marks paid that no ERA explains is still missing), else awaiting_era."""
    start = claim.submitted_date or claim.first_service_date
    age = (as_of - start).days if start is not None else None
    late = age is not None and age > aging_days
    return ClaimRow(
        claim_id=claim.claim_id,
        category="missing_era" if late else "awaiting_era",
        payer=claim.payer_name,
        patient=f"{claim.last_name}, {claim.first_name}",
        service_date=claim.first_service_date,
        submitted=claim.submitted_date,
        charge=claim.total_charge,
        pm_charge=claim.total_charge,
        age_days=age,
        aging_bucket=aging_bucket(age) if age is not None else "",
        note="" if claim.status in ("", "open") else f"PM status: {claim.status}",
    )
