"""GitHub App installations in the fake: a signed JWT buys an installation token (POST access_tokens)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tracker.sandbox.github_api import Context, HttpError, Request, Response
from tracker.sandbox.github_model import Token, iso

APP_DOCS = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"


@dataclass
class App:
    """A registered App: its id, the public half of its key, and installations (id -> bot login)."""

    app_id: str
    public_key: str
    installations: dict[int, str] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)


def create_access_token(ctx: Context, req: Request, installation_id: str) -> Response:
    """Verify the App's JWT (RS256, `iss` = app id, not expired) and mint an installation token."""
    import jwt

    scheme, _, assertion = req.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or assertion.count(".") != 2:
        raise HttpError(401, "A JSON web token could not be decoded", doc=APP_DOCS)
    apps: dict[str, App] = getattr(ctx.store, "apps", {})
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
        app = apps.get(str(claims.get("iss")))
        if app is None:
            raise HttpError(401, "Integration not found", doc=APP_DOCS)
        jwt.decode(assertion, app.public_key, algorithms=["RS256"], leeway=60)
    except jwt.PyJWTError as exc:
        raise HttpError(
            401, f"'Expiration time' claim ('exp') or signature is invalid: {exc}", doc=APP_DOCS
        ) from None
    login = app.installations.get(int(installation_id))
    if login is None:
        raise HttpError(404, "Not Found", doc=APP_DOCS)
    token = "ghs_" + secrets.token_hex(18)
    ctx.store.ensure_user(login)
    ctx.store.tokens[token] = Token(token, login, push=True)
    app.issued.append(token)
    expires = ctx.store.clock.now() + timedelta(hours=1)
    body: dict[str, Any] = {
        "token": token,
        "expires_at": iso(expires),
        "permissions": {"issues": "write", "metadata": "read"},
        "repository_selection": "all",
    }
    return Response(201, body)
