"""PDF requests kept across runs: first request time kept, collected ones closed, overdue reported once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connector import store


def test_pdf_requests_are_kept_closed_and_reported_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.db"
    store.ensure_schema(url)
    with store.open_session(url) as session:
        account = store.upsert_account(
            session, "clinic", practice_name="P", portal_kind="optum-pay", base_url="x"
        )
        day = dt.date(2026, 11, 2)
        assert store.note_pdf_requests(session, account, [("a", "1", day), ("b", "2", None)], None) == 2
        first = {r.portal_reference: r.requested_at for r in store.open_pdf_requests(session, account)}
        assert (
            store.note_pdf_requests(session, account, [("a", "1", day)], None) == 0
        )  # asked again: same clock
        assert {
            r.portal_reference: r.requested_at for r in store.open_pdf_requests(session, account)
        } == first
        assert store.close_pdf_requests(session, account, ["b", "zzz"]) == 1
        assert store.overdue_pdf_requests(session, account, dt.timedelta(hours=1)) == []  # not old yet
        assert [
            r.portal_reference for r in store.overdue_pdf_requests(session, account, dt.timedelta(0))
        ] == ["a"]
        assert store.overdue_pdf_requests(session, account, dt.timedelta(0)) == []  # said once
        assert [r.portal_reference for r in store.open_pdf_requests(session, account)] == ["a"]
        session.commit()
