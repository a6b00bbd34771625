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
from pathlib import Path

from playwright.async_api import Response

from connector.browser import TotpSource, save_storage_state
from connector.browser.totp import STEP_SECONDS
from connector.clock import describe_offset, is_off, load_reading, offset_from_date, record_offset
from connector.errors import LoginRejected, MfaFailed, SessionExpired
from connector.fileio import atomic_write_bytes
from connector.filestore import TotpSteps
from connector.jobs.paths import Paths
from connector.jobs.signin_state import SignInState
from connector.settings import PortalAccount
from flows.portal import PortalPage
from flows.signin import is_signed_in, sign_in

log = logging.getLogger(__name__)

CLOCK_READING_TTL_S = 600.0
"""A clock offset measured longer ago than this is not used for codes (the sign-in page measures it anew)."""


def _totp(paths: Paths, account: PortalAccount, steps: TotpSteps | None = None) -> TotpSource:
    reading = load_reading(paths.clock_state)  # measured by this run's health check, if any
    fresh = reading is not None and time.time() - reading.measured_at < CLOCK_READING_TTL_S
    offset = reading.offset_s if reading is not None and fresh else None
    claim = steps.claim if steps is not None else None
    source = TotpSource(account.totp_secret.get_secret_value(), offset_s=offset, claim=claim)
    if steps is not None:  # fleet mode: the database knows every worker's last step
        last = steps.last()
        if last is not None:
            source.mark_used(last * STEP_SECONDS)
        return source
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        source.mark_used(float(json.loads(paths.totp_state.read_text())["last_used"]))
    return source


def _remember_totp(paths: Paths, totp: TotpSource) -> None:
    step = totp.last_used_step if totp.last_used_step is not None else int(time.time() // STEP_SECONDS)
    atomic_write_bytes(paths.totp_state, json.dumps({"last_used": step * STEP_SECONDS}).encode())


def note_clock(paths: Paths, offset: float | None, source: str) -> float | None:
    """Save a measured clock offset; log a warning once when it goes past the limit. Returns ``offset``."""
    if offset is None:
        return None
    _reading, warn_now = record_offset(paths.clock_state, offset, source)
    if warn_now:
        log.warning("%s (%s, account %s)", describe_offset(offset), source, paths.account)
    return offset


def _fingerprint(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000).hex()


def _block(path: Path, secret: str) -> None:
    salt = os.urandom(16)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record = {"refused_at": stamp, "salt": salt.hex(), "fingerprint": _fingerprint(secret, salt)}
    atomic_write_bytes(path, json.dumps(record).encode())


def _blocked(path: Path, secret: str, what: str) -> bool:
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable block: stay safe, a person can clear it
    salt = bytes.fromhex(str(record.get("salt", "")))
    if hmac.compare_digest(_fingerprint(secret, salt), str(record.get("fingerprint", ""))):
        return True
    log.info("the %s changed since the portal refused it; signing in may be tried again", what)
    path.unlink(missing_ok=True)
    return False


def block_login(paths: Paths, password: str) -> None:
    """Remember that the portal refused this password: a salted fingerprint, never the password itself."""
    _block(paths.login_block, password)


def login_blocked(paths: Paths, password: str) -> bool:
    """True while the refused password is still the configured one; a changed password lifts the block."""
    return _blocked(paths.login_block, password, "password")


def block_mfa(paths: Paths, totp_secret: str) -> None:
    """Remember that the portal refused the codes of this authenticator secret (salted fingerprint only)."""
    _block(paths.mfa_block, totp_secret)


def mfa_blocked(paths: Paths, totp_secret: str) -> bool:
    """True while the refused authenticator secret is still the configured one; a new secret lifts it."""
    return _blocked(paths.mfa_block, totp_secret, "authenticator secret")


def account_notes(paths: Paths) -> list[str]:
    """What `connector status` says about an account's sign-in: blocks in force, a clock that is off."""
    notes = []
    if paths.login_block.exists():
        notes.append("sign-in blocked: the portal refused the password (set the corrected password)")
    if paths.mfa_block.exists():
        notes.append("sign-in blocked: the portal refused the one-time codes (set the corrected TOTP secret)")
    reading = load_reading(paths.clock_state)
    if reading is not None and is_off(reading.offset_s):
        when = dt.datetime.fromtimestamp(reading.measured_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        notes.append(f"{describe_offset(reading.offset_s)} (measured {when} from the {reading.source})")
    return notes


def clear_login_block(paths: Paths) -> bool:
    """Allow sign-in again after a person fixed the password or TOTP secret; True when a block was removed."""
    removed = False
    for block in (paths.login_block, paths.mfa_block):
        if block.exists():
            block.unlink()
            removed = True
    return removed


class _PageClock:
    """Measures the portal's clock from the Date header of each page the sign-in loads; codes follow it."""

    def __init__(self, totp: TotpSource) -> None:
        self.totp = totp
        self.offset: float | None = None

    def observe(self, response: Response) -> None:
        """A response arrived: when it is a page, take the offset from its Date header."""
        if response.request.resource_type != "document":
            return
        now = time.time()
        offset = offset_from_date(response.headers.get("date"), now, now)
        if offset is not None:
            self.offset = self.totp.offset_s = offset


class Signer:
    """Signs in (or reuses a saved sign-in) for one account and page; counts sign-ins."""

    def __init__(
        self, portal: PortalPage, account: PortalAccount, paths: Paths, state: SignInState | None = None
    ) -> None:
        self.portal = portal
        self.account = account
        self.paths = paths
        self.state = state
        """Where the saved sign-in and TOTP steps go (None: the data folder, as always)."""
        self.sign_ins = 0

    async def ensure(self, *, reuse: bool) -> None:
        """Reuse the saved session when allowed and valid, else sign in and save the new state."""
        if reuse:
            try:
                await is_signed_in(self.portal)
                return
            except SessionExpired:
                log.info("saved sign-in no longer valid")
        if self.state is not None:
            self.state.pull_blocks()  # fleet mode: every worker's refusals count here
        if login_blocked(self.paths, self.account.password.get_secret_value()):
            raise LoginRejected(
                "sign-in blocked: the portal refused this password before (three refusals lock the account); "
                "set the corrected password (or run with --clear-login-block once it is fixed in the portal)",
                step="sign-in",
            )
        secret = self.account.totp_secret.get_secret_value()
        if mfa_blocked(self.paths, secret):
            raise MfaFailed(
                "sign-in blocked: the portal refused the one-time codes of this authenticator secret before "
                "(failed codes count toward the account lock); set the corrected TOTP secret "
                "(or run with --clear-login-block once it is fixed)",
                step="sign-in",
            )
        if self.state is not None:
            self.state.push_blocks()  # a block lifted by a changed secret is lifted for every worker
        steps = self.state.totp_steps() if self.state is not None else None
        totp = _totp(self.paths, self.account) if steps is None else _totp(self.paths, self.account, steps)
        page_clock = _PageClock(totp)
        self.portal.page.on("response", page_clock.observe)
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
            if self.state is not None:
                self.state.push_blocks()
            raise
        except MfaFailed as exc:
            if is_off(totp.offset_s):  # never block while the clock is off: the clock may be the reason
                raise MfaFailed(f"{exc.args[0]}; {describe_offset(totp.offset_s or 0.0)}") from None
            block_mfa(self.paths, secret)
            if self.state is not None:
                self.state.push_blocks()
            raise MfaFailed(
                f"{exc.args[0]}; sign-in is blocked until the TOTP secret setting changes "
                "(failed codes count toward the account lock)"
            ) from None
        finally:
            self.portal.page.remove_listener("response", page_clock.observe)
            note_clock(self.paths, page_clock.offset, "sign-in page")
            if totp.last_used_step is not None and steps is None:
                _remember_totp(self.paths, totp)
        self.sign_ins += 1
        if self.state is not None:
            await self.state.save(self.portal.context)
        else:
            await save_storage_state(self.portal.context, self.paths.storage_state)
