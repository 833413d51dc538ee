"""Lost and stale state: a deleted database, an older copy restored, a second copy on another host."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI
from ops_support import (
    REPO,
    github_config,
    github_markers,
    jira_config,
    jira_markers,
    link_rows,
    start_github,
    start_jira,
    write_items,
)


@dataclass
class Remote:
    """One fake behind a uniform face: its config, its issues per marker, and a person closing one."""

    name: str
    config: Callable[[], str]
    markers: Callable[[], Any]
    close: Callable[[str, int | None], None]  # (remote id, number)


@pytest.fixture(params=["github", "jira"])
def remote(request, monkeypatch) -> Iterator[Remote]:
    if request.param == "github":
        gh = start_github(monkeypatch)

        def close_gh(_rid: str, number: int | None) -> None:
            assert number is not None
            gh.close_issue(REPO, number, "completed", actor="dana-w")

        yield Remote("gh", lambda: github_config(gh.api_url), lambda: github_markers(gh), close_gh)
        gh.stop()
    else:
        jira = start_jira(monkeypatch)
        yield Remote(
            "ops",
            lambda: jira_config(jira),
            lambda: jira_markers(jira),
            lambda rid, _n: jira.person().transition(rid, "Done") and None,
        )
        jira.stop()


def host(workdir: Path, name: str, remote: Remote) -> tuple[CLI, Path, str]:
    """A "host": its own folder, config and SQLite file, against the same remote."""
    folder = workdir / name
    folder.mkdir()
    db = folder / "tracker.db"
    config = folder / "tracker.toml"
    config.write_text(f'[database]\npath = "{db}"\n' + remote.config(), encoding="utf-8")
    return CLI(lambda: config), db, f"sqlite:///{db}"


def no_duplicates(remote: Remote, expected: int) -> None:
    markers = remote.markers()
    assert len(markers) == expected and all(n == 1 for n in markers.values()), markers


def done_items(cli: CLI) -> set[str]:
    import json

    rows = json.loads(cli.ok("list", "--format", "json").stdout)
    return {row["title"] for row in rows if row["status"] == "done"}


def test_deleted_database_is_refused_then_adopt_relinks(remote, workdir):
    cli, db, url = host(workdir, "a", remote)
    docs = workdir / "pm"
    cli.ok("import", str(write_items(docs, 4)))
    cli.ok("sync", "--yes")
    db.unlink()
    missing = cli("sync", "--yes")
    assert missing.exit_code == 2 and "database" in missing.stderr  # never starts over silently
    cli.ok("import", str(docs))  # the documents are the source: a new database from them
    refused = cli("sync", "--yes")
    assert refused.exit_code == 1 and f"tracker adopt {remote.name}" in refused.output
    no_duplicates(remote, 4)
    assert "4 issue(s) adopted" in cli.ok("adopt", remote.name).stdout
    cli.ok("sync", "--yes")
    no_duplicates(remote, 4)
    assert {r.state for r in link_rows(url)} == {"linked"} and len(link_rows(url)) == 4


def test_restored_older_copy_adopts_by_marker_and_loses_nothing(remote, workdir):
    cli, db, url = host(workdir, "a", remote)
    docs = workdir / "pm"
    cli.ok("import", str(write_items(docs, 3)))
    cli.ok("sync", "--yes")
    backup = workdir / "backup.db"
    shutil.copy(db, backup)
    cli.ok("import", str(write_items(docs, 3, slug="inc-later", start=10)))
    cli.ok("sync", "--yes")
    first = link_rows(url)[0]
    remote.close(first.remote_id, first.remote_number)  # a person closes one after the backup
    cli.ok("sync", "--yes")
    closed = done_items(cli)
    assert len(closed) == 1
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, db)  # restore the older copy
    cli.ok("import", str(docs))  # items added after the backup come back from their documents
    summary = cli.ok("sync", "--yes", "--format", "json").stdout
    assert '"adopted": 3' in summary
    no_duplicates(remote, 6)
    assert {r.state for r in link_rows(url)} == {"linked"} and len(link_rows(url)) == 6
    assert done_items(cli) == closed  # the remote close is pulled again: nothing lost


def test_a_second_copy_on_another_host_makes_no_duplicate(remote, workdir):
    a, db_a, _url_a = host(workdir, "host-a", remote)
    docs = workdir / "pm"
    a.ok("import", str(write_items(docs, 3)))
    a.ok("sync", "--yes")
    b, db_b, url_b = host(workdir, "host-b", remote)
    shutil.copy(db_a, db_b)  # someone copied the database to a second cron host
    new = write_items(docs, 4, slug="inc-next", start=20)
    a.ok("import", str(new))
    b.ok("import", str(new))
    a.ok("sync", "--yes")
    out = b.ok("sync", "--yes", "--format", "json").stdout
    assert '"created": 0' in out and '"adopted": 4' in out
    no_duplicates(remote, 7)
    first = link_rows(url_b)[0]
    remote.close(first.remote_id, first.remote_number)
    a.ok("sync", "--yes")
    b.ok("sync", "--yes")
    assert len(done_items(a)) == 1 and done_items(a) == done_items(b)
    no_duplicates(remote, 7)


def test_check_warns_when_hosts_run_different_configs(remote, workdir):
    a, db, _url = host(workdir, "host-a", remote)
    a.ok("import", str(write_items(workdir / "pm", 1)))
    a.ok("sync", "--yes")
    assert "differs from the one the last sync ran with" not in a.ok("check").output
    b_dir = workdir / "host-b"
    b_dir.mkdir()
    other = b_dir / "tracker.toml"  # the same database, an edited config (another host, or a local edit)
    other.write_text(
        f'[database]\npath = "{db}"\n' + remote.config().replace("verify_slice = 3", "verify_slice = 7")
    )
    result = CLI(lambda: other)("check", "--format", "json")
    assert "differs from the one the last sync ran with" in result.stdout, result.output
