"""Each flow's happy path against the real sandbox, on UI v1 and v2 (v2 passes by selector map alone)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from pathlib import Path

from flows.acks import download_acks
from flows.batches import list_batches, upload_batch, upload_name
from flows.claim_status import claim_status_by_member, claim_statuses
from flows.eras import download_eras
from flows.health import check_health
from flows.records import MemberQuery
from tests.flows.conftest import Portal
from tests.sandbox.helpers import batch_837

GENERATED = re.compile(r"^(835|pdf|999|277ca)-[0-9a-f]{24}\.(835|pdf|999|277)$")


def _window(portal: Portal) -> tuple[dt.date, dt.date]:
    as_of: dt.date = portal.sandbox.data.as_of
    return as_of - dt.timedelta(days=400), as_of + dt.timedelta(days=1)


def _check_saved(path: Path, sha256: str) -> None:
    assert GENERATED.match(path.name), path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


async def test_health_reads_the_status_page(portal: Portal) -> None:
    health = await check_health(portal.sandbox.base_url + "/status.json")
    assert health.state == "up" and health.indicator == "none"
    assert health.components and not health.maintenance_until


async def test_eras_download_every_page_once(portal: Portal, tmp_path: Path) -> None:
    await portal.sign_in()
    since, until = _window(portal)
    dest = tmp_path / "eras"
    got = await download_eras(portal.page, dest, since=since, until=until)
    expected = {p.payment_number for p in portal.sandbox.data.payments if since <= p.date <= until}
    assert {x.payment_number for x in got.listings} == expected
    assert got.pages > 1 and got.method in ("request", "click")  # "auto" measured both
    assert len(got.files) == 2 * len(expected)
    for saved in got.files:
        _check_saved(saved.path, saved.sha256)
        assert saved.path.read_bytes().startswith(b"ISA" if saved.kind == "835" else b"%PDF")
    known = frozenset((f.kind, f.reference) for f in got.files)
    again = await download_eras(portal.page, dest, since=since, until=until, known=known)
    assert again.files == () and again.skipped_known == len(expected)


async def test_claim_status_rows(portal: Portal) -> None:
    await portal.sign_in()
    claims = [c.claim_id for c in portal.sandbox.data.claims[:3]]
    found = await claim_statuses(portal.page, [*claims, "NO-SUCH-CLAIM"])
    assert found["NO-SUCH-CLAIM"] == []
    for claim in claims:
        assert found[claim], claim
        row = found[claim][0]
        assert row.claim_number == claim
        assert re.fullmatch(r"[A-Z]\d", row.category_code), row
        assert row.status and row.paid_amount.startswith("$")


async def test_claim_status_by_member_when_the_number_is_unknown(portal: Portal) -> None:
    await portal.sign_in()
    claim = portal.sandbox.data.claims[4]
    member = MemberQuery(
        "PM-ID-NOT-AT-PAYER", claim.patient.member_id, claim.patient.dob, claim.lines[0].service_date
    )
    found = await claim_statuses(portal.page, ["PM-ID-NOT-AT-PAYER"], {"PM-ID-NOT-AT-PAYER": member})
    rows = found["PM-ID-NOT-AT-PAYER"]
    assert rows and claim.claim_id in {r.claim_number for r in rows}
    direct = await claim_status_by_member(portal.page, member)
    assert {r.claim_number for r in direct} == {r.claim_number for r in rows}


async def test_upload_once_then_duplicate_then_acknowledgements(portal: Portal, tmp_path: Path) -> None:
    await portal.sign_in()
    content = batch_837(portal.sandbox.data, portal.sandbox.data.claims[:3])
    sha = hashlib.sha256(content).hexdigest()
    receipt = await upload_batch(portal.page, content, sha)
    assert receipt.state == "SUBMITTED" and receipt.batch_id and receipt.upload_name == upload_name(sha)
    again = await upload_batch(portal.page, content, sha)
    assert again.state == "DUPLICATE" and again.batch_id == receipt.batch_id
    listed = await list_batches(portal.page)
    assert [(b.batch_id, b.file_name) for b in listed] == [(receipt.batch_id, upload_name(sha))]
    portal.sandbox.advance_acknowledgements()
    saved = await download_acks(portal.page, tmp_path / "acks", [receipt.batch_id or ""])
    assert sorted(f.kind for f in saved) == ["277ca", "999"]
    for f in saved:
        _check_saved(f.path, f.sha256)
        assert f.reference.startswith(f"{receipt.batch_id}:")
    known = frozenset(f.reference for f in saved)
    assert await download_acks(portal.page, tmp_path / "acks", [receipt.batch_id or ""], known=known) == []
