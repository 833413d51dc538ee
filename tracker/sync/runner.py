"""A whole `tracker sync`: leases, the run record, each target in isolation, and the outcome."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.backends.base import IssueTracker
from tracker.errors import ConfigError, UsageError
from tracker.lock import Held, acquire, make_holder, release
from tracker.models import SyncRun, TargetState, utcnow
from tracker.sync.engine import SyncOptions, TargetSync
from tracker.sync.summary import SyncSummary, TargetSummary

if TYPE_CHECKING:
    from tracker.app import AppContext

BackendFactory = Callable[["AppContext", str], IssueTracker]


def default_factory(app: AppContext, target: str) -> IssueTracker:
    from tracker.backends import open_backend

    backend = open_backend(app.config, target, engine=app.engine, clock=app.clock)
    return keep_reserve(backend, app.config.sync.rate_reserve)


def keep_reserve(backend: IssueTracker, value: str | int) -> IssueTracker:
    """Sync never spends a credential's budget below `[sync] rate_reserve` (validated by the config)."""
    from tracker.backends.base import KeepsReserve
    from tracker.backends.reserve import parse_reserve

    if isinstance(backend, KeepsReserve):
        backend.keep_reserve(parse_reserve(value))
    return backend


def selected_targets(app: AppContext, only: tuple[str, ...]) -> list[str]:
    names = list(app.config.targets)
    if not names:
        from tracker.errors import NoTargetsError

        raise NoTargetsError(app.config.path)
    for name in only:
        if name not in app.config.targets:
            raise UsageError(
                f"unknown target {name!r}",
                hint=f"configured targets: {', '.join(names) or 'none (add [targets.NAME])'}",
            )
    return list(only) or names


def start_run(app: AppContext, command: str, target: str | None) -> int:
    from tracker import __version__

    with app.session() as session:
        run = SyncRun(
            command=command,
            target=target,
            host=app.actor.host,
            pid=os.getpid(),
            user=app.actor.user,
            outcome="running",
            counts={},
            config_fingerprint=app.config.fingerprint,
            tool_version=__version__,
        )
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    app: AppContext, run_id: int, outcome: str, counts: dict[str, object], requests: int, error: str | None
) -> None:
    with app.session() as session:
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.finished_at = utcnow()
            run.outcome, run.counts, run.requests, run.error = outcome, counts, requests, error


def run_sync(
    app: AppContext, targets: tuple[str, ...], options: SyncOptions, factory: BackendFactory = default_factory
) -> SyncSummary:
    """Sync each selected target in turn; one failing target never stops the others."""
    app.ensure_database(create=False)  # sync never creates a database
    names = selected_targets(app, targets)
    run_id = None if options.dry_run else start_run(app, "sync", names[0] if len(names) == 1 else None)
    summary = SyncSummary(run_id=run_id, started_at=utcnow(), dry_run=options.dry_run)
    leases: list[Held] = []
    if not options.dry_run:
        from tracker.db import session_factory

        try:
            leases = acquire(
                session_factory(app.engine),
                [f"sync:{n}" for n in names],
                make_holder(),
                app.config.sync.lease_seconds,
                run_id,
            )
        except Exception as exc:
            assert run_id is not None
            finish_run(app, run_id, "aborted", {}, 0, getattr(exc, "message", str(exc)))
            raise
    from tracker.db import session_factory
    from tracker.lock import Heartbeat

    try:
        with Heartbeat(session_factory(app.engine), leases):
            for name in names:
                summary.targets.append(_sync_one(app, name, run_id, leases, options, factory))
    except BaseException as exc:
        if run_id is not None:
            finish_run(
                app,
                run_id,
                "aborted",
                summary.to_dict()["totals"],
                summary.totals()["requests"],
                getattr(exc, "message", type(exc).__name__),
            )
        raise
    finally:
        if leases:
            release(session_factory(app.engine), leases)
    if run_id is not None:
        outcome = (
            ("failed" if all(t.failed for t in summary.targets) else "partial")
            if summary.failed
            # Stopped at the rate reserve: work was left for a later run, so not "ok" (not a good
            # sync for the report's freshness either; docs/operations.md).
            else ("paused" if any(t.paused for t in summary.targets) else "ok")
        )
        finish_run(app, run_id, outcome, summary.to_dict()["targets"], summary.totals()["requests"], None)
    return summary


def _sync_one(
    app: AppContext,
    name: str,
    run_id: int | None,
    leases: list[Held],
    options: SyncOptions,
    factory: BackendFactory,
) -> TargetSummary:
    from tracker.errors import TrackerError

    target = app.config.targets[name]
    try:
        backend = factory(app, name)
    except TrackerError as exc:
        summary = TargetSummary(name, target.kind)
        summary.stopped = exc.message + (f" ({exc.hint})" if exc.hint else "")
        summary.config_error = isinstance(exc, ConfigError)
        return summary
    try:
        return TargetSync(app, backend, target, run_id, leases, options).run()
    except (TrackerError, KeyboardInterrupt):
        raise  # a lost lease or a database that went away stops the whole run
    except Exception as exc:  # one target's surprise never stops the others
        import logging

        logging.getLogger("tracker").debug("target %s failed", name, exc_info=True)
        summary = TargetSummary(name, target.kind)
        if type(exc).__module__.startswith("sqlalchemy"):
            # Never the statement, its parameters or the driver's text: they are for -v, not for cron mail.
            summary.stopped = "unexpected database error (run with -vv for details)"
        else:
            summary.stopped = f"unexpected error: {type(exc).__name__}: {exc} (run with -vv for details)"
        return summary
    finally:
        backend.close()


def last_success(app: AppContext) -> dict[str, object]:
    from sqlalchemy import select

    with app.session() as session:
        rows = session.execute(select(TargetState.target, TargetState.last_good_sync_at)).all()
    return {target: when for target, when in rows}
