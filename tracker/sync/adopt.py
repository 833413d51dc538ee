"""Repair and pre-flight: adopt issues by marker, unpush a run, and check targets without writing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.backends.base import IssueChanges, RemoteError, RemoteIssue, RemoteRef
from tracker.errors import NotFoundError, UsageError
from tracker.history import Actor, record
from tracker.issue_text import make_marker
from tracker.linkstate import LinkOrigin, LinkState
from tracker.lock import acquire, fence, make_holder, release
from tracker.models import ActionItem, Link, SyncRun
from tracker.statuses import Status
from tracker.sync.claims import holder, shared_marker
from tracker.sync.fields import Identities, adopt_remote, apply_status, base_from_remote
from tracker.sync.plan_links import wrong_claim
from tracker.sync.runner import default_factory, finish_run, selected_targets, start_run

if TYPE_CHECKING:
    from tracker.app import AppContext


def adopt(app: AppContext, target: str, dry_run: bool = False) -> list[str]:
    """Link every tracker issue on `target` whose marker matches an item here; report the rest."""
    from tracker.db import session_factory

    [name] = selected_targets(app, (target,))
    backend = default_factory(app, name)
    lines: list[str] = []
    run_id = None if dry_run else start_run(app, "adopt", name)
    leases = (
        []
        if dry_run
        else acquire(
            session_factory(app.engine),
            [f"sync:{name}"],
            make_holder(),
            app.config.sync.lease_seconds,
            run_id,
        )
    )
    actor = Actor(app.actor.user, app.actor.host, run_id)
    try:
        issues = backend.list_tracker_issues()
        with app.session() as session:
            items = session.scalars(
                select(ActionItem).options(
                    selectinload(ActionItem.postmortem), selectinload(ActionItem.links)
                )
            ).all()
            # Two items may share a marker (a renamed postmortem imported again): the linked one wins.
            ordered = sorted(
                items, key=lambda i: any(lk.target == name and lk.state == "linked" for lk in i.links)
            )
            by_marker = {make_marker(name, item.postmortem.slug, item.fingerprint): item for item in ordered}
            known_labels = lint_label_names(app)
            adopted = 0
            claimed: dict[int, str] = {}  # item id -> the issue adopted for it in this run
            for issue in issues:
                item = by_marker.get(issue.marker or "")
                refused = wrong_claim(issue, item.postmortem.slug) if item is not None else None
                if refused is not None:
                    lines.append(f"{refused} (left alone)")
                    continue
                if item is not None and item.id in claimed:
                    lines.append(
                        f"{issue.ref.key}: carries the marker of #{item.id}, already adopted from "
                        f"{claimed[item.id]}; a duplicate? (left alone)"
                    )
                    continue
                if item is None:
                    item = match_by_title(issue, items, name)
                    if item is None:
                        lines.append(f"{issue.ref.key}: no item here carries its marker (left alone)")
                        continue
                    lines.append(
                        f"{issue.ref.key}: matched #{item.id} by its title (the marker is from older wording)"
                    )
                link = next((link for link in item.links if link.target == name), None)
                if (
                    link is not None
                    and link.state == LinkState.LINKED
                    and link.remote_id == issue.ref.remote_id
                ):
                    continue
                other = holder(session, name, issue.ref.remote_id, item.id)
                if other is not None:
                    message = shared_marker(
                        item.id,
                        item.title,
                        item.postmortem.slug,
                        issue.ref.key or issue.ref.remote_id,
                        other,
                        name,
                    )
                    lines.append(f"{message} (left alone)")
                    if link is not None and link.state != LinkState.LINKED and not dry_run:
                        link.state, link.last_error = LinkState.ERROR, message
                    continue
                if link is not None and link.state == LinkState.LINKED:
                    lines.append(
                        f"{issue.ref.key}: item #{item.id} is already linked to {link.key}; a duplicate? (left alone)"
                    )
                    continue
                lines.append(
                    f"{'would link' if dry_run else 'linked'} {issue.ref.key} -> #{item.id} {item.title!r}"
                )
                adopted += 1
                claimed[item.id] = issue.ref.key or issue.ref.remote_id
                if dry_run:
                    continue
                if link is None:
                    link = Link(item_id=item.id, target=name, kind=backend.kind, base={})
                    session.add(link)
                # Lint labels already on the issue are ours: the next sync must not add them all again.
                taken = adopt_remote(
                    session,
                    item,
                    link,
                    issue,
                    app.resolver,
                    Identities(backend.kind, app.config),
                    actor,
                    labels=sorted(set(issue.labels) & known_labels),
                )
                if taken:
                    lines.append(
                        f"  took {', '.join(taken)} from {issue.ref.key} (the remote is the newer side)"
                    )
            if dry_run:
                session.rollback()
            else:
                fence(session, leases)
        lines.append(
            f"{adopted} issue(s) {'to adopt' if dry_run else 'adopted'} from {len(issues)} tracker issue(s) on {name}"
        )
        if run_id is not None:
            finish_run(app, run_id, "ok", {"adopted": adopted}, backend.requests, None)
    finally:
        if leases:
            release(session_factory(app.engine), leases)
        backend.close()
    return lines


def lint_label_names(app: AppContext) -> set[str]:
    from tracker.lint.registry import DEFAULT_LABELS

    return {*DEFAULT_LABELS.values(), *(label for label in app.config.lint.labels.values() if label)}


def match_by_title(issue: RemoteIssue, items: Sequence[ActionItem], target: str) -> ActionItem | None:
    """An item reworded since its issue was made carries a new marker: find it by a clearly best title
    match among items not linked to this target, or not at all."""
    from tracker.importing.fingerprints import normalise, similarity

    wanted = normalise(issue.title)
    scored = sorted(
        (
            (similarity(wanted, normalise(item.title)), item.id, item)
            for item in items
            if not any(link.target == target and link.state == LinkState.LINKED for link in item.links)
        ),
        key=lambda entry: (-entry[0], entry[1]),
    )
    if not scored or scored[0][0] < 0.8:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.1:
        return None  # two plausible items: a person decides (tracker relink)
    return scored[0][2]


def unpush(app: AppContext, run_id: int, confirm: bool | Callable[[str], bool]) -> list[str]:
    """Close every issue that run `run_id` created, as not planned, with a comment saying why."""
    from tracker.db import session_factory

    with app.session() as session:
        run = session.get(SyncRun, run_id)
        if run is None:
            raise NotFoundError(f"no sync run with id {run_id}", hint="`tracker report` shows recent runs")
        links = session.scalars(
            select(Link).where(
                Link.created_run_id == run_id,
                Link.origin == LinkOrigin.CREATED,
                Link.state == LinkState.LINKED,
            )
        ).all()
        todo = [
            (link.id, link.target, RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url))
            for link in links
        ]
    if not todo:
        return [f"run {run_id} created no issue that is still linked"]
    question = f"Close {len(todo)} issue(s) created by run {run_id} as not planned?"
    if not (confirm if isinstance(confirm, bool) else confirm(question)):
        raise UsageError("nothing closed", hint="add --yes to confirm")
    lines = []
    names = sorted({target for _, target, _ in todo})
    leases = acquire(
        session_factory(app.engine),
        [f"sync:{n}" for n in names],
        make_holder(),
        app.config.sync.lease_seconds,
        None,
    )
    actor = Actor(app.actor.user, app.actor.host, run_id)
    try:
        for name in names:
            backend = default_factory(app, name)
            try:
                for link_id, target, ref in todo:
                    if target != name:
                        continue
                    try:
                        # A person may have closed it since (as done, say): that close stands and is
                        # pulled, instead of being overwritten and reported as ours.
                        current = backend.fetch(ref).issue
                        closed = current is not None and current.status.is_closed
                        if current is not None and not closed:
                            backend.comment(
                                ref,
                                f"Closed by `tracker unpush`: sync run {run_id} created this issue by mistake.",
                            )
                            current = backend.update(ref, IssueChanges(status=Status.WONT_DO))
                    except RemoteError as exc:
                        lines.append(f"{ref.key}: {exc.message}")
                        continue
                    with app.session() as session:
                        link = session.get(Link, link_id)
                        assert link is not None
                        link.state = LinkState.UNPUSHED
                        item = session.get(ActionItem, link.item_id)
                        if current is not None:
                            link.base = base_from_remote(current)
                            if closed and item is not None and item.status != current.status.value:
                                apply_status(session, item, current, actor, backend.kind)
                        if item is not None and item.push:
                            item.push = False
                            record(
                                session,
                                item,
                                "push",
                                True,
                                False,
                                source="manual",
                                actor=actor,
                                note=f"unpush of run {run_id}",
                            )
                        fence(session, leases)
                    if current is None:
                        lines.append(f"{ref.key}: the issue no longer exists; item #{link.item_id} detached")
                    elif closed:
                        who = f" by {current.closed_by}" if current.closed_by else ""
                        lines.append(
                            f"{current.ref.key}: already closed as {current.status.value}{who}; left as it is "
                            f"(item #{link.item_id} is {current.status.value} here too)"
                        )
                    else:
                        lines.append(f"closed {current.ref.key} (not planned)")
            finally:
                backend.close()
    finally:
        release(session_factory(app.engine), leases)
    return lines


def check(app: AppContext, only: tuple[str, ...]) -> list[dict[str, Any]]:
    """Pre-flight each target afresh (no cache) and look for drift between hosts."""
    results = []
    fingerprints: list[str] = []
    if app.database_exists():
        app.ensure_database(create=False)
        with app.session() as session:
            fingerprints = [
                fp
                for fp in session.scalars(
                    select(SyncRun.config_fingerprint)
                    .where(SyncRun.config_fingerprint.is_not(None))
                    .group_by(SyncRun.config_fingerprint)
                    .order_by(func.max(SyncRun.started_at).desc())
                    .limit(5)
                )
                if fp
            ]
    for name in selected_targets(app, only):
        target = app.config.targets[name]
        entry: dict[str, Any] = {
            "target": name,
            "kind": target.kind,
            "ok": False,
            "problems": [],
            "warnings": [],
        }
        try:
            backend = default_factory(app, name)
        except Exception as exc:  # configuration problems are reported per target
            entry["problems"].append(getattr(exc, "message", str(exc)))
            results.append(entry)
            continue
        try:
            report = backend.preflight(None, write=False)
            entry["ok"] = report.ok
            entry["problems"].extend(report.problems)
            entry["warnings"].extend(report.warnings)
            entry["can_write"] = report.can_write
            if report.cache.get("private") is False and not getattr(target, "public_ok", False):
                entry["warnings"].append(
                    f"{name} is public: items of confidential postmortems will be held; set public_ok = true "
                    "to push the others knowingly"
                )
        except RemoteError as exc:
            entry["problems"].append(exc.message)
        finally:
            backend.close()
        if fingerprints and fingerprints[0] != app.config.fingerprint:
            entry["warnings"].append(
                "this config differs from the one the last sync ran with (another host or an edit): "
                "hosts sharing a database should share one config"
            )
        results.append(entry)
    return results
