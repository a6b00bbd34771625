"""Fleet mode on SQLite: the worker and the dispatcher refuse to start, naming the settings to change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connector.errors import ConfigError
from connector.fleet.queue import require_queue_database
from connector.settings import ConnectorSettings


@pytest.mark.parametrize("command", [["worker"], ["schedule"]])
def test_queue_executor_on_sqlite_is_a_startup_error(tmp_path: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update(
        {
            "CONNECTOR_EXECUTOR": "queue",
            "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'connector.db'}",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", *command],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "CONNECTOR_EXECUTOR" in done.stderr and "CONNECTOR_DATABASE_URL" in done.stderr
    assert "needs PostgreSQL" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "connector.db").exists()  # refused before anything was created


@pytest.mark.parametrize("command", [["worker"], ["schedule"]])
def test_queue_executor_without_a_storage_key_is_a_startup_error(
    tmp_path: Path, command: list[str], postgres_url: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update(
        {
            "CONNECTOR_EXECUTOR": "queue",
            "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
            "CONNECTOR_DATABASE_URL": postgres_url,
            "CONNECTOR_STORAGE__KEYS_DIR": str(tmp_path / "keys"),  # no key in it
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", *command],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "CONNECTOR_STORAGE__KEYS_DIR" in done.stderr and "connector storage keygen" in done.stderr
    assert "Traceback" not in done.stderr


def test_queue_address_drops_the_sqlalchemy_driver_and_keeps_the_password() -> None:
    settings = ConnectorSettings(
        database_url="postgresql+psycopg://billing:s3cret@db.internal:5433/connector"
    )
    assert require_queue_database(settings) == "postgresql://billing:s3cret@db.internal:5433/connector"
    with pytest.raises(ConfigError, match="CONNECTOR_DATABASE_URL"):
        require_queue_database(ConnectorSettings(database_url="sqlite:///x.db"))
