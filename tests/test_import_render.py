"""`tracker render`: only the action items change, the rest is byte for byte, and re-importing is a no-op."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import insert
from test_import_support import DATA, TARGETS, counts, execute, items, snapshot

from tracker.models import Link


def _link(db_url: str, item_id: int, key: str, number: int) -> None:
    execute(
        db_url,
        insert(Link).values(
            item_id=item_id,
            target="gh",
            kind="github",
            state="linked",
            origin="created",
            key=key,
            url=f"https://github.com/acme/infra/issues/{number}",
            remote_id=str(9000 + number),
            remote_number=number,
            base={},
            attempts=0,
        ),
    )


def _outside(text: str, start: str, stop: str | None) -> tuple[str, str]:
    """The document before the action section's heading and after the next section's heading."""
    head, rest = text.split(start, 1)
    tail = rest.split(stop, 1)[1] if stop else ""
    return head, tail


def test_render_of_an_unchanged_database_is_the_document_itself(run_cli, shared_dir, workdir):
    for source in sorted((shared_dir / "examples").glob("*.md")):
        if source.name in ("README.md", "SOURCES.md"):
            continue
        copy = workdir / source.name
        shutil.copy(source, copy)
        run_cli.ok("import", str(copy))
        rendered = run_cli.ok("render", source.stem).stdout_bytes
        assert rendered == source.read_bytes(), source.name


def test_render_writes_status_owner_deadline_and_link_then_round_trips(run_cli, make_config, db_url, workdir):
    make_config(TARGETS)
    doc = workdir / "checkout.md"
    shutil.copy(DATA / "2026-05-02-checkout-latency.md", doc)
    run_cli.ok("import", str(doc))
    slug = "2026-05-02-checkout-latency"
    pin, rollback, alert, runbook, *_rest = items(db_url, slug)
    run_cli.ok("done", str(pin.id))
    run_cli.ok("edit", str(alert.id), "--owner", "@kim", "--deadline", "2026-06-15")
    run_cli.ok("reopen", str(rollback.id))
    _link(db_url, runbook.id, "acme/infra#42", 42)
    original = doc.read_bytes()
    result = run_cli.ok("render", slug, "--write", str(doc))
    assert "wrote" in result.stderr
    text = doc.read_text(encoding="utf-8")
    assert "- [x] Pin the Redis client to 4.6 in every service (owner: @sam)" in text
    assert "- [ ] Roll back the cluster config (owner: Dana Whitfield)\n" in text
    assert "  - Owner: @kim" in text and "Add a p99 latency alert on /checkout (due: 2026-06-15)" in text
    assert (
        "(owner: @lee; due: Jul 15; issue: [acme/infra#42](https://github.com/acme/infra/issues/42))" in text
    )
    head, _tail = _outside(original.decode(), "## Follow-ups", None)
    assert text.startswith(head)
    before_counts, before = counts(db_url), snapshot(db_url)
    report = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 11 unchanged, 0 removed" in report.stdout
    assert counts(db_url) == before_counts and snapshot(db_url) == before
    # Rendering again is stable.
    assert run_cli.ok("render", slug).stdout_bytes == doc.read_bytes()


def test_render_adds_table_columns_and_keeps_the_rest_byte_for_byte(run_cli, shared_dir, db_url, workdir):
    doc = workdir / "google.md"
    shutil.copy(shared_dir / "examples" / "google-sre-book-shakespeare-sonnet.md", doc)
    run_cli.ok("import", str(doc))
    slug = "google"
    first, second, *_ = items(db_url, slug)
    run_cli.ok("done", str(second.id))
    _link(db_url, first.id, "acme/infra#7", 7)
    original = doc.read_text(encoding="utf-8")
    rendered = run_cli.ok("render", slug).stdout
    assert "| Action Item | Type | Owner | Bug | Status |" in rendered
    assert (
        "| mitigate | jennifer | n/a **DONE** [acme/infra#7](https://github.com/acme/infra/issues/7) |  |"
        in rendered
    )
    assert (
        "| Use flux capacitor to balance load between clusters | prevent | martym | Bug 5554823 **TODO** | Done |"
        in rendered
    )
    for marker, stop in (("## Action Items", "## Lessons Learned"),):
        head, tail = _outside(original, marker, stop)
        new_head, new_tail = _outside(rendered, marker, stop)
        assert (new_head, new_tail) == (head, tail)
    doc.write_text(rendered, encoding="utf-8")
    before = snapshot(db_url)
    assert "0 new, 0 updated, 9 unchanged" in run_cli.ok("import", str(doc)).stdout
    assert snapshot(db_url) == before


def test_written_links_make_identity_exact(run_cli, db_url, workdir):
    doc = workdir / "links.md"
    doc.write_text(
        "# Links\n\n## Action items\n\n- [ ] Add alerting for the EU cluster\n- [ ] Add alerting for the US cluster\n",
        encoding="utf-8",
    )
    run_cli.ok("import", str(doc))
    eu, us = items(db_url)
    _link(db_url, eu.id, "acme/infra#1", 1)
    _link(db_url, us.id, "acme/infra#2", 2)
    run_cli.ok("render", "links", "--write", str(doc))
    text = doc.read_text(encoding="utf-8")
    # Swap the wording of the two items: the links, not the words, say which item is which.
    swapped = text.replace("EU cluster", "XX").replace("US cluster", "EU cluster").replace("XX", "US cluster")
    doc.write_text(swapped, encoding="utf-8")
    run_cli.ok("import", str(doc))
    by_id = {item.id: item for item in items(db_url)}
    assert by_id[eu.id].title == "Add alerting for the US cluster"
    assert [link.key for link in by_id[eu.id].links] == ["acme/infra#1"]
    assert by_id[us.id].title == "Add alerting for the EU cluster"


def test_render_keeps_crlf_line_endings(run_cli, db_url, workdir):
    doc = workdir / "crlf.md"
    body = "# CRLF\r\n\r\nIntro line.\r\n\r\n## Action items\r\n\r\n- [ ] Rotate keys @sam\r\n- [ ] Add alert\r\n\r\n## End\r\n"
    doc.write_bytes(body.encode())
    run_cli.ok("import", str(doc))
    run_cli.ok("done", str(items(db_url)[0].id))
    out = run_cli.ok("render", "crlf").stdout_bytes
    assert out == body.replace("- [ ] Rotate keys @sam", "- [x] Rotate keys (owner: @sam)").encode()


def test_render_needs_a_source(run_cli, workdir):
    run_cli.ok("import", "-", "--slug", "from-stdin", input="# T\n\n## Action items\n\n- Fix it\n")
    result = run_cli("render", "from-stdin")
    assert result.exit_code == 2 and "was not imported from a file" in result.stderr
    source = Path(workdir / "t.md")
    source.write_text("# T\n\n## Action items\n\n- Fix it\n", encoding="utf-8")
    assert run_cli.ok("render", "from-stdin", "--source", str(source)).stdout == source.read_text()
    assert run_cli("render", "nope").exit_code == 2


def test_render_inside_a_block_quote_and_multi_line_items(run_cli, db_url, workdir):
    doc = workdir / "quoted.md"
    body = (
        "# Q\n\n## Action items\n\n> - [ ] Rotate the signing keys\n>   for every region @sam\n"
        "> - [ ] Add an alert\n\n1. Write the runbook for\n   key rotation (owner: @kim)\n"
    )
    doc.write_text(body, encoding="utf-8")
    run_cli.ok("import", str(doc))
    rotate, _alert, runbook = items(db_url)
    assert (rotate.title, rotate.owner_text, runbook.owner_text) == (
        "Rotate the signing keys for every region",
        "@sam",
        "@kim",
    )
    run_cli.ok("done", str(rotate.id), str(runbook.id))
    rendered = run_cli.ok("render", "quoted").stdout
    assert (
        "> - [x] Rotate the signing keys\n>   for every region (owner: @sam)\n> - [ ] Add an alert\n"
        in rendered
    )
    assert "1. Write the runbook for\n   key rotation (owner: @kim; status: Done)\n" in rendered
    doc.write_text(rendered, encoding="utf-8")
    before = snapshot(db_url)
    assert "3 unchanged" in run_cli.ok("import", str(doc)).stdout and snapshot(db_url) == before
