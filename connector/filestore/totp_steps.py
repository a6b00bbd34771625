"""The TOTP step last used per account, in the database: no two workers ever submit the same step."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from connector.store.models_files import TotpStep
from connector.store.types import utcnow


class TotpSteps:
    """Claims 30-second steps for one account; a step is granted to one claimer only."""

    def __init__(self, factory: sessionmaker[Session], account: str) -> None:
        self.factory = factory
        self.account = account

    def last(self) -> int | None:
        """The last step claimed (by any worker), or None."""
        with self.factory() as session:
            found = session.scalar(select(TotpStep.last_step).where(TotpStep.account == self.account))
            return int(found) if found is not None else None

    def claim(self, step: int) -> bool:
        """True when ``step`` is newer than every step claimed before (an atomic compare-and-set)."""
        with self.factory.begin() as session:
            moved = session.execute(
                update(TotpStep)
                .where(TotpStep.account == self.account, TotpStep.last_step < step)
                .values(last_step=step, updated_at=utcnow())
            )
            if moved.rowcount:  # type: ignore[attr-defined]
                return True
            if session.get(TotpStep, self.account) is not None:
                return False
        try:
            with self.factory.begin() as session:
                session.add(TotpStep(account=self.account, last_step=step))
            return True
        except IntegrityError:  # another worker made the row first: claim against it
            return self.claim(step)
