"""What a sync did, per target: counts for the JSON summary, messages for people, Prometheus metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.backends.http_policy import ReserveReached

# The counts of the JSON summary's totals and of the metrics file, in that order.
COUNTERS = ("created", "updated", "pulled", "conflicts", "orphaned", "flagged", "held", "errors", "requests")


@dataclass
class TargetSummary:
    target: str
    kind: str
    created: int = 0
    updated: int = 0
    pulled: int = 0
    conflicts: int = 0
    orphaned: int = 0
    moved: int = 0
    adopted: int = 0
    flagged: int = 0
    held: int = 0
    errors: int = 0
    requests: int = 0
    waiting: int = 0  # over the per-run create cap: next run
    duplicates: int = 0  # issues found carrying an item's marker twice (the newer ones are closed)
    stopped: str | None = None  # why the target stopped early (rate limit, refusal, pre-flight)
    config_error: bool = False  # stopped because its configuration (e.g. a token variable) is missing
    paused: str | None = None  # stopped itself at the rate-limit reserve: pacing, not a failure
    resume_at: datetime | None = None  # when the budget refills (the API's reset time), if it said
    messages: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)  # --dry-run: what would be written

    def note(self, message: str) -> None:
        self.messages.append(message)

    def pause(self, exc: Exception) -> bool:
        """Record a stop at the rate-limit reserve (True), or leave any other stop to the caller."""
        if not isinstance(exc, ReserveReached):
            return False
        self.paused = exc.message
        self.resume_at = exc.reset_at
        return True

    @property
    def resume_text(self) -> str:
        if self.resume_at is None:
            return "the next run resumes where this one stopped"
        return f"resumes after {self.resume_at:%Y-%m-%d %H:%M:%S} UTC (the next run after that picks up)"

    @property
    def paused_line(self) -> str:
        """The one line a pause is told in, even under -q: work was left for a later run, and when."""
        return f"{self.target} ({self.kind}): paused: {self.paused}; {self.resume_text}"

    @property
    def failed(self) -> bool:
        return self.errors > 0 or self.stopped is not None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = not self.failed
        data["resume_at"] = self.resume_at.isoformat() if self.resume_at else None
        return data


@dataclass
class SyncSummary:
    run_id: int | None
    started_at: datetime
    targets: list[TargetSummary] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(t.failed for t in self.targets)

    def totals(self) -> dict[str, int]:
        return {key: sum(getattr(t, key) for t in self.targets) for key in COUNTERS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "dry_run": self.dry_run,
            "ok": not self.failed,
            "targets": {t.target: t.to_dict() for t in self.targets},
            "totals": self.totals(),
        }

    def to_text(self) -> str:
        lines = []
        for t in self.targets:
            if t.paused and not t.stopped:
                done = [
                    f"{getattr(t, key)} {key}" for key in COUNTERS if key != "requests" and getattr(t, key)
                ]
                lines.append(t.paused_line)
                lines.append(
                    f"  before it paused: {', '.join(done) or 'nothing changed'} ({t.requests} requests)"
                )
            elif t.stopped:
                # A stopped target did not run to the end: counts like "0 errors" would read as a success.
                lines.append(f"{t.target} ({t.kind}): stopped: {t.stopped}")
                done = [
                    f"{getattr(t, key)} {key}" for key in COUNTERS if key != "requests" and getattr(t, key)
                ]
                lines.append(
                    f"  before it stopped: {', '.join(done) or 'nothing changed'} ({t.requests} requests)"
                )
            else:
                lines.append(
                    f"{t.target} ({t.kind}): {t.created} created, {t.updated} updated, {t.pulled} pulled, "
                    f"{t.conflicts} conflicts, {t.orphaned} orphaned, {t.flagged} flagged, {t.held} held, "
                    f"{t.errors} errors, {t.requests} requests"
                )
            lines.extend(f"  would {line}" for line in t.plan)
            lines.extend(f"  {message}" for message in t.messages)
        if not self.targets:
            lines.append("no targets configured: add a [targets.NAME] table to the config")
        return "\n".join(lines)


def write_metrics(path: Path, summary: SyncSummary, last_success: dict[str, datetime | None]) -> None:
    """Prometheus text format, written atomically so a scraper never reads half a file."""
    lines = [
        "# HELP tracker_sync_last_success_timestamp_seconds End of the last sync with no failure, per target.",
        "# TYPE tracker_sync_last_success_timestamp_seconds gauge",
    ]
    for target, when in sorted(last_success.items()):
        if when is not None:
            lines.append(
                f'tracker_sync_last_success_timestamp_seconds{{target="{target}"}} {when.timestamp():.0f}'
            )
    for key in COUNTERS:
        lines.append(f"# HELP tracker_sync_{key} Items {key} by the last sync run, per target.")
        lines.append(f"# TYPE tracker_sync_{key} gauge")
        for t in summary.targets:
            lines.append(f'tracker_sync_{key}{{target="{t.target}"}} {getattr(t, key)}')
    lines.append("# HELP tracker_sync_ok Whether the last sync of a target succeeded (1) or not (0).")
    lines.append("# TYPE tracker_sync_ok gauge")
    for t in summary.targets:
        lines.append(f'tracker_sync_ok{{target="{t.target}"}} {0 if t.failed else 1}')
    lines.append(
        "# HELP tracker_sync_paused Whether the last sync of a target paused at the rate-limit reserve (1)."
    )
    lines.append("# TYPE tracker_sync_paused gauge")
    for t in summary.targets:
        lines.append(f'tracker_sync_paused{{target="{t.target}"}} {1 if t.paused else 0}')
    lines.append("# HELP tracker_sync_resume_timestamp_seconds When a paused target's rate limit resets.")
    lines.append("# TYPE tracker_sync_resume_timestamp_seconds gauge")
    for t in summary.targets:
        if t.paused and t.resume_at is not None:
            lines.append(
                f'tracker_sync_resume_timestamp_seconds{{target="{t.target}"}} {t.resume_at.timestamp():.0f}'
            )
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def write_aborted_metrics(path: Path, targets: list[str], exit_code: int) -> None:
    """A run that stopped before syncing anything: every target not ok, with the exit code."""
    lines = [
        "# HELP tracker_sync_ok Whether the last sync of a target succeeded (1) or not (0).",
        "# TYPE tracker_sync_ok gauge",
        *(f'tracker_sync_ok{{target="{t}"}} 0' for t in targets),
        "# HELP tracker_sync_aborted_exit_code Exit code of a sync that stopped before syncing (3: lease held).",
        "# TYPE tracker_sync_aborted_exit_code gauge",
        f"tracker_sync_aborted_exit_code {exit_code}",
    ]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
