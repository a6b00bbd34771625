"""reconcile(): every ERA claim and line matched to the PM export, netted, categorised and tied out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from connector.pm.models import ChargeClaim as PMClaim
from connector.pm.models import ChargeLine as PMLine
from connector.pm.models import Claim, charge_claim
from connector.reconcile.assemble import FeeSchedule, Settings, claim_row, line_row
from connector.reconcile.deposits import match_deposits
from connector.reconcile.keys import billed_procedure, cents, claim_key, day_number, modifier_key
from connector.reconcile.lines import LineKey, match_lines, paused_gc
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
from connector.reconcile.plb import allocate_provider_adjustments
from connector.reconcile.reasons import ReasonBook
from connector.reconcile.rows import EraClaim, EraLine, EraRemit, compact
from connector.reconcile.summary import aging, denial_groups, kpis, payments_by_payer, tie_out
from connector.x12.models import Remittance


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
) -> ReconciliationResult:
    """Reconcile remittances against PM claims as of a date.

    ``remittances``: compact rows (``rows.compact``, made as each file is read so its models are released)
    or 835 models (compacted here). ``claims``: compact PM claims (``pm.reader.read_charges``) or full ones
    (compacted here), so there is one code path.

    ``tolerance``: a line is paid as expected when its allowed amount is within this of the contracted amount.
    ``aging_days``: a submitted claim with no remittance after this many days is ``missing_era``.
    ``book``: the reason book (``connector.codetables.load_reason_book()``), passed in by the caller.
    ``clean_claims``: claim id -> passed the scrubber without edits (for the clean claim rate), when known.
    ``files_not_read``: ERA files that could not be read (listed in the result; the rest is reconciled).
    """
    settings = Settings(book=book, tolerance=tolerance, fee_schedule=fee_schedule)
    kept, excluded = dedupe(remittances)
    pm_claims = [charge_claim(claim) for claim in claims]
    with paused_gc():
        groups = group_claims(kept, pm_claims)
        for group in groups.values():
            net(group)
        claim_rows, line_rows = _rows(groups, settings)
    by_id = {row.claim_id: row for row in claim_rows}
    plb_rows = allocate_provider_adjustments(kept, groups, by_id, settings.book)
    matched = {g.pm.claim_id for g in groups.values() if g.pm is not None}
    claim_rows.extend(_unremitted(pm_claims, matched, as_of, aging_days))
    result = ReconciliationResult(
        as_of=as_of,
        tolerance=tolerance,
        aging_days=aging_days,
        claims=claim_rows,
        lines=line_rows,
        provider_adjustments=plb_rows,
        denials=denial_groups(claim_rows),
        deposits=None if deposits is None else match_deposits(kept, deposits),
        tie_out=tie_out(kept, claim_rows, excluded),
        kpis=[],
        payments=payments_by_payer(kept),
        aging=aging(claim_rows),
        inputs=dict(inputs or {}),
        excluded_duplicates=excluded,
        files_not_read=list(files_not_read),
        era_findings=era_findings(kept),
    )
    result.kpis = kpis(result, pm_claims, clean_claims)
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
            group.entries.append(EraEntry(order, remit, clp))
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


def _era_key(group_key: str, line: EraLine) -> LineKey:
    code, modifiers = billed_procedure(line.procedure, line.original_procedure)
    return LineKey(group_key, line.line_control_number or "", code, modifier_key(modifiers),
                   day_number(line.service_date), cents(abs(line.charge)))  # fmt: skip


def _pm_key(group_key: str, line: PMLine) -> LineKey:
    return LineKey(group_key, line.line_id, line.procedure_code, modifier_key(line.modifiers),
                   day_number(line.service_date), cents(line.charge))  # fmt: skip


def _rows(groups: dict[str, ClaimGroup], settings: Settings) -> tuple[list[ClaimRow], list[LineRow]]:
    era_keys: list[LineKey] = []
    era_refs: list[tuple[ClaimGroup, EraLine]] = []
    pm_keys: list[LineKey] = []
    pm_refs: list[tuple[ClaimGroup, PMLine]] = []
    for group in groups.values():
        if group.effective is None:
            continue
        for era_line in group.effective.claim.service_lines:
            era_keys.append(_era_key(group.key, era_line))
            era_refs.append((group, era_line))
        if group.pm is not None and group.effective.claim.service_lines:
            for pm_line in group.pm.lines:
                pm_keys.append(_pm_key(group.key, pm_line))
                pm_refs.append((group, pm_line))
    found, kinds = match_lines(era_keys, pm_keys)
    del era_keys, pm_keys  # released before the line rows are built
    per_group: dict[str, list[LineRow]] = {}
    used: set[int] = set()
    for index, (group, era_line) in enumerate(era_refs):
        hit = found[index]
        matched = pm_refs[hit][1] if hit >= 0 else None
        if hit >= 0:
            used.add(hit)
        per_group.setdefault(group.key, []).append(line_row(group, era_line, matched, kinds[index], settings))
    for index, (group, pm_line) in enumerate(pm_refs):
        if index not in used:
            per_group.setdefault(group.key, []).append(line_row(group, None, pm_line, 0, settings))
    claim_rows: list[ClaimRow] = []
    line_rows: list[LineRow] = []
    for group in groups.values():
        lines = per_group.get(group.key, [])
        claim_rows.append(claim_row(group, lines, settings))
        line_rows.extend(lines)
    return claim_rows, line_rows


def _unremitted(
    pm_claims: list[PMClaim], matched: set[str], as_of: dt.date, aging_days: int
) -> list[ClaimRow]:
    """PM claims with no remittance: missing_era once older than ``aging_days`` whatever the PM status says
    (a claim the PM marks paid that no ERA explains is still missing), else awaiting_era."""
    rows: list[ClaimRow] = []
    for claim in pm_claims:
        if claim.claim_id in matched:
            continue
        start = claim.submitted_date or claim.first_service_date
        age = (as_of - start).days if start is not None else None
        late = age is not None and age > aging_days
        rows.append(
            ClaimRow(
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
        )
    return rows
