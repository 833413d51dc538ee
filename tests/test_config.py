"""Config lookup order, includes, validation of every key at once, people resolution."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracker.config import config_from_text, load_config
from tracker.errors import ConfigError
from tracker.people import OwnerKind, OwnerResolver

VALID = """
[org]
timezone = "Europe/Berlin"

[targets.platform]
kind = "github"
repo = "acme/platform"
token_env = "GITHUB_TOKEN"

[targets.ops]
kind = "jira"
url = "https://acme.atlassian.net"
project = "OPS"
email_env = "JIRA_EMAIL"
token_env = "JIRA_TOKEN"

[routing]
default = "platform"

[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
email = "dana@corp.example"
aliases = ["@dana", "Dana W."]

[people."alex"]
name = "Alex Moreau"
github = "amoreau"

[teams.platform]
members = ["dana", "alex"]
default_assignee = "dana"
aliases = ["@platform-eng"]
"""


def test_lookup_order(workdir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    assert load_config().path is None  # nothing anywhere: defaults
    user = tmp_path / "xdg-config" / "tracker" / "tracker.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[org]\ntimezone = "Asia/Tokyo"\n')
    assert load_config().org.timezone == "Asia/Tokyo"
    (workdir / "tracker.toml").write_text('[org]\ntimezone = "Europe/Paris"\n')
    assert load_config().org.timezone == "Europe/Paris"
    env_file = tmp_path / "env.toml"
    env_file.write_text('[org]\ntimezone = "America/Chicago"\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(env_file))
    assert load_config().org.timezone == "America/Chicago"
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[org]\ntimezone = "Africa/Cairo"\n')
    assert load_config(str(explicit)).org.timezone == "Africa/Cairo"


def test_every_problem_reported_at_once():
    text = """
colour = "blue"
[org]
timezone = "Mars/Base"
review_after_days = "two weeks"
[targets.gh]
kind = "github"
repo = "not a repo"
[targets.j]
kind = "jira"
url = "https://x.atlassian.net"
[routing]
default = "nowhere"
[people."a"]
githubb = "a"
[teams.t]
members = ["ghost"]
"""
    with pytest.raises(ConfigError) as caught:
        config_from_text(text)
    problems = "\n".join(caught.value.problems)
    for needle in [
        "[top level] colour: unknown key",
        "[org] timezone: unknown time zone 'Mars/Base'",
        "[org] review_after_days: expected int",
        "[targets.gh] repo: expected owner/name",
        "[targets.gh] token_env: required",
        "[targets.j] project: required",
        "[targets.j] email_env: required",
        "[routing] default: unknown target 'nowhere'",
        "[people.\"a\"] githubb: unknown key (did you mean 'github'?)",
        "[teams.t] members: 'ghost' is not in [people]",
    ]:
        assert needle in problems, needle


def test_literal_secret_refused_and_never_echoed():
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    with pytest.raises(ConfigError) as caught:
        config_from_text(f'[targets.gh]\nkind = "github"\nrepo = "a/b"\ntoken_env = "{token}"\n')
    text = str(caught.value) + "\n".join(caught.value.problems)
    assert "literal credential" in text and token not in text
    with pytest.raises(ConfigError) as caught:
        config_from_text('[targets.gh]\nkind = "github"\nrepo = "a/b"\ntoken = "x"\n')
    assert any("secrets never go in the config file" in p for p in caught.value.problems)


def test_includes_merge_people_from_other_files(workdir: Path):
    (workdir / "people").mkdir()
    (workdir / "people" / "platform.toml").write_text('[people."dana"]\nname = "Dana Whitfield"\n')
    (workdir / "people" / "payments.toml").write_text('[people."lee"]\nname = "Lee Park"\n')
    (workdir / "tracker.toml").write_text('include = ["people/*.toml"]\n[org]\ntimezone = "UTC"\n')
    config = load_config()
    assert set(config.people) == {"dana", "lee"}
    assert len(config.files) == 3


def test_include_redefining_a_key_is_an_error(workdir: Path):
    (workdir / "more.toml").write_text('[org]\ntimezone = "UTC"\n')
    (workdir / "tracker.toml").write_text('include = ["more.toml"]\n[org]\ntimezone = "Europe/Berlin"\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert any("[org.timezone] is already defined" in p for p in caught.value.problems)


def test_group_writable_config_warns(workdir: Path):
    path = workdir / "tracker.toml"
    path.write_text("[org]\n")
    os.chmod(path, 0o666)
    assert any("writable by others" in w for w in load_config().warnings)


def test_people_resolution_is_exact_after_normalising():
    resolver = OwnerResolver(config_from_text(VALID))
    for text in [
        "@dana",
        "DANA",
        "Dana Whitfield",
        "dana@corp.example",
        "dana@other.example",
        "@Dana-W",
        "dana w.",
    ]:
        resolution = resolver.resolve(text)
        assert resolution.kind is OwnerKind.PERSON and resolution.person == "dana", text
    assert resolver.resolve("@platform-eng").kind is OwnerKind.TEAM
    assert resolver.resolve("@platform-eng").team == "platform"
    unknown = resolver.resolve("Dana Whitfeld")  # a typo is never resolved, only suggested
    assert unknown.kind is OwnerKind.UNKNOWN and unknown.suggestions == ("dana",)
    assert resolver.resolve("@acme/sre").kind is OwnerKind.TEAM
    assert resolver.resolve("SRE team").kind is OwnerKind.TEAM
    assert resolver.resolve("TBD").kind is OwnerKind.NONE
    assert resolver.resolve(None).kind is OwnerKind.NONE


def test_duplicate_alias_across_people_is_an_error():
    with pytest.raises(ConfigError) as caught:
        config_from_text('[people."a"]\naliases = ["@sam"]\n[people."b"]\naliases = ["sam"]\n')
    assert any("also names" in p for p in caught.value.problems)


def test_broken_config_through_cli(run_cli, make_config):
    make_config('[org]\ntimezone = 5\n[sync]\nmax_creates = "lots"\n')
    result = run_cli("list")
    assert result.exit_code == 2
    assert "[org] timezone: expected str" in result.stderr
    assert "[sync] max_creates: expected int" in result.stderr
    assert "Traceback" not in result.stderr


def test_example_config_is_generated_from_the_schema():
    """config.example.toml is what tracker/config_example.py prints: regenerate it after a schema change."""
    from tracker.config_example import render

    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    assert example.read_text(encoding="utf-8") == render(), (
        "config.example.toml is out of date: run `python -m tracker.config_example > config.example.toml`"
    )
    config = config_from_text(render())
    assert config.targets and config.people and config.teams and config.notify


def test_example_shows_every_key_with_its_help_and_default():
    """Each schema table is shown in full once; each key's line carries its help and, when the example
    value differs, the default."""
    from tracker.config_example import _SHOWN, render, schema_class, toml_value
    from tracker.config_keys import keys_of
    from tracker.config_schema import NAMED, SECTIONS, Files

    classes = {*SECTIONS.values(), *(cls for kinds in NAMED.values() for cls in kinds.values())}
    full = {table: schema_class(section) for table, section, values in _SHOWN if values is None}
    assert set(full.values()) == classes
    tables: dict[str, list[str]] = {"": []}
    current = ""
    for line in render().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            tables[current] = []
        else:
            tables[current].append(line)
    for table, cls in [("", Files), *full.items()]:
        text = "\n".join(tables[table])
        for key in keys_of(cls).values():
            at = text.find(f"{key.name} = ")
            assert at >= 0, f"[{table}] {key.name} is not shown"
            assert key.help in text, f"[{table}] {key.name}: its help is not beside it"
            default = "unset" if key.default is None else toml_value(key.default)
            shown = key.shown if key.name != "kind" else key.default
            assert key.required or f"(default: {default})" in text or toml_value(shown) == default, (
                f"[{table}] {key.name}: default {default} not shown"
            )


def test_every_kind_of_key_is_checked_from_its_type():
    text = """
sycn = 1
[sync]
hold = "x"
default_deadline_days = { critical = "soon" }
conflict_policy = "mine"
max_creates = -1
lease_seconds = 0
[lint]
rules = { owner-missing = 3 }
[notify.n]
kind = "email"
smtp_host = "smtp.example"
timeout_seconds = 0
"""
    with pytest.raises(ConfigError) as caught:
        config_from_text(text)
    problems = "\n".join(caught.value.problems)
    for needle in [
        "[top level] sycn: unknown key (did you mean 'sync'?)",
        "[sync] hold: expected list[str], got str 'x'",
        "[sync] default_deadline_days: expected dict[str,int]",
        "[sync] conflict_policy: must be one of remote, local, got 'mine'",
        "[sync] max_creates: must be 0 or more, got -1",
        "[sync] lease_seconds: must be more than 0, got 0",
        "[lint] rules: expected dict[str,str]",
        "[notify.n] from: required (sender address)",
        "[notify.n] timeout_seconds: must be more than 0, got 0",
    ]:
        assert needle in problems, needle
    with pytest.raises(ConfigError) as caught:
        config_from_text('org = "x"\n')
    assert caught.value.problems == ["[top level] org: expected table, got str 'x'"]  # said once


def test_schema_defaults_are_the_dataclass_defaults():
    """A config with no keys at all is the dataclasses' defaults: there is no second list of them."""
    from tracker.config_schema import SyncConfig

    config = config_from_text("")
    assert config.sync == SyncConfig()
    assert config.sync.bot_logins == ("stale[bot]", "github-actions[bot]") and config.org.timezone == "UTC"
