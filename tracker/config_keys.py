"""How a config key is declared (`key()` on a dataclass field) and checked: type, choices, limits, messages."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

_NO_EXAMPLE: Any = object()

# Key names that would hold a secret: the file must name an environment variable instead.
SECRET_KEYS = {"token", "password", "api_token", "secret", "pat", "private_key", "apikey", "api_key"}
SECRET_KEYS |= {"webhook_url", "webhook"}  # [notify.NAME] takes webhook_url_env


def key(
    default: Any = dataclasses.MISSING,
    help: str = "",
    *,
    minimum: int | None = None,
    example: Any = _NO_EXAMPLE,
    note: str = "",
    commented: bool = False,
    toml: str | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """A config key as a dataclass field. No default means required. `help` is the one line shown in
    errors and beside the key in config.example.toml; `note` adds lines above it there; `example` is
    the value the example file shows (else the default), on a commented-out line when `commented`
    (an alternative to another key); `minimum` is checked with a message naming
    the key; `toml` is the key's name in the file when it is not a Python name (`from`); `check` returns what is
    wrong with a value of the right type, or None."""
    metadata = {"help": help, "minimum": minimum, "example": example, "note": note, "toml": toml}
    metadata["check"] = check
    metadata["commented"] = commented
    if isinstance(default, dict):
        return dataclasses.field(default_factory=lambda: dict(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def table_name() -> Any:
    """The field holding a named table's name (`[targets.NAME]`): filled by the loader, not a key."""
    return dataclasses.field(metadata={"table_name": True})


@dataclass(frozen=True)
class Key:
    """One allowed key as derived from its field: what the loader checks and the example file shows."""

    name: str  # as written in the file
    attribute: str  # on the dataclass
    type: Any
    default: Any
    help: str
    required: bool
    minimum: int | None
    example: Any
    note: str
    commented: bool
    validator: Callable[[Any], str | None] | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        literal = next((t for t in _alternatives(self.type) if typing.get_origin(t) is Literal), None)
        return tuple(typing.get_args(literal)) if literal is not None else ()

    @property
    def kind(self) -> str:
        """The type as messages name it: str, int, bool, list[str], dict[str,int], list[table], ..."""
        return _kind(self.type)

    @property
    def shown(self) -> Any:
        """The value the example file shows: the example, else the default."""
        return self.default if self.example is _NO_EXAMPLE else self.example

    def check(self, value: Any) -> bool:
        return _matches(value, self.type)


@functools.cache
def keys_of(cls: type) -> dict[str, Key]:
    """Every key of one table, by its name in the file, in declaration order."""
    hints = typing.get_type_hints(cls)
    found = {}
    for item in dataclasses.fields(cls):
        meta = item.metadata
        if meta.get("table_name") or "help" not in meta:
            continue
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        else:
            default = None
        name = meta["toml"] or item.name
        found[name] = Key(
            name=name,
            attribute=item.name,
            type=hints[item.name],
            default=default,
            help=meta["help"],
            required=item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING,
            minimum=meta["minimum"],
            example=meta["example"],
            note=meta["note"],
            commented=meta["commented"],
            validator=meta.get("check"),
        )
    return found


def _alternatives(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return tuple(t for t in typing.get_args(hint) if t is not type(None))
    return (hint,)


def _kind(hint: Any) -> str:
    alternatives = _alternatives(hint)
    if len(alternatives) > 1:
        return "|".join(_kind(t) for t in alternatives)
    (main,) = alternatives
    origin, args = typing.get_origin(main), typing.get_args(main)
    if origin is Literal:
        return type(args[0]).__name__
    if origin is tuple:
        return "list[table]" if dataclasses.is_dataclass(args[0]) else f"list[{_kind(args[0])}]"
    if origin is dict:
        return f"dict[str,{'any' if args[1] is Any else _kind(args[1])}]"
    return "any" if main is Any else str(main.__name__)


def _matches(value: Any, hint: Any) -> bool:
    alternatives = _alternatives(hint)
    if len(alternatives) > 1:
        return any(_matches(value, t) for t in alternatives)
    (main,) = alternatives
    origin, args = typing.get_origin(main), typing.get_args(main)
    if origin is Literal:
        return isinstance(value, type(args[0]))  # the choice itself is checked with its own message
    if origin is tuple:
        if dataclasses.is_dataclass(args[0]):
            return isinstance(value, list) and all(isinstance(x, dict) for x in value)
        return isinstance(value, list) and all(_matches(x, args[0]) for x in value)
    if origin is dict:
        return isinstance(value, dict) and all(_matches(x, args[1]) for x in value.values())
    if main is Any:
        return True
    if main is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if main is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, main)


def _limit(key: Key, value: Any) -> str | None:
    if key.minimum is None or not isinstance(value, int) or value >= key.minimum:
        return None
    if key.minimum == 1:
        return f"must be more than 0, got {value}"
    return f"must be {key.minimum} or more, got {value}"


def check_table(
    where: str, table: Any, cls: type, problems: list[str], tables: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Validate one table against its dataclass; return values by attribute, defaults filled in,
    lists as tuples. Each problem names `[where] key`; unknown keys get a did-you-mean. `tables` are
    sub-tables checked by the caller (the top level's sections)."""
    spec = keys_of(cls)
    if not isinstance(table, dict):
        problems.append(f"[{where}] must be a table")
        return {k.attribute: k.default for k in spec.values()}
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name in tables:
            if not isinstance(value, dict):
                problems.append(f"[{where}] {name}: expected table, got {type(value).__name__} {value!r}")
            continue
        found = spec.get(name)
        if found is None:
            problems.append(_unknown(where, name, [*spec, *tables]))
            continue
        if not found.check(value):
            problems.append(f"[{where}] {name}: expected {found.kind}, got {type(value).__name__} {value!r}")
        elif found.choices and value not in found.choices:
            problems.append(f"[{where}] {name}: must be one of {', '.join(found.choices)}, got {value!r}")
        elif message := _limit(found, value) or (found.validator and found.validator(value)):
            problems.append(f"[{where}] {name}: {message}")
        else:
            convert = isinstance(value, list) and typing.get_origin(_alternatives(found.type)[0]) is tuple
            values[found.attribute] = tuple(value) if convert else value
    for name, found in spec.items():
        if found.attribute not in values:
            if found.required and name not in table:
                problems.append(f"[{where}] {name}: required ({found.help})")
            values[found.attribute] = found.default
    return values


def _unknown(where: str, name: str, known: list[str]) -> str:
    if name.lower() in SECRET_KEYS:
        return (
            f"[{where}] {name}: secrets never go in the config file; "
            f'name an environment variable instead ({name}_env = "MY_{name.upper()}")'
        )
    close = difflib.get_close_matches(name, known, n=1)
    suggestion = f" (did you mean '{close[0]}'?)" if close else ""
    return f"[{where}] {name}: unknown key{suggestion}"


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_env_names(where: str, values: dict[str, Any], problems: list[str]) -> None:
    """`*_env` keys name environment variables; a value that is not a name may be the secret itself."""
    for name, value in values.items():
        if name.endswith("_env") and isinstance(value, str) and value and not _ENV_NAME.match(value):
            problems.append(
                f"[{where}] {name}: must be the NAME of an environment variable (letters, digits, _), "
                "not the secret itself; its value is not shown here"
            )
            values[name] = "INVALID_NAME"
