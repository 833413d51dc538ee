"""The shape of tracker.toml: every section and key, its type, default and meaning, in one table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    """One allowed key: its type name, default and a one-line description (shown in errors)."""

    kind: str  # str int str|int bool float list[str] dict[str,str] dict[str,any] table
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False


TOP_LEVEL = {
    "include": Key("list[str]", [], "glob patterns of more TOML files merged into this one"),
    "database": Key("table"),
    "org": Key("table"),
    "targets": Key("table"),
    "routing": Key("table"),
    "people": Key("table"),
    "teams": Key("table"),
    "lint": Key("table"),
    "sync": Key("table"),
    "report": Key("table"),
    "remind": Key("table"),
    "notify": Key("table"),
    "import": Key("table"),
}

DATABASE = {
    "url": Key("str", None, "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db"),
    "path": Key("str", None, "SQLite file path, relative to this config file"),
    "busy_timeout_ms": Key("int", 15000, "how long SQLite waits for a lock"),
}

ORG = {
    "name": Key("str", None, "organisation name shown in reports"),
    "timezone": Key("str", "UTC", "IANA time zone: what 'today', 'overdue' and 'on time' mean"),
    "review_after_days": Key(
        "int", 14, "follow-up review = incident date + this, when the document names none"
    ),
    "postmortem_url": Key("str", None, "template for a link to a postmortem, e.g. https://wiki/pm/{slug}"),
}

GITHUB_TARGET = {
    "kind": Key("str", None, "github or jira", ("github", "jira"), required=True),
    "repo": Key("str", None, "owner/name of the repository", required=True),
    "api_url": Key("str", "https://api.github.com", "API base URL (GitHub Enterprise: https://HOST/api/v3)"),
    "token_env": Key("str", None, "environment variable holding the token"),
    "app_id": Key("str", None, "GitHub App id (instead of a token)"),
    "installation_id": Key("int", None, "GitHub App installation id"),
    "private_key_path": Key("str", None, "GitHub App private key file"),
    "labels": Key("list[str]", [], "labels added to every issue the tracker creates"),
    "tracker_label": Key("str", "postmortem-action", "the one label every tracker issue carries"),
    "severity_labels": Key("bool", True, "add a severity:<level> label"),
    "date_field": Key("str", None, "name of an organisation date issue field to set the deadline in"),
    "date_field_id": Key("int", None, "that field's id (organisation settings or the API)"),
    "milestones": Key("bool", False, "also put items in a milestone per due date"),
    "creates_per_minute": Key("int", 20, "pace issue creation below GitHub's secondary limits"),
    "creates_per_hour": Key("int", 400, "hourly cap on issue creation per credential"),
    "body_template": Key("str", None, "file with a custom issue body template"),
    "public_ok": Key("bool", False, "allow pushing non-confidential items to a public repository"),
    "parent_issues": Key("bool", False, "one parent issue per postmortem with items as sub-issues"),
}

JIRA_TARGET = {
    "kind": Key("str", None, "github or jira", ("github", "jira"), required=True),
    "url": Key("str", None, "site URL, e.g. https://acme.atlassian.net", required=True),
    "flavor": Key("str", "cloud", "cloud or datacenter", ("cloud", "datacenter")),
    "api_version": Key("str", "2", "REST version on Cloud: 2 or 3 (3 takes ADF)", ("2", "3")),
    "project": Key("str", None, "project key", required=True),
    "issue_type": Key("str", "Task", "issue type name"),
    "email_env": Key("str", None, "environment variable holding the account e-mail (Cloud)"),
    "token_env": Key("str", None, "environment variable holding the API token or PAT"),
    "labels": Key("list[str]", [], "labels added to every issue the tracker creates"),
    "tracker_label": Key("str", "postmortem-action", "the one label every tracker issue carries"),
    "components": Key("list[str]", [], "components set on created issues"),
    "priorities": Key("dict[str,str]", {}, "severity -> Jira priority name"),
    "fields": Key("dict[str,any]", {}, "custom field id -> value or template"),
    "manage_workflow": Key("bool", False, "let `tracker done`/`reopen` transition issues"),
    "done_resolution": Key("str", "Done", "resolution to set when closing"),
    "transition_fields": Key("dict[str,any]", {}, "values for required transition screen fields"),
    "parent_issues": Key("bool", False, "one epic/parent per postmortem"),
    "epic_issue_type": Key("str", "Epic", "issue type of the parent per postmortem"),
}

ROUTING = {
    "default": Key("str", None, "target for items no rule routes"),
    "by_team": Key("bool", True, "route an item to its owner's team target when the team names one"),
    "rules": Key("list[table]", [], "ordered rules: {team|service|severity = ..., target = ...}"),
}
ROUTING_RULE = {
    "team": Key("str", None, "owner's team"),
    "service": Key("str", None, "a service the postmortem names"),
    "severity": Key("str", None, "postmortem severity"),
    "target": Key("str", None, "target name", required=True),
}

PERSON = {
    "name": Key("str", None, "full name"),
    "github": Key("str", None, "GitHub login"),
    "jira": Key("str", None, "Jira accountId (Cloud) or username (Data Center)"),
    "email": Key("str", None, "e-mail address"),
    "aliases": Key("list[str]", [], "other ways documents name this person"),
    "team": Key("str", None, "team name in [teams]"),
    "manager": Key("str", None, "handle of the person reminders escalate to"),
    "slack": Key("str", None, "Slack member ID (U0123ABCD) for reminders sent through [notify] channels"),
}

TEAM = {
    "members": Key("list[str]", [], "handles of people in [people]"),
    "default_assignee": Key("str", None, "handle assigned when an item names the team"),
    "aliases": Key("list[str]", [], "other ways documents name this team (@platform-eng, SRE team)"),
    "target": Key("str", None, "target that receives this team's items"),
    "github_team": Key("str", None, "org/team-slug on GitHub"),
}

LINT = {
    "rules": Key("dict[str,str]", {}, "rule id -> error | warning | info | off"),
    "fail_on": Key(
        "str", "error", "lowest severity that makes `tracker lint` exit 1", ("error", "warning", "info")
    ),
    "max_items": Key("int", 7, "more items than this in one postmortem is a finding"),
    "far_deadline_days": Key("int", 180, "a deadline further than this after the incident is a finding"),
    "max_title_words": Key("int", 40, "an item longer than this is too long to be one task"),
    "no_link_days": Key("int", 3, "an item still without a linked issue after this many days"),
    "stale_days": Key("int", 30, "no remote activity for this many days"),
    "labels": Key("dict[str,str]", {}, "category -> label sync adds to flagged items"),
}

SYNC = {
    "hold": Key("list[str]", [], "lint rule ids whose items are not pushed until fixed"),
    "max_creates": Key("int", 25, "cap on issues created per target per run"),
    "confirm_first_push": Key("bool", True, "ask (or require --yes) before the first push to a target"),
    "conflict_policy": Key("str", "remote", "who wins when both sides changed a field", ("remote", "local")),
    "bot_logins": Key(
        "list[str]", ["stale[bot]", "github-actions[bot]"], "closes by these count as bot closes"
    ),
    "verify_slice": Key("int", 10, "linked issues re-verified directly per verification round"),
    "verify_interval_minutes": Key(
        "int", 60, "a verification round runs when the pull saw changes, or this often"
    ),
    "lease_seconds": Key("int", 300, "lease expiry; renewed while a sync runs"),
    "pull_overlap_seconds": Key("int", 120, "overlap of each pull window with the previous one"),
    "max_retries": Key("int", 4, "retries of a failed request before the item is marked failed"),
    "request_timeout_seconds": Key("int", 30, "seconds to wait for a GitHub/Jira answer before retrying"),
    "rate_reserve": Key(
        "str|int", "20%", 'API budget sync never spends: a share of the limit ("20%") or requests (500)'
    ),
    "default_deadline_days": Key("dict[str,int]", {}, "severity -> days, when a document gives no deadline"),
    "skip_weekends": Key("bool", False, "policy deadlines count business days"),
    "assignment_days": Key("int", 0, "flag items still without a person as owner after N days (0: off)"),
}

REPORT = {
    "per_person": Key("bool", False, "allow per-person breakdowns in manager summaries"),
    "stale_sync_hours": Key("int", 26, "warn when the last good sync of a target is older"),
    "url": Key("str", None, "where the full HTML report is published; linked from notify summaries"),
    "severity_aliases": Key(
        "dict[str,str]", {}, 'severity -> the severity it counts as, e.g. sev1 = "critical"'
    ),
}

REMIND = {
    "before_days": Key("int", 2, "remind this many days before a deadline"),
    "every_days": Key("int", 7, "repeat while overdue at this interval"),
    "escalate_after_days": Key("int", 14, "escalate to the team's default assignee or manager"),
    "digest_issue": Key("str", None, "TARGET#ISSUE that receives the weekly digest"),
    "digest_file": Key("str", None, "file the weekly digest is written to"),
    "via": Key(
        "str",
        "comments",
        "reminders as issue comments, [notify] messages, or both",
        ("comments", "notify", "both"),
    ),
    "notify": Key("list[str]", [], "[notify.NAME] channels `tracker remind` sends to (via notify/both)"),
}

IMPORT = {
    "sections": Key(
        "list[str]", [], "more heading names that hold action items (matched as words, any case)"
    ),
}

SECTIONS: dict[str, dict[str, Key]] = {
    "database": DATABASE,
    "org": ORG,
    "routing": ROUTING,
    "lint": LINT,
    "sync": SYNC,
    "report": REPORT,
    "remind": REMIND,
    "import": IMPORT,
}

# [notify.NAME]: where digests, summaries and reminders are sent (tracker/notify). Secrets: *_env only.
NOTIFY_SLACK = {
    "kind": Key("str", None, "slack, teams or email", ("slack", "teams", "email"), required=True),
    "webhook_url_env": Key("str", None, "environment variable holding the incoming-webhook URL"),
    "token_env": Key("str", None, "environment variable holding a bot token (xoxb-...)"),
    "channel": Key("str", None, "channel ID or #name the bot posts to (with token_env)"),
    "api_url": Key("str", "https://slack.com/api/", "Web API base URL (a test double)"),
    "timeout_seconds": Key("int", 15, "seconds to wait for an answer"),
    "max_attempts": Key("int", 3, "attempts per message (429 with Retry-After, 5xx)"),
}
NOTIFY_TEAMS = {
    "kind": Key("str", None, "slack, teams or email", ("slack", "teams", "email"), required=True),
    "webhook_url_env": Key(
        "str", None, "environment variable holding the workflow webhook URL", required=True
    ),
    "timeout_seconds": Key("int", 15, "seconds to wait for an answer"),
    "max_attempts": Key("int", 3, "attempts per message (429 with Retry-After, 5xx)"),
}
NOTIFY_EMAIL = {
    "kind": Key("str", None, "slack, teams or email", ("slack", "teams", "email"), required=True),
    "smtp_host": Key("str", None, "SMTP server", required=True),
    "smtp_port": Key("int", None, "port (default 587 for starttls, 465 for tls, 25 for none)"),
    "security": Key("str", "starttls", "starttls, tls or none", ("starttls", "tls", "none")),
    "username_env": Key("str", None, "environment variable holding the SMTP login"),
    "password_env": Key("str", None, "environment variable holding the SMTP password"),
    "from": Key("str", None, "sender address, e.g. Tracker <tracker@acme.example>", required=True),
    "to": Key("list[str]", [], "recipients of digests and summaries (a mailing list)"),
    "timeout_seconds": Key("int", 30, "seconds to wait for the server"),
    "max_attempts": Key("int", 3, "attempts per message (4xx replies, lost connections before DATA)"),
}
