"""The sync engine against the in-process memory backend: merge, idempotence, recovery, guards, leases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.app import AppContext
from tracker.backends.memory import MemoryBackend, MemoryRemote
from tracker.errors import LeaseHeldError
from tracker.models import ActionItem, Event, Lease, Link
from tracker.statuses import Status
from tracker.sync.engine import SyncOptions
from tracker.sync.runner import run_sync

CONFIG = """
[org]
timezone = "UTC"

[targets.mem]
kind = "github"
repo = "acme/platform"
token_env = "UNUSED_TOKEN"

[routing]
default = "mem"

[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]

[people."lee"]
name = "Lee Park"
github = "leepark"
aliases = ["@lee"]
"""


@pytest.fixture
def remote() -> MemoryRemote:
    return MemoryRemote("acme/platform")


@pytest.fixture
def setup(run_cli, make_config, remote):
    path = make_config(CONFIG)
    backends: list[MemoryBackend] = []

    def factory(app, name):
        backend = MemoryBackend(name, remote)
        backends.append(backend)
        return backend

    def sync(**options):
        app = AppContext(config_path=str(path))
        try:
            options.setdefault("yes", True)
            return run_sync(app, (), SyncOptions(**options), factory)
        finally:
            app.close()

    def session():
        return AppContext(config_path=str(path))

    return run_cli, sync, backends, session


def _count(app: AppContext, model, *where) -> int:
    with app.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_push_then_idle_sync_writes_nothing(setup, remote):
    cli, sync, _backends, _app = setup
    cli.ok(
        "add",
        "Alert on cache hit ratio < 80%",
        "-p",
        "inc-1",
        "-o",
        "@dana",
        "-d",
        "2026-07-01",
        "--incident-date",
        "2026-06-19",
    )
    cli.ok("add", "Document the warm-up runbook", "-p", "inc-1", "-o", "@lee")
    summary = sync()
    assert summary.targets[0].created == 2 and not summary.failed
    assert len(remote.issues) == 2
    issue = remote.by_number(1)
    assert (
        issue.assignee == "dana-w"
        and "Deadline: 2026-07-01" in issue.body
        and "Marker: tracker-" in issue.body
    )
    second = sync()
    t = second.targets[0]
    assert (t.created, t.updated, t.pulled, t.errors) == (0, 0, 0, 0)
    assert len(remote.issues) == 2


def test_remote_close_reassign_and_deadline_come_back(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    cli.ok("add", "B", "-p", "inc-1", "-o", "@dana")
    sync()
    remote.close(1, "completed", by="leepark")
    remote.reassign(2, "leepark")
    remote.set_deadline_line(2, date(2026, 9, 1))
    remote.edit_title(2, "B, reworded")
    summary = sync()
    assert summary.targets[0].pulled == 2
    ctx = app()
    with ctx.session() as s:
        a, b = s.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        assert a.status == "done" and a.status_source == "github" and a.done_at is not None
        assert b.owner_person == "lee" and b.deadline == date(2026, 9, 1) and b.title == "B, reworded"
        sources = {
            e.source for e in s.scalars(select(Event).where(Event.item_id == a.id, Event.field == "status"))
        }
        assert "github" in sources
    again = sync()
    assert again.targets[0].updated == 0 and again.targets[0].pulled == 0


def test_local_done_and_edit_are_pushed_touching_only_what_changed(setup, remote):
    cli, sync, backends, _app = setup
    cli.ok("add", "A", "-p", "inc-1", "-o", "@dana", "-d", "2026-07-01")
    sync()
    cli.ok("edit", "1", "--deadline", "2026-08-15")
    cli.ok("done", "1")
    before = len(backends)
    summary = sync()
    backend = backends[before]
    assert summary.targets[0].updated == 1
    issue = remote.by_number(1)
    assert issue.status is Status.DONE and "Deadline: 2026-08-15" in issue.body
    assert backend.requests <= 5  # pull + body + status (+ preflight cache hit costs nothing)


def test_conflict_remote_wins_and_losing_value_is_logged(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1", "-o", "@dana")
    sync()
    cli.ok("edit", "1", "--title", "A local")
    remote.edit_title(1, "A remote")
    summary = sync()
    assert summary.targets[0].conflicts == 1
    with app().session() as s:
        item = s.get(ActionItem, 1)
        assert item.title == "A remote"
        conflict = s.scalars(select(Event).where(Event.field == "conflict:title")).one()
        assert conflict.old == "A local" and conflict.new == "A remote"
    assert remote.by_number(1).title == "A remote"


def test_dropped_create_is_recovered_without_a_duplicate(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    remote.fail_creates.append("drop")
    summary = sync()
    assert len(remote.issues) == 1  # applied remotely, answer lost
    ctx = app()
    with ctx.session() as s:
        link = s.scalars(select(Link)).one()
        assert link.state == "linked" and link.remote_id == str(next(iter(remote.issues)))
    assert not summary.failed
    sync()
    assert len(remote.issues) == 1


def test_killed_between_create_and_commit_links_on_next_run(setup, remote):
    """A run that dies after the create request leaves the link `creating`; the next run adopts it."""
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    sync()
    # Simulate the kill: forget the link's ids as if phase two never committed.
    ctx = app()
    with ctx.session() as s:
        link = s.scalars(select(Link)).one()
        link.state, link.remote_id, link.key = "creating", None, None
    summary = sync()
    assert summary.targets[0].created == 0 and len(remote.issues) == 1
    with ctx.session() as s:
        assert s.scalars(select(Link)).one().state == "linked"


def test_lost_database_refuses_then_adopt_relinks(setup, remote, workdir, make_config):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    cli.ok("add", "B", "-p", "inc-1")
    sync()
    # A new database with the same items (the document re-imported elsewhere).
    ctx = app()
    with ctx.session() as s:
        for link in s.scalars(select(Link)):
            s.delete(link)
    summary = sync()
    assert summary.failed and "tracker adopt" in summary.targets[0].stopped
    assert len(remote.issues) == 2
    from tracker.sync import runner
    from tracker.sync.adopt import adopt

    original = runner.default_factory
    runner_factory = lambda a, n: MemoryBackend(n, remote)  # noqa: E731
    import tracker.sync.adopt as adopt_module

    adopt_module.default_factory = runner_factory
    try:
        lines = adopt(app(), "mem")
    finally:
        adopt_module.default_factory = original
    assert any("2 issue(s) adopted" in line for line in lines)
    again = sync()
    assert not again.failed and again.targets[0].created == 0 and len(remote.issues) == 2


def test_nothing_closes_because_it_is_absent(setup, remote, make_config):
    cli, sync, _backends, app = setup
    make_config(CONFIG + "\n[sync]\nverify_interval_minutes = 0\n")  # verify on every run
    cli.ok("add", "A", "-p", "inc-1")
    sync()
    remote.delete(1)
    summary = sync()
    with app().session() as s:
        item = s.get(ActionItem, 1)
        assert item.status == "open"
        assert s.scalars(select(Link)).one().state == "orphaned"
    assert summary.targets[0].orphaned == 1


def test_bot_close_is_reported_not_counted(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    sync()
    remote.close(1, "not_planned", by="stale[bot]", bot=True)
    summary = sync()
    assert any("closed by a bot" in m for m in summary.targets[0].messages)
    with app().session() as s:
        item = s.get(ActionItem, 1)
        assert item.status == "wont_do" and item.closed_by_bot


def test_second_sync_exits_on_held_lease(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    ctx = app()
    from tracker.db import session_factory
    from tracker.lock import acquire

    held = acquire(session_factory(ctx.engine), ["sync:mem"], "other-host:1:abc", 300, None)
    assert held
    with pytest.raises(LeaseHeldError) as caught:
        sync()
    assert "other-host:1:abc" in caught.value.message and caught.value.exit_code == 3
    assert len(remote.issues) == 0
    # An expired lease is taken over safely.
    with ctx.session() as s:
        lease = s.get(Lease, "sync:mem")
        lease.expires_at = lease.expires_at - timedelta(hours=1)
    assert not sync().failed and len(remote.issues) == 1


def test_dry_run_writes_nothing(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "A", "-p", "inc-1")
    summary = sync(dry_run=True)
    assert summary.targets[0].plan and not remote.issues
    assert _count(app(), Link) == 0


def test_done_at_import_and_historical_are_never_pushed(setup, remote):
    cli, sync, _backends, app = setup
    cli.ok("add", "Done already", "-p", "inc-1", "-s", "done")
    ctx = app()
    with ctx.session() as s:
        s.get(ActionItem, 1).push = False
    sync()
    assert not remote.issues


def test_first_push_needs_confirmation(setup, remote):
    cli, sync, _backends, _app = setup
    cli.ok("add", "A", "-p", "inc-1")
    summary = sync(yes=False)
    assert summary.failed and "--yes" in summary.targets[0].stopped and not remote.issues


def test_create_cap(setup, remote):
    cli, sync, _backends, _app = setup
    for n in range(5):
        cli.ok("add", f"Item {n}", "-p", "inc-1")
    summary = sync(max_creates=2)
    assert summary.targets[0].created == 2 and summary.targets[0].waiting == 3
    sync(max_creates=10)
    assert len(remote.issues) == 5


def test_unassignable_owner_still_creates_with_a_warning(setup, remote):
    cli, sync, _backends, _app = setup
    remote.assignable = {"leepark"}
    cli.ok("add", "A", "-p", "inc-1", "-o", "@dana")
    summary = sync()
    assert summary.targets[0].created == 1 and not summary.failed
    assert any("cannot be assigned" in m for m in summary.targets[0].messages)
    again = sync()
    assert again.targets[0].updated == 0  # the rejected assignee is not retried every run


def test_sync_never_creates_a_database(run_cli, make_config, workdir: Path):
    path = workdir / "tracker.toml"
    path.write_text(CONFIG + '\n[database]\npath = "missing.db"\n')
    result = run_cli("sync")
    assert result.exit_code == 2 and "no database" in result.stderr
    assert not (workdir / "missing.db").exists()
