"""A Hypothesis state machine over the memory backend: local edits, remote edits, kills and lost answers.

Invariants checked after every step (docs/sync.md, "Never a duplicate, never a false close"):
- no item ever has two issues (one issue per marker on the remote, one link per item);
- nothing is closed for being missing: an item or an issue is closed only if someone closed it;
- every acknowledged local change reaches the remote, or is recorded as a conflict
  (checked at `settle`, after clean runs).

Runs on a SQLite file copied from a template made once (fast and deterministic: `derandomize`).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from tracker.app import AppContext
from tracker.backends.base import TransientError
from tracker.backends.memory import MemoryBackend, MemoryRemote
from tracker.issue_text import make_marker
from tracker.models import ActionItem, Event, Link
from tracker.statuses import Status
from tracker.sync.engine import SyncOptions
from tracker.sync.runner import run_sync

CONFIG = """
[database]
url = "sqlite:///{db}"

[org]
timezone = "UTC"

[targets.mem]
kind = "github"
repo = "acme/app"
token_env = "UNUSED_TOKEN"

[routing]
default = "mem"

[people."dana"]
github = "dana-w"
aliases = ["@dana"]

[sync]
confirm_first_push = false
verify_slice = 2
"""

# A memory-backed folder when there is one: every commit of the many small runs is an fsync otherwise.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
TITLES = ["Add an alert on queue depth", "Write the failover runbook", "Rotate the keys", "Load-test it"]
_TEMPLATE: dict[str, Path] = {}


class Killed(BaseException):
    """The process died (kill -9): not an Exception, so nothing in tracker catches it."""


class Faulty:
    """The memory backend, with a kill at the n-th remote call (before or after it ran) and lost answers."""

    CALLS = ("pull", "fetch", "find_markers", "update", "create", "comment", "has_tracker_issues")

    def __init__(
        self, inner: MemoryBackend, kill_at: int | None, after: bool, lose_update: bool, hide: bool = False
    ) -> None:
        self.inner, self.kill_at, self.after, self.lose_update = inner, kill_at, after, lose_update
        self.hide = hide  # a listing that leaves issues out (an eventually consistent search)
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.inner, name)
        if name not in self.CALLS:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.kill_at and not self.after:
                raise Killed(name)
            result = value(*args, **kwargs)
            if self.calls == self.kill_at:
                raise Killed(name)  # the request went through; its answer is lost with the process
            if name == "pull" and self.hide:
                return replace(result, issues=result.issues[::2])
            if name == "update" and self.lose_update:
                self.lose_update = False
                raise TransientError("connection dropped after the write")  # applied, answer lost
            return result

        return call


def _template(root: Path) -> Path:
    """A database with the schema, made once per process and copied for every example."""
    if "db" not in _TEMPLATE:
        base = Path(tempfile.mkdtemp(prefix="tracker-sm-", dir=SCRATCH))
        (base / "tracker.toml").write_text(CONFIG.format(db=base / "tracker.db"), encoding="utf-8")
        result = CliRunner().invoke(_cli(), ["--config", str(base / "tracker.toml"), "db", "upgrade"])
        assert result.exit_code == 0, result.output
        _TEMPLATE["db"] = base / "tracker.db"
    target = root / "tracker.db"
    shutil.copyfile(_TEMPLATE["db"], target)
    return target


def _cli() -> Any:
    from tracker.cli import cli

    return cli


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="tracker-sm-", dir=SCRATCH))
        db = _template(self.root)
        self.config = self.root / "tracker.toml"
        self.config.write_text(CONFIG.format(db=db), encoding="utf-8")
        self.remote = MemoryRemote("acme/app")
        self.runner = CliRunner()
        self.items: list[int] = []
        self.closed_by_someone: set[int] = set()  # items closed here, or whose issue was closed there
        self.deleted: set[int] = set()  # items whose issue a person deleted (orphaned, never recreated)
        self.pending: dict[tuple[int, str], str] = {}  # acknowledged local changes not yet seen remotely
        self.app = AppContext(config_path=str(self.config))  # one engine: its statement cache is kept

    def teardown(self) -> None:
        self.app.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # Helpers -------------------------------------------------------------------------------------
    def cli(self, *args: str) -> None:
        result = self.runner.invoke(_cli(), ["--config", str(self.config), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    def sync(
        self, kill_at: int | None = None, after: bool = False, lose_update: bool = False, hide: bool = False
    ) -> bool:
        def factory(_app: AppContext, name: str) -> Any:
            return Faulty(MemoryBackend(name, self.remote), kill_at, after, lose_update, hide)

        try:
            summary = run_sync(self.app, (), SyncOptions(yes=True), factory)
        except Killed:
            return False
        finally:
            self._deliver()  # whatever reached the remote, even through a run that then died
        return not summary.failed

    def linked(self) -> dict[int, Any]:
        """item id -> its remote issue, for items linked to a live issue."""
        with self.app.session() as session:
            links = session.execute(select(Link.item_id, Link.remote_id).where(Link.state == "linked")).all()
        out = {}
        for item_id, remote_id in links:
            issue = self.remote.issues.get(int(remote_id))
            if issue is not None and not issue.deleted:
                out[item_id] = issue
        return out

    def rows(self) -> tuple[dict[int, ActionItem], list[Event], list[tuple[int, str | None]]]:
        with self.app.session() as session:
            items = {i.id: i for i in session.scalars(select(ActionItem))}
            for item in items.values():
                _ = item.postmortem.slug, item.fingerprint
            events = list(session.scalars(select(Event).where(Event.field.like("conflict:%"))))
            links = [(row.item_id, row.marker) for row in session.scalars(select(Link))]
            session.expunge_all()
        return items, events, links

    def _deliver(self) -> None:
        """Forget acknowledged changes the remote now shows."""
        linked = self.linked()
        for (item_id, field), value in list(self.pending.items()):
            issue = linked.get(item_id)
            if issue is not None and _remote_value(issue, field) == value:
                del self.pending[(item_id, field)]

    # Local edits ---------------------------------------------------------------------------------
    @initialize()
    def first_item(self) -> None:
        self.add_item(0)

    @rule(n=st.integers(0, len(TITLES) - 1))
    def add_item(self, n: int) -> None:
        if len(self.items) >= 3:
            return
        self.cli("add", f"{TITLES[n]} ({len(self.items)})", "-p", "inc-1", "-o", "@dana")
        self.items.append(len(self.items) + 1)

    @rule(i=st.integers(0, 1), n=st.integers(0, 99))
    def edit_title_here(self, i: int, n: int) -> None:
        item = self.items[i % len(self.items)]
        title = f"Local title {n}"
        before = self.rows()[0][item].title
        self.cli("edit", str(item), "--title", title)
        if title != before:  # an edit to the same value changes nothing, here or there
            self.pending[(item, "title")] = title

    @rule(i=st.integers(0, 1), done=st.booleans())
    def done_or_reopen_here(self, i: int, done: bool) -> None:
        item = self.items[i % len(self.items)]
        wanted = "done" if done else "open"
        before = self.rows()[0][item].status
        self.cli("done" if done else "reopen", str(item))
        if wanted != before:
            self.pending[(item, "status")] = wanted
        if done:
            self.closed_by_someone.add(item)

    # Remote edits --------------------------------------------------------------------------------
    def _issue_for(self, i: int) -> tuple[int, Any] | None:
        linked = self.linked()
        if not linked:
            return None
        item = sorted(linked)[i % len(linked)]
        return item, linked[item]

    @rule(i=st.integers(0, 1), n=st.integers(0, 99))
    def edit_title_there(self, i: int, n: int) -> None:
        found = self._issue_for(i)
        if found is not None:
            self.remote.edit_title(found[1].number, f"Remote title {n}")

    @rule(i=st.integers(0, 1), reason=st.sampled_from(["completed", "not_planned", "reopen"]))
    def close_or_reopen_there(self, i: int, reason: str) -> None:
        found = self._issue_for(i)
        if found is None:
            return
        item, issue = found
        if reason == "reopen":
            self.remote.reopen(issue.number)
        else:
            self.remote.close(issue.number, reason, by="leepark")
            self.closed_by_someone.add(item)

    # Syncs, clean and faulty ---------------------------------------------------------------------
    @rule()
    def sync_clean(self) -> None:
        self.sync()

    @rule(kill_at=st.integers(1, 8), after=st.booleans())
    def sync_killed(self, kill_at: int, after: bool) -> None:
        self.sync(kill_at=kill_at, after=after)

    @rule()
    def sync_with_a_partial_listing(self) -> None:
        self.sync(hide=True)

    @rule(i=st.integers(0, 1))
    def delete_there(self, i: int) -> None:
        found = self._issue_for(i)
        if found is not None:
            self.remote.delete(found[1].number)
            self.deleted.add(found[0])

    @rule()
    def sync_losing_an_update(self) -> None:
        self.sync(lose_update=True)

    @rule()
    def sync_losing_a_create(self) -> None:
        self.remote.fail_creates.append("drop")
        self.sync()
        self.remote.fail_creates.clear()

    @precondition(lambda self: bool(self.items))
    @rule()
    def settle(self) -> None:
        """Clean runs until quiet: every acknowledged change is then remote, or a recorded conflict."""
        for _ in range(2):
            assert self.sync(), "a clean sync failed"
        self._deliver()
        items, events, _links = self.rows()
        lost = {(e.item_id, e.field.removeprefix("conflict:"), e.old) for e in events}
        kept = {(e.item_id, e.field.removeprefix("conflict:"), e.new) for e in events}
        linked = self.linked()
        for (item_id, field), value in self.pending.items():
            if item_id not in linked:
                continue  # never pushed (done before its first sync): nothing remote to reach
            assert (item_id, field, value) in lost | kept, (
                f"#{item_id} {field}={value!r} was acknowledged here but never reached the remote "
                f"nor was it reported as a conflict"
            )
        self.pending.clear()
        for item_id, issue in linked.items():
            item = items[item_id]
            assert (item.title, item.status) == (issue.title, issue.status.value), (
                f"#{item_id} differs after clean runs: {item.title!r}/{item.status} here, "
                f"{issue.title!r}/{issue.status.value} there"
            )

    # Invariants ----------------------------------------------------------------------------------
    @invariant()
    def never_a_duplicate(self) -> None:
        items, _events, links = self.rows()
        markers = [make_marker("mem", item.postmortem.slug, item.fingerprint) for item in items.values()]
        live = [i for i in self.remote.issues.values() if not i.deleted]
        for marker in markers:
            carrying = [i.number for i in live if f"Marker: {marker}" in i.body]
            assert len(carrying) <= 1, f"two issues carry {marker}: {carrying}"
        linked_items = [item_id for item_id, _ in links]
        assert len(linked_items) == len(set(linked_items))

    @invariant()
    def never_a_false_close(self) -> None:
        items, _events, _links = self.rows()
        for item in items.values():
            if Status(item.status).is_closed:
                assert item.id in self.closed_by_someone, f"#{item.id} closed though nobody closed it"
        for item_id, issue in self.linked().items():
            if issue.status.is_closed:
                assert item_id in self.closed_by_someone, f"issue of #{item_id} closed though nobody did"


def _remote_value(issue: Any, field: str) -> str:
    return issue.title if field == "title" else issue.status.value


SyncMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSyncMachine = SyncMachine.TestCase
