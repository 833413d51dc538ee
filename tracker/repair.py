"""Repair: `doctor` compares every link with its remote issue (read-only); `unlink`/`relink` fix one by hand."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.backends.base import FetchKind, RemoteError, RemoteRef
from tracker.errors import NotFoundError, UsageError
from tracker.history import Actor, record
from tracker.linkstate import LinkState
from tracker.lock import acquire, fence, make_holder, release
from tracker.models import ActionItem, Link
from tracker.statuses import Status
from tracker.sync.fields import base_from_remote, link_to
from tracker.sync.runner import default_factory, selected_targets

if TYPE_CHECKING:
    from tracker.app import AppContext
    from tracker.backends.base import IssueTracker, RemoteIssue

CHECKED_STATES = ("linked", "orphaned")


@dataclass
class Drift:
    """One difference between the database and the remote, for one link."""

    item: int
    target: str
    key: str | None
    kind: str  # deleted moved reassigned wont_do bot_closed status due title label duplicate error
    detail: str


@dataclass
class DoctorReport:
    checked: int = 0
    drift: list[Drift] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # targets that could not be checked

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "drift": [asdict(d) for d in self.drift], "problems": self.problems}


def doctor(app: AppContext, only: tuple[str, ...] = ()) -> DoctorReport:
    """Fetch every linked issue and report drift against the database; writes nothing anywhere."""
    app.ensure_database(create=False)
    report = DoctorReport()
    for name in selected_targets(app, only):
        with app.session() as session:
            links = session.scalars(
                select(Link)
                .where(Link.target == name, Link.state.in_(CHECKED_STATES))
                .options(selectinload(Link.item))
                .order_by(Link.id)
            ).all()
            todo = [
                (
                    link.item_id,
                    link.state,
                    link.origin,
                    dict(link.base),
                    link.item.status,
                    RemoteRef(link.remote_id or "", link.key, link.remote_number, link.url),
                )
                for link in links
            ]
            markers = {link.marker: link.item_id for link in links if link.marker}
        if not todo:
            continue
        try:
            backend = default_factory(app, name)
        except Exception as exc:  # a config problem: report it for this target, go on with the others
            report.problems.append(f"{name}: {getattr(exc, 'message', exc)}")
            continue
        try:
            pre = backend.preflight(None, write=False)
            if not pre.ok:
                report.problems.append(f"{name}: pre-flight failed: {'; '.join(pre.problems)}")
                continue
            for item_id, state, origin, base, status, ref in todo:
                report.checked += 1
                report.drift.extend(_compare(backend, name, item_id, state, origin, base, status, ref))
            report.drift.extend(_duplicates(backend, name, markers))
        except RemoteError as exc:
            report.problems.append(f"{name}: {exc.message}")
        finally:
            backend.close()
    return report


def _compare(
    backend: IssueTracker,
    target: str,
    item_id: int,
    state: str,
    origin: str,
    base: dict[str, Any],
    status: str,
    ref: RemoteRef,
) -> list[Drift]:
    def drift(kind: str, detail: str) -> Drift:
        return Drift(item_id, target, ref.key, kind, detail)

    try:
        result = backend.fetch(ref)
    except RemoteError as exc:
        return [drift("error", exc.message)]
    if result.kind is FetchKind.GONE:
        if state == "orphaned":
            return []  # already known and reported by sync
        return [drift("deleted", "the issue no longer exists (404/410); `tracker unlink` or `relink`")]
    issue = result.issue
    if issue is None:
        return []
    found: list[Drift] = []
    if state == "orphaned":
        found.append(drift("orphaned", f"marked orphaned here but {issue.ref.key} answers"))
    if result.kind is FetchKind.MOVED or (issue.ref.key and ref.key and issue.ref.key != ref.key):
        found.append(drift("moved", f"now {issue.ref.key}"))
    found.extend(_field_drift(issue, base, status, origin, drift))
    return found


def _field_drift(
    issue: RemoteIssue, base: dict[str, Any], status: str, origin: str, drift: Any
) -> list[Drift]:
    found = []
    remote = base_from_remote(issue)
    if remote["assignee"] != base.get("assignee"):
        found.append(drift("reassigned", f"{base.get('assignee') or '-'} -> {remote['assignee'] or '-'}"))
    if issue.status is Status.WONT_DO and status != Status.WONT_DO.value:
        found.append(drift("wont_do", f"closed as {issue.status_detail or 'not planned'}; here {status}"))
    elif issue.closed_by_bot and issue.status.is_closed:
        found.append(drift("bot_closed", f"closed by a bot ({issue.closed_by or 'unknown'})"))
    elif remote["status"] != status:
        found.append(drift("status", f"remote {remote['status']}, here {status}"))
    if issue.unreadable_due is not None:
        found.append(
            drift(
                "due",
                f"the tracker block's deadline {issue.unreadable_due!r} is not a date; sync keeps "
                f"{base.get('due') or 'none'} and rewrites it",
            )
        )
    elif issue.marker is not None and remote["due"] != base.get("due"):
        found.append(drift("due", f"{base.get('due') or '-'} -> {remote['due'] or '-'}"))
    if origin != "document" and remote["title"] != base.get("title"):
        found.append(drift("title", f"{base.get('title')!r} -> {remote['title']!r}"))
    if not issue.has_tracker_label and origin != "document":
        found.append(drift("label", "the tracker label was removed"))
    return found


def _duplicates(backend: IssueTracker, target: str, markers: dict[str, int]) -> list[Drift]:
    """Open issues carrying one item's marker more than once (two copies of the database created at
    the same moment): one listing of the tracker issues. Sync keeps the oldest and closes the others."""
    from tracker.sync.duplicates import age

    groups: dict[str, list[RemoteIssue]] = {}
    for issue in backend.list_tracker_issues():
        if issue.marker in markers and issue.status is not Status.WONT_DO:
            groups.setdefault(issue.marker, []).append(issue)
    found = []
    for marker, issues in groups.items():
        if len(issues) < 2:
            continue
        kept, *others = sorted(issues, key=lambda issue: age(issue.ref.remote_id))
        names = ", ".join(issue.ref.key or issue.ref.remote_id for issue in others)
        found.append(
            Drift(
                markers[marker],
                target,
                kept.ref.key,
                "duplicate",
                f"{names} carry the same marker as {kept.ref.key}; the next sync keeps the oldest "
                f"({kept.ref.key}) and closes the others",
            )
        )
    return found


# unlink / relink ------------------------------------------------------------------------------------
def _item(session: Any, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFoundError(f"no item with id {item_id}", hint="`tracker list` shows the ids")
    return item


def _one_link(item: ActionItem, target: str | None) -> Link:
    links = [link for link in item.links if target is None or link.target == target]
    if not links:
        where = f" on {target}" if target else ""
        raise NotFoundError(f"item #{item.id} has no link{where}", hint="`tracker show ID` lists its links")
    if len(links) > 1:
        names = ", ".join(sorted(link.target for link in links))
        raise UsageError(f"item #{item.id} is linked on several targets ({names})", hint="add --target NAME")
    return links[0]


def unlink(app: AppContext, item_id: int, target: str | None = None) -> str:
    """Detach an item from its issue; the link stays as `unlinked` so sync neither recreates nor adopts it."""
    from tracker.db import session_factory

    app.ensure_database(create=False)
    with app.session() as session:
        link = _one_link(_item(session, item_id), target)
        name = link.target
    leases = acquire(
        session_factory(app.engine), [f"sync:{name}"], make_holder(), app.config.sync.lease_seconds, None
    )
    try:
        with app.session() as session:
            item = _item(session, item_id)
            link = _one_link(item, name)
            old = link.key
            link.state, link.last_error = LinkState.UNLINKED, None
            # Free the issue for `relink` (remote ids are unique per target); key and URL stay as history.
            link.remote_id, link.remote_number, link.remote_node_id, link.etag = None, None, None, None
            record(
                session, item, "link", old, None, source="manual", actor=_actor(app), note="tracker unlink"
            )
            fence(session, leases)
    finally:
        release(session_factory(app.engine), leases)
    return f"unlinked #{item_id} from {old or 'its issue'} on {name} (sync will not create another)"


def relink(app: AppContext, item_id: int, url: str, target: str | None = None) -> str:
    """Point an item at an existing issue: resolved by the backend, checked to exist, never a duplicate."""
    from tracker.db import session_factory

    app.ensure_database(create=False)
    with app.session() as session:
        _item(session, item_id)
    names = selected_targets(app, (target,) if target else ())
    issue, name, kind = _resolve(app, names, url)
    leases = acquire(
        session_factory(app.engine), [f"sync:{name}"], make_holder(), app.config.sync.lease_seconds, None
    )
    try:
        with app.session() as session:
            taken = session.scalar(
                select(Link).where(
                    Link.target == name,
                    Link.remote_id == issue.ref.remote_id,
                    Link.item_id != item_id,
                    Link.state.in_(("linked", "creating", "orphaned")),
                )
            )
            if taken is not None:
                raise UsageError(
                    f"{issue.ref.key} is already linked to item #{taken.item_id}",
                    hint=f"`tracker unlink {taken.item_id}` first if that link is wrong",
                )
            for stale in session.scalars(
                select(Link).where(Link.target == name, Link.remote_id == issue.ref.remote_id)
            ):
                stale.remote_id = None  # an unlinked or unpushed row that still names the issue
            session.flush()
            item = _item(session, item_id)
            link = next((link for link in item.links if link.target == name), None)
            old = link.key if link is not None else None
            if link is None:
                link = Link(item_id=item_id, target=name, kind=kind, base={})
                session.add(link)
            link_to(link, issue, "manual", labels=[])
            record(
                session,
                item,
                "link",
                old,
                issue.ref.key,
                source="manual",
                actor=_actor(app),
                note="tracker relink",
            )
            fence(session, leases)
    finally:
        release(session_factory(app.engine), leases)
    return f"linked #{item_id} to {issue.ref.key} on {name}"


def _resolve(app: AppContext, names: list[str], url: str) -> tuple[RemoteIssue, str, str]:
    """The first target whose backend recognises `url`, and the issue it names (which must exist)."""
    for name in names:
        backend = default_factory(app, name)
        try:
            ref = backend.parse_ref(url)
            if ref is None:
                continue
            result = backend.fetch(ref)
            if result.kind is FetchKind.GONE or result.issue is None:
                raise NotFoundError(f"{ref.key or url} does not exist on {name}")
            return result.issue, name, backend.kind
        finally:
            backend.close()
    raise UsageError(
        f"no configured target recognises {url!r} as one of its issues",
        hint="use the issue's URL, owner/repo#N or a Jira key of the target's project; --target NAME",
    )


def _actor(app: AppContext) -> Actor:
    return Actor(app.actor.user, app.actor.host, None)
