"""Reconcile job: an unreadable ERA in the store never blocks the rest; a person hears once per file."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import SecretStr

from connector import store
from connector.ops.notify import Notifier
from connector.settings import ConnectorSettings, PortalAccount
from connector.store import FileKind

FIXTURES = Path(__file__).resolve().parents[1] / "x12" / "fixtures" / "envelope"


def _settings(tmp_path: Path, webhook: Any) -> ConnectorSettings:
    pm = tmp_path / "pm.csv"
    sample = (Path(__file__).resolve().parents[1] / "fixtures" / "pm" / "generic_sample.csv").read_text()
    header, first = sample.splitlines()[:2]
    cells = dict(zip(header.split(","), first.split(","), strict=True))
    cells.update(claim_id="CLM001", line_id="CLM001-1", service_date="2026-01-05", procedure_code="99213",
                 modifiers="", line_charge="200.00", claim_total_charge="200.00", expected_amount="170.00",
                 submitted_date="2026-01-06")  # fmt: skip
    pm.write_text(header + "\n" + ",".join(cells[k] for k in header.split(",")) + "\n", encoding="utf-8")
    account = PortalAccount(
        practice_name="Prairie", base_url="http://127.0.0.1:9", username="u", password=SecretStr("p"),
        totp_secret=SecretStr("JBSWY3DPEHPK3PXP"), pm_export=pm,
    )  # fmt: skip
    return ConnectorSettings(
        accounts={"prairie": account},
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'connector.db'}",
        notify_urls=[SecretStr(webhook.apprise_url)],
    )


def _store_file(settings: ConnectorSettings, path: Path) -> str:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine).begin() as session:
            account_id = store.upsert_account(session, "prairie", practice_name="Prairie", portal_kind="x",
                                              base_url="http://127.0.0.1:9")  # fmt: skip
            run_id = store.start_run(session, "eras", account_id)
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            store.record_file(session, kind=FileKind.ERA_835, sha256=sha, size=len(data),
                              stored_path=str(path), run_id=run_id)  # fmt: skip
    finally:
        engine.dispose()
    return sha


@pytest.mark.parametrize("beside", [False, True], ids=["read here", "read by a child process"])
def test_unreadable_stored_era_is_listed_and_alerted_once(
    tmp_path: Path, webhook: Any, beside: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connector.jobs import era_reading
    from connector.jobs.execute import run_job
    from connector.ops.policy import report_findings

    if beside:  # the stored files read by a child while the PM export is read, whatever their size
        monkeypatch.setattr(era_reading, "BESIDE_MIN_BYTES", 0)
        monkeypatch.setattr(era_reading, "BESIDE_MAX_SHARE", 1.0)

    settings = _settings(tmp_path, webhook)
    store.ensure_schema(settings.database_url)
    _store_file(settings, FIXTURES / "se01_count.835")  # read, with a finding
    bad = _store_file(settings, FIXTURES / "refused_truncated.835")
    result = asyncio.run(run_job("reconcile", "prairie", settings))
    assert result.ok, result.error_message
    [report] = (tmp_path / "data" / "reports" / "prairie").glob("reconciliation-*.xlsx")
    assert result.counts["files_not_read"] == 1
    assert result.counts["unread_files"] == [{"file": "refused_truncated.835", "sha256": bad}]
    book = load_workbook(report)
    [[name, reason]] = [[c.value for c in row] for row in book["Files not read"].iter_rows(min_row=2)]
    assert name == "refused_truncated.835" and "IEA" in reason
    assert [row[0].value for row in book["Claims"].iter_rows(min_row=2)] == ["CLM001"]
    kinds = {row[3].value for row in book["ERA findings"].iter_rows(min_row=2)}
    assert kinds == {"envelope"}
    notifier = Notifier([SecretStr(webhook.apprise_url)])
    report_findings("reconcile", "prairie", notifier, result)
    again = asyncio.run(run_job("reconcile", "prairie", settings))  # the next day: the same file
    report_findings("reconcile", "prairie", notifier, again)
    titles = [m["title"] for m in webhook.messages]
    assert titles == ["An ERA file could not be read (prairie)"]
