"""A whole `tracker remind`: the run record, each target's lease, pending comments resolved, then new ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tracker.errors import TrackerError
from tracker.remind.plan import plan_target
from tracker.remind.send import Comment, Poster, TargetOutcome, reminder_rows

if TYPE_CHECKING:
    from tracker.app import AppContext
    from tracker.backends.base import IssueTracker
    from tracker.lock import Held

Factory = Callable[["AppContext", str], "IssueTracker"]


@contextmanager
def leased(
    app: AppContext, command: str, names: list[str], dry_run: bool
) -> Iterator[tuple[int | None, list[Held]]]:
    """A run record and the `sync:<target>` leases (a sync and a reminder never write one target at once)."""
    from tracker.db import session_factory
    from tracker.lock import acquire, make_holder, release
    from tracker.sync.runner import finish_run, start_run

    if dry_run:
        yield None, []
        return
    run_id = start_run(app, command, names[0] if len(names) == 1 else None)
    sessions = session_factory(app.engine)
    try:
        leases = acquire(
            sessions, [f"sync:{n}" for n in names], make_holder(), app.config.sync.lease_seconds, run_id
        )
    except TrackerError as exc:
        finish_run(app, run_id, "aborted", {}, 0, exc.message)
        raise
    outcome, error = "ok", None
    try:
        yield run_id, leases
    except BaseException as exc:
        outcome, error = "aborted", getattr(exc, "message", type(exc).__name__)
        raise
    finally:
        release(sessions, leases)
        finish_run(app, run_id, outcome, {}, 0, error)


def targets_with_links(app: AppContext, only: tuple[str, ...]) -> list[str]:
    from sqlalchemy import select

    from tracker.models import Link
    from tracker.sync.runner import selected_targets

    names = selected_targets(app, only)
    with app.session() as session:
        used = set(session.scalars(select(Link.target).where(Link.state == "linked").distinct()))
    return [name for name in names if name in used or name in only]


def run_remind(
    app: AppContext, only: tuple[str, ...], dry_run: bool, factory: Factory | None = None
) -> dict[str, Any]:
    """Post every reminder due today on each target; a failing target never stops the others."""
    from tracker.policy import unassigned
    from tracker.sync.runner import default_factory

    app.ensure_database(create=False)
    factory = factory or default_factory
    today = app.today()
    names = targets_with_links(app, only)
    outcomes: list[TargetOutcome] = []
    with leased(app, "remind", names, dry_run) as (_run_id, leases):
        for name in names:
            outcome = TargetOutcome(name)
            outcomes.append(outcome)
            if dry_run:
                with app.session() as session:
                    outcome.planned = [p.to_dict() for p in plan_target(app, session, name, today)]
                continue
            try:
                backend = factory(app, name)
            except TrackerError as exc:
                outcome.stopped = exc.message
                continue
            try:
                _remind_target(app, backend, leases, outcome, today)
            finally:
                outcome.requests = backend.requests
                backend.close()
    with app.session() as session:
        flagged = unassigned(session, app.config, app.resolver, today)
    return {
        "dry_run": dry_run,
        "date": today.isoformat(),
        "ok": all(o.ok for o in outcomes),
        "targets": {o.target: o.to_dict() for o in outcomes},
        "unassigned": [u.__dict__ for u in flagged],
    }


def _remind_target(
    app: AppContext, backend: IssueTracker, leases: list[Held], outcome: TargetOutcome, today: Any
) -> None:
    from tracker.backends.base import RateLimited, RemoteError

    poster = Poster(app, backend, leases, outcome)
    try:
        poster.resolve_pending()
    except RateLimited as exc:
        outcome.stopped = exc.message
        return
    except RemoteError as exc:
        outcome.stopped = f"cannot check comments left by an interrupted run: {exc.message}"
        return  # never post while an earlier comment's fate is unknown
    with app.session() as session:
        planned = plan_target(app, session, outcome.target, today)
    for plan in planned:
        rows = reminder_rows(
            plan.keys,
            item_id=plan.item_id,
            link_id=plan.link_id,
            target=plan.target,
            issue_key=plan.issue_key,
            mentioned=", ".join(plan.mentioned) or None,
        )
        comment = Comment(
            plan.target,
            plan.ref,
            plan.issue_key,
            plan.kind,
            plan.text,
            plan.marker,
            rows,
            plan.item_id,
            plan.mentioned,
        )
        if not poster.post(comment):
            return
