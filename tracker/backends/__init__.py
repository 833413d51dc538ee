"""Adapters to remote issue trackers; the only package that imports PyGithub or jira."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.clock import SYSTEM, Clock
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.backends.base import IssueTracker
    from tracker.backends.github_http import AppCredentials
    from tracker.backends.pacing import CreateBudget
    from tracker.backends.pacing_db import SharedCreateBudget
    from tracker.config import Config, GitHubTarget


def open_backend(
    config: Config,
    target_name: str,
    *,
    engine: Engine | None = None,
    budget: CreateBudget | None = None,
    clock: Clock | None = None,
) -> IssueTracker:
    """The backend for one configured target; the secret comes from the environment (never the config).

    Creates share one budget per credential: `budget` if given, else through the database `engine`
    (every process and host), else in this process. Retries and pacing wait on `clock` (tests pass
    one that does not sleep).
    """
    waits: Clock = clock or SYSTEM
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
            if engine is not None:
                budget = _database_budget(engine, f"{target.api_url}|{budget_key}", target, waits)
            else:
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


# One budget object per (database, credential) in this process, so targets sharing a credential
# tighten the same one; the database row is what every other process and host shares.
_DATABASE_BUDGETS: weakref.WeakKeyDictionary[Engine, dict[str, SharedCreateBudget]] = (
    weakref.WeakKeyDictionary()
)


def _database_budget(engine: Engine, credential: str, target: GitHubTarget, clock: Clock) -> CreateBudget:
    """One budget per credential shared through the database by every process and host."""
    from tracker.backends.pacing_db import SharedCreateBudget, credential_hash
    from tracker.db import session_factory

    budgets = _DATABASE_BUDGETS.setdefault(engine, {})
    key = credential_hash(credential)
    budget = budgets.get(key)
    if budget is None:
        budget = budgets[key] = SharedCreateBudget(
            session_factory(engine),
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
