"""The statuses job without a browser: which claims it searches (as `connector run` and the cycle do)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import connector.jobs.statuses as statuses
from connector import store
from connector.jobs.context import JobContext
from connector.settings import ConnectorSettings, PortalAccount

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'data' / 'connector.db'}"
    store.upgrade(url)
    engine = store.make_engine(url)
    yield store.session_factory(engine)
    engine.dispose()


def _account(factory: sessionmaker[Session], key: str) -> int:
    with factory.begin() as session:
        return store.upsert_account(session, key, practice_name=key, portal_kind="sandbox-v1", base_url="x")


def _ctx(
    factory: sessionmaker[Session], tmp_path: Path, options: dict[str, Any], pm_export: Path | None = None
) -> JobContext:
    account = PortalAccount(
        practice_name="Clinic",
        base_url="http://127.0.0.1:9",
        username="u",
        password="p",  # type: ignore[arg-type]
        totp_secret="JBSWY3DPEHPK3PXP",  # type: ignore[arg-type]
        pm_export=pm_export,
    )
    settings = ConnectorSettings(accounts={"clinic": account}, data_dir=tmp_path / "data")
    portal: Any = object()
    return JobContext(factory, 0, "clinic", settings, options, page=portal)


def test_open_claims_are_this_accounts_only(factory: sessionmaker[Session]) -> None:
    ours, theirs = _account(factory, "clinic"), _account(factory, "other")
    with factory.begin() as session:
        store.add_claim_status(session, claim_number="OURS-1", status_category="P1", account_id=ours)
        store.add_claim_status(session, claim_number="OURS-2", status_category="F1", account_id=ours)
        store.add_claim_status(session, claim_number="THEIRS-1", status_category="P1", account_id=theirs)
    with factory.begin() as session:
        assert statuses._open_claims(session, ours) == ["OURS-1"]
        assert statuses._open_claims(session, theirs) == ["THEIRS-1"]


@pytest.mark.parametrize(("given", "searched"), [([], []), (None, ["OURS-1"]), (["X-9"], ["X-9"])])
async def test_statuses_claims_option(
    factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given: list[str] | None,
    searched: list[str],
) -> None:
    ours = _account(factory, "clinic")
    with factory.begin() as session:
        store.add_claim_status(session, claim_number="OURS-1", status_category="P1", account_id=ours)
    asked: list[list[str]] = []

    async def fake(portal: Any, claims: list[str], members: Any = None) -> dict[str, list[Any]]:
        asked.append(list(claims))
        return {c: [] for c in claims}

    monkeypatch.setattr(statuses, "claim_statuses", fake)
    options = {} if given is None else {"claims": given}
    counts = await statuses.run(_ctx(factory, tmp_path, options))
    assert asked == [searched] and counts["claims"] == len(searched)


async def test_without_claims_given_the_pm_claims_waiting_for_payment_are_searched(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `connector run statuses` searches is what the cycle searches: PM claims no ERA has paid yet,
    each with its member id, birth date and service date for the member search."""
    from connector.pm.reader import read_export

    export = FIXTURES / "generic_sample.csv"
    claims = [c.claim_id for c in read_export(export, "generic").claims]
    _account(factory, "clinic")
    asked: list[tuple[list[str], Any]] = []

    async def fake(portal: Any, wanted: list[str], members: Any = None) -> dict[str, list[Any]]:
        asked.append((list(wanted), members))
        return {c: [] for c in wanted}

    monkeypatch.setattr(statuses, "claim_statuses", fake)
    counts = await statuses.run(_ctx(factory, tmp_path, {}, pm_export=export))
    assert asked[0][0] == claims[:100] and counts["claims"] == len(claims[:100])
    assert set(asked[0][1]) <= set(claims) and asked[0][1]
    query = next(iter(asked[0][1].values()))
    assert query.member_id and query.dob and query.service_date


def test_listing_references_never_collide() -> None:
    from flows.downloads import generated_name
    from flows.eras import listing_references
    from flows.records import PaymentListing

    rows = [
        PaymentListing("EFT1", "2026-11-02", "$1,200.00", "UHC", None, None),
        PaymentListing("EFT1", "2026-11-03", "$1,200.00", "UHC", None, None),  # payer reused the number
        PaymentListing("EFT1", "2026-11-02", "$80.00", "UHC", None, None),
        PaymentListing("EFT1", "2026-11-02", "$1,200.00", "UHC", None, None),  # the very same row twice
    ]
    refs = listing_references(rows)
    assert len(set(refs)) == 4 and refs == listing_references(rows)  # stable across runs
    assert len({generated_name("835", r) for r in refs}) == 4
