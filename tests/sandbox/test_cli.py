"""``connector sandbox`` prints its URL, credentials and file paths, and serves with the flags applied."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp


def test_command_serves_with_flags(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "connector.cli", "sandbox", "--port", "0", "--seed", "5", "--variant", "v2",
        "--fault", "latency=1", "--fault", "hostile_filenames", "--data-dir", str(tmp_path / "data"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while len(lines) < 9 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        text = "".join(lines)
        url = re.search(r"(http://127\.0\.0\.1:\d+)/signin", text)
        assert url is not None, text + (
            process.stderr.read() if process.poll() is not None and process.stderr else ""
        )
        secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", text)
        assert secret is not None and len(pyotp.TOTP(secret.group(1)).now()) == 6
        assert "username:" in text and "password:" in text
        for name in ("pm-export.csv", "pm-export.xlsx", "bank-deposits.csv", "ground-truth.json"):
            assert name in text and (tmp_path / "data" / name).is_file()
        state = httpx.get(f"{url.group(1)}/__admin/state", timeout=10).json()
        assert state["variant"] == "v2" and state["seed"] == 5
        assert state["faults"]["latency"] == 1 and state["faults"]["hostile_filenames"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_unknown_fault_is_refused(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "connector.cli",
        "sandbox",
        "--fault",
        "nope=1",
        "--data-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "unknown fault" in (result.stderr + result.stdout)
