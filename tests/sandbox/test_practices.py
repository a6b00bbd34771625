"""`--practices K`: K practice accounts with their own user, secrets, data and peak of sessions."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from connector.sandbox.fleet import SandboxFleet


def test_each_practice_has_its_own_user_data_and_session_peak(tmp_path: Path) -> None:
    fleet = SandboxFleet(tmp_path, 3, payments=4).start()
    try:
        servers = [server for _, server in fleet]
        assert len({s.username for s in servers}) == 3
        assert len({s.password for s in servers}) == 3
        assert len({s.totp_secret for s in servers}) == 3
        assert len({s.data.seed for s in servers}) == 3
        assert len({s.pm_export_csv.read_bytes() for s in servers}) == 3
        assert len({s.ground_truth.read_bytes() for s in servers}) == 3
        first = servers[0]
        with urllib.request.urlopen(f"{first.base_url}/__admin/practices") as answer:
            rows = json.load(answer)
        assert [r["username"] for r in rows] == [s.username for s in servers]
        assert all(r["max_simultaneous_sessions"] == 0 for r in rows)
        assert all("password" not in r for r in rows)
        with urllib.request.urlopen(f"{servers[1].base_url}/signin") as answer:
            assert answer.status == 200
        assert fleet.max_simultaneous_sessions()[servers[1].username] == 0  # a sign-in page is no session
        servers[1].state.new_session("mfa")  # what a POST /signin with the right password opens
        with urllib.request.urlopen(f"{servers[1].base_url}/signin") as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{servers[1].base_url}/__admin/state") as answer:
            state = json.load(answer)
        assert state["max_simultaneous_sessions"] == {servers[1].username: 1}
        assert fleet.max_simultaneous_sessions()[servers[0].username] == 0
    finally:
        fleet.stop()
