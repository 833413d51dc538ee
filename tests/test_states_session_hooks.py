"""`maintain` hooks every Session and sessionmaker it is given, also one made where a collected one lived.

SQLAlchemy's event registry keys listeners by id(target), and its entry for a collected target can
outlive it: `event.contains` then said a new Session at the same address was hooked, the hooks were
skipped, and that Session's commits left the report rows stale (intermittent report test failures).
"""

from __future__ import annotations

import gc

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.states_session import _after_flush, _before_commit, maintain


def _hooked(target) -> bool:
    return _before_commit in list(target.dispatch.before_commit) and _after_flush in list(
        target.dispatch.after_flush
    )


def test_every_new_session_and_sessionmaker_gets_the_hooks(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    # Everything alive before the loop is left out of the collections below: in a worker that already
    # ran hundreds of tests, each gc.collect() walked that whole heap (220 s of a CI run, seconds alone).
    # The Sessions made in the loop are still collected and their addresses still reused.
    gc.freeze()
    try:
        unhooked = 0
        for round_ in range(3000):
            session = maintain(Session(engine))
            factory = maintain(sessionmaker(engine))
            unhooked += not _hooked(session)
            made = factory()
            unhooked += not _hooked(made)  # a sessionmaker's hooks reach the sessions it makes
            session.close()
            made.close()
            del session, factory, made
            if round_ % 97 == 0:
                gc.collect()
        assert unhooked == 0
    finally:
        gc.unfreeze()
        engine.dispose()


def test_maintain_is_idempotent(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        session = maintain(maintain(Session(engine)))
        assert list(session.dispatch.before_commit).count(_before_commit) == 1
        session.close()
    finally:
        engine.dispose()
