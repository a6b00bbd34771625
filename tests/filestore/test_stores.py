"""Both file-store backends: round trip, content addressing, named files, the TOTP step claim."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connector.browser.totp import STEP_SECONDS, TotpSource
from connector.filestore import DatabaseStore, FolderStore, TotpSteps
from connector.store.models import FileBlob, FileEntry

ERA = b"ISA*00*          *00*          *ZZ*SANDBOX~ST*835*0001~CLP*PATIENT-DOE-JANE~SE*3*0001~IEA*1*1~"


def test_database_store_round_trip_and_same_bytes_stored_once(
    dbstore: DatabaseStore, factory: sessionmaker[Session]
) -> None:
    first = dbstore.put("era", "clinic", "835-a.835", ERA)
    again = dbstore.put("era", "other", "835-b.835", ERA)  # same bytes, another account and name
    assert first.sha256 == again.sha256 == hashlib.sha256(ERA).hexdigest()
    assert first.location == f"db:{first.sha256}" and first.size == len(ERA)
    assert dbstore.get(first.location) == ERA and dbstore.exists(first.location)
    named = dbstore.read_named("era", "other", "835-b.835")
    assert named is not None and named[0] == ERA
    assert dbstore.read_named("era", "clinic", "missing.835") is None
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(FileBlob)) == 1
        assert session.scalar(select(func.count()).select_from(FileEntry)) == 2
    assert [(e.kind, e.account, e.name) for e in dbstore.list(account="clinic")] == [
        ("era", "clinic", "835-a.835")
    ]


def test_plain_columns_hold_no_file_bytes(dbstore: DatabaseStore, factory: sessionmaker[Session]) -> None:
    """file_blob's plain columns: sha256, size, key_id, nonce, created_at; only ciphertext holds the file."""
    dbstore.put("era", "clinic", "835-a.835", ERA)
    with factory() as session:
        blob = session.scalars(select(FileBlob)).one()
        plain = [blob.sha256, str(blob.size), blob.key_id, blob.nonce.hex(), blob.created_at.isoformat()]
        assert not any("PATIENT" in value or "DOE" in value for value in plain)
        assert b"PATIENT-DOE-JANE" not in blob.ciphertext and b"ISA*" not in blob.ciphertext
        assert len(blob.ciphertext) == len(ERA) + 16  # the GCM tag, nothing else


def test_replaced_sign_in_state_leaves_no_old_credential(
    dbstore: DatabaseStore, factory: sessionmaker[Session]
) -> None:
    dbstore.put("signin", "clinic", "storage.json", b'{"cookies": ["old"]}')
    dbstore.put("signin", "clinic", "storage.json", b'{"cookies": ["new"]}')
    named = dbstore.read_named("signin", "clinic", "storage.json")
    assert named is not None and named[0] == b'{"cookies": ["new"]}'
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(FileBlob)) == 1
    assert dbstore.delete_named("signin", "clinic", "storage.json")
    assert not dbstore.delete_named("signin", "clinic", "storage.json")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(FileBlob)) == 0


def test_keep_stores_a_download_and_removes_the_local_copy(dbstore: DatabaseStore, tmp_path: Path) -> None:
    local = tmp_path / "835-x.835"
    local.write_bytes(ERA)
    kept = dbstore.keep("era", "clinic", local, hashlib.sha256(ERA).hexdigest())
    assert not local.exists() and dbstore.get(kept.location) == ERA


def test_folder_store_keeps_todays_layout(tmp_path: Path) -> None:
    files = FolderStore(tmp_path / "data")
    stored = files.put("era", "clinic", "835-a.835", ERA)
    assert stored.location == str(tmp_path / "data" / "downloads" / "clinic" / "eras" / "835-a.835")
    assert (Path(stored.location).stat().st_mode & 0o777) == 0o600
    assert files.get(stored.location) == ERA and stored.sha256 == hashlib.sha256(ERA).hexdigest()
    signin = files.put("signin", "clinic", "storage.json", b"{}")
    assert signin.location == str(tmp_path / "data" / "state" / "clinic.storage.json")
    report = files.put("report", "clinic", "reconciliation-2026-12-01.xlsx", b"PK")
    assert report.location == str(tmp_path / "data" / "reports" / "clinic" / "reconciliation-2026-12-01.xlsx")
    assert {(e.kind, e.name) for e in files.list(account="clinic")} == {
        ("era", "835-a.835"),
        ("report", "reconciliation-2026-12-01.xlsx"),
    }
    local = Path(stored.location)
    assert files.keep("era", "clinic", local, stored.sha256).location == str(local) and local.exists()


def test_totp_step_is_granted_to_one_claimer_only(factory: sessionmaker[Session]) -> None:
    steps = TotpSteps(factory, "clinic")
    assert steps.last() is None
    assert steps.claim(100) and not steps.claim(100) and not steps.claim(99)
    assert steps.last() == 100
    granted: list[bool] = []
    racers = [threading.Thread(target=lambda: granted.append(steps.claim(101))) for _ in range(6)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert granted.count(True) == 1 and steps.last() == 101
    assert TotpSteps(factory, "other").claim(101)  # accounts are apart


async def test_a_step_another_worker_used_is_skipped(factory: sessionmaker[Session]) -> None:
    """Two workers, one account: the code of a step the other one submitted is never submitted again."""
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = time.time()
    portal_now = (now // STEP_SECONDS + 1) * STEP_SECONDS - 0.8  # just before a step ends: a short test
    source = TotpSource(
        secret, min_remaining=0.1, offset_s=now - portal_now, claim=TotpSteps(factory, "clinic").claim
    )
    used_elsewhere = int(portal_now // STEP_SECONDS)
    assert TotpSteps(factory, "clinic").claim(used_elsewhere)  # the other worker signs in first
    code = await source.next_code()
    assert source.last_used_step == used_elsewhere + 1
    assert code == pyotp.TOTP(secret).at((used_elsewhere + 1) * STEP_SECONDS)
    assert TotpSteps(factory, "clinic").last() == used_elsewhere + 1


def test_workers_saving_one_sign_in_at_once_leave_one_entry_and_one_blob(
    dbstore: DatabaseStore, factory: sessionmaker[Session]
) -> None:
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            dbstore.put("signin", "clinic", "storage.json", b'{"cookies": ["worker %d"]}' % n)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=save, args=(n,)) for n in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(FileEntry)) == 1
        assert session.scalar(select(func.count()).select_from(FileBlob)) == 1  # no old sign-in left behind
