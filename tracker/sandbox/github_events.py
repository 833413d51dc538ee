"""The fake GitHub's repository issue events feed (GET /repos/{owner}/{repo}/issues/events), newest first."""

from __future__ import annotations

from typing import Any

from tracker.sandbox.github_api import Context, Request, Response
from tracker.sandbox.github_issues import listed
from tracker.sandbox.github_model import IssueEvent, iso, node_id

# Node-id kinds of the events we record, as GitHub names them (ClosedEvent, LabeledEvent, ...).
KINDS = {
    "closed": "ClosedEvent",
    "reopened": "ReopenedEvent",
    "labeled": "LabeledEvent",
    "unlabeled": "UnlabeledEvent",
}


def list_repo_events(ctx: Context, req: Request, owner: str, name: str) -> Response:
    """`issues/list-events-for-repo`: every issue event of the repository, newest first, paginated."""
    repo, _ = ctx.repo(req, owner, name)
    events = [e for e in ctx.store.events if e.repo_id == repo.id]
    events.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    return ctx.paginate(req, events, lambda event: render_event(ctx, event))


def render_event(ctx: Context, event: IssueEvent) -> dict[str, Any]:
    """An `issue-event`: id, node_id, url, actor, event, commit_id, commit_url, created_at, and the issue."""
    repo = ctx.store.repos_by_id[event.repo_id]
    issue = ctx.store.issues_by_id.get(event.issue_id)
    body: dict[str, Any] = {
        "id": event.id,
        "node_id": node_id(KINDS.get(event.event, "IssueEvent"), event.id),
        "url": f"{ctx.render.api}/repos/{repo.full_name}/issues/events/{event.id}",
        "actor": ctx.render.simple_user(event.actor),
        "event": event.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": iso(event.created_at),
        # A transferred or deleted issue is no longer this repository's: GitHub sends no issue then.
        "issue": listed(ctx, issue) if issue is not None and issue.live else None,
        "performed_via_github_app": None,
    }
    if event.label is not None:
        body["label"] = {"name": event.label, "color": event.label_color or "ededed"}
    return body
