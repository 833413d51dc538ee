"""Shared fixtures: a fresh database (SQLite or PostgreSQL), ../shared, configs and the CLI runner."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.clock import Clock

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_ENV = "TRACKER_TEST_DATABASE_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared specs and examples beside the checkout; skip without them, fail in CI."""
    if not (SHARED / "examples").is_dir():
        if IN_CI:
            pytest.fail(
                f"CI=true but {SHARED} is missing: the shared specs and examples must be beside the repo"
            )
        pytest.skip(f"{SHARED} not found: these tests need the shared specs/examples beside the checkout")
    return SHARED


def _postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a temp SQLite file, or a fresh schema on TRACKER_TEST_DATABASE_URL."""
    base = _postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    yield from _postgres_schema(base)


def _postgres_schema(base: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is down or the URL is wrong
        admin.dispose()
        message = f"PostgreSQL at {PG_ENV} is unreachable: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on PostgreSQL whatever the main run uses; skips only outside CI without a server."""
    base = _postgres_url() or ("postgresql+psycopg://postgres@127.0.0.1:5432/test" if IN_CI else None)
    if base is None:
        pytest.skip(f"set {PG_ENV} to run PostgreSQL tests")
    yield from _postgres_schema(base)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean working directory with no config lookups leaking in from the developer's machine."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # Tables fit $COLUMNS when it is set (pytest-xdist workers set 80): tests choose their own width.
    monkeypatch.delenv("COLUMNS", raising=False)
    return work


@pytest.fixture
def make_config(workdir: Path, db_url: str) -> Callable[..., Path]:
    """Write tracker.toml in the work dir with `body` plus a [database] url for the test database."""

    def write(body: str = "", name: str = "tracker.toml", database: bool = True) -> Path:
        path = workdir / name
        header = f'[database]\nurl = "{db_url}"\n\n' if database and "[database]" not in body else ""
        path.write_text(header + body, encoding="utf-8")
        return path

    return write


class CLI:
    """Runs the real click command in-process; `.ok()` asserts success and returns the result."""

    def __init__(self, config_path: Callable[[], Path | None]) -> None:
        self._config_path = config_path
        self.runner = CliRunner()
        self.clock: Clock | None = None  # what the CLI's waits sleep on instead of the real clock

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        from tracker.cli import cli

        argv = list(args)
        config = self._config_path()
        if config is not None and "--config" not in argv:
            argv = ["--config", str(config), *argv]
        return self.runner.invoke(cli, argv, input=input, env=env, catch_exceptions=False, obj=self.clock)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (
            f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result


@pytest.fixture
def run_cli(make_config: Callable[..., Path], workdir: Path) -> CLI:
    """The CLI against the test database; writes a minimal config unless the test wrote one."""

    def config_path() -> Path | None:
        path = workdir / "tracker.toml"
        if not path.exists():
            make_config("")
        return path

    return CLI(config_path)


def load_bench(name: str):
    """A script of bench/ as a module, so tests can check the figures it reports."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
