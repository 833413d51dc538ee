"""Request/response types, errors, pagination and lookups shared by the fake GitHub's routes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from tracker.sandbox.github_model import Issue, Repo, Token
from tracker.sandbox.github_render import Renderer
from tracker.sandbox.github_store import Store

T = TypeVar("T")
DOCS = "https://docs.github.com/rest"


@dataclass
class Request:
    method: str
    path: str  # without the /api/v3 prefix, still percent-encoded
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: Any
    token: Token | None

    def param(self, name: str, default: str | None = None) -> str | None:
        """Last value of a query parameter (as GitHub's Rails stack reads repeated ones)."""
        found = [v for k, v in self.query if k == name]
        return found[-1] if found else default

    @property
    def login(self) -> str | None:
        return self.token.login if self.token else None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Set for GET 200s: enables ETag/Last-Modified and conditional 304s.
    last_modified: datetime | None = None


class HttpError(Exception):
    """An error answer in GitHub's `basic-error` / `validation-error` shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        doc: str = DOCS,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.doc = doc
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        body["documentation_url"] = self.doc
        body["status"] = str(self.status)
        return body


def not_found() -> HttpError:
    return HttpError(404, "Not Found", doc=DOCS)


def validation_failed(doc: str, *errors: dict[str, Any]) -> HttpError:
    return HttpError(422, "Validation Failed", doc=doc, errors=list(errors))


def invalid_request(doc: str, detail: str) -> HttpError:
    """GitHub's JSON-schema failures: 422 with the reason folded into `message`."""
    return HttpError(422, f"Invalid request.\n\n{detail}", doc=doc)


class Context:
    """What every route needs: state, renderer and the base URL."""

    def __init__(self, store: Store, render: Renderer) -> None:
        self.store = store
        self.render = render

    @property
    def api(self) -> str:
        return self.render.api

    # Lookups ------------------------------------------------------------------------------------
    def repo(self, req: Request, owner: str, name: str) -> tuple[Repo, str]:
        """The repository and the caller's permission; 404 when it is missing or hidden."""
        repo = self.store.repo(owner, name)
        if repo is None:
            raise not_found()
        perm = self.store.permission(repo, req.token)
        if perm == "none":
            raise not_found()
        return repo, perm

    def issue(self, repo: Repo, number: str, rest: str = "") -> Issue:
        """A live issue, or the 404 / 410 / 301 GitHub gives for missing, deleted, moved ones."""
        try:
            issue = repo.issues.get(int(number))
        except ValueError:
            issue = None
        if issue is None:
            raise not_found()
        if issue.deleted:
            raise HttpError(410, "This issue was deleted", doc=f"{DOCS}/issues/issues#get-an-issue")
        if issue.moved_to is not None:
            moved = self.store.resolve_moved(issue)
            if moved.deleted:
                raise HttpError(410, "This issue was deleted", doc=f"{DOCS}/issues/issues#get-an-issue")
            location = f"{self.api}/repositories/{moved.repo_id}/issues/{moved.number}{rest}"
            raise HttpError(
                301,
                "Moved Permanently",
                doc=f"{DOCS}/guides/best-practices-for-using-the-rest-api#follow-redirects",
                headers={"Location": location},
                extra={"url": location},
            )
        return issue

    @staticmethod
    def require_auth(req: Request, doc: str) -> None:
        if req.token is None:
            raise HttpError(401, "Requires authentication", doc=doc)

    # Pagination ---------------------------------------------------------------------------------
    def paginate(self, req: Request, items: Sequence[T], render: Callable[[T], Any]) -> Response:
        """One page of `items` with a GitHub-formatted Link header."""
        per_page = int_param(req.param("per_page"), 30)
        per_page = 30 if per_page < 1 else min(per_page, 100)
        page = max(1, int_param(req.param("page"), 1))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers: dict[str, str] = {}
        link = self.link_header(req, page, last)
        if link:
            headers["Link"] = link
        return Response(200, [render(item) for item in chunk], headers)

    def link_header(self, req: Request, page: int, last: int) -> str:
        def url(n: int) -> str:
            params = [(k, v) for k, v in req.query if k != "page"] + [("page", str(n))]
            return f"{self.api}{req.path}?{urlencode(params, quote_via=quote)}"

        # GitHub's order: prev, next, last, first; next/last only before the last page.
        rels: list[tuple[int, str]] = []
        if page > 1:
            rels.append((min(page - 1, last), "prev"))
        if page < last:
            rels += [(page + 1, "next"), (last, "last")]
        if page > 1:
            rels.append((1, "first"))
        return ", ".join(f'<{url(n)}>; rel="{rel}"' for n, rel in rels)


def int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
