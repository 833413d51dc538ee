"""The shape of tracker.toml: one frozen dataclass per table; each field's type, default, help and limits
are the schema the loader checks and config.example.toml is generated from (tracker/config_example.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tracker.config_keys import key, table_name
from tracker.notify.channels import EmailChannel, SlackChannel, TeamsChannel

# A class docstring is the comment above its table in config.example.toml: write it for users.


@dataclass(frozen=True)
class DatabaseConfig:
    """Where tracker keeps its state. $TRACKER_DATABASE_URL overrides both keys."""

    path: str | None = key(
        None, "SQLite file, relative to this file (created with its folder)", example="tracker.db"
    )
    url: str | None = key(
        None,
        "or a shared PostgreSQL for several cron hosts (SQLAlchemy URL)",
        example="postgresql+psycopg://tracker@db.internal/tracker",
        commented=True,
    )
    busy_timeout_ms: int = key(15000, "how long SQLite waits for a lock held by another process", minimum=1)


@dataclass(frozen=True)
class OrgConfig:
    name: str | None = key(None, "organisation name shown in reports", example="Acme")
    timezone: str = key(
        "UTC", "IANA time zone: what 'today', 'overdue' and 'on time' mean", example="Europe/Berlin"
    )
    review_after_days: int = key(
        14, "follow-up review = incident date + this, when the document names none", minimum=0
    )
    postmortem_url: str | None = key(
        None,
        "template for a link to a postmortem, put in issue bodies",
        example="https://wiki.acme.example/postmortems/{slug}",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class GitHubTarget:
    """One table per place issues go: kind = "github" or "jira"."""

    name: str = table_name()
    kind: str = key(help="github or jira")
    repo: str = key(help="owner/name of the repository", example="acme/platform")
    api_url: str = key("https://api.github.com", "API base URL (GitHub Enterprise: https://HOST/api/v3)")
    token_env: str | None = key(None, "environment variable holding the token", example="GITHUB_TOKEN")
    app_id: str | None = key(
        None,
        "GitHub App id, instead of a token (a bot identity)",
        example="123456",
        commented=True,
        note="A GitHub App instead of a token: app_id, installation_id and private_key_path together.",
    )
    installation_id: int | None = key(None, "GitHub App installation id", example=7890, commented=True)
    private_key_path: str | None = key(
        None, "GitHub App private key file", example="/etc/tracker/app.pem", commented=True
    )
    labels: tuple[str, ...] = key(
        (), "labels added to every issue the tracker creates", example=["postmortem"]
    )
    tracker_label: str = key("postmortem-action", "the one label every tracker issue carries")
    severity_labels: bool = key(True, "add a severity:<level> label")
    date_field: str | None = key(
        None, "name of an organisation date issue field to set the deadline in", example="Due date"
    )
    date_field_id: int | None = key(
        None, "that field's id; GitHub drops unknown fields silently, so tracker reads back", example=1234
    )
    milestones: bool = key(False, "also put items in a milestone per due date")
    creates_per_minute: int = key(
        20, "pace issue creation below GitHub's secondary limits (80/min, 500/h)", minimum=1
    )
    creates_per_hour: int = key(400, "hourly cap on issue creation per credential", minimum=1)
    body_template: str | None = key(
        None,
        "file with a custom issue body; the tracker block is always appended",
        example="templates/issue.md",
    )
    public_ok: bool = key(
        False, "silence the warning that the repository is public (its items are pushed either way)"
    )
    parent_issues: bool = key(False, "one parent issue per postmortem with items as sub-issues")


@dataclass(frozen=True)
class JiraTarget:
    name: str = table_name()
    kind: str = key(help="github or jira")
    url: str = key(
        help="site URL (Cloud), or the Data Center base URL with its context path",
        example="https://acme.atlassian.net",
    )
    project: str = key(help="project key", example="OPS")
    flavor: Literal["cloud", "datacenter"] = key("cloud", "cloud or datacenter")
    api_version: Literal["2", "3"] = key("2", "REST version on Cloud: 2 (plain text) or 3 (ADF)")
    issue_type: str = key("Task", "issue type name")
    email_env: str | None = key(
        None, "environment variable holding the account e-mail (Cloud)", example="JIRA_EMAIL"
    )
    token_env: str | None = key(
        None, "environment variable holding the API token (Cloud) or PAT (Data Center)", example="JIRA_TOKEN"
    )
    labels: tuple[str, ...] = key(
        (), "labels added to every issue the tracker creates", example=["postmortem"]
    )
    tracker_label: str = key("postmortem-action", "the one label every tracker issue carries")
    components: tuple[str, ...] = key((), "components set on created issues", example=["SRE"])
    priorities: dict[str, str] = key(
        {},
        "severity -> Jira priority name",
        example={"critical": "Highest", "major": "High", "minor": "Medium"},
    )
    fields: dict[str, Any] = key(
        {},
        "custom field id -> value or template (required fields)",
        example={"customfield_10050": "Platform"},
    )
    manage_workflow: bool = key(False, "let `tracker done` / `reopen` transition issues")
    done_resolution: str = key("Done", "resolution to set when closing")
    transition_fields: dict[str, Any] = key({}, "values for required transition screen fields")
    parent_issues: bool = key(False, "one epic per postmortem, items set as its children (`parent`)")
    epic_issue_type: str = key("Epic", "issue type of that epic (hierarchy level 1)")


Target = GitHubTarget | JiraTarget


@dataclass(frozen=True)
class RoutingRule:
    """One of `[routing] rules`: the first rule whose keys all match an item sends it to `target`."""

    target: str = key(help="target name")
    team: str | None = key(None, "owner's team")
    service: str | None = key(None, "a service the postmortem names")
    severity: str | None = key(None, "postmortem severity")


@dataclass(frozen=True)
class RoutingConfig:
    default: str | None = key(None, "target for items no rule routes", example="platform")
    by_team: bool = key(True, "route an item to its owner's team target when the team names one")
    rules: tuple[RoutingRule, ...] = key(
        (),
        "ordered rules; the first match wins",
        example=[
            {"severity": "critical", "target": "ops"},
            {"service": "payments", "target": "ops"},
            {"team": "platform", "target": "platform"},
        ],
        note="Rule keys: team, service, severity; target is required.",
    )


@dataclass(frozen=True)
class Person:
    """People: one entry per person. Documents name them in many ways; matching is exact after
    ignoring case, a leading @ and e-mail domains. Never fuzzy."""

    handle: str = table_name()
    name: str | None = key(None, "full name", example="Dana Whitfield")
    github: str | None = key(None, "GitHub login", example="dana-w")
    jira: str | None = key(
        None, "Jira accountId (Cloud) or username (Data Center)", example="5b10ac8d82e05b22cc7d4ef5"
    )
    email: str | None = key(None, "e-mail address", example="dana@acme.example")
    aliases: tuple[str, ...] = key((), "other ways documents name this person", example=["@dana", "Dana W."])
    team: str | None = key(None, "team name in [teams]", example="platform")
    manager: str | None = key(None, "handle of the person reminders escalate to", example="lee")
    slack: str | None = key(
        None, "Slack member ID: `tracker remind --notify` messages them directly", example="U0123ABCD"
    )


@dataclass(frozen=True)
class Team:
    name: str = table_name()
    members: tuple[str, ...] = key((), "handles of people in [people]", example=["dana", "lee"])
    default_assignee: str | None = key(
        None, "handle assigned when an item names the team instead of a person", example="dana"
    )
    aliases: tuple[str, ...] = key(
        (), "other ways documents name this team", example=["@platform-eng", "platform team"]
    )
    target: str | None = key(None, "target that receives this team's items", example="platform")
    github_team: str | None = key(None, "org/team-slug on GitHub", example="acme/platform-eng")


@dataclass(frozen=True)
class LintConfig:
    rules: dict[str, str] = key(
        {},
        "rule id -> error | warning | info | off",
        example={"deadline-far": "off", "owner-team": "error"},
    )
    fail_on: Literal["error", "warning", "info"] = key(
        "error", "lowest severity that makes `tracker lint` exit 1"
    )
    max_items: int = key(7, "more items than this in one postmortem is a finding", minimum=0)
    far_deadline_days: int = key(
        180, "a deadline further than this after the incident is a finding", minimum=0
    )
    max_title_words: int = key(40, "an item longer than this is too long to be one task", minimum=0)
    no_link_days: int = key(3, "an item still without a linked issue after this many days", minimum=0)
    stale_days: int = key(30, "no activity on the linked issue for this many days", minimum=0)
    labels: dict[str, str] = key(
        {},
        "category -> label sync adds to flagged items",
        example={"ownership": "needs-owner", "deadline": "needs-deadline", "wording": "needs-rewording"},
    )


def reserve_problem(value: str | int) -> str | None:
    """What is wrong with a `[sync] rate_reserve` value, or None (the parsing lives with its use)."""
    from tracker.backends.reserve import parse_reserve

    try:
        parse_reserve(value)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class SyncConfig:
    hold: tuple[str, ...] = key((), "lint rule ids whose items are not pushed until fixed")
    max_creates: int = key(25, "cap on issues created per target per run", minimum=0)
    confirm_first_push: bool = key(True, "ask (or require --yes) before the first push to a target")
    conflict_policy: Literal["remote", "local"] = key("remote", "who wins when both sides changed a field")
    bot_logins: tuple[str, ...] = key(
        ("stale[bot]", "github-actions[bot]"), "closes by these count as bot closes"
    )
    verify_slice: int = key(10, "linked issues re-verified directly per verification round", minimum=0)
    verify_interval_minutes: int = key(
        60, "a verification round runs when the pull saw changes, or this often", minimum=0
    )
    lease_seconds: int = key(
        300, "lease expiry, renewed while a sync runs; parallel first syncs rely on it", minimum=1
    )
    pull_overlap_seconds: int = key(120, "overlap of each pull window with the previous one", minimum=0)
    rate_reserve: str | int = key(
        "20%",
        'API budget sync never spends: a share of the limit ("20%") or a number of requests (500)',
        check=reserve_problem,
    )
    max_retries: int = key(4, "retries of a failed request before the item is marked failed", minimum=0)
    request_timeout_seconds: int = key(
        30, "seconds to wait for a GitHub/Jira answer before retrying", minimum=1
    )
    default_deadline_days: dict[str, int] = key(
        {},
        "severity -> days, when a document gives no deadline",
        example={"critical": 15, "major": 30},
        note=(
            "Policy deadlines: severity (as normalised: critical, major, sev1, ...; `default` for the rest)\n"
            "-> days from the incident (or from the import, when that is already past). Recorded with\n"
            'source "policy": reports never count them as committed deadlines. Applied at import to open,\n'
            "undated items."
        ),
    )
    skip_weekends: bool = key(False, "policy deadlines count business days (Mon-Fri)")
    assignment_days: int = key(
        0, "flag and escalate items still without a person as owner after N days (0: off)", minimum=0
    )


@dataclass(frozen=True)
class ReportConfig:
    per_person: bool = key(False, "allow per-person breakdowns in manager summaries")
    stale_sync_hours: int = key(26, "warn when the last good sync of a target is older", minimum=0)
    url: str | None = key(
        None,
        "where `tracker report --format html` is published; notify summaries link it",
        example="https://reports.acme.example/tracker.html",
    )
    severity_aliases: dict[str, str] = key(  # lower-cased both sides by the loader
        {},
        'severity -> the severity it counts as, e.g. sev1 = "critical"',
        example={"sev1": "critical", "sev2": "major", "p1": "critical"},
    )


@dataclass(frozen=True)
class RemindConfig:
    """`tracker remind` (cron, after sync) comments on linked issues, mentioning the assignee; every
    reminder is recorded, so reruns never post twice. `tracker digest` writes the weekly digest."""

    before_days: int = key(2, "remind this many days before a deadline (0: on the day only)", minimum=0)
    every_days: int = key(7, "repeat while overdue at this interval", minimum=0)
    escalate_after_days: int = key(
        14, "escalate to the owner's manager, else the team's default assignee", minimum=0
    )
    digest_issue: str | None = key(
        None, "TARGET#ISSUE that receives `tracker digest --post`", example="platform#1"
    )
    digest_file: str | None = key(
        None, "file `tracker digest` writes when neither --post nor --output is given", example="digest.md"
    )
    via: Literal["comments", "notify", "both"] = key(
        "comments", "reminders as issue comments, [notify] messages, or both"
    )
    notify: tuple[str, ...] = key(
        (), "[notify.NAME] channels `tracker remind` sends to (via notify/both)", example=["team-slack"]
    )


@dataclass(frozen=True)
class ImportConfig:
    """`tracker import` finds action items under headings that name actions in many phrasings (Action
    items, Follow-ups, Next steps, Remediation, ...); `tracker import --explain FILE` shows why."""

    sections: tuple[str, ...] = key(
        (),
        "more heading names that hold action items (matched as words, any case)",
        example=["Lessons and fixes", "Homework"],
    )


@dataclass(frozen=True)
class Files:
    """tracker configuration: every key, with its default and what it does.

    Lookup order: --config PATH, then $TRACKER_CONFIG, then ./tracker.toml, then the user config
    folder (~/.config/tracker/tracker.toml on Linux). Unknown keys are errors. Secrets never go in
    this file: name the environment variable that holds them (token_env = "GITHUB_TOKEN")."""

    include: tuple[str, ...] = key(
        (),
        "glob patterns of more TOML files merged into this one; a key defined twice is an error",
        example=["people/*.toml"],
        note="More files merged into this one, so each team can own its part in a config repository.",
    )


# The top-level tables: one table each, or named tables (`[targets.NAME]`) whose `kind` picks the class.
SECTIONS: dict[str, type] = {
    "database": DatabaseConfig,
    "org": OrgConfig,
    "routing": RoutingConfig,
    "lint": LintConfig,
    "sync": SyncConfig,
    "report": ReportConfig,
    "remind": RemindConfig,
    "import": ImportConfig,
}
NAMED: dict[str, dict[str | None, type]] = {
    "targets": {"github": GitHubTarget, "jira": JiraTarget},
    "people": {None: Person},
    "teams": {None: Team},
    "notify": {"slack": SlackChannel, "teams": TeamsChannel, "email": EmailChannel},
}
