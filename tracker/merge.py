"""Pure three-way merge of one field: the base both sides last agreed on, the local and the remote value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    SAME = "same"  # nothing to do
    AGREED = "agreed"  # both sides moved to the same value: only the base moves
    PULL = "pull"  # the remote changed: apply it locally
    PUSH = "push"  # we changed: send it to the remote
    CONFLICT_PULL = "conflict_pull"  # both changed; the policy picked the remote
    CONFLICT_PUSH = "conflict_push"  # both changed; the policy picked ours


@dataclass(frozen=True)
class FieldMerge:
    field: str
    base: Any
    local: Any
    remote: Any
    outcome: Outcome

    @property
    def value(self) -> Any:
        """The value both sides hold once the merge is applied."""
        if self.outcome in (Outcome.PULL, Outcome.CONFLICT_PULL, Outcome.AGREED):
            return self.remote
        return self.local

    @property
    def conflict(self) -> bool:
        return self.outcome in (Outcome.CONFLICT_PULL, Outcome.CONFLICT_PUSH)

    @property
    def losing_value(self) -> Any:
        """What a conflict threw away (kept in the events log)."""
        if self.outcome is Outcome.CONFLICT_PULL:
            return self.local
        if self.outcome is Outcome.CONFLICT_PUSH:
            return self.remote
        return None


def merge_field(field: str, base: Any, local: Any, remote: Any, policy: str = "remote") -> FieldMerge:
    """Decide one field. A side 'changed' it when its value differs from the base."""
    if local == remote:
        outcome = Outcome.SAME if local == base else Outcome.AGREED
    elif local == base:
        outcome = Outcome.PULL
    elif remote == base:
        outcome = Outcome.PUSH
    else:
        outcome = Outcome.CONFLICT_PUSH if policy == "local" else Outcome.CONFLICT_PULL
    return FieldMerge(field, base, local, remote, outcome)
