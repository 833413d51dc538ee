"""`tracker import` behaviour through the real CLI and database: idempotency, edits, removal, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import update
from test_import_support import TARGETS, counts, execute, items, postmortem, snapshot

from tracker.models import ActionItem

DOC = """\
---
slug: inc-100
date: 2026-06-01
---
# Orders API outage

## Action items

| Action item | Owner | Due | Status |
| --- | --- | --- | --- |
| Add an index on orders.customer_id | @dana | 2026-06-10 | Done |
| Add query performance tests to CI | @sam | Jul 15 | Open |
| Alert on connection pool saturation above 80% | @lee | Jul 1 | In progress |
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def imported(run_cli, *args: str) -> dict:
    result = run_cli(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_first_import_stores_items_and_metadata(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    report = imported(run_cli, "import", str(doc))
    [document] = report["documents"]
    assert document["slug"] == "inc-100" and document["created"] and document["ok"]
    assert document["counts"] == {"new": 3, "updated": 0, "unchanged": 0, "removed": 0}
    first, second, third = items(db_url, "inc-100")
    assert (first.status, first.status_text, first.push) == (
        "done",
        "Done",
        False,
    )  # done at import: never pushed
    assert (second.status, second.push, second.deadline_text, str(second.deadline)) == (
        "open",
        True,
        "Jul 15",
        "2026-07-15",
    )
    assert third.status == "in_progress" and third.source_line == 13
    assert postmortem(db_url, "inc-100").source_path == str(doc.resolve())
    assert str(postmortem(db_url, "inc-100").review_date) == "2026-06-15"  # incident date + 14 days


def test_reimport_of_same_document_changes_nothing(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    before, rows = counts(db_url), snapshot(db_url)
    result = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 3 unchanged, 0 removed" in result.stdout
    assert counts(db_url) == before and snapshot(db_url) == rows


def test_edits_update_items_in_place(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    ids = [item.id for item in items(db_url)]
    edited = (
        DOC.replace("| @sam | Jul 15 | Open |", "| @priya | Jul 22 | In progress |")
        .replace(
            "Alert on connection pool saturation above 80%",
            "Alert on DB connection-pool saturation above 80 %",
        )
        .replace("Add an index on", "Add an index to")
    )
    write(workdir, "orders.md", edited)
    report = imported(run_cli, "import", str(doc))
    actions = [(o["id"], o["action"]) for o in report["documents"][0]["items"]]
    assert actions == [(ids[0], "updated"), (ids[1], "updated"), (ids[2], "updated")]
    stored = items(db_url)
    assert [item.id for item in stored] == ids
    assert (
        stored[1].owner_text == "@priya"
        and stored[1].deadline_text == "Jul 22"
        and stored[1].status == "in_progress"
    )
    assert stored[2].title == "Alert on DB connection-pool saturation above 80 %"
    changes = report["documents"][0]["items"][1]["changes"]
    assert changes["owner_text"] == ["@sam", "@priya"] and changes["status"] == ["open", "in_progress"]
    # The new wording is now the exact fingerprint: a third import is a no-op.
    assert imported(run_cli, "import", str(doc))["documents"][0]["counts"]["unchanged"] == 3


def test_reordering_keeps_identity_and_different_items_are_not_merged(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    by_title = {item.title: item.id for item in items(db_url)}
    lines = DOC.splitlines()
    reordered = "\n".join([*lines[:-3], lines[-1], lines[-3], lines[-2]]) + "\n"
    reordered += "| Add query performance tests to the deploy pipeline | @sam | Aug 1 | Open |\n"
    write(workdir, "orders.md", reordered)
    report = imported(run_cli, "import", str(doc))
    assert report["documents"][0]["counts"]["new"] == 1
    assert {item.title: item.id for item in items(db_url) if item.title in by_title} == by_title


def test_removed_items_are_marked_and_reported_then_restored(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    without = DOC.replace("| Add query performance tests to CI | @sam | Jul 15 | Open |\n", "")
    write(workdir, "orders.md", without)
    result = run_cli.ok("import", str(doc))
    assert "1 removed" in result.stdout and "- #2 Add query performance tests to CI" in result.stdout
    everything = items(db_url, include_removed=True)
    assert len(everything) == 3 and everything[1].removed_at is not None
    assert len(items(db_url)) == 2
    write(workdir, "orders.md", DOC)
    report = imported(run_cli, "import", str(doc))
    assert [o["action"] for o in report["documents"][0]["items"]] == ["unchanged", "updated", "unchanged"]
    assert all(item.removed_at is None for item in items(db_url, include_removed=True))


def test_status_from_the_remote_is_never_overwritten(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    second = items(db_url)[1]
    execute(
        db_url,
        update(ActionItem).where(ActionItem.id == second.id).values(status="done", status_source="github"),
    )
    run_cli.ok("import", str(doc))
    assert items(db_url)[1].status == "done"
    write(workdir, "orders.md", DOC.replace("| @sam | Jul 15 | Open |", "| @sam | Jul 15 | Won't do |"))
    report = imported(run_cli, "import", str(doc))
    outcome = report["documents"][0]["items"][1]
    assert outcome["action"] == "unchanged" and "not applied" in outcome["notes"][0]
    assert items(db_url)[1].status == "done"


def test_manual_edits_survive_reimporting_an_unchanged_document(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    second = items(db_url)[1]
    run_cli.ok("edit", str(second.id), "--owner", "@kim", "--deadline", "2026-08-01")
    run_cli.ok("done", str(second.id))
    run_cli.ok("import", str(doc))
    again = items(db_url)[1]
    assert (again.owner_text, again.deadline_text, again.status) == ("@kim", "2026-08-01", "done")
    # A real edit of the document still wins.
    write(workdir, "orders.md", DOC.replace("| @sam |", "| @lee |"))
    run_cli.ok("import", str(doc))
    assert items(db_url)[1].owner_text == "@lee"


def test_historical_import_never_pushes(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    result = run_cli.ok("import", "--historical", str(doc))
    assert "not pushed" in result.stdout
    assert [item.push for item in items(db_url)] == [False, False, False]
    assert postmortem(db_url, "inc-100").historical
    write(workdir, "orders.md", DOC + "| Add a canary stage | @sam | Sep 1 | Open |\n")
    run_cli.ok("import", str(doc))  # historical sticks to the postmortem
    assert [item.push for item in items(db_url)] == [False, False, False, False]


def test_document_references_link_items(run_cli, make_config, db_url, workdir):
    make_config(TARGETS)
    doc = write(
        workdir,
        "refs.md",
        "# Refs\n\n## Follow-ups\n\n"
        "- [ ] Fix the retry loop (acme/infra#12)\n"
        "- [ ] Rotate the keys https://acme.atlassian.net/browse/OPS-7\n"
        "- [ ] Patch the proxy OPS-8\n"
        "- [ ] Upstream the fix https://github.com/other/repo/issues/3\n"
        "- [ ] Relicense the scripts under BSD-3\n"
        "- [ ] Watch the PR https://github.com/acme/infra/pull/5\n",
    )
    result = run_cli.ok("import", str(doc))
    assert "other/repo#3, which is in no configured target" in result.stdout
    fix, rotate, patch, upstream, relicense, watch = items(db_url)
    [link] = fix.links
    assert (link.target, link.kind, link.state, link.origin, link.key) == (
        "gh",
        "github",
        "pending",
        "document",
        "acme/infra#12",
    )
    assert link.url == "https://github.com/acme/infra/issues/12" and link.remote_number == 12
    assert [(ln.target, ln.key) for ln in rotate.links] == [("ops", "OPS-7")]
    assert [(ln.target, ln.key) for ln in patch.links] == [("ops", "OPS-8")]
    assert upstream.links == [] and upstream.tracking_ref == "https://github.com/other/repo/issues/3"
    assert relicense.tracking_ref is None and relicense.links == []
    assert watch.tracking_ref is None  # a pull request is not an issue
    before = counts(db_url)
    run_cli.ok("import", str(doc))
    assert counts(db_url) == before


def test_malformed_document_names_file_and_line_and_changes_nothing(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    before, rows = counts(db_url), snapshot(db_url)
    broken = DOC.replace(
        "| Add query performance tests to CI | @sam |", "| Add query | performance tests | @sam |"
    )
    write(workdir, "orders.md", broken)
    result = run_cli("import", str(doc))
    assert result.exit_code == 1
    assert f"{doc}:12: action-items table row has 5 cells but the header has 4" in result.stdout
    assert counts(db_url) == before and snapshot(db_url) == rows


def test_bad_metadata_and_front_matter_are_refused_with_lines(run_cli, db_url, workdir):
    cases = {
        "date.md": ("# T\n\n**Date:** 2026-02-30\n\n## Action items\n\n- Fix it\n", "date.md:3:"),
        "front.md": ("---\nslug: x\n\n# T\n", "front.md:1: front matter starts with --- but is never closed"),
        "yaml.md": ("---\nslug: x\n  nested: [\n---\n# T\n", None),
        "slug.md": ("---\nslug: Not A Slug\n---\n# T\n", "slug.md:1: slug 'Not A Slug'"),
    }
    for name, (text, message) in cases.items():
        path = write(workdir, name, text)
        result = run_cli("import", str(path))
        assert result.exit_code == 1, (name, result.output)
        if message:
            assert message in result.stdout, (name, result.stdout)
    assert counts(db_url)["postmortems"] == 0


def test_folder_import_goes_on_past_a_bad_file(run_cli, db_url, workdir):
    folder = workdir / "postmortems"
    (folder / "nested").mkdir(parents=True)
    write(folder, "a-good.md", DOC.replace("inc-100", "inc-a"))
    (folder / "b-latin1.md").write_bytes("# Caf\xe9\n\n## Action items\n\n- Fix\n".encode("latin-1"))
    (folder / "c-binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    write(folder / "nested", "d-good.md", DOC.replace("inc-100", "inc-d"))
    write(folder, "README.md", "# Postmortems\n\n## Action items\n\n- not a postmortem\n")
    (folder / "huge.md").write_bytes(b"# Big\n" + b"x" * (3 * 1024 * 1024))
    result = run_cli("import", str(folder))
    assert result.exit_code == 1
    out = result.stdout
    assert "b-latin1.md:1: not UTF-8 (byte 0xe9" in out
    assert "c-binary.md: binary file" in out
    assert "huge.md: 3,145,734 bytes is too big" in out
    assert "5 document(s), 3 failed, 1 skipped: 6 new" in out
    assert {item.postmortem.slug for item in items(db_url)} == {"inc-a", "inc-d"}


def test_dry_run_writes_nothing(run_cli, db_url, workdir, tmp_path):
    doc = write(workdir, "orders.md", DOC)
    result = run_cli.ok("import", "--dry-run", str(doc))
    assert "would import as inc-100 (new postmortem): 3 new" in result.stdout
    if db_url.startswith("sqlite"):
        assert not (tmp_path / "tracker.db").exists()  # a dry run creates no database
    run_cli.ok("import", str(doc))
    before, rows = counts(db_url), snapshot(db_url)
    write(
        workdir,
        "orders.md",
        DOC.replace("| @sam |", "| @lee |").replace("Alert on connection", "Page on connection"),
    )
    report = imported(run_cli, "import", "--dry-run", str(doc))
    assert report["dry_run"] and report["documents"][0]["counts"] == {
        "new": 0,
        "updated": 2,
        "unchanged": 1,
        "removed": 0,
    }
    assert counts(db_url) == before and snapshot(db_url) == rows


def test_stdin_and_slug_option(run_cli, db_url):
    result = run_cli("import", "-", input=DOC)  # the front matter's slug
    assert result.exit_code == 0, result.output
    assert "<stdin>: imported as inc-100" in result.stdout
    result = run_cli("import", "-", "--slug", "inc-200", input=DOC.replace("slug: inc-100\n", ""))
    assert result.exit_code == 0 and "as inc-200" in result.stdout
    assert postmortem(db_url, "inc-200").source_path is None
    assert run_cli("import", "-", "-", "--slug", "x", input="").exit_code == 2
    assert run_cli("import", "-", "--slug", "Bad Slug", input=DOC).exit_code == 2


def test_json_output_shape_and_lint_findings(run_cli, workdir):
    doc = write(workdir, "orders.md", DOC + "| Be more careful | | | |\n")
    report = imported(run_cli, "import", str(doc))
    assert set(report) == {"dry_run", "failed", "empty", "documents", "skipped"}
    [document] = report["documents"]
    assert set(document) >= {"file", "slug", "title", "ok", "created", "error", "counts", "items", "warnings"}
    last = document["items"][-1]
    assert set(last) >= {"id", "action", "title", "line", "status", "push", "changes", "notes", "findings"}
    assert {"owner-missing", "deadline-missing"} <= {f["rule"] for f in last["findings"]}


def test_review_date_from_document_or_configured_days(run_cli, make_config, db_url, workdir):
    make_config("[org]\nreview_after_days = 21\n")
    write(workdir, "a.md", DOC)
    run_cli.ok("import", str(workdir / "a.md"))
    assert str(postmortem(db_url, "inc-100").review_date) == "2026-06-22"
    write(workdir, "b.md", DOC.replace("slug: inc-100", "slug: inc-101\nreview date: Jun 30"))
    run_cli.ok("import", str(workdir / "b.md"))
    review = postmortem(db_url, "inc-101")
    assert str(review.review_date) == "2026-06-30" and review.review_date_source == "document"


def test_repeated_titles_are_two_items(run_cli, db_url, workdir):
    doc = write(
        workdir, "dup.md", "# Dup\n\n## Action items\n\n- [ ] Rotate the keys\n- [ ] Rotate the keys\n"
    )
    run_cli.ok("import", str(doc))
    assert len(items(db_url)) == 2
    assert run_cli.ok("import", str(doc)).stdout.count("2 unchanged") == 1


def test_a_document_that_suddenly_has_no_items_is_refused(run_cli, db_url, workdir):
    doc = write(workdir, "orders.md", DOC)
    run_cli.ok("import", str(doc))
    renamed = DOC.replace("## Action items", "## Things we might do")
    write(workdir, "orders.md", renamed)
    result = run_cli("import", str(doc))
    assert result.exit_code == 1 and "no action items found, but inc-100 has 3" in result.stdout
    assert len(items(db_url)) == 3
    assert "3 removed" in run_cli.ok("import", "--allow-empty", str(doc)).stdout
    assert items(db_url) == []


def test_two_documents_cannot_share_a_slug(run_cli, db_url, workdir):
    write(workdir, "a.md", DOC)
    write(workdir, "b.md", DOC.replace("Add an index", "Drop an index"))
    result = run_cli("import", str(workdir / "a.md"), str(workdir / "b.md"))
    assert result.exit_code == 1
    assert f"b.md: slug 'inc-100' already belongs to {(workdir / 'a.md').resolve()}" in result.stdout
    assert items(db_url)[0].title == "Add an index on orders.customer_id"
    # A renamed file takes its postmortem along.
    (workdir / "a.md").rename(workdir / "renamed.md")
    assert "3 unchanged" in run_cli.ok("import", str(workdir / "renamed.md")).stdout


def test_lint_does_not_compare_a_document_with_itself(run_cli, workdir):
    text = DOC.replace("slug: inc-100\n", "")
    first = json.loads(run_cli.ok("import", "-", "--slug", "inc-9", "--format", "json", input=text).stdout)
    again = json.loads(run_cli.ok("import", "-", "--slug", "inc-9", "--format", "json", input=text).stdout)
    for report in (first, again):
        rules = {f["rule"] for item in report["documents"][0]["items"] for f in item["findings"]}
        assert "scope-duplicate" not in rules


def test_a_corrected_issue_number_updates_the_pending_link(run_cli, make_config, db_url, workdir):
    make_config(TARGETS)
    doc = write(workdir, "fix.md", "# Fix\n\n## Action items\n\n- [ ] Fix the retry loop (acme/infra#12)\n")
    run_cli.ok("import", str(doc))
    [item] = items(db_url)
    write(workdir, "fix.md", "# Fix\n\n## Action items\n\n- [ ] Fix the retry loop (acme/infra#13)\n")
    report = imported(run_cli, "import", str(doc))
    assert report["documents"][0]["items"][0]["changes"]["link"] == ["acme/infra#12", "acme/infra#13"]
    [again] = items(db_url)
    assert again.id == item.id and [(ln.key, ln.state) for ln in again.links] == [
        ("acme/infra#13", "pending")
    ]


def test_a_mistyped_path_creates_no_database(run_cli, workdir):
    (workdir / "tracker.toml").write_text('[database]\npath = "state/tracker.db"\n')
    result = run_cli("import", "typo.md")
    assert result.exit_code == 2 and "no such file or folder: typo.md" in result.stderr
    (workdir / "empty").mkdir()
    result = run_cli("import", "empty")
    assert result.exit_code == 2 and "no Markdown documents found" in result.stderr
    assert not (workdir / "state").exists()
