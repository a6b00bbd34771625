"""The dashboard over a real store: one daily cycle against the shared sandbox (on PostgreSQL when
CONNECTOR_TEST_POSTGRES_URL is set, else SQLite), served on 127.0.0.1, with a viewer and an admin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connector.settings import ConnectorSettings, PortalAccount, WebSettings
from connector.store import open_session
from connector.web.server import WebServer
from connector.web.users import add_user
from tests.conftest import REQUIRE_ALL
from tests.pgdb import private_database
from tests.web.helpers import ADMIN, VIEWER, Dashboard


def make_settings(sandbox: Any, root: Path, database_url: str) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        portal="sandbox-v1",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_export=sandbox.pm_export_csv,
        bank_csv=sandbox.bank_csv,
    )
    return ConnectorSettings(
        accounts={"prairie": account},
        data_dir=root / "data",
        database_url=database_url,
        web=WebSettings(free_attempts=5, max_block_seconds=60),
    )


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private PostgreSQL database when CONNECTOR_TEST_POSTGRES_URL is set, else a SQLite file."""
    pg = os.environ.get("CONNECTOR_TEST_POSTGRES_URL")
    if not pg:
        if REQUIRE_ALL:
            pytest.fail("CONNECTOR_REQUIRE_ALL_TESTS=1 but CONNECTOR_TEST_POSTGRES_URL is not set")
        yield f"sqlite:///{tmp_path_factory.mktemp('dash') / 'connector.db'}"
        return
    with private_database(pg, "ct_web") as url:
        yield url


@pytest.fixture(scope="session")
async def dashboard(sandbox: Any, dashboard_db: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One daily cycle into the store, then the dashboard over it (session-wide, read by every test)."""
    from connector.ops.dispatch import dispatch
    from connector.ops.retry import RetryPolicy

    sandbox.reset()
    settings = make_settings(sandbox, tmp_path_factory.mktemp("web"), dashboard_db)
    fast = RetryPolicy(attempts=2, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)
    outcome = await dispatch("all", "prairie", settings, policy=fast, as_of=sandbox.data.as_of)
    assert outcome.ok and outcome.report is not None, [(r.job, r.error_class) for r in outcome.results]
    with open_session(settings.database_url) as session:
        add_user(session, VIEWER[0], "viewer", VIEWER[1])
        add_user(session, ADMIN[0], "admin", ADMIN[1])
        session.commit()
    server = WebServer(settings, port=0).start()
    try:
        yield Dashboard(server, settings, outcome.report)
    finally:
        server.stop()
