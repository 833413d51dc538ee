"""Postmortems as objects: list, rename, merge, remove, and `add -p` guarding against typo'd slugs."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from test_report_data import CONFIG, build

from tracker.models import ActionItem, Event, ItemState, Link, Postmortem


def count(db_url: str, model, *where) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    finally:
        engine.dispose()


def slugs(run_cli) -> list[str]:
    return [p["slug"] for p in json.loads(run_cli.ok("postmortems", "--format", "json").stdout)]


def test_postmortems_lists_each_with_its_figures(run_cli, make_config, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-d", "2099-01-01")
    build(db_url)
    rows = {p["slug"]: p for p in json.loads(run_cli.ok("postmortems", "--format", "json").stdout)}
    assert list(rows) == ["inc-1", "inc-2", "inc-3"]
    one, two = rows["inc-1"], rows["inc-2"]
    assert (one["title"], one["date"], one["severity"]) == ("Checkout outage", "2026-01-04", "sev1")
    # inc-1: A won't do, B open, C and D done: 2 of 3 committed. inc-2: E done, F bot-closed, G and H.
    assert (one["items"], one["open"], one["overdue"], one["completion"]) == (4, 1, 0, round(2 / 3, 4))
    assert (two["items"], two["open"], two["overdue"], two["completion"]) == (4, 1, 1, 0.5)
    report = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    for group in report["groups"]["postmortem"]:  # the same completion as the report's
        assert rows[group["key"]]["completion"] == group["completion_rate"], group["key"]
    table = run_cli.ok("postmortems").stdout
    assert table.splitlines()[0].split() == [
        "SLUG", "TITLE", "DATE", "SEVERITY", "ITEMS", "OPEN", "OVERDUE", "COMPLETION", "SOURCE",
    ]  # fmt: skip
    assert "2 of 3" in table and "67%" not in table and "Checkout outage" in table  # under 5: a fraction
    out = run_cli.ok("postmortems", "--format", "csv", "--severity", "sev2").stdout
    assert [r["slug"] for r in csv.DictReader(io.StringIO(out))] == ["inc-2"]
    assert slugs_since(run_cli, "2026-01-15") == ["inc-2", "inc-3"]  # inc-3 has no date: added today


def slugs_since(run_cli, day: str) -> list[str]:
    out = run_cli.ok("postmortems", "--since", day, "--format", "csv", "--no-headers").stdout
    return [line.split(",")[0] for line in out.splitlines()]


def test_add_with_a_typo_of_a_slug_fails_with_did_you_mean_and_changes_nothing(run_cli, db_url):
    run_cli.ok("add", "Add queue depth alert", "-p", "queue-backlog-2026-05")
    result = run_cli("add", "Drain the dead-letter queue", "-p", "queue-backlog-2026-5")
    assert result.exit_code == 2
    assert "did you mean queue-backlog-2026-05?" in result.stderr and "--new" in result.stderr
    assert slugs(run_cli) == ["queue-backlog-2026-05"] and count(db_url, ActionItem) == 1
    run_cli.ok("add", "Drain the dead-letter queue", "-p", "queue-backlog-2026-5", "--new")
    assert slugs(run_cli) == ["queue-backlog-2026-05", "queue-backlog-2026-5"]


def test_add_with_two_neighbouring_digits_swapped_is_a_typo_but_short_ids_are_incidents(run_cli, db_url):
    run_cli.ok("add", "Add a disk alert", "-p", "inc-1234")
    swapped = run_cli("add", "Resize the volume", "-p", "inc-1243")
    assert swapped.exit_code == 2 and "did you mean inc-1234?" in swapped.stderr
    assert count(db_url, ActionItem) == 1
    assert "created postmortem inc-1235" in run_cli.ok("add", "Next incident", "-p", "inc-1235").stderr
    run_cli.ok("add", "Rotate keys", "-p", "inc-12")
    assert "created postmortem inc-21" in run_cli.ok("add", "Another", "-p", "inc-21").stderr


def test_add_creates_a_new_postmortem_out_loud(run_cli):
    first = run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    assert "created postmortem inc-1" in first.stderr
    second = run_cli.ok("add", "Rotate more keys", "-p", "inc-2")  # another incident, not a typo
    assert "created postmortem inc-2" in second.stderr
    assert "created postmortem" not in run_cli.ok("add", "Third", "-p", "inc-2").stderr


def test_rename_keeps_items_links_and_history(run_cli, make_config, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3")
    ids = build(db_url)
    before = run_cli.ok("show", str(ids["D"]), "--format", "json").stdout
    out = run_cli.ok("postmortem", "rename", "inc-1", "checkout-2026-01").stdout
    assert "renamed postmortem inc-1 to checkout-2026-01" in out
    after = json.loads(run_cli.ok("show", str(ids["D"]), "--format", "json").stdout)
    assert after["postmortem"] == "checkout-2026-01" and after["links"] == json.loads(before)["links"]
    assert after["events"] == json.loads(before)["events"]
    assert slugs(run_cli) == ["checkout-2026-01", "inc-2", "inc-3"]
    report = json.loads(run_cli.ok("report", "-p", "checkout-2026-01", "--format", "json").stdout)
    assert report["summary"]["total"] == 4
    taken = run_cli("postmortem", "rename", "inc-2", "inc-3")
    assert taken.exit_code == 2 and "already exists" in taken.stderr and "merge" in taken.stderr
    missing = run_cli("postmortem", "rename", "inc-9", "x")
    assert missing.exit_code == 2 and "no postmortem with slug 'inc-9'" in missing.stderr


def test_merge_moves_items_and_their_history(run_cli, make_config, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3")
    ids = build(db_url)
    events_of_e = count(db_url, Event, Event.item_id == ids["E"])
    total = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)["summary"]
    refused = run_cli("postmortem", "merge", "inc-2", "inc-1")
    assert refused.exit_code == 2 and "--yes" in refused.stderr and len(slugs(run_cli)) == 3
    out = run_cli.ok("postmortem", "merge", "inc-2", "inc-1", "--yes").stdout
    assert "merged inc-2 into inc-1: 4 item(s) moved" in out
    assert slugs(run_cli) == ["inc-1", "inc-3"]
    moved = json.loads(run_cli.ok("list", "-p", "inc-1", "--format", "json").stdout)
    assert [r["title"] for r in moved] == [f"Item {c}" for c in "ABCDEFGH"]
    assert count(db_url, Event, Event.item_id == ids["E"]) == events_of_e  # history kept
    postmortem_id = _postmortem_id(db_url, "inc-1")
    assert (
        count(db_url, ItemState, ItemState.item_id == ids["E"], ItemState.postmortem_id != postmortem_id) == 0
    )
    after = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    assert after["summary"] == total  # the same items, counted once
    merged = {g["key"]: g for g in after["groups"]["postmortem"]}
    assert merged["inc-1"]["total"] == 8 and "inc-2" not in merged


def test_merge_refuses_duplicate_items(run_cli, db_url):
    run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    run_cli.ok("add", "Rotate keys", "-p", "inc-7")
    result = run_cli("postmortem", "merge", "inc-7", "inc-1", "--yes")
    assert result.exit_code == 2 and "already has the same item" in result.stderr
    assert slugs(run_cli) == ["inc-1", "inc-7"] and count(db_url, ActionItem) == 2


def test_remove_refuses_linked_items_unless_unlink(run_cli, make_config, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3")
    ids = build(db_url)
    refused = run_cli("postmortem", "remove", "inc-1", "--yes")
    assert refused.exit_code == 2 and "linked to remote issues" in refused.stderr
    assert f"#{ids['C']} gh-{ids['C']}" in refused.stderr and "--unlink" in refused.stderr
    assert count(db_url, ActionItem) == 9 and count(db_url, Link) == 5
    unconfirmed = run_cli("postmortem", "remove", "inc-1", "--unlink")
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.stderr and count(db_url, ActionItem) == 9
    out = run_cli.ok("postmortem", "remove", "inc-1", "--unlink", "--yes").stdout
    assert "removed postmortem inc-1: 4 item(s), 2 link(s) forgotten" in out
    assert slugs(run_cli) == ["inc-2", "inc-3"]
    assert count(db_url, ActionItem) == 5 and count(db_url, Link) == 3
    assert count(db_url, Event, Event.item_id.in_([ids[c] for c in "ABCD"])) == 0
    assert count(db_url, ItemState, ItemState.item_id.in_([ids[c] for c in "ABCD"])) == 0
    report = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    assert report["summary"]["total"] == 5


def test_remove_an_unlinked_postmortem(run_cli, db_url):
    run_cli.ok("add", "Rotate keys", "-p", "queue-backlog-2026-5")
    out = run_cli.ok("postmortem", "remove", "queue-backlog-2026-5", "-y").stdout
    assert "removed postmortem queue-backlog-2026-5: 1 item(s)" in out
    assert slugs(run_cli) == [] and count(db_url, ActionItem) == 0 and count(db_url, Postmortem) == 0


def _postmortem_id(db_url: str, slug: str) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            found = session.scalar(select(Postmortem.id).where(Postmortem.slug == slug))
            assert found is not None
            return found
    finally:
        engine.dispose()


def test_on_a_terminal_a_typo_is_asked_about(run_cli, workdir):
    from test_cli_tables import _on_a_terminal

    run_cli.ok("add", "Add queue depth alert", "-p", "queue-backlog-2026-05")
    config = str(workdir / "tracker.toml")
    args = ("--config", config, "add", "Drain the queue", "-p", "queue-backlog-2026-5")
    declined = _on_a_terminal(workdir, *args, env={}, answer="n")
    assert "did you mean queue-backlog-2026-05?" in declined and declined.endswith("[exit 1]"), declined
    assert slugs(run_cli) == ["queue-backlog-2026-05"]
    accepted = _on_a_terminal(workdir, *args, env={}, answer="y")
    assert "created postmortem queue-backlog-2026-5" in accepted and accepted.endswith("[exit 0]"), accepted
    assert slugs(run_cli) == ["queue-backlog-2026-05", "queue-backlog-2026-5"]
    fresh = _on_a_terminal(
        workdir, "--config", config, "add", "Rotate keys", "-p", "inc-9", env={}, answer=""
    )
    assert "No postmortem 'inc-9'. Create 'inc-9'? [Y/n]" in fresh and fresh.endswith("[exit 0]"), fresh
    assert "inc-9" in slugs(run_cli)


def test_on_a_terminal_remove_asks_for_confirmation(run_cli, workdir):
    from test_cli_tables import _on_a_terminal

    run_cli.ok("add", "Rotate keys", "-p", "inc-1")
    args = ("--config", str(workdir / "tracker.toml"), "postmortem", "remove", "inc-1")
    kept = _on_a_terminal(workdir, *args, env={}, answer="n")
    assert "Remove postmortem inc-1 with 1 item(s) and their history?" in kept and kept.endswith("[exit 1]")
    assert slugs(run_cli) == ["inc-1"]
    removed = _on_a_terminal(workdir, *args, env={}, answer="y")
    assert "removed postmortem inc-1" in removed and slugs(run_cli) == []


def test_renaming_an_imported_postmortem_says_how_to_keep_import_in_step(run_cli, workdir):
    from ops_support import write_items

    document = write_items(workdir / "pm", 2, slug="inc-ops")
    run_cli.ok("import", str(document))
    renamed = run_cli.ok("postmortem", "rename", "inc-ops", "queue-2030-06")
    assert "importing it again updates queue-2030-06" in renamed.stderr
    assert "`slug: queue-2030-06`" in renamed.stderr and "--slug queue-2030-06" in renamed.stderr
    run_cli.ok("import", str(document), "--slug", "queue-2030-06")  # as the note says: no duplicate
    assert slugs(run_cli) == ["queue-2030-06"]
    run_cli.ok("import", str(document))  # the old slug, from the same file: still no duplicate
    assert slugs(run_cli) == ["queue-2030-06"]
    assert len(json.loads(run_cli.ok("list", "--format", "json").stdout)) == 2


def test_a_narrow_terminal_never_cuts_the_slug(run_cli):
    """At 80 columns the table splits or cuts titles, but the slug (typed into rename/merge) stays whole."""
    slug = "payments-gateway-retry-storm-2026-03-14-eu-west"
    run_cli.ok("add", "Fix the retry storm in the payment client", "-p", slug, "-d", "2099-01-01")
    result = run_cli("postmortems", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert all(len(line) <= 80 for line in lines)
    first_cells = [line.split()[0] for line in lines if not line.startswith("SLUG")]
    assert first_cells and set(first_cells) == {slug}  # every split table repeats it whole
