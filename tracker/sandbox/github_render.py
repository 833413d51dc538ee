"""JSON renderings of the fake's state in the shapes of GitHub's OpenAPI description."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tracker.sandbox.github_model import Comment, Issue, Label, Milestone, Org, Repo, Team, iso, node_id
from tracker.sandbox.github_store import Store

JSON = dict[str, Any]


class Renderer:
    """Builds response bodies; every URL points back at this server (`api` = .../api/v3)."""

    def __init__(self, store: Store, api: str, web: str) -> None:
        self.store = store
        self.api = api
        self.web = web

    # People -----------------------------------------------------------------------------------
    def simple_user(self, login: str | None) -> JSON | None:
        if login is None:
            return None
        org = self.store.orgs.get(login.lower())
        if org is not None:
            ident, kind, nid, login = org.id, "Organization", node_id("Organization", org.id), org.login
            site_admin = False
        else:
            user = self.store.ensure_user(login)
            ident, kind, nid, login, site_admin = (
                user.id,
                user.type,
                user.node_id,
                user.login,
                user.site_admin,
            )
        base = f"{self.api}/users/{login}"
        return {
            "login": login,
            "id": ident,
            "node_id": nid,
            "avatar_url": f"{self.web}/avatars/u/{ident}?v=4",
            "gravatar_id": "",
            "url": base,
            "html_url": f"{self.web}/apps/{login[:-5]}" if kind == "Bot" else f"{self.web}/{login}",
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": kind,
            "user_view_type": "public",
            "site_admin": site_admin,
        }

    def _required_user(self, login: str) -> JSON:
        rendered = self.simple_user(login)
        assert rendered is not None
        return rendered

    def _org_core(self, org: Org) -> JSON:
        base = f"{self.api}/orgs/{org.login}"
        return {
            "login": org.login,
            "id": org.id,
            "node_id": node_id("Organization", org.id),
            "url": base,
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events",
            "hooks_url": f"{base}/hooks",
            "issues_url": f"{base}/issues",
            "members_url": f"{base}/members{{/member}}",
            "public_members_url": f"{base}/public_members{{/member}}",
            "avatar_url": f"{self.web}/avatars/u/{org.id}?v=4",
            "description": org.description,
            "name": org.name,
            # company, location and email are non-nullable strings in organization-full, and
            # optional: an org that never set them leaves them out.
            "blog": "",
            "is_verified": False,
            "has_organization_projects": True,
            "has_repository_projects": True,
            "public_repos": sum(
                1 for r in self.store.repos.values() if r.owner.lower() == org.login.lower() and not r.private
            ),
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "html_url": f"{self.web}/{org.login}",
            "type": "Organization",
            "created_at": iso(org.created_at),
            "updated_at": iso(org.created_at),
            "archived_at": None,
        }

    def team(self, team: Team) -> JSON:
        org = self.store.add_org(team.org)
        # github.com hands out the legacy team URL form; PyGithub's Team.get_members follows it.
        base = f"{self.api}/organizations/{org.id}/team/{team.id}"
        members = {m.lower() for m in [*team.members, *team.maintainers]}
        return {
            "id": team.id,
            "node_id": node_id("Team", team.id),
            "url": base,
            "html_url": f"{self.web}/orgs/{org.login}/teams/{team.slug}",
            "name": team.name,
            "slug": team.slug,
            "description": team.description,
            "privacy": "closed",
            "notification_setting": "notifications_enabled",
            "permission": "pull",
            "members_url": f"{base}/members{{/member}}",
            "repositories_url": f"{base}/repos",
            "parent": None,
            "members_count": len(members),
            "repos_count": 0,
            "created_at": iso(team.created_at),
            "updated_at": iso(team.created_at),
            "organization": self._org_core(org),
            "type": "organization",
            "organization_id": org.id,
        }

    # Repository objects -----------------------------------------------------------------------
    def repo_urls(self, repo: Repo) -> JSON:
        b = f"{self.api}/repos/{repo.full_name}"
        return {
            "archive_url": f"{b}/{{archive_format}}{{/ref}}",
            "assignees_url": f"{b}/assignees{{/user}}",
            "blobs_url": f"{b}/git/blobs{{/sha}}",
            "branches_url": f"{b}/branches{{/branch}}",
            "collaborators_url": f"{b}/collaborators{{/collaborator}}",
            "comments_url": f"{b}/comments{{/number}}",
            "commits_url": f"{b}/commits{{/sha}}",
            "compare_url": f"{b}/compare/{{base}}...{{head}}",
            "contents_url": f"{b}/contents/{{+path}}",
            "contributors_url": f"{b}/contributors",
            "deployments_url": f"{b}/deployments",
            "downloads_url": f"{b}/downloads",
            "events_url": f"{b}/events",
            "forks_url": f"{b}/forks",
            "git_commits_url": f"{b}/git/commits{{/sha}}",
            "git_refs_url": f"{b}/git/refs{{/sha}}",
            "git_tags_url": f"{b}/git/tags{{/sha}}",
            "hooks_url": f"{b}/hooks",
            "issue_comment_url": f"{b}/issues/comments{{/number}}",
            "issue_events_url": f"{b}/issues/events{{/number}}",
            "issues_url": f"{b}/issues{{/number}}",
            "keys_url": f"{b}/keys{{/key_id}}",
            "labels_url": f"{b}/labels{{/name}}",
            "languages_url": f"{b}/languages",
            "merges_url": f"{b}/merges",
            "milestones_url": f"{b}/milestones{{/number}}",
            "notifications_url": f"{b}/notifications{{?since,all,participating}}",
            "pulls_url": f"{b}/pulls{{/number}}",
            "releases_url": f"{b}/releases{{/id}}",
            "stargazers_url": f"{b}/stargazers",
            "statuses_url": f"{b}/statuses/{{sha}}",
            "subscribers_url": f"{b}/subscribers",
            "subscription_url": f"{b}/subscription",
            "tags_url": f"{b}/tags",
            "teams_url": f"{b}/teams",
            "trees_url": f"{b}/git/trees{{/sha}}",
        }

    def full_repository(self, repo: Repo, permission: str) -> JSON:
        open_count = sum(i.live and i.state == "open" for i in repo.issues.values())
        host = self.web.split("://", 1)[1]
        org = self.store.orgs.get(repo.owner.lower())
        return {
            "id": repo.id,
            "node_id": repo.node_id,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self._owner(repo),
            "private": repo.private,
            "html_url": f"{self.web}/{repo.full_name}",
            "description": repo.description,
            "fork": False,
            "url": f"{self.api}/repos/{repo.full_name}",
            **self.repo_urls(repo),
            "git_url": f"git://{host}/{repo.full_name}.git",
            "ssh_url": f"git@{host.split(':')[0]}:{repo.full_name}.git",
            "clone_url": f"{self.web}/{repo.full_name}.git",
            "svn_url": f"{self.web}/{repo.full_name}",
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 0,
            "default_branch": "main",
            "open_issues_count": open_count,
            "open_issues": open_count,
            "is_template": False,
            "topics": [],
            "has_issues": repo.has_issues,
            "has_projects": True,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if repo.private else "public",
            "pushed_at": iso(repo.created_at),
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.updated_at),
            "permissions": {
                "admin": False,
                "maintain": permission == "push",
                "push": permission == "push",
                "triage": permission == "push",
                "pull": permission in ("push", "read"),
            },
            "allow_forking": True,
            "web_commit_signoff_required": False,
            "license": None,
            "subscribers_count": 0,
            "network_count": 0,
            **({"organization": self._owner(repo)} if org is not None else {}),
        }

    def _owner(self, repo: Repo) -> JSON:
        return self._required_user(repo.owner)

    def label(self, repo: Repo, label: Label) -> JSON:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.api}/repos/{repo.full_name}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def milestone(self, repo: Repo, ms: Milestone) -> JSON:
        open_issues, closed_issues = self.store.milestone_counts(repo, ms.number)
        base = f"{self.api}/repos/{repo.full_name}/milestones/{ms.number}"
        return {
            "url": base,
            "html_url": f"{self.web}/{repo.full_name}/milestone/{ms.number}",
            "labels_url": f"{base}/labels",
            "id": ms.id,
            "node_id": node_id("Milestone", ms.id),
            "number": ms.number,
            "state": ms.state,
            "title": ms.title,
            "description": ms.description,
            "creator": self.simple_user(ms.creator),
            "open_issues": open_issues,
            "closed_issues": closed_issues,
            "created_at": iso(ms.created_at),
            "updated_at": iso(ms.updated_at),
            "closed_at": iso(ms.closed_at),
            "due_on": iso(ms.due_on),
        }

    def _field_values(self, repo: Repo, issue: Issue) -> list[JSON]:
        fields = self.store.issue_fields.get(repo.owner.lower(), {})
        return [
            {
                "issue_field_id": field_id,
                "issue_field_name": fields[field_id][0],
                "node_id": f"IFT_{field_id:08d}",
                "data_type": fields[field_id][1],
                "value": value,
                "single_select_option": None,
                "multi_select_options": None,
            }
            for field_id, value in sorted(issue.field_values.items())
            if field_id in fields
        ]

    # Issues -----------------------------------------------------------------------------------
    def issue(self, issue: Issue, *, search_score: float | None = None) -> JSON:
        repo = self.store.repos_by_id[issue.repo_id]
        base = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        labels = [repo.label_by_id(i) for i in issue.label_ids]
        assignees = [self._required_user(a) for a in issue.assignees]
        ms = repo.milestones.get(issue.milestone) if issue.milestone is not None else None
        subs = [self.store.issues_by_id[i] for i in issue.sub_issue_ids]
        subs = [s for s in subs if s.live]
        done = sum(s.state == "closed" for s in subs)
        parent = self.store.issues_by_id.get(issue.parent_id) if issue.parent_id else None
        body: JSON = {
            "url": base,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{base}/labels{{/name}}",
            "comments_url": f"{base}/comments",
            "events_url": f"{base}/events",
            "html_url": f"{self.web}/{repo.full_name}/issues/{issue.number}",
            "id": issue.id,
            "node_id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "user": self.simple_user(issue.user),
            "labels": [self.label(repo, lab) for lab in labels if lab is not None],
            "state": issue.state,
            "locked": issue.locked,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "milestone": self.milestone(repo, ms) if ms is not None else None,
            "comments": issue.comments,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": self._association(repo, issue.user),
            "type": None,
            "active_lock_reason": None,
            "issue_field_values": self._field_values(repo, issue),
            "sub_issues_summary": {
                "total": len(subs),
                "completed": done,
                "percent_completed": (100 * done // len(subs)) if subs else 0,
            },
            "body": issue.body,
            "closed_by": self.simple_user(issue.closed_by),
            "reactions": self._reactions(f"{base}/reactions"),
            "timeline_url": f"{base}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
            "pinned_comment": None,
            "issue_dependencies_summary": {
                "blocked_by": 0,
                "blocking": 0,
                "total_blocked_by": 0,
                "total_blocking": 0,
            },
        }
        if parent is not None:
            prepo = self.store.repos_by_id[parent.repo_id]
            body["parent_issue_url"] = f"{self.api}/repos/{prepo.full_name}/issues/{parent.number}"
        if search_score is not None:
            body["score"] = search_score
            del body["closed_by"]  # search items carry no closed_by (issue-search-result-item)
            # issue-search-result-item's body is a non-nullable string (issue's is nullable).
            body["body"] = issue.body or ""
        return body

    def comment(self, repo: Repo, issue: Issue, comment: Comment) -> JSON:
        url = f"{self.api}/repos/{repo.full_name}/issues/comments/{comment.id}"
        return {
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "url": url,
            "html_url": f"{self.web}/{repo.full_name}/issues/{issue.number}#issuecomment-{comment.id}",
            "body": comment.body,
            "user": self.simple_user(comment.user),
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
            "issue_url": f"{self.api}/repos/{repo.full_name}/issues/{issue.number}",
            "author_association": self._association(repo, comment.user),
            "performed_via_github_app": None,
            "reactions": self._reactions(f"{url}/reactions"),
        }

    def _association(self, repo: Repo, login: str) -> str:
        if login.lower() == repo.owner.lower():
            return "OWNER"
        if any(c.lower() == login.lower() for c in repo.collaborators):
            return "COLLABORATOR"
        return "NONE"

    @staticmethod
    def _reactions(url: str) -> JSON:
        counts = dict.fromkeys(("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"), 0)
        return {"url": url, "total_count": 0, **counts}
