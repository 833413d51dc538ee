"""The one error hierarchy: every failure a user can see carries a message, a hint and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURES = 1  # something to act on: findings, failed documents, items, checks, drift, sends
EXIT_USAGE = 2  # usage or configuration errors
EXIT_LEASE = 3  # another sync holds the lease


class TrackerError(Exception):
    """Base class: an error we expected and can explain to the user."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class ConfigError(TrackerError):
    """The configuration file is missing, unreadable or invalid."""

    def __init__(self, message: str, hint: str | None = None, problems: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or []


class UsageError(TrackerError):
    """The command line asked for something impossible (bad value, unknown id)."""


class NotFoundError(UsageError):
    """An id, slug or name the user gave does not exist."""


class NoTargetsError(UsageError):
    """The config has no [targets.NAME]: said the same way by every command that needs a remote."""

    def __init__(self, config_path: object = None) -> None:
        where = f" in {config_path}" if config_path else " (no config file found)"
        super().__init__(
            f"no targets configured{where}",
            hint='add a [targets.NAME] table (kind = "github" or "jira"); see config.example.toml',
        )


class InputError(TrackerError):
    """A document or value the user supplied cannot be read (file, line and reason in the message)."""


class DatabaseError(TrackerError):
    """The database is missing, unreachable, or at the wrong schema revision."""


class LeaseHeldError(TrackerError):
    """Another sync holds the lease for this database or target."""

    exit_code = EXIT_LEASE


class RemoteError(TrackerError):
    """A remote tracker (GitHub, Jira) failed in a way that stops the current operation."""

    exit_code = EXIT_FAILURES


class FindingsError(TrackerError):
    """Work finished, but with findings or failures that must make the exit code non-zero."""

    exit_code = EXIT_FAILURES
