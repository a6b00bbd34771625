"""Finding 5: a TOTP secret that is not base32 is a start-up settings error naming the variable (it used to
launch Chromium and end as "unexpected error" with a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

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
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "eras"],
        env=_env(tmp_path, NOT_BASE32),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert VARIABLE in done.stderr and "not base32" in done.stderr
    assert "Traceback" not in done.stderr and NOT_BASE32 not in done.stderr + done.stdout
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
