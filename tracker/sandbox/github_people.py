"""Acting as a person on the fake GitHub: close, reopen, reassign, edit, transfer, delete issues."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from tracker.sandbox.github_model import Issue, Repo
from tracker.sandbox.github_store import Store

# A "Due: 2024-05-01" line as people write it: optional list bullet and bold, "Due" or "Due date".
DUE_LINE = re.compile(
    r"(?im)^(?P<prefix>[ \t]*(?:[-*][ \t]+)?(?:\*\*|__)?due(?:[ \t]+date)?(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?[ \t]*)(?P<value>.*)$"
)


class PeopleActions:
    """What humans and bots do in the web UI; every change moves the issue's updated_at."""

    store: Store

    # Acting as a person (each change moves updated_at) -----------------------------------------
    def close_issue(
        self,
        full_name: str,
        number: int,
        reason: str = "completed",
        *,
        actor: str | None = None,
        bot: bool = False,
    ) -> None:
        """Close as `actor` (default "mona"), or as the `stale[bot]` Bot account when `bot`."""
        if reason not in ("completed", "not_planned", "duplicate"):
            raise ValueError(f"reason must be completed, not_planned or duplicate, not {reason!r}")
        with self.store.lock:
            issue = self._issue(full_name, number)
            who = "stale[bot]" if bot else actor or "mona"
            self.store.ensure_user(who, "Bot" if bot else None)
            self.store.close(issue, reason, who)
            self.store.touch(issue)

    def reopen_issue(self, full_name: str, number: int) -> None:
        with self.store.lock:
            issue = self._issue(full_name, number)
            self.store.reopen(issue)
            self.store.touch(issue)

    def reassign(self, full_name: str, number: int, logins: Iterable[str]) -> None:
        """Replace the assignees (people may assign anyone the UI offers: not validated here)."""
        with self.store.lock:
            issue = self._issue(full_name, number)
            issue.assignees = [self.store.ensure_user(login).login for login in logins]
            self.store.touch(issue)

    def edit_issue(
        self, full_name: str, number: int, *, title: str | None = None, body: str | None = None
    ) -> None:
        with self.store.lock:
            issue = self._issue(full_name, number)
            issue.title = title if title is not None else issue.title
            issue.body = body if body is not None else issue.body
            self.store.touch(issue)

    def add_issue_label(self, full_name: str, number: int, name: str) -> None:
        with self.store.lock:
            repo, issue = self._repo(full_name), self._issue(full_name, number)
            label = self.store.get_or_create_label(repo, name)
            if label.id not in issue.label_ids:
                issue.label_ids.append(label.id)
                self.store.record_event(issue, "labeled", "mona", label=label)
            self.store.touch(issue)

    def remove_issue_label(self, full_name: str, number: int, name: str) -> None:
        with self.store.lock:
            repo, issue = self._repo(full_name), self._issue(full_name, number)
            label = repo.label_by_name(name)
            if label is None or label.id not in issue.label_ids:
                raise KeyError(f"{full_name}#{number} has no label {name!r}")
            issue.label_ids.remove(label.id)
            self.store.record_event(issue, "unlabeled", "mona", label=label)
            self.store.touch(issue)

    def comment(self, full_name: str, number: int, body: str, *, actor: str | None = None) -> None:
        with self.store.lock:
            self.store.add_comment(self._issue(full_name, number), actor or "mona", body)

    def set_due_date(self, full_name: str, number: int, due: date | str) -> None:
        """Rewrite the first "Due:" line of the body (appending one if there is none)."""
        text = due.isoformat() if isinstance(due, date) else due
        with self.store.lock:
            issue = self._issue(full_name, number)
            body = issue.body or ""
            new, count = DUE_LINE.subn(lambda m: m.group("prefix") + text, body, count=1)
            issue.body = new if count else f"{body.rstrip()}\n\nDue: {text}".lstrip()
            self.store.touch(issue)

    def transfer_issue(self, full_name: str, number: int, to_full_name: str) -> int:
        """Move an issue to another repository; returns the new number (the old one answers 301)."""
        with self.store.lock:
            issue = self._issue(full_name, number)
            return self.store.transfer(issue, self._repo(to_full_name)).number

    def delete_issue(self, full_name: str, number: int) -> None:
        """Delete an issue; its URL answers 410 from now on."""
        with self.store.lock:
            self.store.delete(self._issue(full_name, number))

    # Helpers ------------------------------------------------------------------------------------
    def _repo(self, full_name: str) -> Repo:
        owner, _, name = full_name.partition("/")
        repo = self.store.repo(owner, name)
        if repo is None:
            raise KeyError(f"no repository {full_name!r}; add_repo() it first")
        return repo

    def _issue(self, full_name: str, number: int, *, live: bool = True) -> Issue:
        issue = self._repo(full_name).issues.get(number)
        if issue is None or (live and not issue.live):
            raise KeyError(f"no live issue {full_name}#{number}")
        return issue
