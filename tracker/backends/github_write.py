"""GitHub writes: paced creates read back for dropped fields, minimal updates, comments and labelling."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tracker.backends.base import (
    CreateOutcome,
    IssueChanges,
    IssueDraft,
    PermanentError,
    RemoteComment,
    RemoteIssue,
    RemoteRef,
    TransientError,
)
from tracker.backends.block import compose_markdown_body, parse_markdown_body, replace_markdown_block
from tracker.backends.github_http import Reply, field_errors
from tracker.backends.github_map import with_deadline
from tracker.statuses import Status

if TYPE_CHECKING:
    from tracker.backends.github_http import GitHubTransport
    from tracker.backends.pacing import CreateBudget
    from tracker.config import GitHubTarget

STATES = {Status.DONE: ("closed", "completed"), Status.WONT_DO: ("closed", "not_planned")}
DROPPED = "GitHub drops assignees and labels silently when the token has no push access"


class GitHubWrites:
    """The write half of GitHubBackend (mixed in; relies on its transport, budget and helpers)."""

    name: str
    repo: str
    tracker_label: str
    target: GitHubTarget
    http: GitHubTransport
    budget: CreateBudget
    can_write: bool | None
    _milestones: dict[str, int] | None = None  # milestone title -> number, listed once per run

    def _remote(
        self, item: dict[str, Any], etag: str | None = None, closed_by: dict[str, Any] | None = None
    ) -> RemoteIssue:
        raise NotImplementedError

    def _locate(self, ref: RemoteRef) -> tuple[str, int]:
        raise NotImplementedError

    def _pages(self, first: Reply, what: str) -> Any:
        raise NotImplementedError

    # Create ------------------------------------------------------------------------------------------
    def create(self, drafts: list[IssueDraft]) -> list[CreateOutcome]:
        """One POST per draft, paced by the credential's budget, never re-sent after an unknown outcome."""
        return [self._create_one(draft) for draft in drafts]

    def _post_issue(self, payload: dict[str, Any], what: str) -> Reply:
        self.budget.acquire()
        return self.http.request(
            "POST", f"/repos/{self.repo}/issues", body=payload, idempotent=False, what=what
        )

    def _create_one(self, draft: IssueDraft) -> CreateOutcome:
        labels = list(dict.fromkeys([self.tracker_label, *self.target.labels, *draft.labels]))
        payload: dict[str, Any] = {
            "title": draft.title,
            "body": compose_markdown_body(draft.intro, draft.marker, draft.context, draft.due),
            "labels": labels,
        }
        if draft.assignee:
            payload["assignees"] = [draft.assignee]  # never the singular `assignee` (closing down)
        what = f"{self.name}: create {draft.title!r}"
        warnings: list[str] = []
        self._deadline_fields(payload, draft.due, what, warnings)
        try:
            reply = self._post_issue(payload, what)
            if reply.status == 422 and draft.assignee and _assignee_refused(reply):
                # The issue must exist even when the owner cannot be assigned: once more, unassigned.
                warnings.append(
                    f"GitHub would not assign {draft.assignee} in {self.repo} "
                    f"({reply.message}: {'; '.join(field_errors(reply))}); created unassigned"
                )
                del payload["assignees"]
                reply = self._post_issue(payload, what)
        except TransientError as exc:
            # A dropped answer, a timeout or a 5xx: the issue may exist. Recovery looks for its marker.
            return CreateOutcome(draft, error=exc.message, uncertain=True)
        except PermanentError as exc:
            return CreateOutcome(draft, error=exc.message)
        if reply.status != 201 or not isinstance(reply.data, dict):
            return CreateOutcome(draft, error=self.http.error(reply, what).message)
        item = reply.data
        why = f"{self.http.credential_source} has no push access" if self.can_write is False else DROPPED
        got = {str(a.get("login", "")).lower() for a in item.get("assignees") or []}
        if "assignees" in payload and draft.assignee and draft.assignee.lower() not in got:
            warnings.append(f"GitHub did not assign {draft.assignee} in {self.repo} ({why})")
        have = {str(lab.get("name", "")).lower() for lab in item.get("labels") or []}
        missing = [label for label in labels if label.lower() not in have]
        if missing:
            warnings.append(f"GitHub did not set the label(s) {', '.join(missing)} in {self.repo} ({why})")
        warnings.extend(self._dropped_deadline_fields(payload, item))
        return CreateOutcome(draft, issue=self._remote(item), warnings=tuple(warnings))

    # Update ------------------------------------------------------------------------------------------
    def update(self, ref: RemoteRef, changes: IssueChanges) -> RemoteIssue:
        """Apply only what changed; returns the issue from the last answer.

        Costs: title/state/body together 1 PATCH (+1 GET first when the deadline or block changes,
        to keep the person's text around the block); labels 1 POST for all added + 1 DELETE per removed
        label (never replacing the set); assignee 1 POST (add new) + 1 DELETE (remove old, only after
        the new one took); one GET at the end only when no answer after the label calls carried the issue
        (a labels-only change, or no change at all).
        """
        repo, number = self._locate(ref)
        base = f"/repos/{repo}/issues/{number}"
        what = f"{self.name}: update {repo}#{number}"
        last: dict[str, Any] | None = None
        patch: dict[str, Any] = {}
        if changes.title is not None:
            patch["title"] = changes.title
        kept_local = False
        if changes.due is not None or changes.context is not None:
            last = self._issue(base, what)
            if parse_markdown_body(last.get("body")) is None:
                # An issue a document or `relink` named has no tracker block: its body is a person's and
                # the deadline stays local (refusing here failed every later sync of the item).
                kept_local = changes.due is not None
            else:
                body = self._new_body(last.get("body"), changes, what)
                if body != last.get("body"):
                    patch["body"] = body
        if changes.status is not None:
            patch["state"], patch["state_reason"] = STATES.get(changes.status, ("open", "reopened"))
        if changes.due is not None:
            self._deadline_fields(patch, changes.due[1], what, [], clearing=True)
        removing = {name.lower() for name in changes.remove_labels}
        adding = [name for name in changes.add_labels if name.lower() not in removing]
        if adding:
            self._expect(
                self.http.request("POST", f"{base}/labels", body={"labels": adding}, what=what), (200,), what
            )
            last = None
        for name in changes.remove_labels:
            reply = self.http.request("DELETE", f"{base}/labels/{quote(name, safe='')}", what=what)
            self._expect(reply, (200, 404), what)  # 404: the label was not on the issue (any more)
            last = None
        if changes.assignee is not None:
            last = self._reassign(base, changes.assignee, what) or last
        if patch:
            last = self._expect(self.http.request("PATCH", base, body=patch, what=what), (200,), what).data
        if last is None:
            last = self._issue(base, what)
        if kept_local and changes.due is not None:
            from dataclasses import replace

            return replace(self._remote(last), due=changes.due[1])  # agreed: no block to disagree
        return self._remote(last)

    # Deadline fields: a milestone per due date and an organisation date field, both opt-in ----------
    def _deadline_fields(
        self,
        payload: dict[str, Any],
        due: date | None,
        what: str,
        warnings: list[str],
        clearing: bool = False,
    ) -> None:
        if self.target.milestones and (due is not None or clearing):
            try:
                payload["milestone"] = self._milestone_for(due, what) if due is not None else None
            except (PermanentError, TransientError) as exc:
                warnings.append(f"no milestone for {due}: {exc.message}")
        if self.target.date_field_id is not None and due is not None:
            payload["issue_field_values"] = [
                {"field_id": self.target.date_field_id, "value": due.isoformat()}
            ]

    def _milestone_for(self, due: date, what: str) -> int:
        """The milestone "Due YYYY-MM-DD", created when missing with due_on at 12:00 UTC, because
        GitHub shows a midnight due date on the previous day."""
        title = f"Due {due.isoformat()}"
        if self._milestones is None:  # listed once per backend (one run), then kept up to date
            self._milestones = {}
            path = f"/repos/{self.repo}/milestones"
            first = self.http.request("GET", path, params={"state": "all", "per_page": 100}, what=what)
            for page in self._pages(first, what):
                for milestone in page:
                    self._milestones[str(milestone.get("title"))] = int(milestone["number"])
        cache = self._milestones
        if title not in cache:
            reply = self.http.request(
                "POST",
                f"/repos/{self.repo}/milestones",
                body={"title": title, "due_on": f"{due.isoformat()}T12:00:00Z"},
                idempotent=False,
                what=what,
            )
            cache[title] = int(self._expect(reply, (201,), what).data["number"])
        return cache[title]

    def _dropped_deadline_fields(self, payload: dict[str, Any], item: dict[str, Any]) -> list[str]:
        """Read back what GitHub set: it drops unknown issue fields and (without push) milestones silently."""
        warnings = []
        if payload.get("milestone") and not item.get("milestone"):
            warnings.append(f"GitHub did not set the milestone in {self.repo} (no push access?)")
        wanted = payload.get("issue_field_values")
        if wanted:
            got = {v.get("issue_field_id"): v.get("value") for v in item.get("issue_field_values") or []}
            if got.get(wanted[0]["field_id"]) != wanted[0]["value"]:
                warnings.append(
                    f"GitHub did not set the date field {self.target.date_field or wanted[0]['field_id']!r} "
                    f"in {self.repo}: issue fields need an organisation with the feature and that field; "
                    "the deadline stays in the tracker block"
                )
        return warnings

    def _reassign(self, base: str, change: tuple[str | None, str | None], what: str) -> dict[str, Any] | None:
        old, new = change
        if (old or "").lower() == (new or "").lower():
            return None
        last = None
        took = True
        if new:
            last = self._expect(
                self.http.request("POST", f"{base}/assignees", body={"assignees": [new]}, what=what),
                (200, 201),
                what,
            ).data
            took = any(str(a.get("login", "")).lower() == new.lower() for a in last.get("assignees") or [])
        if old and took:  # GitHub ignores a login it will not assign: then keep the old owner assigned
            last = self._expect(
                self.http.request("DELETE", f"{base}/assignees", body={"assignees": [old]}, what=what),
                (200,),
                what,
            ).data
        return last

    def _new_body(self, body: str | None, changes: IssueChanges, what: str) -> str:
        block = parse_markdown_body(body)
        if block is None or block.marker is None:
            raise PermanentError(
                f"{what}: the tracker block was removed from the issue body; not rewriting it"
            )
        due = changes.due[1] if changes.due is not None else block.deadline
        if changes.context is not None:
            return replace_markdown_block(body, block.marker, changes.context, due)
        return with_deadline(body, due) or ""

    def _issue(self, base: str, what: str) -> dict[str, Any]:
        reply = self.http.request("GET", base, what=what)
        return self._expect(reply, (200,), what).data

    def _expect(self, reply: Reply, ok: tuple[int, ...], what: str) -> Reply:
        if reply.status not in ok:
            raise self.http.error(reply, what)
        return reply

    # Comments and labels -------------------------------------------------------------------------------
    def comment(self, ref: RemoteRef, body: str) -> str:
        repo, number = self._locate(ref)
        what = f"{self.name}: comment on {repo}#{number}"
        reply = self.http.request(
            "POST",
            f"/repos/{repo}/issues/{number}/comments",
            body={"body": body},
            idempotent=False,
            what=what,
        )
        data = self._expect(reply, (201,), what).data
        return str(data.get("html_url") or data.get("id"))

    def add_tracker_label(self, ref: RemoteRef) -> bool:
        """Label an issue a document linked; False when the token cannot (GitHub may just ignore it)."""
        repo, number = self._locate(ref)
        what = f"{self.name}: label {repo}#{number}"
        # Adding a label is a content-creating request under GitHub's secondary limits: it spends
        # the credential's create budget (shared by every target and host), like a create.
        self.budget.acquire()
        reply = self.http.request(
            "POST", f"/repos/{repo}/issues/{number}/labels", body={"labels": [self.tracker_label]}, what=what
        )
        if reply.status in (403, 404):
            return False
        names = self._expect(reply, (200,), what).data or []
        return any(str(label.get("name", "")).lower() == self.tracker_label.lower() for label in names)


class GitHubFollowUp:
    """Comments listing and sub-issues (issue 9), mixed into GitHubBackend like GitHubWrites."""

    supports_parents = True
    name: str
    http: GitHubTransport

    def _locate(self, ref: RemoteRef) -> tuple[str, int]:
        raise NotImplementedError

    def _pages(self, first: Reply, what: str) -> Any:
        raise NotImplementedError

    def _create_one(self, draft: IssueDraft) -> CreateOutcome:
        raise NotImplementedError

    def list_comments(self, ref: RemoteRef, since: Any = None) -> list[RemoteComment]:
        """One request per 100 comments (`since` narrows the listing to recent ones)."""
        from tracker.backends.github_map import format_since

        repo, number = self._locate(ref)
        what = f"{self.name}: list comments of {repo}#{number}"
        params: dict[str, Any] = {"per_page": 100}
        if since is not None:
            params["since"] = format_since(since)
        first = self.http.request("GET", f"/repos/{repo}/issues/{number}/comments", what=what, params=params)
        return [
            RemoteComment(str(c.get("id")), str(c.get("body") or ""), c.get("html_url"))
            for page in self._pages(first, what)
            for c in page
        ]

    def create_parent(self, draft: IssueDraft) -> CreateOutcome:
        """A parent is an ordinary issue carrying its own marker: 1 POST, paced like any create."""
        return self._create_one(draft)

    def attach_child(self, parent: RemoteRef, child: RemoteRef) -> str | None:
        """1 POST .../sub_issues with the child's issue id; an existing link to this parent is fine."""
        repo, number = self._locate(parent)
        what = f"{self.name}: add sub-issue {child.key} to {repo}#{number}"
        reply = self.http.request(
            "POST",
            f"/repos/{repo}/issues/{number}/sub_issues",
            body={"sub_issue_id": int(child.remote_id)},
            what=what,
        )
        if reply.status in (200, 201):
            return None
        text = " ".join([reply.message, *field_errors(reply)])
        if reply.status == 422 and "duplicate" in text.lower():
            return None  # already a sub-issue of this parent
        return self.http.error(reply, what).message + (f" ({text})" if text.strip() else "")


def _assignee_refused(reply: Reply) -> bool:
    errors = reply.data.get("errors") if isinstance(reply.data, dict) else None
    return any(isinstance(e, dict) and e.get("field") in ("assignees", "assignee") for e in errors or [])
