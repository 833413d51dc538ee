"""The read path's database handle (list, show, report): stdlib sqlite3 on SQLite, SQLAlchemy on PostgreSQL.

Importing SQLAlchemy costs more than a whole `tracker list` may take, so on the embedded SQLite
database the everyday commands run their SQL text on `sqlite3` itself; on PostgreSQL a thin adapter
runs the same text through SQLAlchemy. SQLite gives values as it stores them (timestamps, dates and
JSON as text, booleans as 0/1), PostgreSQL typed: the converters below take either, and are the one
place stored values become Python objects (booleans: `bool()`).
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores a timestamp on SQLite
# Arguments of sqlite3.connect that SQLAlchemy reads from a URL's query (the rest go into a file: URI).
_DRIVER_ARGS = frozenset(
    {"timeout", "isolation_level", "detect_types", "check_same_thread", "cached_statements", "uri"}
)


class Rows(list[Any]):
    """A statement's rows (named tuples: by attribute or position) and their column names."""

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        row = namedtuple("Row", columns, rename=True)  # type: ignore[misc]  # names known only at run time
        super().__init__(map(row._make, rows))
        self.columns = tuple(columns)

    def first(self) -> Any:
        return self[0] if self else None

    def scalar(self) -> Any:
        return self[0][0] if self else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self]

    def mappings(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self]


class ReadConnection:
    """What the read commands need of a connection: SQL text with `:name` parameters, and small writes.

    `errors` are the driver's exceptions for a write that cannot happen (a read-only file or role, a
    lock held too long): the report catches them around what it only remembers (saved runs, month ends).
    """

    name: str  # sqlite | postgresql
    errors: tuple[type[BaseException], ...]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Rows:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: undone alone when its block raises."""
        raise NotImplementedError

    def tuples(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """A statement's rows as plain tuples, by position: for ten thousand rows read once, where
        naming each row's columns costs more than reading them."""
        return [tuple(row) for row in self.execute(sql, params)]

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        return self.execute(sql, params).scalar()

    def scalars(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        return self.execute(sql, params).scalars()

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"


class SQLiteConnection(ReadConnection):
    """A stdlib sqlite3 connection set up as `tracker.db.make_engine` sets up SQLAlchemy's (WAL,
    foreign keys, busy wait), and with the driver's own transaction handling, as SQLAlchemy uses it:
    reads run outside a transaction until the first write (or savepoint) begins one."""

    name = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        import sqlite3

        self.raw = raw
        self.errors = (sqlite3.Error,)
        self._savepoints = 0

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Rows:
        cursor = self.raw.execute(sql, _sqlite_params(params))
        try:
            columns = [d[0] for d in cursor.description or ()]
            return Rows(columns, cursor.fetchall() if columns else ())
        finally:
            cursor.close()

    def tuples(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.raw.execute(sql, _sqlite_params(params)).fetchall()

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        self.raw.executemany(sql, [_sqlite_params(row) for row in rows])

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"tracker_{self._savepoints}"
        self.raw.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            try:
                self.raw.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.raw.execute(f"RELEASE SAVEPOINT {name}")
            except self.errors:
                pass  # the failure already ended the transaction
            raise
        self.raw.execute(f"RELEASE SAVEPOINT {name}")


class SQLAlchemyConnection(ReadConnection):
    """The same interface over a SQLAlchemy Core connection (PostgreSQL)."""

    def __init__(self, connection: Connection) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        self.connection = connection
        self.name = connection.dialect.name
        self.errors = (SQLAlchemyError,)

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Rows:
        from sqlalchemy import text

        result = self.connection.execute(text(sql), _server_params(params))
        if not result.returns_rows:
            return Rows((), ())
        return Rows(list(result.keys()), result)

    def tuples(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        return [tuple(row) for row in self.connection.execute(text(sql), _server_params(params))]

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        from sqlalchemy import text

        if rows:
            self.connection.execute(text(sql), [_server_params(row) for row in rows])

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with self.connection.begin_nested():
            yield


def _sqlite_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters in the form SQLAlchemy stores them on SQLite (text timestamps and dates, JSON text, 0/1)."""
    if not params:
        return {}
    out = {}
    for key, value in params.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime(SQLITE_TS)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, (dict, list)):
            value = json.dumps(value)
        out[key] = value
    return out


def _server_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters for PostgreSQL: JSON as text (the server casts it), the rest as the driver adapts them."""
    if not params:
        return {}
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}


# --- values as stored -> Python (the one place; PostgreSQL already gives most of them typed) ----------


def as_datetime(value: Any) -> datetime | None:
    """A stored timestamp, aware in UTC (SQLite: text; PostgreSQL: a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_date(value: Any) -> date | None:
    """A stored date (SQLite: ISO text; PostgreSQL: a date)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def as_json(value: Any) -> Any:
    """A stored JSON value (SQLite: text; PostgreSQL: already decoded)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def in_list(values: Iterable[int]) -> str:
    """Integer ids as a SQL list for `IN (...)` (never empty: an empty scope matches nothing)."""
    return ", ".join(str(int(v)) for v in values) or "NULL"


# --- opening -----------------------------------------------------------------------------------------


def sqlite_target(url: str) -> tuple[str, bool] | None:
    """(what sqlite3.connect opens, whether it is a URI) for a SQLite URL; None for any other database.

    The same reading as SQLAlchemy's pysqlite dialect: `sqlite:///path`, and `sqlite:///file:path?
    mode=ro&uri=true`, whose other query arguments go into the URI.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("sqlite", "sqlite+pysqlite"):
        return None
    rest = rest.removeprefix("/")  # sqlite:///relative, sqlite:////absolute
    database, _, query = rest.partition("?")
    options = dict(part.partition("=")[::2] for part in query.split("&") if part)
    if options.get("uri", "").lower() in ("true", "1"):
        extra = "&".join(f"{k}={v}" for k, v in options.items() if k not in _DRIVER_ARGS)
        return database + (f"?{extra}" if extra else ""), True
    return database or ":memory:", False


def open_sqlite(url: str, busy_timeout_ms: int) -> SQLiteConnection:
    """A connection to a SQLite database with tracker's pragmas."""
    import sqlite3

    target = sqlite_target(url)
    assert target is not None, "open_sqlite is for SQLite URLs"
    raw = sqlite3.connect(target[0], timeout=busy_timeout_ms / 1000, uri=target[1])
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={int(busy_timeout_ms)}"):
        raw.execute(f"PRAGMA {pragma}").close()
    return SQLiteConnection(raw)
