"""Create pacing shared through the database: one budget per credential across processes and hosts."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker.backends.pacing import HOUR, CreateBudget, wait_for
from tracker.models import CreateBudgetRow, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

MAX_SPINS = 1000  # compare-and-swap retries before giving up on an impossibly busy row


def credential_hash(credential: str) -> str:
    """The row key: a hash, so neither the table nor a dump ever holds the secret."""
    return hashlib.sha256(credential.encode()).hexdigest()


class SharedCreateBudget(CreateBudget):
    """A CreateBudget whose create times live in `create_budgets`, shared by every host on the database.

    Each spend is a conditional UPDATE on the row's version (compare-and-swap): no lock is held
    across the sleep and none outlives a transaction, so it works on SQLite, PostgreSQL and through
    PgBouncer in transaction mode. Times are epoch seconds: hosts need synchronised clocks (NTP).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        credential: str,
        per_minute: int = 20,
        per_hour: int = 400,
        *,
        min_interval: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(per_minute, per_hour, min_interval=min_interval, clock=clock, sleep=sleep)
        self.sessions = sessions
        self.key = credential_hash(credential)

    def _keep(self) -> int:
        """How many past creates matter: enough for the hourly and per-minute windows, at least one."""
        return max(self.per_hour, self.per_minute, 1)

    def _row(self, session: Session) -> tuple[list[float], int]:
        row = session.execute(
            select(CreateBudgetRow.stamps, CreateBudgetRow.version).where(
                CreateBudgetRow.credential == self.key
            )
        ).first()
        if row is not None:
            return list(row.stamps or []), int(row.version)
        try:
            with session.begin_nested():
                session.execute(
                    insert(CreateBudgetRow).values(
                        credential=self.key, stamps=[], version=0, updated_at=utcnow()
                    )
                )
        except IntegrityError:
            pass  # another host created it at the same moment
        return self._row(session)

    def acquire(self) -> float:
        """Sleep until one create fits the shared budget, then record it atomically; the seconds slept."""
        slept = 0.0
        with self._lock:
            for _ in range(MAX_SPINS):
                now = self.clock()
                with self.sessions() as session, session.begin():
                    stamps, version = self._row(session)
                    wait = wait_for(stamps, now, self.per_minute, self.per_hour, self.min_interval)
                    if wait <= 0:
                        recent = [s for s in stamps if s > now - HOUR]
                        keep = self._keep() - 1
                        kept = recent[-keep:] if keep > 0 else []
                        swapped = session.execute(
                            update(CreateBudgetRow)
                            .where(CreateBudgetRow.credential == self.key, CreateBudgetRow.version == version)
                            .values(stamps=[*kept, now], version=version + 1, updated_at=utcnow())
                            .execution_options(synchronize_session=False)
                        )
                        if int(getattr(swapped, "rowcount", 0)) == 1:
                            self.spent += 1
                            return slept
                        continue  # another process spent first: read again
                self.sleep(wait)
                slept += wait
                self.waited += wait
        raise RuntimeError("the shared create budget row stayed too busy to update")
