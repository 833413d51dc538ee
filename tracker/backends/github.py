"""The GitHub Issues backend: preflight, batched conditional pulls, fetches and marker lookups."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tracker.backends.base import (
    FetchKind,
    FetchResult,
    PermanentError,
    Preflight,
    RemoteIssue,
    RemoteRef,
)
from tracker.backends.github_adopt import GitHubBulkRead
from tracker.backends.github_http import AppCredentials, GitHubTransport, Reply
from tracker.backends.github_map import format_since, next_link, parse_ref_text, repo_of, to_remote
from tracker.backends.github_pull import GitHubPull
from tracker.backends.github_write import GitHubFollowUp, GitHubWrites
from tracker.backends.pacing import CreateBudget
from tracker.backends.reserve import Reserve

if TYPE_CHECKING:
    from tracker.config import GitHubTarget

PER_PAGE = 100
CACHE_VERSION = 1


class GitHubBackend(GitHubPull, GitHubWrites, GitHubFollowUp, GitHubBulkRead):
    """One GitHub repository as an IssueTracker.

    Request costs (deterministic; asserted by the tests against the fake):
    - preflight: 0 with a valid cache; else GET repo + ceil(labels/100) label pages + one POST per
      missing label (when writable).
    - pull: 1 when nothing changed (a 304 on a repeated URL, or one empty page); otherwise one request
      per 100 changed issues, plus, when issues were newly closed, pages of the repository's issue
      events feed (newest first, at most 2 per 100 closes; see github_events.learn_closers): GitHub's
      listings leave `closed_by` out. Closes the feed did not reach cost at most
      github_events.CLOSED_BY_FETCH_LIMIT single-issue GETs; the rest are learnt by the rolling re-verification.
    - fetch: 1 (2 when the issue was transferred: PyGithub follows the 301 itself; +1 GET of the new
      repository the first time, for its id). parse_ref: 1 (the GET that learns the immutable id).
    - find_markers / list_tracker_issues: one request per 100 tracker issues; has_tracker_issues: 1.
    - read_named (issues documents name): listing pages, see GitHubBulkRead.read_named.
    - create: 1 POST per draft (2 when GitHub refuses the assignee with a 422: re-sent without it).
    - update: see GitHubWrites.update.
    Auth: a token, or a GitHub App installation (`Auth.AppAuth(...).get_installation_auth(...)`), whose
    token requests PyGithub makes through its own client: those are not counted. The fake has no
    /app/installations/{id}/access_tokens, so the App path is tested only up to that call.
    """

    kind = "github"
    create_batch_size = 1
    # The listing is not the search index, but replicas may lag a little: a short quarantine is cheap.
    index_lag_seconds = 60

    def __init__(
        self,
        target: GitHubTarget,
        credentials: str | AppCredentials,
        *,
        credential_source: str | None = None,
        budget: CreateBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_secondary_wait: float = 120.0,
        reserve: Reserve | None = None,
    ) -> None:
        self.target = target
        self.name = target.name
        self.repo = target.repo
        self.tracker_label = target.tracker_label
        source = credential_source or (
            f"${target.token_env}" if target.token_env else f"the GitHub App {target.app_id}"
        )
        self.http = GitHubTransport(
            target.api_url,
            credentials,
            credential_source=source,
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
            max_secondary_wait=max_secondary_wait,
            sleep=sleep,
            reserve=reserve,
        )
        # `sleep` is for retries; the budget keeps its own clock (tests inject a budget with a fake one).
        self.budget = budget or CreateBudget(target.creates_per_minute, target.creates_per_hour)
        self.can_write: bool | None = None  # learnt by preflight; None: unknown
        self._repo_ids: dict[str, int] = {}
        parts = urlsplit(target.api_url)
        web = "github.com" if parts.netloc.lower() == "api.github.com" else parts.netloc.lower()
        self._hosts = {parts.netloc.lower(), web}

    @property
    def requests(self) -> int:
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    def keep_reserve(self, reserve: Reserve | None) -> None:
        """Never spend the credential's primary budget below `reserve` (ReserveReached instead)."""
        self.http.rate.keep(reserve)

    # Helpers ----------------------------------------------------------------------------------------
    def _get(self, url: str, what: str, **kwargs: Any) -> Reply:
        return self.http.request("GET", url, what=what, **kwargs)

    def _remote(
        self, item: dict[str, Any], etag: str | None = None, closed_by: dict[str, Any] | None = None
    ) -> RemoteIssue:
        return to_remote(
            item,
            tracker_label=self.tracker_label,
            repo_id=self._repo_ids.get(repo_of(item) or ""),
            etag=etag,
            closed_by=closed_by,
        )

    def _pages(self, first: Reply, what: str) -> Iterator[list[dict[str, Any]]]:
        """The first page's items, then each `rel="next"` page's, following the links exactly."""
        reply = first
        while True:
            if reply.status != 200 or not isinstance(reply.data, list):
                raise self.http.error(reply, what)
            yield [item for item in reply.data if isinstance(item, dict) and "pull_request" not in item]
            url = next_link(reply.headers.get("link"))
            if url is None:
                return
            if not url.startswith(self.http.api_url + "/"):
                raise PermanentError(f"{what}: GitHub sent a pagination link outside {self.http.api_url}")
            reply = self._get(url, what)

    def _events(self, what: str, per_page: int, repo: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """A repository's issue events feed (this target's by default), newest first, a page at a time."""
        what = f"{self.name}: {what}"
        path = f"/repos/{repo or self.repo}/issues/events"
        first = self._get(path, what, params={"per_page": per_page})
        yield from self._pages(first, what)

    def _listing(self, params: dict[str, Any], what: str) -> Iterator[list[dict[str, Any]]]:
        yield from self._repo_listing(self.repo, params, what)

    def _repo_listing(self, repo: str, params: dict[str, Any], what: str) -> Iterator[list[dict[str, Any]]]:
        yield from self._pages(self._get(f"/repos/{repo}/issues", what, params=params), what)

    def _locate(self, ref: RemoteRef) -> tuple[str, int]:
        """The repository and number a ref points at (a transferred issue lives in another repository)."""
        if ref.key:
            found = parse_ref_text(ref.key, default_repo=self.repo, hosts=self._hosts)
            if found:
                return found
        if ref.url:
            found = parse_ref_text(ref.url, default_repo=self.repo, hosts=self._hosts)
            if found:
                return found
        if ref.number is None:
            raise PermanentError(f"{self.name}: the reference {ref.key or ref.remote_id} has no issue number")
        return self.repo, ref.number

    def _repo_id(self, full_name: str) -> int | None:
        if full_name not in self._repo_ids:
            reply = self._get(f"/repos/{full_name}", f"read repository {full_name}")
            if reply.status != 200 or not isinstance(reply.data, dict):
                return None
            self._repo_ids[full_name] = int(reply.data["id"])
        return self._repo_ids[full_name]

    # Preflight --------------------------------------------------------------------------------------
    def _cache_key(self) -> str:
        text = "|".join(
            [self.http.api_url, self.repo.lower(), self.tracker_label, *sorted(self.target.labels)]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def preflight(self, cache: dict[str, Any] | None, write: bool = True) -> Preflight:
        """GET the repository (id, push permission, visibility) and make sure our labels exist."""
        if (
            cache
            and cache.get("ok")
            and cache.get("key") == self._cache_key()
            and cache.get("v") == CACHE_VERSION
        ):
            self.can_write = bool(cache.get("can_write"))
            if cache.get("repo_id") is not None:
                self._repo_ids[self.repo] = int(cache["repo_id"])
            return Preflight(
                ok=True, can_write=self.can_write, warnings=tuple(cache.get("warnings") or ()), cache=cache
            )
        what = f"{self.name}: read repository {self.repo}"
        try:
            reply = self._get(f"/repos/{self.repo}", what)
        except PermanentError as exc:
            return Preflight(ok=False, can_write=False, problems=(f"{exc.message} ({exc.hint})",))
        if reply.status in (301, 404):
            return Preflight(
                ok=False,
                can_write=False,
                problems=(
                    f"{self.name}: repository {self.repo} not found, or {self.http.credential_source} cannot see it",
                ),
            )
        if reply.status != 200 or not isinstance(reply.data, dict):
            return Preflight(ok=False, can_write=False, problems=(self.http.error(reply, what).message,))
        repo = reply.data
        self._repo_ids[self.repo] = int(repo["id"])
        self.can_write = bool((repo.get("permissions") or {}).get("push"))
        problems: list[str] = []
        warnings: list[str] = []
        if repo.get("has_issues") is False:
            problems.append(f"{self.name}: issues are disabled in {self.repo}")
        if not self.can_write:
            warnings.append(
                f"{self.name}: {self.http.credential_source} has no push access to {self.repo}: pulls work, "
                "but issues cannot be created, assigned or labelled"
            )
        if not repo.get("private") and not self.target.public_ok:
            warnings.append(
                f"{self.name}: {self.repo} is public: confidential postmortems are never pushed to it"
            )
        warnings.extend(self._ensure_labels(create=write))
        ok = not problems
        result_cache: dict[str, Any] = {}
        if ok:
            result_cache = {
                "v": CACHE_VERSION,
                "ok": True,
                "key": self._cache_key(),
                "repo_id": int(repo["id"]),
                "node_id": repo.get("node_id"),
                "private": bool(repo.get("private")),
                "can_write": self.can_write,
                "warnings": warnings,
                "checked_at": (reply.server_time or datetime.now().astimezone()).isoformat(),
            }
        return Preflight(
            ok=ok,
            can_write=self.can_write,
            problems=tuple(problems),
            warnings=tuple(warnings),
            cache=result_cache,
        )

    def _ensure_labels(self, create: bool = True) -> list[str]:
        wanted = list(dict.fromkeys([self.tracker_label, *self.target.labels]))
        what = f"{self.name}: list labels of {self.repo}"
        have: set[str] = set()
        for page in self._pages(
            self._get(f"/repos/{self.repo}/labels", what, params={"per_page": PER_PAGE}), what
        ):
            have.update(str(label.get("name", "")).lower() for label in page)
        missing = [name for name in wanted if name.lower() not in have]
        if missing and not create:
            return [
                f"{self.name}: labels missing in {self.repo} (the next sync creates them): {', '.join(missing)}"
            ]
        if missing and not self.can_write:
            return [
                f"{self.name}: labels missing in {self.repo} and the token cannot create them: {', '.join(missing)}"
            ]
        warnings = []
        for name in missing:
            reply = self.http.request(
                "POST",
                f"/repos/{self.repo}/labels",
                body={"name": name, "color": "ededed"},
                idempotent=False,
                what=f"{self.name}: create label {name!r}",
            )
            if reply.status not in (201, 422):  # 422: someone created it meanwhile
                warnings.append(self.http.error(reply, f"{self.name}: create label {name!r}").message)
        return warnings

    # Fetch -------------------------------------------------------------------------------------------
    def fetch(self, ref: RemoteRef) -> FetchResult:
        """One issue, conditionally; 404/410 -> GONE; a transfer (301, followed) -> MOVED with the new issue."""
        repo, number = self._locate(ref)
        headers = {"If-None-Match": ref.etag} if ref.etag else None
        reply = self._get(
            f"/repos/{repo}/issues/{number}", f"{self.name}: read {repo}#{number}", headers=headers
        )
        if reply.status == 304:
            return FetchResult(FetchKind.NOT_MODIFIED, etag=ref.etag)
        if reply.status in (404, 410):
            return FetchResult(FetchKind.GONE)
        if reply.status != 200 or not isinstance(reply.data, dict):
            raise self.http.error(reply, f"{self.name}: read {repo}#{number}")
        item = reply.data
        now_repo = repo_of(item) or repo
        moved = (ref.remote_id and str(item["id"]) != ref.remote_id) or now_repo.lower() != repo.lower()
        if moved:
            self._repo_id(now_repo)
        return FetchResult(
            FetchKind.MOVED if moved else FetchKind.OK, self._remote(item, etag=reply.etag), reply.etag
        )

    # Markers and tracker issues ---------------------------------------------------------------------
    def find_markers(self, markers: set[str], since: datetime | None) -> dict[str, RemoteIssue]:
        """One label-filtered listing, newest first, stopping once every marker is found (never search)."""
        params: dict[str, Any] = {
            "labels": self.tracker_label,
            "state": "all",
            "sort": "created",
            "direction": "desc",
            "per_page": PER_PAGE,
        }
        if since is not None:
            params["since"] = format_since(since)
        found: dict[str, RemoteIssue] = {}
        for page in self._listing(params, f"{self.name}: look for markers in {self.repo}"):
            for item in page:
                remote = self._remote(item)
                if remote.marker in markers and remote.marker not in found:
                    found[remote.marker] = remote
            if len(found) == len(markers):
                break
        return found

    def has_tracker_issues(self) -> bool:
        params = {"labels": self.tracker_label, "state": "all", "per_page": 1}
        reply = self._get(
            f"/repos/{self.repo}/issues", f"{self.name}: look for tracker issues", params=params
        )
        if reply.status != 200 or not isinstance(reply.data, list):
            raise self.http.error(reply, f"{self.name}: look for tracker issues")
        return bool(reply.data)

    def list_tracker_issues(self) -> list[RemoteIssue]:
        params = {
            "labels": self.tracker_label,
            "state": "all",
            "sort": "created",
            "direction": "asc",
            "per_page": PER_PAGE,
        }
        return [
            self._remote(item)
            for page in self._listing(params, f"{self.name}: list tracker issues")
            for item in page
        ]

    def parse_ref(self, text: str) -> RemoteRef | None:
        """A URL, `owner/name#12` or `#12` -> the issue's ref (one GET: only GitHub knows the immutable id)."""
        found = parse_ref_text(text, default_repo=self.repo, hosts=self._hosts)
        if found is None:
            return None
        repo, number = found
        result = self.fetch(RemoteRef(remote_id="", key=f"{repo}#{number}", number=number))
        # No ETag: the caller's next fetch must get the issue, not a 304.
        return replace(result.issue.ref, etag=None) if result.issue is not None else None
