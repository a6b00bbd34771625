"""runner_persist without a browser: which claims a status job searches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import connector.runner_persist as persist
from connector import store


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


def _ctx(factory: sessionmaker[Session], tmp_path: Path, options: dict[str, Any]) -> persist.JobContext:
    portal: Any = None
    return persist.JobContext(portal, factory, 0, "clinic", tmp_path / "in", tmp_path / "out", options)


def test_open_claims_are_this_accounts_only(factory: sessionmaker[Session]) -> None:
    ours, theirs = _account(factory, "clinic"), _account(factory, "other")
    with factory.begin() as session:
        store.add_claim_status(session, claim_number="OURS-1", status_category="P1", account_id=ours)
        store.add_claim_status(session, claim_number="OURS-2", status_category="F1", account_id=ours)
        store.add_claim_status(session, claim_number="THEIRS-1", status_category="P1", account_id=theirs)
    with factory.begin() as session:
        assert persist._open_claims(session, ours) == ["OURS-1"]
        assert persist._open_claims(session, theirs) == ["THEIRS-1"]


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

    monkeypatch.setattr(persist, "claim_statuses", fake)
    options = {} if given is None else {"claims": given}
    counts = await persist.statuses(_ctx(factory, tmp_path, options))
    assert asked == [searched] and counts["claims"] == len(searched)


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
