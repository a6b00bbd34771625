"""Dashboard users: argon2 password hashes, roles, and login throttling kept in the ``web_user`` table."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.errors import ConfigError
from connector.store import WebUser, utcnow

ROLES = ("viewer", "admin")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password anyone has")
"""Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""


@dataclass(frozen=True, slots=True)
class Throttle:
    """How sign-in slows down: free attempts, then a wait that doubles per wrong password (capped)."""

    free_attempts: int = 5
    max_block_seconds: int = 900
    first_block_seconds: int = 30

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` wrong passwords in a row: none while attempts are free, then
        30 s, doubling with each further wrong password, up to the maximum."""
        if failures < self.free_attempts:
            return 0
        wait = self.first_block_seconds * 2 ** min(failures - self.free_attempts, 20)
        return int(min(wait, self.max_block_seconds))


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """What a sign-in attempt got: ok (with the user), wrong, or blocked for ``wait`` seconds."""

    status: Literal["ok", "wrong", "blocked"]
    user_id: int | None = None
    name: str = ""
    role: str = ""
    wait: int = 0
    stamp: str = ""
    """A fingerprint of the password hash: a changed password ends existing sessions."""


def stamp_of(user: WebUser) -> str:
    """A short fingerprint of the user's password hash (never the hash itself) for the session."""
    return user.password_hash[-16:]


def add_user(session: Session, name: str, role: str, password: str) -> WebUser:
    """Create a user, or set the role and password of an existing one (and clear any block)."""
    name = name.strip()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        raise ConfigError("a user name is 1-100 characters without spaces")
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD} characters")
    user = session.scalars(select(WebUser).where(WebUser.name == name)).first()
    if user is None:
        user = WebUser(name=name, role=role, password_hash="", failed_logins=0, created_at=utcnow())
        session.add(user)
    user.role = role
    user.password_hash = _HASHER.hash(password)
    user.failed_logins = 0
    user.blocked_until = None
    session.flush()
    return user


def list_users(session: Session) -> list[WebUser]:
    """Every user, by name."""
    return list(session.scalars(select(WebUser).order_by(WebUser.name)))


def blocked_users(session: Session, now: dt.datetime | None = None) -> list[WebUser]:
    """Users whose sign-in is slowed down right now."""
    moment = now or utcnow()
    return [u for u in list_users(session) if u.blocked_until is not None and u.blocked_until > moment]


def clear_block(session: Session, name: str) -> bool:
    """Let a user sign in again at once; True when there was a block or failures to clear."""
    user = session.scalars(select(WebUser).where(WebUser.name == name)).first()
    if user is None or (user.failed_logins == 0 and user.blocked_until is None):
        return False
    user.failed_logins = 0
    user.blocked_until = None
    session.flush()
    return True


def check_login(
    session: Session, name: str, password: str, throttle: Throttle, now: dt.datetime | None = None
) -> LoginOutcome:
    """Verify a sign-in attempt; wrong passwords in a row slow the next attempts down (per user).

    While blocked the password is not even checked (the answer is "wait"). Unknown names are verified
    against a dummy hash and throttled by the caller (they have no row to count in).
    """
    moment = now or utcnow()
    user = session.scalars(select(WebUser).where(WebUser.name == name.strip())).first()
    if user is None:
        _verify(_DUMMY_HASH, password)
        return LoginOutcome("wrong")
    if user.blocked_until is not None and user.blocked_until > moment:
        return LoginOutcome("blocked", wait=max(1, math.ceil((user.blocked_until - moment).total_seconds())))
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        wait = throttle.wait_after(user.failed_logins)
        user.blocked_until = moment + dt.timedelta(seconds=wait) if wait else None
        session.flush()
        return LoginOutcome("wrong", user.id, user.name, wait=wait)
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    user.failed_logins = 0
    user.blocked_until = None
    user.last_login_at = moment
    session.flush()
    return LoginOutcome("ok", user.id, user.name, user.role, stamp=stamp_of(user))


def _verify(encoded: str, password: str) -> bool:
    try:
        return _HASHER.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False
