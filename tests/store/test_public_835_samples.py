"""Every public 835 sample the reader accepts is stored exactly: counts, amounts and the dedupe key."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.errors import X12ParseError
from connector.store import (
    AdjustmentRow,
    ClaimPaymentRow,
    FileKind,
    ProviderAdjustmentRow,
    RemittanceRow,
    ServiceLineRow,
    dedupe_key,
    record_file,
    save_remittance,
)
from connector.x12.models import Remittance
from connector.x12.read_835 import read_835


def _samples(folder: Path) -> list[Path]:
    with (folder / "SOURCES.tsv").open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [folder / row["local_path"] for row in rows if row["transaction_type"] == "835"]


def _readable(path: Path) -> list[Remittance]:
    try:
        return list(read_835(path.read_bytes(), source=path.name))
    except X12ParseError:
        return []


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_public_835_samples_are_stored_exactly(x12_samples: Path, session: Session) -> None:
    expected = {"remittances": 0, "claims": 0, "lines": 0, "cas": 0, "plb": 0}
    paid_by_key: dict[tuple[str, ...], Decimal] = {}
    stored_files = 0
    for path in _samples(x12_samples):
        remittances = _readable(path)
        if not remittances:
            continue
        data = path.read_bytes()
        file_row, _ = record_file(
            session,
            kind=FileKind.ERA_835,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            stored_path="x",
        )
        stored_files += 1
        for remittance in remittances:
            _, created = save_remittance(session, remittance, file_row.id)
            if not created:
                continue
            expected["remittances"] += 1
            expected["claims"] += len(remittance.claims)
            expected["lines"] += sum(len(c.service_lines) for c in remittance.claims)
            expected["cas"] += sum(
                len(c.adjustments) + sum(len(s.adjustments) for s in c.service_lines)
                for c in remittance.claims
            )
            expected["plb"] += len(remittance.provider_adjustments)
            paid_by_key[dedupe_key(remittance)] = remittance.total_paid
    session.commit()
    assert stored_files >= 10, "expected a good number of readable public 835 samples"
    assert _count(session, RemittanceRow) == expected["remittances"]
    assert _count(session, ClaimPaymentRow) == expected["claims"]
    assert _count(session, ServiceLineRow) == expected["lines"]
    assert _count(session, AdjustmentRow) == expected["cas"]
    assert _count(session, ProviderAdjustmentRow) == expected["plb"]
    for remittance_row in session.scalars(select(RemittanceRow)):
        key = (
            remittance_row.payer_id,
            remittance_row.payment_number,
            remittance_row.isa13,
            remittance_row.gs06,
            remittance_row.st02,
        )
        assert sum((c.paid for c in remittance_row.claims), Decimal(0)) == paid_by_key[key]


def test_read_findings_and_the_unreadable_reason_are_stored(x12_samples: Path, session: Session) -> None:
    path = x12_samples / "albmarin__badX12" / "error_validation.edi"
    data = path.read_bytes()
    [remittance] = read_835(data, source=path.name)
    file_row, _ = record_file(session, kind=FileKind.ERA_835, sha256=hashlib.sha256(data).hexdigest(),
                              size=len(data), stored_path="x")  # fmt: skip
    row, created = save_remittance(session, remittance, file_row.id)
    assert created
    broken = data[: data.rfind(b"GE*")]
    try:
        list(read_835(broken, source="cut.edi"))
        raise AssertionError("a truncated file must not be read")
    except X12ParseError as exc:
        reason = str(exc)
    unread, _ = record_file(session, kind=FileKind.ERA_835, sha256=hashlib.sha256(broken).hexdigest(),
                            size=len(broken), stored_path="y", unreadable_reason=reason)  # fmt: skip
    session.commit()
    session.expire_all()
    stored = session.get(RemittanceRow, row.id)
    assert stored is not None
    elements = [f["element"] for f in stored.read_findings]
    assert elements == ["SE01", "SE02", "GE01", "GE02", "IEA01", "IEA02"]
    assert all(f["kind"] == "envelope" and isinstance(f["offset"], int) for f in stored.read_findings)
    assert session.get(type(unread), unread.id).unreadable_reason == reason  # type: ignore[union-attr]
