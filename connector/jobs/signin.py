"""Sign-in for a job: saved sign-in reuse, TOTP bookkeeping, and the login block after a refused password."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import time

from connector.browser import TotpSource, save_storage_state
from connector.errors import LoginRejected, SessionExpired
from connector.fileio import atomic_write_bytes
from connector.jobs.paths import Paths
from connector.settings import PortalAccount
from flows.portal import PortalPage
from flows.signin import is_signed_in, sign_in

log = logging.getLogger(__name__)


def _totp(paths: Paths, account: PortalAccount) -> TotpSource:
    source = TotpSource(account.totp_secret.get_secret_value())
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        source.mark_used(float(json.loads(paths.totp_state.read_text())["last_used"]))
    return source


def _remember_totp(paths: Paths) -> None:
    atomic_write_bytes(paths.totp_state, json.dumps({"last_used": time.time()}).encode())


def _fingerprint(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000).hex()


def block_login(paths: Paths, password: str) -> None:
    """Remember that the portal refused this password: a salted fingerprint, never the password itself."""
    salt = os.urandom(16)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record = {"refused_at": stamp, "salt": salt.hex(), "fingerprint": _fingerprint(password, salt)}
    atomic_write_bytes(paths.login_block, json.dumps(record).encode())


def login_blocked(paths: Paths, password: str) -> bool:
    """True while the refused password is still the configured one; a changed password lifts the block."""
    try:
        record = json.loads(paths.login_block.read_text())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable block: stay safe, a person can clear it
    salt = bytes.fromhex(str(record.get("salt", "")))
    if hmac.compare_digest(_fingerprint(password, salt), str(record.get("fingerprint", ""))):
        return True
    log.info("the password changed since the portal refused it; signing in may be tried again")
    paths.login_block.unlink(missing_ok=True)
    return False


def clear_login_block(paths: Paths) -> bool:
    """Allow sign-in again after a person fixed the password; True when a block was removed."""
    if paths.login_block.exists():
        paths.login_block.unlink()
        return True
    return False


class Signer:
    """Signs in (or reuses a saved sign-in) for one account and page; counts sign-ins."""

    def __init__(self, portal: PortalPage, account: PortalAccount, paths: Paths) -> None:
        self.portal = portal
        self.account = account
        self.paths = paths
        self.sign_ins = 0

    async def ensure(self, *, reuse: bool) -> None:
        """Reuse the saved session when allowed and valid, else sign in and save the new state."""
        if reuse:
            try:
                await is_signed_in(self.portal)
                return
            except SessionExpired:
                log.info("saved sign-in no longer valid")
        if login_blocked(self.paths, self.account.password.get_secret_value()):
            raise LoginRejected(
                "sign-in blocked: the portal refused this password before (three refusals lock the account); "
                "set the corrected password (or run with --clear-login-block once it is fixed in the portal)",
                step="sign-in",
            )
        totp = _totp(self.paths, self.account)
        try:
            await sign_in(
                self.portal,
                self.account.username,
                self.account.password,
                totp,
                answers=self.account.security_answers,
                remember_device=self.account.remember_device,
            )
        except LoginRejected:
            block_login(self.paths, self.account.password.get_secret_value())
            raise
        finally:
            if totp.last_used_step is not None:
                _remember_totp(self.paths)
        self.sign_ins += 1
        await save_storage_state(self.portal.context, self.paths.storage_state)
