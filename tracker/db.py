"""Engines and sessions; locate the shipped migrations; upgrade; refuse a missing or mismatched schema.

Opening a database costs one query (the `alembic_version` row, compared with the revisions below):
neither Alembic nor the ORM is imported unless a command writes through a Session or migrates, and
the read commands on SQLite import no SQLAlchemy at all (`sqlite_read_connection`, tracker/readdb.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.config import DATABASE_ENV, Config, default_data_dir
from tracker.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session, sessionmaker

    from tracker.readdb import ReadConnection

VERSION_TABLE = "alembic_version"
# The shipped migrations' head and every revision they hold, so opening a database reads no script.
# tests/test_migrations.py checks both against Alembic's reading of migrations/versions: a new
# migration fails that test until it is added here.
HEAD_REVISION = "0012_open_rows_by_deadline"
KNOWN_REVISIONS = frozenset(
    {
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
        "0008_notify",
        "0009_owner_names",
        "0010_document_dates",
        "0011_exact_row_times",
        "0012_open_rows_by_deadline",
    }
)


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed package, or the repository's top-level folder."""
    packaged = Path(__file__).parent / "_migrations"
    if (packaged / "env.py").is_file():
        return packaged
    source = Path(__file__).resolve().parent.parent / "migrations"
    if (source / "env.py").is_file():
        return source
    raise DatabaseError(
        "the database migrations are missing from this installation", hint="reinstall tracker"
    )


def database_url(config: Config) -> str:
    """TRACKER_DATABASE_URL, then [database] url, then [database] path, then tracker.db beside the config."""
    env = os.environ.get(DATABASE_ENV)
    if env:
        return env
    if config.database.url:
        return config.database.url
    if config.database.path:
        path = Path(config.database.path).expanduser()
        if not path.is_absolute():
            path = config.base_dir / path
        return f"sqlite:///{path}"
    if config.path is not None:
        return f"sqlite:///{config.base_dir / 'tracker.db'}"
    return f"sqlite:///{default_data_dir() / 'tracker.db'}"


def describe_url(url: str) -> str:
    """The URL with any password hidden, safe for messages."""
    if url.startswith("sqlite"):  # no password to hide, and no SQLAlchemy to import for it
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"


def sqlite_path(url: str) -> Path | None:
    from tracker.readdb import sqlite_target

    target = sqlite_target(url)
    if target is None or target[0] in ("", ":memory:"):
        return None
    if target[0].startswith("file:"):  # a URI filename (`?mode=ro&uri=true`: a read-only database)
        return Path(target[0].removeprefix("file:").split("?", 1)[0])
    return Path(target[0])


def make_engine(url: str, busy_timeout_ms: int = 15000) -> Engine:
    """An engine with SQLite set up for a cron job and a person at once (WAL, foreign keys, busy wait)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise DatabaseError(
            "invalid database URL (from [database] or $TRACKER_DATABASE_URL)",
            hint="use sqlite:///path/to/tracker.db or postgresql+psycopg://user@host/db",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.close()

        return engine
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    raise DatabaseError(f"unsupported database: {backend}", hint="tracker supports SQLite and PostgreSQL")


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: never initialised
    head: str
    known: bool  # current is a revision this code knows

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def _script_info() -> tuple[str, frozenset[str]]:
    """Head and known revisions of the shipped migrations (constants: see HEAD_REVISION)."""
    return HEAD_REVISION, KNOWN_REVISIONS


def head_revision() -> str:
    return _script_info()[0]


def schema_state(engine: Engine) -> SchemaState:
    """The database's revision against this code's: one SELECT when the version table is there."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError, OperationalError

    head, known = _script_info()
    try:
        with engine.connect() as connection:
            try:
                current = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            except DBAPIError as exc:
                # No version table (a new database), or a real failure that the lookup below reports.
                connection.rollback()
                if connection.dialect.has_table(connection, VERSION_TABLE):
                    raise exc from None
                return SchemaState(None, head, True)
    except OperationalError as exc:  # cannot connect (others, such as a file that is not a database, go on)
        raise _cannot_open(str(engine.url), _short(exc)) from None
    return SchemaState(current, head, current is None or current in known)


def _cannot_open(url: str, reason: str) -> DatabaseError:
    """Why a database cannot be opened: SQLite's "unable to open" is a path problem, never a server's."""
    path = sqlite_path(url)
    if path is not None and path.is_dir():
        return DatabaseError(
            f"the database path {path} is a directory, not a SQLite file",
            hint=f"set [database] path to a file, e.g. {path / 'tracker.db'}",
        )
    if path is not None:
        return DatabaseError(
            f"cannot open the database {path}: {reason}",
            hint="check [database] path (or $TRACKER_DATABASE_URL): its folder must exist and be writable",
        )
    return DatabaseError(
        f"cannot open the database {describe_url(url)}: {reason}",
        hint="check that the server is running and the URL in [database] or $TRACKER_DATABASE_URL",
    )


def _short(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]


def upgrade(engine: Engine, revision: str = "head", *, timezone: str | None = None) -> None:
    """Bring the schema to `revision` with the shipped Alembic scripts; `timezone` is [org] timezone,
    for data migrations that place dates (0010_document_dates; UTC when not given)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        cfg.attributes["org_timezone"] = timezone
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def database_exists(url: str, engine: Engine) -> bool:
    """A SQLite file that exists, or a server database that has been initialised."""
    path = sqlite_path(url)
    if path is not None:
        return path.exists()
    return schema_state(engine).current is not None


def prepare(url: str, engine: Engine, *, create: bool) -> None:
    """Make sure the schema is usable: create and upgrade when allowed, else refuse with a hint."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            raise no_database_at(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create {path.parent}: {exc.strerror}") from None
    state = schema_state(engine)
    if state.current is None and create:
        upgrade(engine)
        return
    refuse_mismatch(url, state)


def no_database_at(path: Path) -> DatabaseError:
    return DatabaseError(
        f"no database at {path}",
        hint="run `tracker init` (or `tracker import`) here, or point --config / "
        "$TRACKER_DATABASE_URL at the existing database",
    )


def refuse_mismatch(url: str, state: SchemaState) -> None:
    """A DatabaseError unless the schema is this code's head (never initialised, newer, or behind)."""
    if state.current is None:
        raise DatabaseError(
            f"the database {describe_url(url)} has not been initialised",
            hint="run `tracker db upgrade` (or `tracker init`) once to create the tables",
        )
    if not state.known:
        raise DatabaseError(
            f"the database is at schema revision {state.current}, newer than this tracker knows (head {state.head})",
            hint="another host upgraded it: upgrade tracker here to the same version before using it",
        )
    if not state.is_current:
        # An existing database is never upgraded implicitly: the user backs it up first.
        raise DatabaseError(
            f"the database schema is behind this tracker (at {state.current}, head is {state.head})",
            hint="back up the database, then run `tracker db upgrade`",
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the commands that write through the ORM; each keeps the report tables current
    (`tracker.states_session.maintain`: the items a transaction touched are rebuilt before it commits)."""
    from sqlalchemy.orm import sessionmaker

    from tracker.states_session import maintain

    return maintain(sessionmaker(engine, expire_on_commit=False))


@contextmanager
def connection(engine: Engine) -> Iterator[Connection]:
    """One Core transaction (read-mostly commands: no ORM, no Session hooks): commit on success."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def sqlite_read_connection(url: str, busy_timeout_ms: int) -> Iterator[ReadConnection]:
    """One transaction of a read command on SQLite, through stdlib sqlite3 (no SQLAlchemy imported).

    The schema is checked as `prepare` checks it (the same messages): the file exists, and its
    `alembic_version` is this code's head.
    """
    import sqlite3

    from tracker.readdb import open_sqlite

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise no_database_at(path)
    try:
        conn = open_sqlite(url, busy_timeout_ms)
    except sqlite3.OperationalError as exc:
        raise _cannot_open(url, str(exc)) from None
    try:
        try:
            current = conn.scalar(f"SELECT version_num FROM {VERSION_TABLE}")
        except sqlite3.OperationalError:
            found = conn.scalar(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name", {"name": VERSION_TABLE}
            )
            if found:
                raise
            current = None
        head, known = _script_info()
        refuse_mismatch(url, SchemaState(current, head, current is None or current in known))
        yield conn
        conn.raw.commit()
    except BaseException:
        conn.raw.rollback()
        raise
    finally:
        conn.raw.close()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
