"""Admin actions on the dashboard: acknowledge an incident, clear the portal's login block, run a job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from connector.jobs.paths import Paths
from connector.jobs.signin import block_login
from connector.ops.incidents import StoreIncidentLog
from connector.store import AuditEvent, Run, open_session
from tests.web.helpers import ADMIN, csrf_of, signed_in


def test_an_admin_acknowledges_an_incident_and_clears_the_login_block(dashboard: Any) -> None:
    settings = dashboard.settings
    incidents = StoreIncidentLog(settings.database_url)
    incidents.open("prairie:person", "portal-connector needs a person (prairie)")
    paths = Paths(settings.data_dir, "prairie")
    block_login(paths, "the refused password")
    try:
        with signed_in(dashboard.url, *ADMIN) as client:
            today = client.get("/").text
            assert "Portal sign-in blocked" in today and "needs a person (prairie)" in today
            token = csrf_of(today)
            answer = client.post(
                "/actions/acknowledge", data={"csrf_token": token, "incident": "prairie:person"}
            )
            assert answer.status_code == 303
            assert (
                client.post(
                    "/actions/acknowledge", data={"csrf_token": token, "incident": "nope"}
                ).status_code
                == 400
            )
            answer = client.post(
                "/actions/clear-login-block", data={"csrf_token": token, "account": "prairie"}
            )
            assert answer.status_code == 303 and not paths.login_block.exists()
            today = client.get("/").text
            assert "Acknowledged by adam" in today and "Portal sign-in blocked" not in today
        assert incidents.is_open("prairie:person"), "acknowledging is not resolving"
        with open_session(settings.database_url) as session:
            actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "web:adam")))
        assert {"incident.ack", "web.clear_login_block", "web.sign_in"} <= actions
    finally:
        incidents.resolve("prairie:person")
        paths.login_block.unlink(missing_ok=True)


def test_an_admin_runs_a_job_now_without_waiting_for_it(dashboard: Any) -> None:
    with open_session(dashboard.settings.database_url) as session:
        before = session.scalar(select(Run.id).order_by(Run.id.desc()).limit(1))
    with signed_in(dashboard.url, *ADMIN) as client:
        token = csrf_of(client.get("/").text)
        answer = client.post(
            "/actions/run", data={"csrf_token": token, "account": "prairie", "job": "health"}
        )
        assert answer.status_code == 303
        assert "Started health for prairie" in client.get("/").text
        bad = client.post("/actions/run", data={"csrf_token": token, "account": "prairie", "job": "rm -rf"})
        assert bad.status_code == 400
    dashboard.server.app.state.web.jobs.join(timeout=60)
    with open_session(dashboard.settings.database_url) as session:
        new = session.scalars(select(Run).where(Run.id > (before or 0))).all()
    assert [(r.job, r.outcome) for r in new] == [("health", "SUCCEEDED")]
