"""Write config.example.toml from the schema: every key with its help, default and an example value.

Run `python -m tracker.config_example > config.example.toml` after changing tracker/config_schema.py;
tests/test_config.py fails while the committed file differs from what this prints.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from tracker.config_keys import Key, keys_of
from tracker.config_schema import NAMED, SECTIONS, Files

# The tables the example shows, in order: (TOML table, dataclass, values for this table). A table
# with values=None shows every key of its class (the schema's example, else the default); a table
# given values shows only those (a second person, a second Slack channel). Every class in
# config_schema.SECTIONS and NAMED must be shown in full once (tests/test_config.py checks).
_SHOWN: list[tuple[str, str, dict[str, Any] | None]] = [
    ("database", "database", None),
    ("org", "org", None),
    ("targets.platform", "targets.github", None),
    ("targets.ops", "targets.jira", None),
    ("routing", "routing", None),
    ('people."dana"', "people", None),
    ('people."lee"', "people", {"name": "Lee Park", "github": "leepark", "email": "lee@acme.example"}),
    ("teams.platform", "teams", None),
    ("lint", "lint", None),
    ("sync", "sync", None),
    ("report", "report", None),
    ("remind", "remind", None),
    ("notify.team-slack", "notify.slack", None),
    ("notify.slack-bot", "notify.slack", {"token_env": "SLACK_BOT_TOKEN", "channel": "C0123FOLLOW"}),
    ("notify.managers-teams", "notify.teams", None),
    ("notify.managers-mail", "notify.email", None),
    ("import", "import", None),
]
_COMMENT_COLUMN = 38
_WIDTH = 110
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def schema_class(section: str) -> type:
    """`sync` -> SyncConfig, `targets.jira` -> JiraTarget, `people` -> Person."""
    name, _, kind = section.partition(".")
    if name in SECTIONS:
        return SECTIONS[name]
    return NAMED[name][kind or None]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        pairs = [f"{k if _BARE_KEY.match(k) else json.dumps(k)} = {toml_value(v)}" for k, v in value.items()]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, dict) for v in value):
            return "[\n" + "".join(f"  {toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _comment(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in text.strip().splitlines()]


def _docstring(cls: type) -> str:
    """The class docstring written for users; dataclass's generated signature does not count."""
    doc = cls.__doc__ or ""
    return "" if doc.startswith(f"{cls.__name__}(") else inspect.cleandoc(doc)


def _key_lines(key: Key, value: Any, commented: bool = False) -> list[str]:
    lines = _comment(key.note) if key.note else []
    if value is None:
        raise ValueError(f"{key.name}: give the key an example= so config.example.toml can show it")
    assignment = f"{'# ' if commented else ''}{key.name} = {toml_value(value)}"
    if key.required:
        suffix = " (required)"
    elif value != key.default and not (isinstance(key.default, tuple) and list(key.default) == value):
        suffix = f" (default: {'unset' if key.default is None else toml_value(key.default)})"
    else:
        suffix = ""
    comment = f"# {key.help}{suffix}"
    line = f"{assignment.ljust(_COMMENT_COLUMN - 1)} {comment}"
    if "\n" in assignment or len(line) > _WIDTH:
        return [*lines, comment, assignment]  # too long for one line: the comment goes above
    return [*lines, line]


def render() -> str:
    """The whole example file."""
    out = _comment(_docstring(Files))
    for key in keys_of(Files).values():
        out += ["", *_key_lines(key, key.shown)]
    described: set[type] = set()
    for table, section, values in _SHOWN:
        cls = schema_class(section)
        out.append("")
        if cls not in described and _docstring(cls):
            out += _comment(_docstring(cls))
        described.add(cls)
        out.append(f"[{table}]")
        kind = section.partition(".")[2]
        for key in keys_of(cls).values():
            if key.name == "kind" and kind:
                out += _key_lines(key, kind)
            elif values is None:
                out += _key_lines(key, key.shown, key.commented)
            elif key.name in values:
                out += _key_lines(key, values[key.name])
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
