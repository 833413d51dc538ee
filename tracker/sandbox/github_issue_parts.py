"""Routes under one issue of the fake GitHub: comments, labels, assignees and sub-issues."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from tracker.sandbox.github_api import (
    DOCS,
    Context,
    HttpError,
    Request,
    Response,
    invalid_request,
    not_found,
    validation_failed,
)
from tracker.sandbox.github_issues import _label_names
from tracker.sandbox.github_model import Issue, Repo, floor_second, parse_iso

COMMENT_DOC = f"{DOCS}/issues/comments#create-an-issue-comment"
LABELS_DOC = f"{DOCS}/issues/labels#add-labels-to-an-issue"
ASSIGNEES_DOC = f"{DOCS}/issues/assignees#add-assignees-to-an-issue"
SUB_ISSUES_DOC = f"{DOCS}/issues/sub-issues#add-sub-issue"


def _load(
    ctx: Context, req: Request, owner: str, name: str, number: str, rest: str
) -> tuple[Repo, str, Issue]:
    repo, perm = ctx.repo(req, owner, name)
    return repo, perm, ctx.issue(repo, number, rest)


# Comments -------------------------------------------------------------------------------------------
def list_comments(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    repo, _, issue = _load(ctx, req, owner, name, number, "/comments")
    comments = list(ctx.store.comments.get(issue.id, []))
    since_text = req.param("since")
    if since_text is not None:
        since = parse_iso(since_text)
        if since is None:
            raise validation_failed(
                COMMENT_DOC, {"resource": "IssueComment", "field": "since", "code": "invalid"}
            )
        comments = [c for c in comments if floor_second(c.updated_at) >= floor_second(since)]
    response = ctx.paginate(req, comments, lambda c: ctx.render.comment(repo, issue, c))
    response.last_modified = issue.updated_at
    return response


def create_comment(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, COMMENT_DOC)
    repo, _, issue = _load(ctx, req, owner, name, number, "/comments")
    body = req.body if isinstance(req.body, dict) else {}
    text = body.get("body")
    if not isinstance(text, str):
        raise invalid_request(COMMENT_DOC, '"body" wasn\'t supplied.')
    assert req.login is not None
    comment = ctx.store.add_comment(issue, req.login, text)
    rendered = ctx.render.comment(repo, issue, comment)
    return Response(201, rendered, {"Location": rendered["url"]})


# Labels on an issue ---------------------------------------------------------------------------------
def _labels_body(req: Request) -> list[str]:
    # PyGithub posts a bare array; the documented form is {"labels": [...]}. GitHub takes both.
    raw: Any = req.body
    if isinstance(raw, dict):
        raw = raw.get("labels", [])
    return _label_names(raw, LABELS_DOC)


def _label_list(ctx: Context, repo: Repo, issue: Issue) -> list[dict[str, Any]]:
    labels = [repo.label_by_id(i) for i in issue.label_ids]
    return [ctx.render.label(repo, lab) for lab in labels if lab is not None]


def add_issue_labels(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, LABELS_DOC)
    repo, perm, issue = _load(ctx, req, owner, name, number, "/labels")
    names = _labels_body(req)
    if perm == "push":  # silently ignored without push access, like labels on create/update
        before = list(issue.label_ids)
        for label_name in names:
            label = ctx.store.get_or_create_label(repo, label_name)
            if label.id not in issue.label_ids:
                issue.label_ids.append(label.id)
                ctx.store.record_event(issue, "labeled", req.login or "ghost", label=label)
        if issue.label_ids != before:
            ctx.store.touch(issue)
    return Response(200, _label_list(ctx, repo, issue))


def remove_issue_label(
    ctx: Context, req: Request, owner: str, name: str, number: str, label: str
) -> Response:
    ctx.require_auth(req, LABELS_DOC)
    repo, perm, issue = _load(ctx, req, owner, name, number, f"/labels/{label}")
    found = repo.label_by_name(unquote(label))
    if found is None or found.id not in issue.label_ids:
        raise HttpError(404, "Label does not exist", doc=f"{DOCS}/issues/labels#remove-a-label-from-an-issue")
    if perm == "push":
        issue.label_ids.remove(found.id)
        ctx.store.touch(issue)
    return Response(200, _label_list(ctx, repo, issue))


# Assignees on an issue --------------------------------------------------------------------------
def _logins(req: Request) -> list[str]:
    body = req.body if isinstance(req.body, dict) else {}
    raw = body.get("assignees", [])
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise invalid_request(ASSIGNEES_DOC, "For 'properties/assignees', it is not an array of strings.")
    return raw


def add_assignees(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, ASSIGNEES_DOC)
    repo, perm, issue = _load(ctx, req, owner, name, number, "/assignees")
    logins = _logins(req)
    if perm == "push":
        # This endpoint ignores logins that cannot be assigned instead of failing the call.
        added = False
        for login in logins:
            if ctx.store.assignable(repo, login) and all(a.lower() != login.lower() for a in issue.assignees):
                issue.assignees.append(ctx.store.ensure_user(login).login)
                added = True
        if added:
            ctx.store.touch(issue)
    return Response(201, ctx.render.issue(issue))


def remove_assignees(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, ASSIGNEES_DOC)
    _, perm, issue = _load(ctx, req, owner, name, number, "/assignees")
    drop = {login.lower() for login in _logins(req)}
    if perm == "push":
        kept = [a for a in issue.assignees if a.lower() not in drop]
        if kept != issue.assignees:
            issue.assignees = kept
            ctx.store.touch(issue)
    return Response(200, ctx.render.issue(issue))


# Sub-issues ---------------------------------------------------------------------------------------
def _sub_issue(ctx: Context, req: Request, parent_repo: Repo) -> Issue:
    body = req.body if isinstance(req.body, dict) else {}
    ident = body.get("sub_issue_id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        raise invalid_request(SUB_ISSUES_DOC, '"sub_issue_id" wasn\'t supplied or is not an integer.')
    sub = ctx.store.issues_by_id.get(ident)
    if sub is None or not sub.live:
        raise not_found()
    owner = ctx.store.repos_by_id[sub.repo_id].owner
    if owner.lower() != parent_repo.owner.lower():
        raise validation_failed(
            SUB_ISSUES_DOC,
            {
                "resource": "Issue",
                "field": "sub_issue_id",
                "code": "custom",
                "message": "Sub-issue must belong to the same repository owner as the parent issue",
            },
        )
    return sub


def add_sub_issue(ctx: Context, req: Request, owner: str, name: str, number: str) -> Response:
    ctx.require_auth(req, SUB_ISSUES_DOC)
    repo, perm, parent = _load(ctx, req, owner, name, number, "/sub_issues")
    if perm != "push":
        raise HttpError(403, "Must have admin rights to Repository.", doc=SUB_ISSUES_DOC)
    sub = _sub_issue(ctx, req, repo)
    replace = bool(req.body.get("replace_parent")) if isinstance(req.body, dict) else False
    if sub.id == parent.id or sub.id in parent.sub_issue_ids or (sub.parent_id and not replace):
        raise validation_failed(
            SUB_ISSUES_DOC,
            {
                "resource": "Issue",
                "field": "sub_issue_id",
                "code": "custom",
                "message": "Issue may not contain duplicate sub-issues"
                if sub.parent_id == parent.id
                else "Sub issue may only have one parent",
            },
        )
    if sub.parent_id:
        old = ctx.store.issues_by_id[sub.parent_id]
        old.sub_issue_ids.remove(sub.id)
        ctx.store.touch(old)
    sub.parent_id = parent.id
    parent.sub_issue_ids.append(sub.id)
    ctx.store.touch(parent)
    ctx.store.touch(sub)
    rendered = ctx.render.issue(sub)
    return Response(201, rendered, {"Location": rendered["url"]})
