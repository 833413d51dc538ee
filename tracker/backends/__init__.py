"""Adapters to remote issue trackers; the only package that imports PyGithub or jira."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.clock import SYSTEM, Clock
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from tracker.backends.base import IssueTracker
    from tracker.backends.github_http import AppCredentials
    from tracker.backends.pacing import CreateBudget
    from tracker.config import Config, GitHubTarget


def open_backend(
    app_or_config: Any, target_name: str, *, budget: CreateBudget | None = None, clock: Clock | None = None
) -> IssueTracker:
    """The backend for one configured target; the secret comes from the environment (never the config).

    `app_or_config` is an AppContext or a Config. Creates share one budget per credential: through the
    database with an AppContext (every host), in this process with a bare Config, or `budget` if given.
    Retries and pacing wait on `clock`, else the AppContext's (tests pass one that does not sleep).
    """
    config: Config = getattr(app_or_config, "config", app_or_config)
    waits: Clock = clock or getattr(app_or_config, "clock", None) or SYSTEM
    target = config.targets.get(target_name)
    if target is None:
        known = ", ".join(sorted(config.targets)) or "none"
        raise ConfigError(
            f"unknown target {target_name!r} (known: {known})", hint="see [targets] in the config"
        )
    from tracker.config import GitHubTarget

    if isinstance(target, GitHubTarget):
        from tracker.backends.github import GitHubBackend
        from tracker.backends.pacing import shared_budget

        credentials, source, budget_key = github_credentials(target, config.base_dir)
        if budget is None:
            budget = _database_budget(app_or_config, f"{target.api_url}|{budget_key}", target, waits)
        if budget is None:
            budget = shared_budget(
                f"{target.api_url}|{budget_key}", target.creates_per_minute, target.creates_per_hour
            )
        return GitHubBackend(
            target,
            credentials,
            credential_source=source,
            budget=budget,
            timeout=float(config.sync.request_timeout_seconds),
            attempts=config.sync.max_retries + 1,  # the first try and max_retries retries, as on Jira
            sleep=waits.sleep,
        )
    if target.kind == "jira":
        from tracker.backends.jira import JiraBackend
        from tracker.backends.jira_http import jira_credentials
        from tracker.config import JiraTarget

        assert isinstance(target, JiraTarget)
        return JiraBackend(
            target,
            jira_credentials(target),
            max_retries=config.sync.max_retries,
            timeout=float(config.sync.request_timeout_seconds),
            sleep=waits.sleep,
        )
    raise ConfigError(
        f"[targets.{target_name}] kind: no {target.kind} backend is available in this version",
        hint="only GitHub targets can be synced for now",
    )


def _database_budget(app: Any, credential: str, target: GitHubTarget, clock: Clock) -> CreateBudget | None:
    """With a database (an AppContext), one budget per credential shared by every process and host."""
    if not hasattr(app, "session") or not hasattr(app, "database_url"):
        return None  # a bare Config: the process-wide budget
    from tracker.backends.pacing_db import SharedCreateBudget, credential_hash
    from tracker.db import session_factory

    budgets: dict[str, SharedCreateBudget] = app.__dict__.setdefault("_create_budgets", {})
    key = credential_hash(credential)
    budget = budgets.get(key)
    if budget is None:
        budget = budgets[key] = SharedCreateBudget(
            session_factory(app.engine),
            credential,
            target.creates_per_minute,
            target.creates_per_hour,
            clock=clock.time,
            sleep=clock.sleep,
        )
    else:
        budget.tighten(target.creates_per_minute, target.creates_per_hour)
    return budget


def github_credentials(target: GitHubTarget, base_dir: Path) -> tuple[str | AppCredentials, str, str]:
    """(token or App credentials, a printable description of their source, a key for the create budget)."""
    where = f"targets.{target.name}"
    if target.app_id:
        from tracker.backends.github_http import AppCredentials

        if target.installation_id is None or not target.private_key_path:
            raise ConfigError(f"[{where}] app_id needs installation_id and private_key_path too")
        path = Path(target.private_key_path).expanduser()
        path = path if path.is_absolute() else base_dir / path
        try:
            key = path.read_text()
        except OSError as exc:
            raise ConfigError(
                f"[{where}] private_key_path: cannot read {path} ({exc.strerror})",
                hint="point it at the GitHub App's PEM private key",
            ) from None
        source = f"the GitHub App {target.app_id} (installation {target.installation_id})"
        return (
            AppCredentials(target.app_id, target.installation_id, key),
            source,
            f"app:{target.app_id}:{target.installation_id}",
        )
    variable = target.token_env or ""
    token = os.environ.get(variable, "").strip() if variable else ""
    if not token:
        raise ConfigError(
            # Never echo the name: a token pasted into token_env would be printed to cron mail.
            f"[{where}] token_env: the environment variable it names is not set or empty",
            hint=f"export that variable with a GitHub token that can write issues in {target.repo}",
        )
    return token, f"${variable}", token
