"""The sync's pure decisions (tracker/sync/plan.py): what each snapshot and remote issue lead to, and why."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from tracker.backends.base import FetchKind, FetchResult, RemoteIssue, RemoteRef
from tracker.linkstate import LinkOrigin, LinkState, SyncBase
from tracker.statuses import Status
from tracker.sync.plan import (
    ActionKind,
    CreateCandidate,
    LinkSnapshot,
    after_merge,
    plan_creates,
    plan_merge,
    plan_pull,
    plan_push,
    seen,
)
from tracker.sync.plan_links import MarkerOwner, plan_adoptions, plan_create_guard, plan_fetches

WHEN = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
BASE = {"title": "A", "assignee": "dana-w", "due": "2026-07-01", "status": "open", "labels": []}


def test_the_decision_code_imports_neither_the_database_nor_http():
    code = (
        "import sys, tracker.sync.plan, tracker.sync.plan_links\n"
        "heavy = ('sqlalchemy', 'requests', 'httpx', 'urllib3', 'github', 'jira', 'http')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "             or m == 'tracker.models' or m.startswith('tracker.backends.') and m != 'tracker.backends.base')\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"tracker.sync.plan or plan_links pulls in {out.stdout.strip()}"


def snap(
    local: dict | None = None, base: dict | None = None, origin: LinkOrigin = LinkOrigin.CREATED
) -> LinkSnapshot:
    values = {"title": "A", "assignee": "dana-w", "due": "2026-07-01", "status": "open", **(local or {})}
    return LinkSnapshot(
        link_id=1,
        item_id=7,
        ref=RemoteRef("1001", "acme/app#1", 1),
        origin=origin,
        state=LinkState.LINKED,
        base=SyncBase.from_json({**BASE, **(base or {})}),
        local=values,
        item_status=values["status"],
        remote_updated_at=WHEN,
    )


def issue(**changes) -> RemoteIssue:
    values = {
        "ref": RemoteRef("1001", "acme/app#1", 1),
        "title": "A",
        "status": Status.OPEN,
        "assignee": "dana-w",
        "due": date(2026, 7, 1),
        "marker": "tracker-x",
        "updated_at": WHEN,
        **changes,
    }
    return RemoteIssue(**values)


def test_an_unchanged_issue_is_seen_and_plans_nothing():
    s = snap()
    assert seen(s.state, s.remote_updated_at, s.base, issue())
    decision = plan_merge(s, issue(), "remote")
    assert decision.actions == () and decision.pulls == () and decision.base == s.base
    assert plan_push(s, None, True, "postmortem-action").empty


def test_remote_close_is_a_pull_with_its_reason():
    decision = plan_merge(snap(), issue(status=Status.DONE), "remote")
    assert decision.pulls == (("status", "done"),)
    [action] = decision.actions
    assert action.kind is ActionKind.PULL and action.field == "status" and "acme/app#1" in action.reason
    assert decision.base.merge.status == "done"


def test_both_sides_changed_is_a_conflict_the_policy_decides():
    remote_wins = plan_merge(snap({"title": "Ours"}), issue(title="Theirs"), "remote")
    assert remote_wins.pulls == (("title", "Theirs"),)
    assert remote_wins.conflicts == (("title", "Theirs", "Ours", "remote"),)
    assert [a.kind for a in remote_wins.actions] == [ActionKind.CONFLICT]
    local_wins = plan_merge(snap({"title": "Ours"}), issue(title="Theirs"), "local")
    assert local_wins.pulls == () and local_wins.conflicts == (("title", "Ours", "Theirs", "local"),)
    # The losing remote value is then overwritten by the push that follows.
    after = after_merge(snap({"title": "Ours"}), local_wins)
    assert plan_push(after, None, True, "t").changes.title == "Ours"


def test_a_document_named_issue_is_only_read():
    decision = plan_merge(
        snap({"title": "Local"}, origin=LinkOrigin.DOCUMENT),
        issue(title="Remote", status=Status.DONE),
        "local",
    )
    assert decision.pulls == (("status", "done"),) and decision.conflicts == ()
    assert decision.base.merge.title == "Remote"  # the base follows the remote's other fields


def test_our_own_workflow_push_stopped_half_way_is_not_a_persons_change():
    s = snap({"status": "done"}, {"status_pushing": "done"})
    decision = plan_merge(s, issue(status=Status.IN_PROGRESS), "remote")
    assert decision.pulls == () and decision.base.flags.status_pushing == "done"
    assert plan_push(after_merge(s, decision), None, True, "t").changes.status is Status.DONE
    finished = plan_merge(s, issue(status=Status.DONE), "remote")
    assert finished.base.flags.status_pushing is None


def test_an_unreadable_deadline_is_a_conflict_local_wins_and_the_block_is_repaired():
    decision = plan_merge(snap(), issue(due=None, unreadable_due="next tuesday"), "remote")
    assert decision.conflicts == (("due", "2026-07-01", "next tuesday", "local"),)
    assert decision.base.flags.repair_due and decision.base.merge.due == "2026-07-01"
    push = plan_push(after_merge(snap(), decision), None, True, "t")
    assert push.changes.due == (date(2026, 7, 1), date(2026, 7, 1)) and push.needs_context


def test_absence_is_not_a_change():
    # A block a person deleted: the deadline is unknown, never "none".
    decision = plan_merge(snap(), issue(marker=None, due=None), "remote")
    assert decision.pulls == () and decision.base.merge.due == "2026-07-01"


def test_a_pull_decides_only_what_the_listing_holds():
    from dataclasses import replace

    other = replace(snap(), link_id=2, item_id=8, ref=RemoteRef("1002", "acme/app#2", 2))
    snapshots = {"1001": snap(), "1002": other}
    later = WHEN.replace(minute=5)
    stranger = issue(ref=RemoteRef("1003", "acme/app#3", 3), status=Status.DONE, updated_at=later)
    decided = plan_pull(snapshots, [issue(), stranger], "remote")
    assert decided == []  # #1 unchanged, #2 absent (nothing happens to it), #3 not ours
    # Listed twice while it changed: the second merges on top of the first.
    first = issue(title="B", updated_at=later)
    second = issue(title="C", status=Status.DONE, updated_at=WHEN.replace(minute=6))
    decided = plan_pull(snapshots, [first, second, second], "remote")
    assert [(link_id, d.pulls) for link_id, _, d in decided] == [
        (1, (("title", "B"),)),
        (1, (("title", "C"), ("status", "done"))),
    ]  # the repeat of the second is seen already


def test_push_kinds_close_reopen_flag_and_update():
    close = plan_push(snap({"status": "done"}), None, True, "t")
    assert [a.kind for a in close.actions] == [ActionKind.CLOSE]
    reopen = plan_push(snap({"status": "open"}, {"status": "done"}), None, True, "t")
    assert [a.kind for a in reopen.actions] == [ActionKind.REOPEN]
    flag = plan_push(snap(), {"needs-owner"}, True, "t")
    assert [a.kind for a in flag.actions] == [ActionKind.FLAG] and flag.changes.add_labels == ("needs-owner",)
    update = plan_push(snap({"title": "B"}), None, True, "t")
    assert [a.kind for a in update.actions] == [ActionKind.UPDATE] and "title -> 'B'" in update.actions[
        0
    ].reason


def test_push_remembers_refusals_and_holds():
    refused = plan_push(snap({"assignee": "ghost"}, {"rejected_assignee": "ghost"}), None, True, "t")
    assert refused.empty  # not asked again until the owner changes
    held = plan_push(snap({"status": "done"}), None, False, "t")
    assert held.empty and held.status_held == "done"  # Jira without manage_workflow
    relabel = plan_push(snap(base={"relabel": True}), None, True, "postmortem-action")
    assert relabel.changes.add_labels == ("postmortem-action",)
    closed = plan_push(snap({"status": "done"}, {"labels": ["needs-owner"]}), set(), True, "t")
    assert closed.changes.remove_labels == ()  # closing an issue does not churn its labels


def test_creates_hold_and_cap_with_reasons():
    plan = plan_creates(
        [
            CreateCandidate(1, "A"),
            CreateCandidate(2, "B", held_rules=("no-owner",)),
            CreateCandidate(3, "C", confidential=True),
            CreateCandidate(4, "D"),
            CreateCandidate(5, "E"),
        ],
        "gh",
        public=True,
        cap=2,
    )
    assert plan.ready == [1, 4] and plan.waiting == 1 and plan.held == 2
    assert [a.kind for a in plan.actions] == [ActionKind.HOLD, ActionKind.HOLD]
    assert "no-owner" in plan.actions[0].reason and "confidential" in plan.actions[1].reason
    # Only what is created this run gets a create action (E waits for the cap).
    assert [a.describe() for a in plan.creates.values()] == ["create #1 'A' in gh", "create #4 'D' in gh"]
    assert all(a.kind is ActionKind.CREATE for a in plan.creates.values())
    private = plan_creates([CreateCandidate(3, "C", confidential=True)], "gh", public=False, cap=10)
    assert private.ready == [3]


def marked(number: int, marker: str | None = "tracker-x", claimed: str | None = None) -> RemoteIssue:
    return issue(
        ref=RemoteRef(str(2000 + number), f"acme/app#{number}", number),
        marker=marker,
        claimed_postmortem=claimed,
    )


# Each row is one adoption rule: the issues an unlinked listing holds, what the database says of
# the item whose marker they carry, and what is decided (adopted issue numbers, held, warned).
ADOPTION_RULES = [
    (
        "an unlinked issue carrying an item's marker is adopted",
        [marked(1)],
        MarkerOwner(7, "pm"),
        True,
        [1],
        [],
        0,
    ),
    ("an item with a pending link adopts", [marked(1)], MarkerOwner(7, "pm", "pending"), True, [1], [], 0),
    ("an item whose create failed adopts", [marked(1)], MarkerOwner(7, "pm", "error"), True, [1], [], 0),
    ("an orphaned item adopts a new copy", [marked(1)], MarkerOwner(7, "pm", "orphaned"), True, [1], [], 0),
    ("a linked item keeps its issue", [marked(1)], MarkerOwner(7, "pm", "linked"), True, [], [], 0),
    ("an unlinked item stays detached", [marked(1)], MarkerOwner(7, "pm", "unlinked"), True, [], [], 0),
    ("an unpushed item stays detached", [marked(1)], MarkerOwner(7, "pm", "unpushed"), True, [], [], 0),
    ("a new or lost database adopts nothing", [marked(1)], MarkerOwner(7, "pm"), False, [], [], 0),
    ("an unknown marker is left alone", [marked(1, "tracker-other")], MarkerOwner(7, "pm"), True, [], [], 0),
    ("an issue with no marker is left alone", [marked(1, None)], MarkerOwner(7, "pm"), True, [], [], 0),
    (
        "a block naming another postmortem is refused",
        [marked(1, claimed="other")],
        MarkerOwner(7, "pm"),
        True,
        [],
        [],
        1,
    ),
    (
        "a block naming its own postmortem adopts",
        [marked(1, claimed="pm")],
        MarkerOwner(7, "pm"),
        True,
        [1],
        [],
        0,
    ),
    (
        "an issue another item holds is reported",
        [marked(1)],
        MarkerOwner(7, "pm", held_by=9),
        True,
        [],
        [(7, 1, 9)],
        0,
    ),
    ("one item adopts one issue per run", [marked(1), marked(2)], MarkerOwner(7, "pm"), True, [1], [], 0),
]


@pytest.mark.parametrize(
    ("rule", "issues", "owner", "own_links", "adopted", "held", "warnings"),
    ADOPTION_RULES,
    ids=[row[0] for row in ADOPTION_RULES],
)
def test_adoption_rules(rule, issues, owner, own_links, adopted, held, warnings):
    plan = plan_adoptions(issues, {"tracker-x": owner}, own_links=own_links)
    assert [found.ref.number for _, found in plan.adopt] == adopted, rule
    assert [(item, found.ref.number, other) for item, found, other in plan.held] == held, rule
    assert len(plan.warnings) == warnings, rule
    for action, found in plan.adopt:
        assert action.kind is ActionKind.ADOPT and action.item_id == owner.item_id
        assert action.key == found.ref.key
        assert action.describe() == f"adopt {found.ref.key} for #7: it already carried the item's marker"


def test_a_refused_claim_says_which_postmortem_the_block_names():
    plan = plan_adoptions([marked(1, claimed="other")], {"tracker-x": MarkerOwner(7, "pm")})
    assert plan.warnings == [
        "acme/app#1 carries the marker of an item of pm but its block names postmortem other: not adopted"
    ]


# Each row: links of this database's making, unknown marked issues on the remote, whether the first
# push asks (confirm_first_push, no --yes, no --dry-run), and the verdict.
GUARD_RULES = [
    ("a database with its own links creates", True, True, True, "go"),
    ("its own links: no question asked again", True, False, True, "go"),
    ("no links facing unknown marked issues refuses", False, True, False, "refuse"),
    ("the refusal comes before any question", False, True, True, "refuse"),
    ("a first push asks", False, False, True, "ask"),
    ("a first push with --yes or no confirmation creates", False, False, False, "go"),
]


@pytest.mark.parametrize(
    ("rule", "own_links", "unknown", "ask_first", "verdict"), GUARD_RULES, ids=[row[0] for row in GUARD_RULES]
)
def test_create_guard_rules(rule, own_links, unknown, ask_first, verdict):
    guard = plan_create_guard(own_links, unknown, ask_first, "gh", "postmortem-action", 3)
    assert guard.verdict == verdict, rule
    if verdict == "refuse":
        assert "tracker adopt gh" in guard.reason and "'postmortem-action'" in guard.reason
    if verdict == "ask":
        assert guard.reason == "First push to gh: create 3 issue(s)?"


# Each row: what a direct fetch of a linked issue returned, and whether the link is orphaned.
FETCH_RULES = [
    ("deleted (404/410) orphans the link", FetchResult(FetchKind.GONE), True),
    ("unchanged (304) changes nothing", FetchResult(FetchKind.NOT_MODIFIED), False),
    ("a readable issue is merged, not orphaned", FetchResult(FetchKind.OK, issue()), False),
    ("a transferred issue is followed, not orphaned", FetchResult(FetchKind.MOVED, marked(5)), False),
]


@pytest.mark.parametrize(("rule", "result", "orphaned"), FETCH_RULES, ids=[row[0] for row in FETCH_RULES])
def test_orphan_rules(rule, result, orphaned):
    actions = plan_fetches([(3, 7, "acme/app#1", result)])
    assert (3 in actions) is orphaned, rule
    if orphaned:
        action = actions[3]
        assert action.kind is ActionKind.ORPHAN and action.item_id == 7 and action.key == "acme/app#1"
        # Absence never closes: the action carries no status and no field to write into the item.
        assert action.field is None and action.value is None
        assert action.describe() == "orphan #7 acme/app#1: the issue was deleted; link orphaned (status kept)"


def _sync_imports() -> dict[str, set[str]]:
    """Every import between tracker.sync modules, at top level, in functions or under TYPE_CHECKING."""
    import ast
    from pathlib import Path

    import tracker.sync

    folder = Path(tracker.sync.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        name = f"tracker.sync.{path.stem}"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m.startswith("tracker.sync.") and m in _modules(folder)} - {name}
    return graph


def _modules(folder) -> set[str]:
    return {f"tracker.sync.{p.stem}" for p in folder.glob("*.py")}


def test_no_import_cycles_in_tracker_sync_not_even_behind_type_checking():
    graph = _sync_imports()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt])
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    # The steps take the shared context, never the engine.
    for step in (
        "create",
        "parents",
        "verify",
        "duplicates",
        "recover",
        "apply",
        "plan",
        "plan_links",
        "context",
    ):
        assert "tracker.sync.engine" not in graph[f"tracker.sync.{step}"], step


def test_every_promise_in_docs_sync_names_tests_that_exist():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "sync.md").read_text(encoding="utf-8")
    table = text.split("## Promises and the tests that check them", 1)[1].split("\n## ", 1)[0]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| promise", "| ---"))
    ]
    assert len(rows) >= 30
    machine = (root / "tests" / "test_sync_state_machine.py").read_text(encoding="utf-8")
    for row in rows:
        checked = row.rsplit("|", 2)[1]
        named = re.findall(r"`(test_\w+\.py)(?:::(\w+))?`", checked)
        rules = (
            re.findall(r"`(\w+)`", checked.split("state machine (", 1)[1])
            if "state machine (" in checked
            else []
        )
        assert named or rules, f"no test named for: {row}"
        for file, test in named:
            source = (root / "tests" / file).read_text(encoding="utf-8")
            assert test == "" or f"def {test}(" in source, f"{file}::{test} does not exist"
        for rule in rules:
            assert f"def {rule}(" in machine, f"state machine rule {rule} does not exist"
