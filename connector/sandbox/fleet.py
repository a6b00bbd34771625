"""Many practices at once: K sandbox portals (one user, data set and seed each) in one process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from connector.sandbox.generator import DEFAULT_AS_OF, DEFAULT_PAYMENTS, DEFAULT_SEED
from connector.sandbox.server import SandboxServer
from connector.sandbox.state import SandboxState


def practice_name(index: int) -> str:
    """The account name of practice ``index`` (1-based): p01, p02, ..."""
    return f"p{index:02d}"


def practice_password(seed: int) -> str:
    """A sandbox-only password per practice, derived from its seed."""
    return "Sbx-" + hashlib.sha256(f"sandbox-password-{seed}".encode()).hexdigest()[:12] + "!"


class SandboxFleet:
    """K practices, each its own portal (own port, username, password, TOTP secret, seeded data, PM export
    and ground truth). The first practice's admin API also answers ``GET /__admin/practices`` for all."""

    def __init__(
        self,
        data_dir: Path,
        practices: int,
        *,
        seed: int = DEFAULT_SEED,
        payments: int = DEFAULT_PAYMENTS,
        as_of: dt.date = DEFAULT_AS_OF,
        host: str = "127.0.0.1",
        variant: str = "v1",
        faults: dict[str, Any] | None = None,
        admin_enabled: bool = True,
    ) -> None:
        if practices < 1:
            raise ValueError("--practices must be at least 1")
        self.servers: dict[str, SandboxServer] = {}
        for index in range(1, practices + 1):
            name = practice_name(index)
            practice_seed = seed + index - 1
            self.servers[name] = SandboxServer(
                Path(data_dir) / name, seed=practice_seed, payments=payments, as_of=as_of, host=host,
                variant=variant, faults=faults, admin_enabled=admin_enabled,
                username=f"billing.{name}", password=practice_password(practice_seed),
            )  # fmt: skip
        first = next(iter(self.servers.values()))
        first.app.state.fleet = self

    def __iter__(self) -> Any:
        return iter(self.servers.items())

    def __len__(self) -> int:
        return len(self.servers)

    @property
    def states(self) -> list[SandboxState]:
        """Every practice's portal state."""
        return [server.state for server in self.servers.values()]

    def max_simultaneous_sessions(self) -> dict[str, int]:
        """Per username, the most sessions seen at one moment since the last reset."""
        return {s.username: s.max_simultaneous_sessions for s in self.servers.values()}

    def summary(self) -> list[dict[str, Any]]:
        """What ``GET /__admin/practices`` returns: one entry per practice (no passwords)."""
        rows = []
        for name, server in self.servers.items():
            snap = server.state.snapshot()
            rows.append(
                {
                    "practice": name,
                    "base_url": server.base_url,
                    "username": server.username,
                    "seed": server.data.seed,
                    "signins": snap["signins"],
                    "max_simultaneous_sessions": server.max_simultaneous_sessions,
                }
            )
        return rows

    def accounts(self) -> dict[str, dict[str, Any]]:
        """The connector's ``accounts`` for these practices (passwords and TOTP secrets: sandbox only)."""
        return {
            name: {
                "practice_name": server.data.practice.name,
                "base_url": server.base_url,
                "username": server.username,
                "password": server.password,
                "totp_secret": server.totp_secret,
                "tins": [server.data.practice.tin],
                "npis": [server.data.practice.npi],
                "pm_export": str(server.pm_export_csv),
            }
            for name, server in self.servers.items()
        }

    def environment(self) -> dict[str, str]:
        """The same accounts as CONNECTOR_ACCOUNTS__<NAME>__... variables (for worker processes)."""
        env: dict[str, str] = {}
        for name, values in self.accounts().items():
            prefix = f"CONNECTOR_ACCOUNTS__{name.upper()}__"
            for key, value in values.items():
                env[prefix + key.upper()] = json.dumps(value) if isinstance(value, list) else str(value)
        return env

    def set_fault(self, name: str, value: Any = True) -> None:
        """Set one fault knob on every practice's portal."""
        for server in self.servers.values():
            server.set_fault(name, value)

    def reset(self) -> None:
        """Every portal back to pristine (sessions, peaks, batches, faults)."""
        for server in self.servers.values():
            server.reset()

    def start(self) -> SandboxFleet:
        """Serve every practice in a background thread each."""
        for server in self.servers.values():
            server.start()
        return self

    def stop(self) -> None:
        """Stop every practice's server."""
        for server in self.servers.values():
            server.stop()
