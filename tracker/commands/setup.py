"""Setting up: `init` (starter config and database), `db upgrade` / `db current`, and `people`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracker.app import AppContext
from tracker.cli import SuggestingGroup
from tracker.output import echo, to_json

STARTER_CONFIG = """\
# tracker configuration. Every key is documented in config.example.toml.
# Secrets never go here: name the environment variable that holds them (token_env = "GITHUB_TOKEN").

[database]
path = "tracker.db"          # SQLite beside this file; or url = "postgresql+psycopg://user@host/db"

[org]
timezone = "{timezone}"
review_after_days = 14       # follow-up review = incident date + 14 days when the document names none

# [targets.platform]
# kind = "github"
# repo = "acme/platform"
# token_env = "GITHUB_TOKEN"
#
# [routing]
# default = "platform"
#
# [people."dana"]
# name = "Dana Whitfield"
# github = "dana-w"
# email = "dana@acme.example"
# aliases = ["@dana"]
"""


def _local_timezone() -> str:
    import os

    tz = os.environ.get("TZ")
    if tz and "/" in tz:
        return tz
    try:
        link = Path("/etc/localtime").resolve()
        parts = link.parts
        if "zoneinfo" in parts:
            return "/".join(parts[parts.index("zoneinfo") + 1 :])
    except OSError:
        pass
    return "UTC"


@click.command("init")
@click.option(
    "--path",
    "config_file",
    default="tracker.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the config (never over an existing file).",
)
@click.pass_obj
def init_cmd(app: AppContext, config_file: str) -> None:
    """Write a starter tracker.toml (never overwrites one) and create the database.

    Example: tracker init && tracker add "Add index on orders.customer_id" -p inc-214
    """
    from tracker.config import load_config_file

    path = Path(config_file)
    if app.config_path is None and path.exists():
        echo(f"{path} exists; keeping it")
    elif app.config_path is None:
        try:
            path.write_text(STARTER_CONFIG.format(timezone=_local_timezone()), encoding="utf-8")
        except OSError as exc:
            from tracker.errors import ConfigError

            raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
        echo(f"wrote {path}")
    if app.config_path is None:
        # The new file is the config of this invocation from now on.
        app._config = load_config_file(path)
        app.__dict__.pop("database_url", None)
    from tracker.db import describe_url

    existed = app.database_exists()
    if existed:
        app.ensure_database(create=True)
        echo(f"database ready: {describe_url(app.database_url)}")
    else:
        app.ensure_database(create=True)  # says "created database: PATH"


@click.group("db", cls=SuggestingGroup)
def db_group() -> None:
    """Database schema: show the revision or upgrade it.

    Example: tracker db current
    """


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade_cmd(app: AppContext) -> None:
    """Bring the database schema to this version of tracker (back it up first).

    Example: cp tracker.db tracker.db.bak && tracker db upgrade
    """
    from tracker.db import describe_url, schema_state, sqlite_path, upgrade
    from tracker.errors import DatabaseError

    path = sqlite_path(app.database_url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    state = schema_state(app.engine)
    if not state.known:
        raise DatabaseError(
            f"the database is at revision {state.current}, newer than this tracker (head {state.head})",
            hint="upgrade tracker on this host instead",
        )
    if state.is_current:
        echo(f"already at head ({state.head}): {describe_url(app.database_url)}")
        return
    upgrade(app.engine, timezone=app.config.org.timezone)
    echo(f"upgraded {describe_url(app.database_url)}: {state.current or 'empty'} -> {state.head}")


@db_group.command("current")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def db_current_cmd(app: AppContext, fmt: str) -> None:
    """Show the database URL, its schema revision and whether it is current.

    Example: tracker db current --format json
    """
    from tracker.db import describe_url, schema_state, sqlite_path
    from tracker.errors import DatabaseError

    path = sqlite_path(app.database_url)
    if path is not None and not path.exists():
        raise DatabaseError(f"no database at {path}", hint="run `tracker init` or `tracker db upgrade`")
    state = schema_state(app.engine)
    status = "current" if state.is_current else ("ahead" if not state.known else "behind")
    data = {
        "url": describe_url(app.database_url),
        "revision": state.current,
        "head": state.head,
        "status": status,
    }
    if fmt == "json":
        echo(to_json(data))
    else:
        echo(f"{data['url']}\nrevision {state.current or 'none'} (head {state.head}): {status}")


@click.command("people")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "text", "json", "csv"]), default="table", show_default=True
)
@click.pass_obj
def people_cmd(app: AppContext, fmt: str) -> None:
    """List every owner named in the database and what it resolves to.

    Example: tracker people --format json
    """
    from sqlalchemy import func, select

    from tracker.models import ActionItem

    with app.session() as session:
        counts = session.execute(
            select(ActionItem.owner_text, func.count())
            .where(ActionItem.owner_text.is_not(None), ActionItem.removed_at.is_(None))
            .group_by(ActionItem.owner_text)
            .order_by(ActionItem.owner_text)
        ).all()
    rows: list[dict[str, Any]] = []
    for owner, count in counts:
        resolution = app.resolver.resolve(owner)
        person = app.resolver.person(resolution.person)
        rows.append(
            {
                "owner": owner,
                "items": count,
                "kind": resolution.kind.value,
                "person": resolution.person,
                "team": resolution.team,
                "github": person.github if person else None,
                "jira": person.jira if person else None,
                "suggestions": list(resolution.suggestions),
            }
        )
    if fmt == "json":
        echo(to_json(rows))
        return
    if fmt == "csv":
        from tracker.table import to_csv

        columns = list(PEOPLE_COLUMNS)
        echo(to_csv([[r[c] for c in columns] for r in rows], columns).rstrip("\n"))
        return
    if not rows:
        echo("no owners in the database yet")
        return
    from tracker.table import echo_table

    echo_table(
        [
            [
                r["owner"],
                r["items"],
                r["kind"],
                r["person"] or r["team"],
                ("did you mean " + ", ".join(r["suggestions"]) + "?") if r["suggestions"] else None,
            ]
            for r in rows
        ],
        ["owner", "items", "resolves to", "who", "note"],
        shrink=("note", "who"),
    )


PEOPLE_COLUMNS = ("owner", "items", "kind", "person", "team", "github", "jira", "suggestions")
