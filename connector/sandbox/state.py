"""The running sandbox's mutable state: fault knobs, variant, sessions, lockout, TOTP steps, batches."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.model import Dataset

FAULT_DEFAULTS: dict[str, Any] = {
    "latency": 0,
    "error_rate": "",
    "error_status": 0,
    "rate_limit": 0,
    "retry_after": 1,
    "maintenance": False,
    "session_expiry_after": 0,
    "session_idle_seconds": 900,
    "truncate_downloads": "",
    "hostile_filenames": False,
    "interstitial": False,
    "drop": 0,
    "slow_reply": 0,
    "announcement": 3,
    "ack_delay": 0,
    "clock_offset": 0,
    "eligibility_burst": 0,
    "access": "premium",
    "second_factor": "question",
    "epra_delay": 0,
    "bundle_delay": 0,
    "rows_per_page": 30,
    "technical_difficulties": "",
}
"""Every fault knob and its pristine value (see docs/sandbox.md)."""

ACTIVE_WINDOW_S = 2.0
"""A session that asked for a page this recently is in use (one job's browser asks many times a second)."""
VARIANTS = ("v1", "v2", "optum")
CHOICES = {"access": ("premium", "standard"), "second_factor": ("question", "code")}
OTHER_TIN = "839201746"
"""A second TIN enrolled under the same optum user (a sister practice without payments)."""
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


def coerce_fault(name: str, value: Any) -> Any:
    """Validate a knob name and convert a CLI/JSON value to the knob's type; raises ValueError."""
    if name not in FAULT_DEFAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULT_DEFAULTS))}")
    default = FAULT_DEFAULTS[name]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"fault {name!r} takes true/false, not {value!r}")
    if isinstance(default, int):
        if isinstance(value, bool):
            return int(value)
        text = str(value).strip().lower()
        if text in ("true", "on", "yes"):
            return -1 if name == "drop" else 1
        return int(float(text or "0"))
    text = "" if value is None or value is False else str(value).strip()
    if name in CHOICES:
        text = text.lower() or str(default)
        if text not in CHOICES[name]:
            raise ValueError(f"fault {name!r} takes {' or '.join(CHOICES[name])}, not {value!r}")
    if name == "technical_difficulties" and text.startswith("next:"):
        int(text.split(":", 1)[1])
    elif name in ("error_rate", "technical_difficulties") and text:
        if text.startswith("every:"):
            int(text.split(":", 1)[1])
        else:
            float(text)
    if name == "truncate_downloads":
        text = {"1": "body", "true": "body", "on": "body", "0": "", "false": "", "off": ""}.get(
            text.lower(), text
        )
        if text not in ("", "body", "length"):
            raise ValueError("truncate_downloads takes body or length")
    return text


def totp_secret_for(seed: int) -> str:
    """A base32 TOTP secret derived from the seed (sandbox-only, printed by the command)."""
    digest = hashlib.sha256(f"sandbox-totp-{seed}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


@dataclass(slots=True)
class Account:
    """The sandbox's one portal user."""

    username: str = "billing.office"
    password: str = "Sandbox-Only-2026!"
    totp_secret: str = ""
    security_questions: dict[str, str] = field(
        default_factory=lambda: {
            "What is your favorite color?": "teal",
            "What was your childhood nickname?": "sparky",
            "In what state were you born?": "iowa",
        }
    )
    """The optum variant's security questions and their answers (one is asked per unrecognised sign-in)."""


@dataclass(slots=True)
class Session:
    """A browser session: after the password (stage ``mfa``) and after the code (stage ``ok``)."""

    sid: str
    stage: str
    created: float
    last_seen: float
    requests: int = 0
    announcement: bool = False
    interstitial: bool = False
    tin: str = ""
    """The TIN chosen in the optum variant's header dropdown ("" until one is picked)."""
    question: str = ""
    """The security question this optum sign-in must answer."""


@dataclass(slots=True)
class ResponseFile:
    """A file in the responses mailbox (a 999 or a 277CA of one batch)."""

    file_id: str
    batch_id: str
    kind: str
    filename: str
    content: bytes


@dataclass(slots=True)
class Batch:
    """One uploaded 837 file and what the payer made of it."""

    batch_id: str
    filename: str
    sha256: str
    size: int
    received: float
    claims: int
    accepted: int
    rejected: int
    ready_at: float
    responses: list[ResponseFile] = field(default_factory=list)
    duplicate_uploads: int = 0
    records: list[Any] = field(default_factory=list)
    """Claim status records of the accepted claims (shown once the acknowledgements are out)."""

    @property
    def ready(self) -> bool:
        """True once the 999 and 277CA are in the mailbox."""
        return time.time() >= self.ready_at


@dataclass(slots=True)
class Bundle:
    """An optum Payment Data Files bundle: what was asked for and when its zip is built."""

    bundle_id: int
    tin: str
    start: Any
    end: Any
    types: tuple[str, ...]
    created: float
    ready_at: float


@dataclass(slots=True)
class OptumState:
    """The optum variant's server-side queues: EPRA PDF requests, data bundles, trouble-page counter."""

    epra_ready_at: dict[str, float] = field(default_factory=dict)
    """Payment number -> when its requested EPRA PDF is generated."""
    epra_downloads: dict[str, int] = field(default_factory=dict)
    bundles: list[Bundle] = field(default_factory=list)
    trouble_pages: int = 0
    trouble_requests: int = 0
    questions_asked: int = 0


class SandboxState:
    """All mutable state behind one lock; ``reset()`` brings back the pristine state quickly."""

    def __init__(
        self, data: Dataset, account: Account, *, variant: str = "v1", faults: dict[str, Any] | None = None
    ):
        self.lock = threading.RLock()
        self.data = data
        self.account = account
        self.initial_variant = variant
        self.initial_faults = {**FAULT_DEFAULTS, **(faults or {})}
        self.reset()

    def reset(self) -> None:
        """Faults back to their start values, variant back, sessions/lockout/TOTP/batches cleared."""
        with self.lock:
            self.faults: dict[str, Any] = dict(self.initial_faults)
            self.variant = self.initial_variant
            self.sessions: dict[str, Session] = {}
            self.failed_passwords = 0
            self.failed_codes = 0  # refused one-time codes: real portals count them toward the lock too
            self.last_totp_step = -1
            self.signins = 0
            self.remembered: set[str] = set()
            self.requests = 0
            self.error_requests = 0
            self.rate_window: deque[float] = deque()
            self.batches: dict[str, Batch] = {}
            self.batches_by_sha: dict[str, str] = {}
            self.next_batch = 1
            self.dropped = 0
            self.eligibility_window: deque[float] = deque()
            self.eligibility_searches: list[tuple[str, str]] = []
            """(member id, date of service) of every eligibility search answered, in order."""
            self.eligibility_throttled = 0
            self.optum = OptumState()
            self.max_simultaneous = 0

    @property
    def locked(self) -> bool:
        """Three bad passwords lock the account until reset."""
        return self.failed_passwords >= 3

    def set_fault(self, name: str, value: Any) -> Any:
        """Set one knob (validated and converted); returns the stored value. ``variant`` switches the UI."""
        if name == "variant":
            self.set_variant(str(value))
            return self.variant
        converted = coerce_fault(name, value)
        with self.lock:
            self.faults[name] = converted
            if name == "technical_difficulties":
                self.optum.trouble_pages = self.optum.trouble_requests = 0
            if name in ("error_rate", "rate_limit"):
                self.error_requests = 0
                self.rate_window.clear()
            if name == "eligibility_burst":
                self.eligibility_window.clear()
        return converted

    def set_variant(self, variant: str) -> None:
        """Switch the UI variant (v1, v2 or optum)."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
        with self.lock:
            self.variant = variant

    def advance_acknowledgements(self) -> int:
        """Make every pending 999/277CA available now; returns how many batches were released."""
        now = time.time()
        with self.lock:
            pending = [b for b in self.batches.values() if b.ready_at > now]
            for batch in pending:
                batch.ready_at = now
        return len(pending)

    def finish_pdfs(self) -> int:
        """Make every EPRA PDF the optum variant is generating ready now; returns how many were waiting."""
        now = time.time()
        with self.lock:
            waiting = [n for n, at in self.optum.epra_ready_at.items() if at > now]
            for number in waiting:
                self.optum.epra_ready_at[number] = now
        return len(waiting)

    def note_sessions_at_once(self) -> None:
        """Count the sessions in use now (asked for a page in the last ACTIVE_WINDOW_S s); keep the peak.

        One job's parallel downloads share its session (one cookie) and count once; two jobs that share one
        saved sign-in are one session to the portal too.
        """
        now = time.time()
        with self.lock:
            active = sum(1 for s in self.sessions.values() if now - s.last_seen < ACTIVE_WINDOW_S)
            self.max_simultaneous = max(self.max_simultaneous, active)

    def new_session(self, stage: str) -> Session:
        """Open a session at the given stage."""
        now = time.time()
        session = Session(secrets.token_urlsafe(24), stage, now, now)
        with self.lock:
            self.sessions[session.sid] = session
        return session

    def enrolled_tins(self) -> list[str]:
        """The optum variant's header dropdown: a sister practice first (no payments), then the practice."""
        return [OTHER_TIN, self.data.practice.tin]

    def snapshot(self) -> dict[str, Any]:
        """What GET /__admin/state returns."""
        with self.lock:
            return {
                "variant": self.variant,
                "faults": dict(self.faults),
                "sessions": len(self.sessions),
                "failed_passwords": self.failed_passwords,
                "failed_codes": self.failed_codes,
                "locked": self.locked,
                "signins": self.signins,
                "username": self.account.username,
                "max_simultaneous_sessions": {self.account.username: self.max_simultaneous},
                "last_totp_step": self.last_totp_step,
                "batches": [
                    {"batch_id": b.batch_id, "ready": b.ready, "duplicate_uploads": b.duplicate_uploads}
                    for b in self.batches.values()
                ],
                "seed": self.data.seed,
                "as_of": self.data.as_of.isoformat(),
            }
