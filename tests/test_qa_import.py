"""QA findings on import, through the real CLI: renamed and merged postmortems, hand-added items, stdin
slugs, dates from file names, lint's file selection, -q and --explain."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from test_import_support import counts, items, postmortem

DOC = """\
# Orders API outage

**Date**: {date}

## Action items

| Action item | Owner | Due | Status |
| --- | --- | --- | --- |
| Add an index on orders.customer_id | @dana | 2026-06-10 | Open |
| Add query performance tests to CI | @sam | 2026-07-15 | Open |
"""

OTHER = """\
# Queue backlog

## Action items

- Alert on queue depth above 10k (@lee, 2026-07-01)
"""


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check what imports store, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def slugs(run_cli) -> list[str]:
    return [p["slug"] for p in json.loads(run_cli.ok("postmortems", "--format", "json").stdout)]


def test_reimport_after_rename_updates_the_renamed_postmortem(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC.format(date="2026-06-01"))
    run_cli.ok("import", str(doc))
    before = {item.id for item in items(db_url, "orders")}
    run_cli.ok("postmortem", "rename", "orders", "orders-2026-06")
    doc.write_text(DOC.format(date="2026-06-01") + "| Page on 5xx above 1% | @lee | 2026-07-20 | Open |\n")
    result = run_cli.ok("import", str(doc))
    assert "imported as orders-2026-06" in result.stdout and "1 new, 0 updated, 2 unchanged" in result.stdout
    assert "orders is now orders-2026-06" in result.stdout
    assert slugs(run_cli) == ["orders-2026-06"]
    stored = items(db_url, "orders-2026-06")
    assert before < {item.id for item in stored} and len(stored) == 3


def test_another_file_with_the_old_slug_is_its_own_postmortem(run_cli, db_url, workdir):
    run_cli.ok("import", str(write(workdir, "orders.md", DOC.format(date="2026-06-01"))))
    run_cli.ok("postmortem", "rename", "orders", "orders-2026-06")
    other = write(workdir, "2027/orders.md", OTHER)
    result = run_cli.ok("import", str(other))
    assert "imported as orders (new postmortem)" in result.stdout
    assert sorted(slugs(run_cli)) == ["orders", "orders-2026-06"]


def test_reimport_after_merge_updates_the_merged_postmortem_and_keeps_its_items(run_cli, db_url, workdir):
    orders = write(workdir, "orders.md", DOC.format(date="2026-06-01"))
    queue = write(workdir, "queue.md", OTHER)
    run_cli.ok("import", str(orders), str(queue))
    run_cli.ok("postmortem", "merge", "orders", "queue", "--yes")
    orders.write_text(DOC.format(date="2026-06-01").replace("| 2026-07-15 | Open |", "| 2026-07-15 | Done |"))
    result = run_cli.ok("import", str(orders))
    assert "orders was merged into queue" in result.stdout
    assert "0 new, 1 updated, 1 unchanged, 0 removed" in result.stdout
    assert slugs(run_cli) == ["queue"]
    stored = {item.title: item.status for item in items(db_url, "queue")}
    assert stored == {
        "Alert on queue depth above 10k": "open",  # the other document's item is not removed
        "Add an index on orders.customer_id": "open",
        "Add query performance tests to CI": "done",
    }
    assert postmortem(db_url, "queue").title == "Queue backlog"


def test_items_added_by_hand_survive_a_reimport(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC.format(date="2026-06-01"))
    run_cli.ok("import", str(doc))
    run_cli.ok("add", "Write a runbook for failover", "-p", "orders", "-o", "@dana")
    result = run_cli.ok("import", str(doc))
    assert "0 removed" in result.stdout and "no longer in the document" not in result.stdout
    assert "Write a runbook for failover" in {item.title for item in items(db_url, "orders")}
    # A document item that leaves the document is still marked removed.
    doc.write_text(DOC.format(date="2026-06-01").rsplit("| Add query", 1)[0])
    assert "1 removed" in run_cli.ok("import", str(doc)).stdout


def test_stdin_without_a_slug_is_refused_and_writes_nothing(run_cli, db_url, workdir):
    run_cli.ok("import", str(write(workdir, "orders.md", DOC.format(date="2026-06-01"))))
    before = counts(db_url)
    summary = "# Summary\n\n## Action items\n\n- Add a canary stage (@lee)\n"
    result = run_cli("import", "-", input=summary)
    assert result.exit_code == 2
    assert "--slug" in result.stderr and "standard input" in result.stderr
    assert counts(db_url) == before
    front = "---\nslug: canary-2026\n---\n" + summary
    assert "imported as canary-2026" in run_cli.ok("import", "-", input=front).stdout
    assert "imported as summary-2" in run_cli.ok("import", "-", "--slug", "summary-2", input=summary).stdout


def test_incident_date_from_ordinal_dates_and_file_names(run_cli, db_url, workdir):
    folder = workdir / "pms"
    write(folder, "cheqd.md", DOC.format(date="30th January 2023\\"))
    write(folder, "american.md", DOC.format(date="January 30th, 2023"))
    write(folder, "edgi-2018-10-30-tls.md", DOC.replace("**Date**: {date}\n", ""))
    run_cli.ok("import", str(folder))
    assert postmortem(db_url, "cheqd").incident_date == date(2023, 1, 30)
    assert postmortem(db_url, "american").incident_date == date(2023, 1, 30)
    edgi = postmortem(db_url, "edgi-2018-10-30-tls")
    assert edgi.incident_date == date(2018, 10, 30)
    listed = json.loads(run_cli.ok("list", "--since", "2026-01-01", "--format", "json").stdout)
    assert not listed


def test_lint_folder_reads_what_import_reads(run_cli, workdir):
    folder = workdir / "pms"
    write(folder, "orders.md", DOC.format(date="2026-06-01"))
    write(folder, "README.md", "# Postmortems\n\n## Action items\n\n- Be more careful\n")
    result = run_cli("lint", str(folder))
    assert "README.md:" not in result.stdout
    assert f"skipped {folder / 'README.md'}: a README file, not a postmortem" in result.stderr
    imported = run_cli.ok("import", str(folder), "--dry-run")
    assert f"skipped {folder / 'README.md'}" in imported.stdout


def test_global_quiet_is_import_quiet(run_cli, workdir):
    doc = write(workdir, "orders.md", DOC.format(date="2026-06-01"))
    local = run_cli.ok("import", str(doc), "-q", "--dry-run").stdout
    assert run_cli.ok("-q", "import", str(doc), "--dry-run").stdout == local
    assert "Add an index" not in local and len(local.splitlines()) == 1


def test_explain_writes_nothing(run_cli, db_url, workdir):
    run_cli.ok("import", str(write(workdir, "queue.md", OTHER)))
    before = counts(db_url)
    result = run_cli.ok(
        "import", "--explain", str(write(workdir, "orders.md", DOC.format(date="2026-06-01")))
    )
    assert "would import as orders" in result.stdout and "sections:" in result.stdout
    assert counts(db_url) == before
    assert "dry run" in run_cli.ok("import", "--help").stdout.split("--explain", 1)[1].split("--")[0]


def test_rename_reimport_then_sync_creates_nothing_new(run_cli, make_config, workdir, monkeypatch):
    from tracker.sandbox.github import FakeGitHub

    monkeypatch.setenv("TRACKER_TEST_GH_TOKEN", "ghp_qa0123456789")
    with FakeGitHub() as fake:
        fake.add_repo("acme/platform", private=True)
        make_config(
            f'[org]\ntimezone = "UTC"\n\n[targets.gh]\nkind = "github"\nrepo = "acme/platform"\n'
            f'api_url = "{fake.api_url}"\ntoken_env = "TRACKER_TEST_GH_TOKEN"\n\n[routing]\ndefault = "gh"\n\n'
            "[sync]\nconfirm_first_push = false\n"
        )
        doc = write(workdir, "orders.md", DOC.format(date="2026-06-01"))
        run_cli.ok("import", str(doc))
        run_cli.ok("sync", "--yes")
        run_cli.ok("postmortem", "rename", "orders", "orders-2026-06")
        run_cli.ok("import", str(doc))
        issues = len(fake.requests)
        result = run_cli("sync", "--yes", "--format", "json")
        assert result.exit_code == 0, result.output
        created = [r for r in fake.requests[issues:] if r.method == "POST" and r.path.endswith("/issues")]
        assert not created


def test_stdin_follows_a_rename_recorded_in_history(run_cli, db_url):
    text = "---\nslug: canary\n---\n" + DOC.format(date="2026-06-01")
    run_cli.ok("import", "-", input=text)
    run_cli.ok("postmortem", "rename", "canary", "canary-2026-06")
    result = run_cli.ok("import", "-", input=text)
    assert "imported as canary-2026-06: 0 new, 0 updated, 2 unchanged" in result.stdout
    assert slugs(run_cli) == ["canary-2026-06"]


def test_long_titles_in_import_output_end_at_a_word_with_an_ellipsis(run_cli, workdir):
    title = "Alert when the checkout latency p99 stays above 800 ms for five minutes, paging the on-call"
    document = write(workdir, "2026-06-01-checkout.md", f"# Checkout\n\n## Action items\n\n- {title}\n")
    out = run_cli.ok("import", str(document)).stdout
    [line] = [line for line in out.splitlines() if "Alert when" in line]
    shown = line.split("Alert when", 1)[1].split(" (open")[0]
    assert shown.endswith("…") and title.startswith(f"Alert when{shown[:-1]}")
    assert f"Alert when{shown[:-1]}".rstrip(" ,") + " " in title + " "  # cut between words
