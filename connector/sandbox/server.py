"""Run the sandbox: generate the data, write the practice's files, serve the portal with uvicorn."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pyotp
import uvicorn

from connector.sandbox.app import create_app
from connector.sandbox.exports import ExportPaths, write_exports
from connector.sandbox.generator import DEFAULT_AS_OF, DEFAULT_PAYMENTS, DEFAULT_SEED, generate
from connector.sandbox.model import Dataset
from connector.sandbox.state import Account, SandboxState, coerce_fault, totp_secret_for


class SandboxServer:
    """One sandbox portal: its data set, written files, state and uvicorn server (thread or foreground).

    The test fixture yields this object: ``base_url``, ``username``, ``password``, ``totp_secret``,
    ``pm_export_csv``, ``pm_export_xlsx``, ``bank_csv``, ``ground_truth`` and the knobs ``reset()``,
    ``set_fault()``, ``set_variant()``, ``advance_acknowledgements()``, ``totp_now()``.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        seed: int = DEFAULT_SEED,
        payments: int = DEFAULT_PAYMENTS,
        as_of: dt.date = DEFAULT_AS_OF,
        host: str = "127.0.0.1",
        port: int = 0,
        variant: str = "v1",
        faults: dict[str, Any] | None = None,
        admin_enabled: bool = True,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.data: Dataset = generate(seed, payments, as_of)
        self.paths: ExportPaths = write_exports(self.data, Path(data_dir))
        account = Account(totp_secret=totp_secret_for(seed))
        if username is not None:
            account.username = username
        if password is not None:
            account.password = password
        faults = dict(faults or {})
        variant = str(faults.pop("variant", variant))
        converted = {name: coerce_fault(name, value) for name, value in faults.items()}
        self.state = SandboxState(self.data, account, variant=variant, faults=converted)
        self.state.set_variant(variant)
        self.app = create_app(self.state, admin_enabled=admin_enabled)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (no 40 ms Nagle stalls)
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        # listening from here on: a client that connects before uvicorn runs waits in the backlog, not refused
        self.socket.listen(2048)
        self.host, self.port = host, int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            loop="asyncio",
            date_header=False,  # the fault middleware writes Date on the portal's clock (knob clock_offset)
        )
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://host:port (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def username(self) -> str:
        """The sandbox-only user name."""
        return self.state.account.username

    @property
    def password(self) -> str:
        """The sandbox-only password."""
        return self.state.account.password

    @property
    def totp_secret(self) -> str:
        """The base32 TOTP secret for an authenticator app or pyotp."""
        return self.state.account.totp_secret

    @property
    def pm_export_csv(self) -> Path:
        """The PM export (CSV)."""
        return self.paths.pm_csv

    @property
    def pm_export_xlsx(self) -> Path:
        """The PM export (XLSX)."""
        return self.paths.pm_xlsx

    @property
    def bank_csv(self) -> Path:
        """The bank deposit CSV."""
        return self.paths.bank_csv

    @property
    def schedule_csv(self) -> Path:
        """The PM schedule export (CSV): upcoming appointments."""
        return self.paths.schedule_csv

    @property
    def schedule_xlsx(self) -> Path:
        """The PM schedule export (XLSX)."""
        return self.paths.schedule_xlsx

    @property
    def ground_truth(self) -> Path:
        """The ground-truth JSON of planted discrepancies."""
        return self.paths.ground_truth

    def totp_now(self, offset_steps: int = 0) -> str:
        """The code for the current 30 s step (or a later one)."""
        return pyotp.TOTP(self.totp_secret).at(time.time() + 30 * offset_steps)

    @property
    def max_simultaneous_sessions(self) -> int:
        """The most browser sessions of this user seen at one moment since the last reset."""
        return self.state.max_simultaneous

    def reset(self) -> None:
        """Pristine state: start faults, start variant, no sessions, lockout, used codes or batches."""
        self.state.reset()

    def set_fault(self, name: str, value: Any = True) -> Any:
        """Set one fault knob (see docs/sandbox.md); returns the stored value."""
        return self.state.set_fault(name, value)

    def set_variant(self, variant: str) -> None:
        """Switch the UI to v1, v2 or optum."""
        self.state.set_variant(variant)

    def advance_acknowledgements(self) -> int:
        """Put every pending 999/277CA in the responses mailbox now."""
        return self.state.advance_acknowledgements()

    def finish_pdfs(self) -> int:
        """Optum variant: make every EPRA PDF still being generated ready now."""
        return self.state.finish_pdfs()

    def start(self, timeout: float = 10.0) -> SandboxServer:
        """Serve in a background thread; returns once the server accepts connections."""
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="sandbox-portal", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the sandbox portal did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop the background server."""
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.socket.close()

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C."""
        self.server.run(sockets=[self.socket])
