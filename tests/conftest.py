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


# Slow tests run in CI (CI=true, as .ci/run sets it) and with --slow; a plain local `pytest` deselects
# them. Slow: every operations scenario (tests/test_ops_*.py), anything marked @pytest.mark.slow, and
# these, each 15 s or more in `pytest -n 2 --durations=40` on a loaded 2-core machine (December 2026).
SLOW_FILES = ("test_ops_",)
SLOW_TESTS = (
    "tests/test_reliability_copies.py::test_19_4_two_copies_creating_at_once_converge_on_the_oldest_issue",
    "tests/test_reliability_misc.py::test_19_12_transfer_redirection_is_not_printed",
    "tests/test_reliability_misc.py::test_19_12_render_at_a_terminal_is_escaped_and_redirected_is_exact",
    "tests/test_import_examples.py::test_import_figures_by_organisation_meet_their_floors",
    "tests/test_lint_wording.py::test_accuracy_by_organisation_meets_its_floors",
    "tests/test_import_render.py::test_render_of_an_unchanged_database_is_the_document_itself",
    "tests/test_docs_recipes.py::test_every_documented_command_line_runs",
    "tests/test_docs_recipes.py::test_the_scheduled_recipes_sync_and_write_metrics",
    "tests/test_docs_recipes.py::test_the_follow_up_cron_lines_deliver_to_every_channel",
    "tests/test_notify_teams.py::test_long_lists_are_cut_to_fit_teams_size_limit",
    "tests/test_notify_slack.py::test_long_lists_stay_within_block_kit_limits_with_and_n_more",
    "tests/test_followup_remind.py::test_lost_answer_and_killed_run_never_post_twice",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", help="also run the tests marked slow (always run under CI=true)"
    )


def runs_slow(config: pytest.Config) -> bool:
    """CI, --slow, or an explicit -m (the user chose which markers run) keeps the slow tests."""
    return IN_CI or bool(config.getoption("--slow")) or bool(config.getoption("markexpr"))


def is_slow(item: pytest.Item) -> bool:
    name = item.path.name
    return (
        item.get_closest_marker("slow") is not None
        or name.startswith(SLOW_FILES)
        or item.nodeid.split("[", 1)[0] in SLOW_TESTS
    )


# Started first, longest first: pytest-xdist hands tests out in collection order, and these (the
# longest calls of `CI=true pytest -n 2 --durations=0`, 2026-12-06, docs/development.md) otherwise
# came late in the alphabet, leaving one worker busy for minutes after the other ran out of tests.
LONG_FIRST = (
    "tests/test_reliability_copies.py::test_19_4_two_copies_creating_at_once_converge_on_the_oldest_issue",
    "tests/test_ops_kill.py::test_jira_killed_during_a_bulk_create_then_during_a_transition",
    "tests/test_sync_state_machine.py::TestSyncMachine",
    "tests/test_docs_recipes.py::test_every_documented_command_line_runs",
    "tests/test_ops_kill.py::test_github_killed_between_a_create_and_its_commit_then_in_a_paginated_pull",
    "tests/test_scale_adopt.py::test_linking_500_existing_issues_keeps_the_reserve_and_resumes",
    "tests/test_ops_concurrency.py::test_different_targets_sync_at_the_same_time_from_two_hosts",
    "tests/test_reliability_misc.py::test_19_12_transfer_redirection_is_not_printed",
    "tests/test_ops_concurrency.py::test_parallel_processes_share_one_budget",
    "tests/test_ops_concurrency.py::test_a_run_whose_lease_was_taken_over_stops_at_its_next_commit",
    "tests/test_ops_concurrency.py::test_two_syncs_at_once_one_runs_the_other_exits_3_and_readers_work",
    "tests/test_scale_adopt.py::test_150_closes_cost_pages_and_bot_closes_are_still_told_apart",
    "tests/test_scale_adopt_jira.py::test_linking_150_named_keys_costs_a_search_per_100_plus_the_label_writes",
    "tests/test_ops_faults.py::test_github_faults_stop_cleanly_and_the_next_run_finishes",
    "tests/test_import_batches.py::test_a_killed_import_leaves_whole_documents_and_their_report_rows",
    "tests/test_sync_github.py::test_killed_run_then_rerun_creates_no_duplicate",
)


def long_rank(item: pytest.Item) -> int:
    """The test's place in LONG_FIRST (a prefix of its node id), or after all of them."""
    for rank, prefix in enumerate(LONG_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(LONG_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=long_rank)  # stable: every other test keeps its order
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
    if runs_slow(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
        config.hook.pytest_deselected(items=slow)


def pytest_report_header(config: pytest.Config) -> str:
    if runs_slow(config):
        return "slow tests: included"
    return "slow tests: deselected (run them with --slow, or CI=true as .ci/run does)"


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


def _postgres_schema(base: str, ddl: str | None = None) -> Iterator[str]:
    """A new schema (empty, or made by `ddl`, the template's dump with TEMPLATE_NAME for its name)
    on `base`, dropped after the test."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    # Creating and dropping some 60 tables and indexes waits on the WAL flush: the fixture's own
    # connection does not (see _schema_url).
    admin = create_engine(base, connect_args={"options": "-csynchronous_commit=off"})
    try:
        with admin.begin() as connection:
            if ddl is None:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            else:  # one round trip: the dump is plain SQL without parameters
                connection.exec_driver_sql(ddl.replace(TEMPLATE_NAME, schema))
    except Exception as exc:  # the server is down or the URL is wrong
        admin.dispose()
        message = f"PostgreSQL at {PG_ENV} is unreachable: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield _schema_url(base, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _schema_url(base: str, schema: str) -> str:
    """`base` with every connection in `schema`. Commits do not wait for the WAL flush
    (synchronous_commit=off, this connection only): a test never survives a server crash, and on the
    shared server each flush cost 45 ms at load 11 (docs/development.md)."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


# Migrated once per worker, cloned per test (`migrated_db_url`). The template schema's name is unique
# per worker, so replacing it in the dump's text renames every object and nothing else.
TEMPLATE_NAME = f"tmpl_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at head, made once per worker by the real migrations: a SQLite file's path, or the
    PostgreSQL schema's `pg_dump` (plain SQL that recreates it under TEMPLATE_NAME)."""
    from tracker.db import make_engine, upgrade

    base = _postgres_url()
    if base is None:
        path = tmp_path_factory.mktemp("template") / "tracker.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()  # the last connection closing folds the WAL into the file: one file to copy
        yield str(path)
        return
    urls = _postgres_schema(base)
    url = next(urls)
    engine = make_engine(url)
    try:
        upgrade(engine)
        engine.dispose()
        yield _dump(base, _schema_of(url))
    finally:
        urls.close()


def _schema_of(url: str) -> str:
    return url.split("search_path%3D", 1)[1].split("%20", 1)[0]


def _dump(base: str, schema: str) -> str:
    """`schema` as SQL (tables, sequences, indexes, constraints, the alembic_version row), renamed
    TEMPLATE_NAME; pg_dump's psql-only lines (`\\restrict`) dropped."""
    import shutil
    import subprocess

    from sqlalchemy.engine import make_url

    url = make_url(base)
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("migrated_db_url on PostgreSQL needs pg_dump (postgresql-client) on PATH")
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    args = [pg_dump, "--no-owner", "--no-privileges", "--inserts", "--schema", schema]
    args += ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    done = subprocess.run([*args, url.database or "postgres"], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        pytest.fail(f"pg_dump of the migrated template failed: {done.stderr.strip()}")
    lines = [line for line in done.stdout.splitlines() if not line.startswith("\\")]
    return "\n".join(lines).replace(schema, TEMPLATE_NAME)


@pytest.fixture
def migrated_db_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """Like `db_url`, but already at the migrations' head: a copy of a database the real migrations
    made once per worker. For tests of what a database holds, not of its first creation (those, and
    the migration tests, keep `db_url`). A test module opts in by overriding `db_url` with it, so
    `make_config` and `run_cli` use it too."""
    base = _postgres_url()
    if base is None:
        import shutil

        path = tmp_path / "tracker.db"
        shutil.copyfile(_migrated_template, path)
        yield f"sqlite:///{path}"
        return
    yield from _postgres_schema(base, ddl=_migrated_template)


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
