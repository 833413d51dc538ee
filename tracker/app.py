"""Per-invocation context: configuration, database engine and sessions, actor, and the local date."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from tracker.clock import SYSTEM, Clock
from tracker.config import Config, load_config

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from tracker.actor import Actor
    from tracker.people import OwnerResolver
    from tracker.readdb import ReadConnection

log = logging.getLogger("tracker")


class AppContext:
    """Everything a command needs, built lazily so `--help` and pure commands stay fast."""

    def __init__(
        self,
        config_path: str | None = None,
        verbosity: int = 0,
        config: Config | None = None,
        clock: Clock = SYSTEM,
    ) -> None:
        self.config_path = config_path
        self.verbosity = verbosity
        self.clock = clock  # what waits (retries, Retry-After, create pacing) sleep on
        self.quiet = False  # -q: commands print only warnings, errors and what needs attention
        self._config = config
        self._prepared = False

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            for warning in self._config.warnings:
                log.warning("%s", warning)
        return self._config

    @cached_property
    def database_url(self) -> str:
        from tracker.db import database_url

        return database_url(self.config)

    @cached_property
    def engine(self) -> Engine:
        from tracker.db import make_engine

        return make_engine(self.database_url, self.config.database.busy_timeout_ms)

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        from tracker.db import session_factory

        return session_factory(self.engine)

    def database_exists(self) -> bool:
        from tracker.db import database_exists

        return database_exists(self.database_url, self.engine)

    def ensure_database(self, create: bool = False) -> None:
        """Refuse a missing or mismatched database; `create` (init, add, import) makes it instead.

        A database created here is announced on stderr with where it is: run in the wrong folder,
        a command would otherwise quietly start a second database under the user data folder.
        """
        if self._prepared:
            return
        from tracker.db import prepare

        existed = not create or self.database_exists()
        prepare(self.database_url, self.engine, create=create)
        self._prepared = True
        if not existed:
            import click

            click.echo(f"created database: {self.database_location()}", err=True)

    def database_location(self) -> str:
        """The SQLite file's absolute path, or the server URL without its password."""
        from tracker.db import describe_url, sqlite_path

        path = sqlite_path(self.database_url)
        return str(path.resolve()) if path is not None else describe_url(self.database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction; the schema is checked first (a missing database is refused)."""
        from tracker.db import transaction

        self.ensure_database(create=False)
        with transaction(self._sessions) as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[ReadConnection]:
        """One transaction of a read command (list, show, report), schema checked: on SQLite through
        stdlib sqlite3 (no SQLAlchemy imported), on PostgreSQL through a Core connection."""
        from tracker.readdb import SQLAlchemyConnection, sqlite_target

        target = sqlite_target(self.database_url)
        if target is not None and target[0] != ":memory:":  # a memory database lives in the engine
            from tracker.db import sqlite_read_connection

            with sqlite_read_connection(self.database_url, self.config.database.busy_timeout_ms) as conn:
                yield conn
            return
        from tracker.db import connection

        self.ensure_database(create=False)
        with connection(self.engine) as core:
            yield SQLAlchemyConnection(core)

    @cached_property
    def actor(self) -> Actor:
        from tracker.actor import Actor

        return Actor.current()

    @cached_property
    def resolver(self) -> OwnerResolver:
        from tracker.people import OwnerResolver

        return OwnerResolver(self.config)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """Today in [org] timezone: overdue and on-time are local-date questions."""
        return datetime.now(self.config.org.zone).date()

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
