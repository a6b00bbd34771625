"""Settings precedence, clear errors for missing secrets, and secret masking everywhere it could leak."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from connector.errors import ConfigError
from connector.logging import RedactingFilter, register_secrets
from connector.settings import load_settings

SENTINEL_PASSWORD = "Sentinel-Pa55word-7731"
SENTINEL_TOTP = "JBSWY3DPEHPK3PXPSENTINELQWERTYZA"

TOML = """
timezone = "America/Chicago"
database_url = "sqlite:///from-toml.db"
[accounts.clinic]
practice_name = "Main Street Clinic"
base_url = "http://127.0.0.1:9"
username = "frontdesk"
tins = ["123456789"]
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(__import__("os").environ):
        if key.startswith("CONNECTOR_") and key not in ("CONNECTOR_REQUIRE_ALL_TESTS",):
            monkeypatch.delenv(key)
    (tmp_path / "connector.toml").write_text(TOML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_ACCOUNTS__CLINIC__PASSWORD", SENTINEL_PASSWORD)
    monkeypatch.setenv("CONNECTOR_ACCOUNTS__CLINIC__TOTP_SECRET", SENTINEL_TOTP)


def test_env_beats_toml_beats_defaults(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets_env(monkeypatch)
    monkeypatch.setenv("CONNECTOR_TIMEZONE", "UTC")
    settings = load_settings()
    assert settings.timezone == "UTC"  # env over toml
    assert settings.database_url == "sqlite:///from-toml.db"  # toml over default
    assert settings.log_format == "text"  # default
    assert settings.accounts["clinic"].tins == ["123456789"]
    assert settings.accounts["clinic"].password.get_secret_value() == SENTINEL_PASSWORD


def test_dotenv_and_secrets_dir(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / ".env").write_text(f"CONNECTOR_ACCOUNTS__CLINIC__PASSWORD={SENTINEL_PASSWORD}\n")
    secrets = workdir / "secrets"
    secrets.mkdir()
    (secrets / "CONNECTOR_ACCOUNTS__CLINIC__TOTP_SECRET").write_text(SENTINEL_TOTP)
    monkeypatch.setenv("CONNECTOR_SECRETS_DIR", str(secrets))
    account = load_settings().accounts["clinic"]
    assert account.password.get_secret_value() == SENTINEL_PASSWORD
    assert account.totp_secret.get_secret_value() == SENTINEL_TOTP


def test_missing_secret_names_the_variable(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_ACCOUNTS__CLINIC__PASSWORD", SENTINEL_PASSWORD)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "CONNECTOR_ACCOUNTS__CLINIC__TOTP_SECRET" in str(info.value)
    assert SENTINEL_PASSWORD not in str(info.value)


def test_invalid_schedule_job_is_a_config_error(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets_env(monkeypatch)
    monkeypatch.setenv("CONNECTOR_ACCOUNTS__CLINIC__SCHEDULE", '{"coffee": "0 7 * * *"}')
    with pytest.raises(ConfigError, match="CONNECTOR_ACCOUNTS__CLINIC__SCHEDULE"):
        load_settings()


def test_secrets_masked_in_repr_and_config_show(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets_env(monkeypatch)
    monkeypatch.setenv(
        "CONNECTOR_DATABASE_URL", "postgresql+psycopg://bill:Sentinel-Db-Pw-55@db.local/connector"
    )
    settings = load_settings()
    assert SENTINEL_PASSWORD not in repr(settings)
    assert SENTINEL_TOTP not in str(settings.model_dump())
    shown = subprocess.run(
        [sys.executable, "-m", "connector.cli", "config", "show"], capture_output=True, text=True, check=True
    )
    out = shown.stdout + shown.stderr
    assert "frontdesk" in out and "********" in out
    assert SENTINEL_PASSWORD not in out and SENTINEL_TOTP not in out
    assert "Sentinel-Db-Pw-55" not in out and "bill:***@db.local" in out
    assert "Sentinel-Db-Pw-55" in settings.secret_values()  # the log filter masks it too
    # where each value came from
    assert any("timezone" in line and "connector.toml" in line for line in out.splitlines())
    assert any("password" in line and "environment" in line for line in out.splitlines())


def test_log_filter_masks_secrets_and_ssns(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _secrets_env(monkeypatch)
    register_secrets(load_settings().secret_values())
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "login with %s for 123-45-6789", (SENTINEL_PASSWORD,), None
    )
    try:
        raise RuntimeError(f"boom {SENTINEL_TOTP}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert SENTINEL_PASSWORD not in text and SENTINEL_TOTP not in text
    assert "123-45-6789" not in text and "***" in text


def test_db_upgrade_command_creates_private_sqlite(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    import stat

    _secrets_env(monkeypatch)
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{workdir / 'data' / 'connector.db'}")
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "db", "upgrade"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    db = workdir / "data" / "connector.db"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert {"run", "downloaded_file", "remittance", "submission_batch", "alembic_version"} <= tables
