"""Find tracker.toml, merge its includes, validate every key at once, and build frozen dataclasses."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker import config_schema as schema
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from tracker.notify.channels import NotifyChannel

CONFIG_ENV = "TRACKER_CONFIG"
DATABASE_ENV = "TRACKER_DATABASE_URL"
CONFIG_NAME = "tracker.toml"

# Values that look like real credentials: a config file must name an environment variable instead.
_SECRET_VALUE = re.compile(
    r"^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|ATATT[A-Za-z0-9_\-=]{20,}|"
    r"xox[abp]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*|"
    # Chat webhook URLs are credentials too: whoever holds one posts to the channel.
    r"https://hooks\.slack\.com/\S+|https://[\w.-]+\.webhook\.office\.com/\S+|"
    r"https://[\w.-]+\.(?:logic\.azure\.com|api\.powerplatform\.com)\S*[?&]sig=\S+)$",
    re.DOTALL,
)
_SECRET_KEYS = {"token", "password", "api_token", "secret", "pat", "private_key", "apikey", "api_key"}
_SECRET_KEYS |= {"webhook_url", "webhook"}  # [notify.NAME] takes webhook_url_env


@dataclass(frozen=True)
class DatabaseConfig:
    url: str | None = None
    path: str | None = None
    busy_timeout_ms: int = 15000


@dataclass(frozen=True)
class OrgConfig:
    name: str | None = None
    timezone: str = "UTC"
    review_after_days: int = 14
    postmortem_url: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class GitHubTarget:
    name: str
    kind: str
    repo: str
    api_url: str = "https://api.github.com"
    token_env: str | None = None
    app_id: str | None = None
    installation_id: int | None = None
    private_key_path: str | None = None
    labels: tuple[str, ...] = ()
    tracker_label: str = "postmortem-action"
    severity_labels: bool = True
    date_field: str | None = None
    date_field_id: int | None = None
    milestones: bool = False
    creates_per_minute: int = 20
    creates_per_hour: int = 400
    body_template: str | None = None
    public_ok: bool = False
    parent_issues: bool = False


@dataclass(frozen=True)
class JiraTarget:
    name: str
    kind: str
    url: str
    project: str
    flavor: str = "cloud"
    api_version: str = "2"
    issue_type: str = "Task"
    email_env: str | None = None
    token_env: str | None = None
    labels: tuple[str, ...] = ()
    tracker_label: str = "postmortem-action"
    components: tuple[str, ...] = ()
    priorities: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    manage_workflow: bool = False
    done_resolution: str = "Done"
    transition_fields: dict[str, Any] = field(default_factory=dict)
    parent_issues: bool = False
    epic_issue_type: str = "Epic"


Target = GitHubTarget | JiraTarget


@dataclass(frozen=True)
class RoutingRule:
    target: str
    team: str | None = None
    service: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class RoutingConfig:
    default: str | None = None
    by_team: bool = True
    rules: tuple[RoutingRule, ...] = ()


@dataclass(frozen=True)
class Person:
    handle: str
    name: str | None = None
    github: str | None = None
    jira: str | None = None
    email: str | None = None
    aliases: tuple[str, ...] = ()
    team: str | None = None
    manager: str | None = None
    slack: str | None = None


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[str, ...] = ()
    default_assignee: str | None = None
    aliases: tuple[str, ...] = ()
    target: str | None = None
    github_team: str | None = None


@dataclass(frozen=True)
class LintConfig:
    rules: dict[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    max_items: int = 7
    far_deadline_days: int = 180
    max_title_words: int = 40
    no_link_days: int = 3
    stale_days: int = 30
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncConfig:
    hold: tuple[str, ...] = ()
    max_creates: int = 25
    confirm_first_push: bool = True
    conflict_policy: str = "remote"
    bot_logins: tuple[str, ...] = ("stale[bot]", "github-actions[bot]")
    verify_slice: int = 10
    verify_interval_minutes: int = 60
    lease_seconds: int = 300
    pull_overlap_seconds: int = 120
    max_retries: int = 4
    request_timeout_seconds: int = 30
    rate_reserve: str | int = "20%"  # validated by _check_reserve; see tracker/backends/reserve.py
    default_deadline_days: dict[str, int] = field(default_factory=dict)
    skip_weekends: bool = False
    assignment_days: int = 0


@dataclass(frozen=True)
class ReportConfig:
    per_person: bool = False
    stale_sync_hours: int = 26
    url: str | None = None
    severity_aliases: dict[str, str] = field(default_factory=dict)  # lower-cased both sides


@dataclass(frozen=True)
class RemindConfig:
    before_days: int = 2
    every_days: int = 7
    escalate_after_days: int = 14
    digest_issue: str | None = None
    digest_file: str | None = None
    via: str = "comments"
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportConfig:
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; `path` is None when no file was found (defaults only)."""

    path: Path | None = None
    files: tuple[Path, ...] = ()
    database: DatabaseConfig = DatabaseConfig()
    org: OrgConfig = OrgConfig()
    targets: dict[str, Target] = field(default_factory=dict)
    routing: RoutingConfig = RoutingConfig()
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    lint: LintConfig = LintConfig()
    sync: SyncConfig = SyncConfig()
    report: ReportConfig = ReportConfig()
    remind: RemindConfig = RemindConfig()
    notify: dict[str, NotifyChannel] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    fingerprint: str = ""
    importing: ImportConfig = ImportConfig()

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def default_config_dir() -> Path:
    """The user config folder (XDG on Linux), looked up last."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("tracker"))


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tracker"))


def find_config(explicit: str | None) -> Path | None:
    """`--config`, then $TRACKER_CONFIG, then ./tracker.toml, then the user config folder."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}", hint="check the --config path")
        return path
    env = os.environ.get(CONFIG_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"config file not found: {path} (from ${CONFIG_ENV})", hint=f"fix or unset {CONFIG_ENV}"
            )
        return path
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    user = default_config_dir() / CONFIG_NAME
    if user.is_file():
        return user
    return None


def load_config(explicit: str | None = None) -> Config:
    """Find and load the configuration; no file at all means defaults."""
    path = find_config(explicit)
    if path is None:
        return Config(fingerprint=_fingerprint({}))
    return load_config_file(path)


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc.__class__.__name__}: {exc}")
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: invalid TOML: {exc}")
        return {}


def _merge(
    base: dict[str, Any], extra: dict[str, Any], source: Path, problems: list[str], trail: str = ""
) -> None:
    for key, value in extra.items():
        where = f"{trail}.{key}" if trail else key
        if key not in base:
            base[key] = value
        elif isinstance(base[key], dict) and isinstance(value, dict):
            _merge(base[key], value, source, problems, where)
        else:
            problems.append(f"{source}: [{where}] is already defined in another config file")


def load_config_file(path: Path) -> Config:
    """Load one file and its includes; raise ConfigError listing every problem."""
    problems: list[str] = []
    warnings: list[str] = []
    path = path.resolve()
    data = _read_toml(path, problems)
    files = [path]
    includes = data.get("include", [])
    if isinstance(includes, list):
        for pattern in includes:
            if not isinstance(pattern, str):
                problems.append(f"include: expected a list of glob strings, got {pattern!r}")
                continue
            matches = sorted(glob.glob(str(path.parent / pattern)))
            if not matches and not glob.has_magic(pattern):
                problems.append(f"include: {pattern} matches no file")
            for match in matches:
                extra = _read_toml(Path(match), problems)
                extra.pop("include", None)
                _merge(data, extra, Path(match), problems)
                files.append(Path(match).resolve())
    for file in files:
        warnings.extend(_permission_warnings(file))
    warnings.extend(_readable_password_warnings(files, data))
    config = _build(data, path, tuple(files), problems)
    if problems:
        raise ConfigError(
            f"{path}: {len(problems)} problem(s) in the configuration",
            hint="fix each key listed above; `config.example.toml` documents every key",
            problems=problems,
        )
    return Config(**{**config.__dict__, "warnings": tuple(warnings)})


def _permission_warnings(path: Path) -> list[str]:
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if mode & (stat.S_IWOTH | stat.S_IWGRP):
        return [f"{path} is writable by others: anyone who can edit it can redirect where issues go"]
    return []


def _readable_password_warnings(files: list[Path], data: dict[str, Any]) -> list[str]:
    """Tokens never live in the file, but a database URL can carry a password: then others must not read it."""
    database = data.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str) or "@" not in url:
        return []
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # a broken URL is reported when the database is opened
        return []
    found = []
    for file in files:
        try:
            readable = file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH)
            holds = readable and str(password) in file.read_text(encoding="utf-8")
        except OSError:
            continue
        if password and holds:
            found.append(
                f"{file} holds a database password and is readable by others: "
                f"chmod 600 it, or put the URL in ${DATABASE_ENV} instead"
            )
    return found


def _check_type(value: Any, key: schema.Key) -> bool:
    kinds: dict[str, Any] = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "str|int": lambda v: isinstance(v, (str, int)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "dict[str,str]": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
        "dict[str,int]": lambda v: (
            isinstance(v, dict) and all(isinstance(x, int) and not isinstance(x, bool) for x in v.values())
        ),
        "dict[str,any]": lambda v: isinstance(v, dict),
        "list[table]": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
        "table": lambda v: isinstance(v, dict),
    }
    return bool(kinds[key.kind](value))


def _section(
    where: str, table: Any, spec: dict[str, schema.Key], problems: list[str], skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Validate one table against its spec; return the values with defaults filled in."""
    if not isinstance(table, dict):
        problems.append(f"[{where}] must be a table")
        return {k: v.default for k, v in spec.items()}
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name in skip:
            continue
        key = spec.get(name)
        if key is None:
            if name.lower() in _SECRET_KEYS:
                problems.append(
                    f"[{where}] {name}: secrets never go in the config file; "
                    f'name an environment variable instead ({name}_env = "MY_{name.upper()}")'
                )
            else:
                import difflib

                close = difflib.get_close_matches(name, list(spec), n=1)
                suggestion = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(f"[{where}] {name}: unknown key{suggestion}")
            continue
        if not _check_type(value, key):
            problems.append(f"[{where}] {name}: expected {key.kind}, got {type(value).__name__} {value!r}")
            continue
        if key.choices and value not in key.choices:
            problems.append(f"[{where}] {name}: must be one of {', '.join(key.choices)}, got {value!r}")
            continue
        values[name] = value
    for name, key in spec.items():
        if name not in values:
            if key.required and name not in table:
                problems.append(f"[{where}] {name}: required ({key.help})")
            values[name] = key.default
    return values


def _find_literal_secrets(data: Any, trail: str, problems: list[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _find_literal_secrets(value, f"{trail}.{key}" if trail else str(key), problems)
    elif isinstance(data, list):
        for value in data:
            _find_literal_secrets(value, trail, problems)
    elif isinstance(data, str) and _SECRET_VALUE.match(data.strip()):
        section, _, key = trail.rpartition(".")
        if key.lower() in _SECRET_KEYS:
            return  # the unknown-key check already says this key must not hold a secret
        problems.append(
            f"[{section}] {key}: looks like a literal credential; put it in an environment variable "
            'and name that variable here (e.g. token_env = "GITHUB_TOKEN")'
        )


def _tuples(values: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def _build(data: dict[str, Any], path: Path | None, files: tuple[Path, ...], problems: list[str]) -> Config:
    _find_literal_secrets(data, "", problems)
    top = _section("top level", data, schema.TOP_LEVEL, problems)
    sections = {
        name: _section(name, top.get(name) or {}, spec, problems) for name, spec in schema.SECTIONS.items()
    }

    org = OrgConfig(**sections["org"])
    try:
        ZoneInfo(org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"[org] timezone: unknown time zone {org.timezone!r} (use an IANA name such as Europe/Berlin)"
        )
        org = OrgConfig(**{**sections["org"], "timezone": "UTC"})
    if org.review_after_days < 0:
        problems.append("[org] review_after_days: must be 0 or more")

    targets = _build_targets(top.get("targets") or {}, problems)
    people = _build_people(top.get("people") or {}, problems)
    teams = _build_teams(top.get("teams") or {}, people, targets, problems)
    for person in people.values():
        if person.team and person.team not in teams:
            problems.append(f'[people."{person.handle}"] team: unknown team {person.team!r}')

    routing_values = sections["routing"]
    rules = []
    for index, raw in enumerate(routing_values.get("rules") or []):
        rule = _section(f"routing.rules[{index}]", raw, schema.ROUTING_RULE, problems)
        if rule["target"] and rule["target"] not in targets:
            problems.append(f"[routing.rules[{index}]] target: unknown target {rule['target']!r}")
        rules.append(RoutingRule(**rule))
    routing = RoutingConfig(
        default=routing_values["default"], by_team=routing_values["by_team"], rules=tuple(rules)
    )
    if routing.default and routing.default not in targets:
        problems.append(
            f"[routing] default: unknown target {routing.default!r} (known: {', '.join(targets) or 'none'})"
        )

    _check_ranges(sections, problems)
    from tracker.notify.channels import build_channels

    notify = build_channels(top.get("notify") or {}, problems)
    remind = RemindConfig(**_tuples(sections["remind"]))
    for name in remind.notify:
        if name not in notify:
            problems.append(
                f"[remind] notify: unknown channel {name!r} (known: {', '.join(notify) or 'none'})"
            )
    sync = SyncConfig(**_tuples(sections["sync"]))
    for key in ("max_creates", "verify_slice", "pull_overlap_seconds", "max_retries"):
        if getattr(sync, key) < 0:
            problems.append(f"[sync] {key}: must be 0 or more, got {getattr(sync, key)}")
    _check_reserve(sync.rate_reserve, problems)
    return Config(
        path=path,
        files=files,
        database=DatabaseConfig(**sections["database"]),
        org=org,
        targets=targets,
        routing=routing,
        people=people,
        teams=teams,
        lint=LintConfig(**sections["lint"]),
        sync=sync,
        report=_report_config(sections["report"]),
        remind=remind,
        notify=notify,
        fingerprint=_fingerprint(data),
        importing=ImportConfig(**_tuples(sections["import"])),
    )


def _report_config(values: dict[str, Any]) -> ReportConfig:
    """Severities are stored lower case, so the aliases are matched and applied lower case too."""
    aliases = {str(k).strip().lower(): str(v).strip().lower() for k, v in values["severity_aliases"].items()}
    return ReportConfig(**{**values, "severity_aliases": aliases})


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_env_names(where: str, values: dict[str, Any], problems: list[str]) -> None:
    """`*_env` keys name environment variables; a value that is not a name may be the secret itself."""
    for key, value in values.items():
        if key.endswith("_env") and isinstance(value, str) and value and not _ENV_NAME.match(value):
            problems.append(
                f"[{where}] {key}: must be the NAME of an environment variable (letters, digits, _), "
                "not the secret itself; its value is not shown here"
            )
            values[key] = "INVALID_NAME"


def _build_targets(raw: Any, problems: list[str]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    if not isinstance(raw, dict):
        problems.append("[targets] must be a table of named targets")
        return targets
    for name, table in raw.items():
        where = f"targets.{name}"
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind == "github":
            values = _section(where, table, schema.GITHUB_TARGET, problems)
            check_env_names(where, values, problems)
            if values["repo"] and not re.fullmatch(r"[\w.-]+/[\w.-]+", values["repo"]):
                problems.append(f"[{where}] repo: expected owner/name, got {values['repo']!r}")
            if not values["token_env"] and not values["app_id"]:
                problems.append(
                    f"[{where}] token_env: required (or app_id + installation_id + private_key_path)"
                )
            _check_target_values(where, values, "api_url", problems)
            targets[name] = GitHubTarget(name=name, **_tuples(values))
        elif kind == "jira":
            values = _section(where, table, schema.JIRA_TARGET, problems)
            check_env_names(where, values, problems)
            if not values["token_env"]:
                problems.append(f"[{where}] token_env: required")
            if values["flavor"] == "cloud" and not values["email_env"]:
                problems.append(f'[{where}] email_env: required for flavor = "cloud"')
            _check_target_values(where, values, "url", problems)
            targets[name] = JiraTarget(name=name, **_tuples(values))
        else:
            problems.append(f'[{where}] kind: must be "github" or "jira", got {kind!r}')
    return targets


def normalise_name(text: str) -> str:
    """Case, a leading @ and an e-mail domain do not matter when matching people and teams."""
    text = re.sub(r"\s+", " ", text.strip().lower())
    text = text.lstrip("@")
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        text = text.split("@", 1)[0]
    return text


def _build_people(raw: Any, problems: list[str]) -> dict[str, Person]:
    people: dict[str, Person] = {}
    seen: dict[str, str] = {}
    if not isinstance(raw, dict):
        problems.append("[people] must be a table of people")
        return people
    for handle, table in raw.items():
        values = _section(f'people."{handle}"', table, schema.PERSON, problems)
        person = Person(handle=handle, **_tuples(values))
        people[handle] = person
        for alias in person_keys(person):
            owner = seen.setdefault(alias, handle)
            if owner != handle:
                problems.append(
                    f'[people."{handle}"] aliases: {alias!r} also names {owner!r}; names must be unique'
                )
    return people


def person_keys(person: Person) -> set[str]:
    """Every normalised name that resolves to this person."""
    raw = [person.handle, person.github, person.email, person.name, *person.aliases]
    if person.jira and not re.fullmatch(r"[0-9a-f:\-]{20,}", person.jira):
        raw.append(person.jira)  # a DC username reads like a name; a Cloud accountId never appears in docs
    return {normalise_name(value) for value in raw if value}


def _build_teams(
    raw: Any, people: dict[str, Person], targets: dict[str, Target], problems: list[str]
) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    if not isinstance(raw, dict):
        problems.append("[teams] must be a table of teams")
        return teams
    for name, table in raw.items():
        where = f"teams.{name}"
        values = _section(where, table, schema.TEAM, problems)
        team = Team(name=name, **_tuples(values))
        for member in team.members:
            if member not in people:
                problems.append(f"[{where}] members: {member!r} is not in [people]")
        if team.default_assignee and team.default_assignee not in people:
            problems.append(f"[{where}] default_assignee: {team.default_assignee!r} is not in [people]")
        if team.target and team.target not in targets:
            problems.append(f"[{where}] target: unknown target {team.target!r}")
        teams[name] = team
    return teams


def _fingerprint(data: dict[str, Any]) -> str:
    """A stable hash of the effective configuration, recorded per run to notice drift between hosts."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def config_from_text(text: str, path: Path | None = None) -> Config:
    """Build a Config from TOML text (tests and `tracker init`); raises ConfigError like a file would."""
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}") from None
    config = _build(data, path, (), problems)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the configuration", problems=problems)
    return config


# Keys whose 0 or negative value breaks a run: a zero lease lets parallel first syncs collide, a zero
# timeout or budget stops every request. Other counts only need to be 0 or more.
_POSITIVE = {
    "database": ("busy_timeout_ms",),
    "sync": ("lease_seconds", "request_timeout_seconds"),
    "targets": ("creates_per_minute", "creates_per_hour"),
}
_NOT_NEGATIVE = {
    "sync": ("verify_interval_minutes", "assignment_days"),
    "report": ("stale_sync_hours",),
    "remind": ("before_days", "every_days", "escalate_after_days"),
    "lint": ("max_items", "far_deadline_days", "max_title_words", "no_link_days", "stale_days"),
}


def _check_reserve(value: str | int, problems: list[str]) -> None:
    from tracker.backends.reserve import parse_reserve

    try:
        parse_reserve(value)
    except ValueError as exc:
        problems.append(f"[sync] rate_reserve: {exc}")


def _check_ranges(sections: dict[str, dict[str, Any]], problems: list[str]) -> None:
    for section, keys in _POSITIVE.items():
        for key in keys:
            value = sections.get(section, {}).get(key)
            if isinstance(value, int) and value <= 0:
                problems.append(f"[{section}] {key}: must be more than 0, got {value}")
    for section, keys in _NOT_NEGATIVE.items():
        for key in keys:
            value = sections[section].get(key)
            if isinstance(value, int) and value < 0:
                problems.append(f"[{section}] {key}: must be 0 or more, got {value}")


def _check_target_values(where: str, values: dict[str, Any], url_key: str, problems: list[str]) -> None:
    """A target's URL must be http(s) with a host, and its budgets positive, before any client sees them."""
    from urllib.parse import urlsplit

    url = values.get(url_key)
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                f"[{where}] {url_key}: must be an http:// or https:// URL with a host, got {url!r}"
            )
    for key in _POSITIVE["targets"]:
        value = values.get(key)
        if isinstance(value, int) and value <= 0:
            problems.append(f"[{where}] {key}: must be more than 0, got {value}")
