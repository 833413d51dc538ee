"""The three-way field merge (tracker/merge.py) as a table, and the typed merge base's JSON round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.linkstate import LinkOrigin, LinkState, SyncBase, TargetKind
from tracker.merge import Outcome, merge_field

# base, local, remote, policy -> outcome, value both sides hold after, losing value
TABLE = [
    ("a", "a", "a", "remote", Outcome.SAME, "a", None),
    ("a", "a", "a", "local", Outcome.SAME, "a", None),
    ("a", "b", "b", "remote", Outcome.AGREED, "b", None),  # both moved to the same value
    (None, "b", "b", "local", Outcome.AGREED, "b", None),
    ("a", "a", "r", "remote", Outcome.PULL, "r", None),  # only the remote changed
    ("a", "a", "r", "local", Outcome.PULL, "r", None),  # the policy only matters in a conflict
    ("a", "a", None, "remote", Outcome.PULL, None, None),  # a remote cleared field is a change
    ("a", "l", "a", "remote", Outcome.PUSH, "l", None),  # only we changed
    ("a", "l", "a", "local", Outcome.PUSH, "l", None),
    (None, "l", None, "remote", Outcome.PUSH, "l", None),  # never agreed: ours is new
    ("a", None, "a", "remote", Outcome.PUSH, None, None),  # we cleared it
    ("a", "l", "r", "remote", Outcome.CONFLICT_PULL, "r", "l"),  # both changed: the remote wins
    ("a", "l", "r", "local", Outcome.CONFLICT_PUSH, "l", "r"),  # both changed: ours wins
    (None, "l", "r", "remote", Outcome.CONFLICT_PULL, "r", "l"),
    ("a", None, "r", "remote", Outcome.CONFLICT_PULL, "r", None),
    ("a", "l", None, "local", Outcome.CONFLICT_PUSH, "l", None),
    ("open", "done", "wont_do", "remote", Outcome.CONFLICT_PULL, "wont_do", "done"),
    ("2026-07-01", "2026-07-15", "2026-07-01", "remote", Outcome.PUSH, "2026-07-15", None),
]


@pytest.mark.parametrize(("base", "local", "remote", "policy", "outcome", "value", "lost"), TABLE)
def test_merge_field_table(base, local, remote, policy, outcome, value, lost):
    merged = merge_field("title", base, local, remote, policy)
    assert merged.outcome is outcome
    assert merged.value == value
    assert merged.losing_value == lost
    assert merged.conflict is (outcome in (Outcome.CONFLICT_PULL, Outcome.CONFLICT_PUSH))
    assert (merged.field, merged.base, merged.local, merged.remote) == ("title", base, local, remote)


values = st.sampled_from(["a", "b", "c", None])


@given(values, values, values, st.sampled_from(["remote", "local"]))
def test_merge_is_symmetric_and_never_loses_a_value(base, local, remote, policy):
    merged = merge_field("due", base, local, remote, policy)
    # After the merge both sides hold one of the two values, and any other is kept as the loser.
    assert merged.value in (local, remote)
    if merged.conflict:
        assert {merged.value, merged.losing_value} == {local, remote}
    # Nothing to do exactly when the sides already agree.
    assert (merged.outcome in (Outcome.SAME, Outcome.AGREED)) is (local == remote)
    # Swapping the sides (and the policy) mirrors the outcome.
    mirror = merge_field("due", base, remote, local, "local" if policy == "remote" else "remote")
    assert mirror.value == merged.value


def test_enums_keep_the_database_strings():
    assert [s.value for s in LinkState] == [
        "pending",
        "creating",
        "linked",
        "orphaned",
        "error",
        "unlinked",
        "unpushed",
    ]
    assert [o.value for o in LinkOrigin] == ["created", "document", "adopted", "manual"]
    assert [k.value for k in TargetKind] == ["github", "jira", "memory"]
    assert LinkState.LINKED == "linked" and LinkOrigin("document") is LinkOrigin.DOCUMENT


STORED = [
    {},
    {"title": "A", "assignee": None, "due": None, "status": "open", "labels": []},
    {
        "title": "A",
        "assignee": "dana-w",
        "due": "2026-07-01",
        "status": "done",
        "labels": ["needs-owner"],
        "status_pushing": "done",
        "lint_key": "abc",
        "rejected_assignee": "ghost",
        "owner_text": "@lee",
        "owner_pulled": True,
        "relabel": True,
        "repair_due": True,
        "title_cut": 256,
        "warnings": ["w"],
        "held_by_item": 3,
        "held_remote_id": "1001",
        "status_held": "done",
    },
    {"labels": ["x"], "some_future_key": {"kept": 1}},
]


@pytest.mark.parametrize("raw", STORED)
def test_typed_base_round_trips_the_json_on_disk(raw):
    record = SyncBase.from_json(raw)
    assert record.to_json() == raw
    if "status_pushing" in raw:
        assert record.flags.status_pushing == "done" and record.merge.status == "done"
        assert not hasattr(record.merge, "status_pushing")  # control flags live apart from the base


def test_typed_base_keeps_absent_apart_from_none():
    record = SyncBase.from_json({"labels": ["a"]}).with_fields(assignee=None).with_flags(relabel=True)
    assert record.to_json() == {"labels": ["a"], "assignee": None, "relabel": True}
    assert record.with_flags(relabel=False).to_json() == {"labels": ["a"], "assignee": None}
