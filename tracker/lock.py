"""Leases: one sync per target at a time, as rows with holder, expiry and a fencing token checked at commit."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import LeaseHeldError, TrackerError
from tracker.models import Lease, utcnow


class LeaseLost(TrackerError):
    """Another holder took the lease over (ours expired): stop before writing anything more."""

    exit_code = 3


@dataclass
class Held:
    """A lease we hold: the fencing token proves it at every commit."""

    name: str
    holder: str
    token: int
    ttl: timedelta
    acquired_at: datetime = field(default_factory=utcnow)


def _rows(result: Any) -> int:
    """Rows an UPDATE matched (SQLAlchemy types execute() results without rowcount)."""
    return int(result.rowcount)


def _pid_namespace() -> str:
    """Which pid namespace we run in: two containers can share a host name but never this."""
    try:
        return f"ns{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return "ns?"


def make_holder() -> str:
    """Unique per process run: pid and host mean nothing in a container, so add a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}:{_pid_namespace()}"


def acquire(
    sessions: sessionmaker[Session], names: list[str], holder: str, ttl_seconds: int, run_id: int | None
) -> list[Held]:
    """Take every lease in `names` or none: a held one raises LeaseHeldError naming its holder."""
    taken: list[Held] = []
    try:
        for name in sorted(names):
            taken.append(_acquire_one(sessions, name, holder, timedelta(seconds=ttl_seconds), run_id))
    except BaseException:
        release(sessions, taken)
        raise
    return taken


def _acquire_one(
    sessions: sessionmaker[Session], name: str, holder: str, ttl: timedelta, run_id: int | None
) -> Held:
    with sessions() as session, session.begin():
        if session.get(Lease, name) is None:
            try:
                with session.begin_nested():
                    session.execute(insert(Lease).values(name=name, token=0))
            except IntegrityError:
                pass  # another process created the row at the same moment
    now = utcnow()
    with sessions() as session, session.begin():
        # One conditional UPDATE is atomic on SQLite and PostgreSQL alike, poolers included.
        free = (Lease.holder.is_(None)) | (Lease.expires_at < now)
        if _take(session, name, free, holder, ttl, run_id, now):
            token = session.scalar(select(Lease.token).where(Lease.name == name))
            return Held(name, holder, int(token or 0), ttl, now)
        current = session.get(Lease, name)
        assert current is not None
        # Killed on this very host (its pid is gone): no need to wait for the expiry.
        if _holder_died_here(current) and _take(
            session, name, Lease.token == current.token, holder, ttl, run_id, now
        ):
            return Held(name, holder, int(current.token) + 1, ttl, now)
    since = (
        current.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC") if current.acquired_at else "an unknown time"
    )
    expires = current.expires_at.strftime("%H:%M:%S UTC") if current.expires_at else "?"
    raise LeaseHeldError(
        f"another sync is running since {since} (holder {current.holder}, lease {name})",
        hint=f"wait for it to finish; its lease expires at {expires} if it died",
    )


def _take(
    session: Session,
    name: str,
    condition: Any,
    holder: str,
    ttl: timedelta,
    run_id: int | None,
    now: datetime,
) -> bool:
    """Become the holder if `condition` still holds, bumping the fencing token; True when it worked."""
    result = session.execute(
        update(Lease)
        .where(Lease.name == name, condition)
        .values(
            holder=holder,
            host=socket.gethostname(),
            pid=os.getpid(),
            run_id=run_id,
            acquired_at=now,
            heartbeat_at=now,
            expires_at=now + ttl,
            token=Lease.token + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return _rows(result) == 1


def _holder_died_here(lease: Lease) -> bool:
    """The holder ran on this host and its process no longer exists (a kill, an OOM, a reboot)."""
    if lease.host != socket.gethostname() or not lease.pid or lease.pid == os.getpid():
        return False
    namespace = _pid_namespace()
    if namespace == "ns?" or not (lease.holder or "").endswith(f":{namespace}"):
        return False  # another container with the same host name: its pids are not ours to check
    try:
        os.kill(lease.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


def fence(session: Session, held: list[Held]) -> None:
    """Inside the caller's transaction: prove we still hold every lease and extend it; else roll back."""
    now = utcnow()
    for lease in held:
        result = session.execute(
            update(Lease)
            .where(Lease.name == lease.name, Lease.token == lease.token, Lease.holder == lease.holder)
            .values(heartbeat_at=now, expires_at=now + lease.ttl)
            .execution_options(synchronize_session=False)
        )
        if _rows(result) != 1:
            raise LeaseLost(
                f"lost the lease {lease.name}: another sync took it over after ours expired",
                hint="raise [sync] lease_seconds if runs are legitimately this slow",
            )


def release(sessions: sessionmaker[Session], held: list[Held]) -> None:
    for lease in held:
        with sessions() as session, session.begin():
            session.execute(
                update(Lease)
                .where(Lease.name == lease.name, Lease.token == lease.token)
                .values(holder=None, expires_at=None, heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )


class Heartbeat:
    """Renews held leases every third of their lifetime while a run is alive, so a run that waits
    (create pacing, a secondary rate limit, a long listing) is never taken over; a run that died stops
    renewing and its lease expires."""

    def __init__(self, sessions: sessionmaker[Session], held: list[Held]) -> None:
        import threading

        self.sessions = sessions
        self.held = held
        self.lost = False
        self._stop = threading.Event()
        interval = min((lease.ttl.total_seconds() for lease in held), default=300) / 3
        self._thread = threading.Thread(target=self._run, args=(max(interval, 0.5),), daemon=True)

    def __enter__(self) -> Heartbeat:
        if self.held:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self, interval: float) -> None:
        import logging

        while not self._stop.wait(interval):
            try:
                with self.sessions() as session, session.begin():
                    fence(session, self.held)
            except LeaseLost:
                self.lost = True  # the next commit's fence stops the run
                return
            except Exception as exc:  # a busy or briefly unreachable database: try again next beat
                logging.getLogger("tracker").debug("lease heartbeat failed: %s", exc)
