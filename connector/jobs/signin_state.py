"""Where a job keeps the saved sign-in and the last TOTP step: the data folder, or the database (fleet)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext

from connector import store
from connector.browser import fresh_storage_state, save_storage_state
from connector.fileio import atomic_write_bytes
from connector.filestore import DatabaseStore, FileStore, TotpSteps, backend_of, delete_entries
from connector.jobs.paths import Paths
from connector.settings import ConnectorSettings

NAME = "storage.json"
LOGIN_BLOCK, MFA_BLOCK = "login-rejected.json", "mfa-refused.json"
"""The sign-in blocks (salted fingerprints, no secret) as the database store names them in fleet mode."""


class SignInState:
    """The saved sign-in (cookies: a credential) of one account, in the file store the settings choose."""

    def __init__(self, files: FileStore, paths: Paths, max_age_hours: float) -> None:
        self.files = files
        self.paths = paths
        self.max_age_hours = max_age_hours

    @property
    def in_folder(self) -> bool:
        """True for the single-machine folder store (the state file under data/state/)."""
        return self.files.backend == "folder"

    def load(self) -> Path | dict[str, Any] | None:
        """The saved sign-in younger than the limit (a path, or the state itself), else None (and it goes)."""
        if self.in_folder:
            return fresh_storage_state(self.paths.storage_state, self.max_age_hours)
        found = self.files.read_named("signin", self.paths.account, NAME)
        if found is None:
            return None
        data, stamp = found
        if dt.datetime.now(dt.UTC) - stamp > dt.timedelta(hours=self.max_age_hours):
            self.files.delete_named("signin", self.paths.account, NAME)
            return None
        state: dict[str, Any] = json.loads(data)
        return state

    async def save(self, context: BrowserContext) -> None:
        """Save the context's sign-in (0600 file, or an encrypted blob replacing the previous one)."""
        if self.in_folder:
            await save_storage_state(context, self.paths.storage_state)
            return
        state = await context.storage_state()
        self.files.put("signin", self.paths.account, NAME, json.dumps(state).encode())

    def totp_steps(self) -> TotpSteps | None:
        """The database's record of used TOTP steps in fleet mode (None: the folder's totp file)."""
        if not isinstance(self.files, DatabaseStore):
            return None
        return TotpSteps(self.files.factory, self.paths.account)

    def _blocks(self) -> tuple[tuple[Path, str], ...]:
        return ((self.paths.login_block, LOGIN_BLOCK), (self.paths.mfa_block, MFA_BLOCK))

    def pull_blocks(self) -> None:
        """Fleet mode: the sign-in blocks any worker wrote, into this machine's state folder (a block lifted
        elsewhere goes here too), so the checks of ``jobs.signin`` see every worker's refusals."""
        if self.in_folder:
            return
        for path, name in self._blocks():
            found = self.files.read_named("signin", self.paths.account, name)
            if found is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write_bytes(path, found[0])

    def push_blocks(self) -> None:
        """Fleet mode: this machine's sign-in blocks (new, or lifted by a changed secret) to the database."""
        if self.in_folder:
            return
        for path, name in self._blocks():
            if path.is_file():
                self.files.put("signin", self.paths.account, name, path.read_bytes())
            else:
                self.files.delete_named("signin", self.paths.account, name)


def clear_shared_blocks(settings: ConnectorSettings, account: str) -> bool:
    """Fleet mode: remove the account's sign-in blocks kept in the database (a person fixed the password or
    TOTP secret in the portal); True when one was there. Needs no storage key."""
    if backend_of(settings) != "database":
        return False
    with store.open_session(settings.database_url) as session, session.begin():
        return delete_entries(session, "signin", account, (LOGIN_BLOCK, MFA_BLOCK)) > 0
