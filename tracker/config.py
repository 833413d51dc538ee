"""Find tracker.toml, merge its includes, validate every key at once, and build frozen dataclasses."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.config_keys import check_env_names, check_table
from tracker.config_schema import (
    NAMED,
    SECTIONS,
    DatabaseConfig,
    Files,
    GitHubTarget,
    ImportConfig,
    JiraTarget,
    LintConfig,
    OrgConfig,
    Person,
    RemindConfig,
    ReportConfig,
    RoutingConfig,
    RoutingRule,
    SyncConfig,
    Target,
    Team,
)
from tracker.config_secrets import (
    DATABASE_ENV as DATABASE_ENV,  # db.py reads it from here
)
from tracker.config_secrets import (
    find_literal_secrets,
    permission_warnings,
    readable_password_warnings,
)
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from tracker.notify.channels import NotifyChannel

# The table dataclasses are declared in config_schema.py; the rest of tracker imports them from here.

CONFIG_ENV = "TRACKER_CONFIG"
CONFIG_NAME = "tracker.toml"


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; `path` is None when no file was found (defaults only)."""

    path: Path | None = None
    files: tuple[Path, ...] = ()
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    org: OrgConfig = field(default_factory=OrgConfig)
    targets: dict[str, Target] = field(default_factory=dict)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    lint: LintConfig = field(default_factory=LintConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    remind: RemindConfig = field(default_factory=RemindConfig)
    notify: dict[str, NotifyChannel] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    fingerprint: str = ""
    importing: ImportConfig = field(default_factory=ImportConfig)

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
        warnings.extend(permission_warnings(file))
    warnings.extend(readable_password_warnings(files, data))
    config = _build(data, path, tuple(files), problems)
    if problems:
        raise ConfigError(
            f"{path}: {len(problems)} problem(s) in the configuration",
            hint="fix each key listed above; `config.example.toml` documents every key",
            problems=problems,
        )
    return Config(**{**config.__dict__, "warnings": tuple(warnings)})


def _build(data: dict[str, Any], path: Path | None, files: tuple[Path, ...], problems: list[str]) -> Config:
    find_literal_secrets(data, "", problems)
    check_table("top level", data, Files, problems, tables=(*SECTIONS, *NAMED))
    sections = {name: check_table(name, _table(data, name), cls, problems) for name, cls in SECTIONS.items()}

    org = OrgConfig(**sections["org"])
    try:
        ZoneInfo(org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"[org] timezone: unknown time zone {org.timezone!r} (use an IANA name such as Europe/Berlin)"
        )
        org = replace(org, timezone="UTC")

    targets = _build_targets(_table(data, "targets"), problems)
    people = _build_people(_table(data, "people"), problems)
    teams = _build_teams(_table(data, "teams"), people, targets, problems)
    for person in people.values():
        if person.team and person.team not in teams:
            problems.append(f'[people."{person.handle}"] team: unknown team {person.team!r}')

    routing_values = sections["routing"]
    rules = []
    for index, raw in enumerate(routing_values["rules"]):
        rule = check_table(f"routing.rules[{index}]", raw, RoutingRule, problems)
        if rule["target"] and rule["target"] not in targets:
            problems.append(f"[routing.rules[{index}]] target: unknown target {rule['target']!r}")
        rules.append(RoutingRule(**rule))
    routing = RoutingConfig(**{**routing_values, "rules": tuple(rules)})
    if routing.default and routing.default not in targets:
        problems.append(
            f"[routing] default: unknown target {routing.default!r} (known: {', '.join(targets) or 'none'})"
        )

    from tracker.notify.channels import build_channels

    notify = build_channels(_table(data, "notify"), problems)
    remind = RemindConfig(**sections["remind"])
    for name in remind.notify:
        if name not in notify:
            problems.append(
                f"[remind] notify: unknown channel {name!r} (known: {', '.join(notify) or 'none'})"
            )
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
        sync=SyncConfig(**sections["sync"]),
        report=_report_config(sections["report"]),
        remind=remind,
        notify=notify,
        fingerprint=_fingerprint(data),
        importing=ImportConfig(**sections["import"]),
    )


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A top-level table; one that is not a table was reported by the top-level check already."""
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _report_config(values: dict[str, Any]) -> ReportConfig:
    """Severities are stored lower case, so the aliases are matched and applied lower case too."""
    aliases = {str(k).strip().lower(): str(v).strip().lower() for k, v in values["severity_aliases"].items()}
    return ReportConfig(**{**values, "severity_aliases": aliases})


def _build_targets(raw: Any, problems: list[str]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    if not isinstance(raw, dict):
        problems.append("[targets] must be a table of named targets")
        return targets
    for name, table in raw.items():
        where = f"targets.{name}"
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind == "github":
            values = check_table(where, table, GitHubTarget, problems)
            check_env_names(where, values, problems)
            if values["repo"] and not re.fullmatch(r"[\w.-]+/[\w.-]+", values["repo"]):
                problems.append(f"[{where}] repo: expected owner/name, got {values['repo']!r}")
            if not values["token_env"] and not values["app_id"]:
                problems.append(
                    f"[{where}] token_env: required (or app_id + installation_id + private_key_path)"
                )
            _check_target_values(where, values, "api_url", problems)
            targets[name] = GitHubTarget(name=name, **values)
        elif kind == "jira":
            values = check_table(where, table, JiraTarget, problems)
            check_env_names(where, values, problems)
            if not values["token_env"]:
                problems.append(f"[{where}] token_env: required")
            if values["flavor"] == "cloud" and not values["email_env"]:
                problems.append(f'[{where}] email_env: required for flavor = "cloud"')
            _check_target_values(where, values, "url", problems)
            targets[name] = JiraTarget(name=name, **values)
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
        values = check_table(f'people."{handle}"', table, Person, problems)
        person = Person(handle=handle, **values)
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
        values = check_table(where, table, Team, problems)
        team = Team(name=name, **values)
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


def _check_target_values(where: str, values: dict[str, Any], url_key: str, problems: list[str]) -> None:
    """A target's URL must be http(s) with a host before any client sees it."""
    from urllib.parse import urlsplit

    url = values.get(url_key)
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                f"[{where}] {url_key}: must be an http:// or https:// URL with a host, got {url!r}"
            )
