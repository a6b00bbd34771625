"""Finding 5: a TOTP secret that is not base32 is a start-up settings error naming the variable (it used to
launch Chromium and end as "unexpected error" with a traceback)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from connector.cli import app
from connector.errors import ConfigError
from connector.settings import PortalAccount, load_settings

pytestmark = pytest.mark.finding(5)

VARIABLE = "CONNECTOR_ACCOUNTS__CLINIC__TOTP_SECRET"
NOT_BASE32 = "otpauth-secret-0189!"


def _env(tmp_path: Path, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    prefix = "CONNECTOR_ACCOUNTS__CLINIC__"
    env.update(
        {
            f"{prefix}PRACTICE_NAME": "Clinic",
            f"{prefix}BASE_URL": "http://127.0.0.1:9",
            f"{prefix}USERNAME": "billing",
            f"{prefix}PASSWORD": "Sentinel-Pass-1",
            VARIABLE: secret,
            "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        }
    )
    return env


def test_run_stops_at_start_up_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in _env(tmp_path, NOT_BASE32).items() if k.startswith("CONNECTOR_")}
    cleared = {k: None for k in os.environ if k.startswith("CONNECTOR_") and k not in env}
    result = CliRunner().invoke(app, ["run", "eras"], env={**cleared, **env})
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    output = result.stdout + result.stderr
    assert VARIABLE in output and "not base32" in output
    assert "Traceback" not in output and NOT_BASE32 not in output
    assert not (tmp_path / "data" / "connector.db").exists()  # stopped before anything ran


def test_settings_validate_and_normalise_the_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in _env(tmp_path, NOT_BASE32).items():
        if key.startswith("CONNECTOR_"):
            monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=f"{VARIABLE} is invalid: .*not base32"):
        load_settings(toml_file=tmp_path / "none.toml")
    with pytest.raises(ValidationError, match="empty"):
        PortalAccount(practice_name="x", base_url="u", username="u", password=SecretStr("p"), totp_secret=" ")
    spaced = PortalAccount(
        practice_name="x",
        base_url="u",
        username="u",
        password=SecretStr("p"),
        totp_secret="jbsw y3dp ehpk 3pxp",
    )
    assert spaced.totp_secret.get_secret_value() == "JBSWY3DPEHPK3PXP"  # as authenticator apps show it
