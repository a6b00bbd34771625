"""Time-based one-time codes for portal sign-in, never reusing a code within its 30-second step."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pyotp

STEP_SECONDS = 30
MIN_REMAINING_SECONDS = 3.0


class TotpSource:
    """Hands out one code per 30 s step (RFC 6238 §5.2: a code is accepted once)."""

    def __init__(
        self,
        secret: str,
        min_remaining: float = MIN_REMAINING_SECONDS,
        offset_s: float | None = None,
        claim: Callable[[int], bool] | None = None,
    ) -> None:
        self._totp = pyotp.TOTP(secret)
        self._claim = claim
        """Fleet mode: asks the database for a step (True: ours alone); False means another worker used it."""
        self._min_remaining = min_remaining
        self._last_step: int | None = None
        self.offset_s: float | None = offset_s
        """Seconds this machine is ahead of the portal (measured): codes are made on the portal's time."""

    def _now(self) -> float:
        """The portal's time as far as we know it (this machine's when no offset was measured)."""
        return time.time() - (self.offset_s or 0.0)

    def _seconds_until_usable(self, now: float) -> float:
        step = int(now // STEP_SECONDS)
        remaining = STEP_SECONDS - (now % STEP_SECONDS)
        if step == self._last_step or remaining < self._min_remaining:
            return remaining + 0.05
        return 0.0

    async def next_code(self) -> str:
        """Wait, if needed, for a step whose code was not used and has enough time left; return that code.

        With a ``claim`` (fleet mode) a step another worker already used is skipped: no two submit one step.
        """
        while True:
            while (wait := self._seconds_until_usable(self._now())) > 0:  # noqa: ASYNC110 - the clock
                await asyncio.sleep(wait)
            now = self._now()
            self._last_step = int(now // STEP_SECONDS)
            if self._claim is None or self._claim(self._last_step):
                return str(self._totp.at(now))

    @property
    def last_used_step(self) -> int | None:
        """The 30 s step whose code was last handed out or marked used (None: none yet)."""
        return self._last_step

    def mark_used(self, when: float | None = None) -> None:
        """Record that the code of the step at ``when`` was used elsewhere (e.g. a previous run)."""
        self._last_step = int((when if when is not None else self._now()) // STEP_SECONDS)
