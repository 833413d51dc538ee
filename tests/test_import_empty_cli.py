"""Never silently empty: the no-items warning, --strict, --explain, [import] sections and folder skips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_import_support import DATA, items

NO_SECTION = """# Checkout errors

## Summary

Checkout failed for ten minutes.

## Root cause

A bad config push.

## Homework

- Validate config pushes in CI
- Page the payments on-call for checkout 5xx
"""

SAYS_NONE = """# Brief blip

## Summary

A five-second blip.

## Action items

No actions.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_document_without_items_warns_even_quietly_and_is_counted(run_cli, workdir):
    doc = write(workdir, "checkout.md", NO_SECTION)
    result = run_cli.ok("import", str(doc), "-q")
    assert "! no action items found" in result.stdout
    assert '"Summary"; "Root cause"; "Homework"' in result.stdout
    assert "[import] sections" in result.stdout and "--explain" in result.stdout
    assert "1 document(s), 0 failed, 1 without items" in result.stdout
    report = json.loads(run_cli.ok("import", str(doc), "--format", "json", "--dry-run").stdout)
    assert report["empty"] == 1 and report["documents"][0]["empty"] is True


def test_strict_fails_on_an_empty_document_but_not_on_one_that_says_it_has_none(run_cli, workdir):
    empty = write(workdir, "checkout.md", NO_SECTION)
    none = write(workdir, "blip.md", SAYS_NONE)
    assert run_cli("import", str(empty), "--strict").exit_code == 1
    result = run_cli("import", str(none), "--strict")
    assert result.exit_code == 0, result.output
    assert "the document says it has no action items" in result.stdout
    assert "no action items found" not in result.stdout


def test_import_sections_in_the_config_names_a_teams_own_heading(run_cli, make_config, db_url, workdir):
    doc = write(workdir, "checkout.md", NO_SECTION)
    make_config('[import]\nsections = ["Homework"]\n')
    result = run_cli.ok("import", str(doc), "--strict")
    assert "2 new" in result.stdout
    assert [i.title for i in items(db_url, "checkout")] == [
        "Validate config pushes in CI",
        "Page the payments on-call for checkout 5xx",
    ]


def test_a_bad_import_sections_value_is_a_config_error(run_cli, make_config, workdir):
    make_config("[import]\nsections = 3\n")
    result = run_cli("import", str(write(workdir, "a.md", SAYS_NONE)))
    assert result.exit_code == 2
    assert "sections" in result.output


def test_explain_prints_each_candidate_section_and_why(run_cli, workdir):
    doc = write(
        workdir,
        "queue.md",
        "# Queue\n\n## Timeline\n\n### 10:02 Follow-up call\n\n- Paged\n\n## Summary\n\nSlow.\n\n"
        "## Next steps\n\n- Cap the queue\n",
    )
    out = run_cli.ok("import", str(doc), "--explain", "--dry-run").stdout
    assert "- line 3: 'Timeline': a timeline or a time-stamped entry: never read for items" in out
    assert "- line 5: '10:02 Follow-up call': inside a timeline" in out
    assert "- line 9: 'Summary': no action words in the heading" in out
    assert "+ line 13: 'Next steps': a heading naming actions, 1 item(s)" in out
    document = json.loads(run_cli.ok("import", str(doc), "--explain", "--format", "json").stdout)[
        "documents"
    ][0]
    assert [(s["text"], s["taken"]) for s in document["sections"]][-1] == ("Next steps", True)


def test_a_folder_import_says_what_it_skipped_and_why(run_cli, db_url, workdir):
    folder = workdir / "postmortems"
    folder.mkdir()
    write(folder, "README.md", "# Our postmortems\n\nOne file per incident.\n")
    write(folder, "all.md", "# Index\n\n- [Checkout](checkout.md)\n- [Blip](blip.md)\n- [Queue](q.md)\n")
    write(
        folder,
        "blank.md",
        "# Incident: [Title]\n\nDate: YYYY-MM-DD\n\n## Action items\n\n| Action | Owner | Due |\n"
        "| --- | --- | --- |\n| [Action] | @owner | YYYY-MM-DD |\n",
    )
    write(folder, "blip.md", SAYS_NONE)
    write(folder, "checkout.md", NO_SECTION.replace("## Homework", "## Follow-ups"))
    result = run_cli.ok("import", str(folder))
    out = result.stdout
    assert "skipped postmortems/README.md: a README file, not a postmortem" in out.replace(
        str(workdir) + "/", ""
    )
    assert "all.md: an index page (3 links to other documents)" in out
    assert "blank.md: a blank template" in out
    assert "2 document(s), 0 failed, 3 skipped" in out
    assert {i.postmortem.slug for i in items(db_url)} == {"checkout"}
    report = json.loads(run_cli.ok("import", str(folder), "--format", "json").stdout)
    assert sorted(Path(s["file"]).name for s in report["skipped"]) == ["README.md", "all.md", "blank.md"]


def test_a_template_named_explicitly_imports_no_placeholder_items(run_cli, db_url, workdir):
    doc = write(
        workdir,
        "blank.md",
        "# Incident: [Title]\n\n## Action items\n\n| Action | Owner | Due |\n| --- | --- | --- |\n"
        "| [Action] | @owner | YYYY-MM-DD |\n",
    )
    result = run_cli.ok("import", str(doc))
    assert "0 new" in result.stdout and "no action items found" in result.stdout
    assert items(db_url) == []


def test_render_of_the_inline_forms_document_is_byte_identical(run_cli, workdir):
    doc = workdir / "2026-02-11-queue-forms.md"
    shutil.copy(DATA / "2026-02-11-queue-forms.md", doc)
    run_cli.ok("import", str(doc))
    assert run_cli.ok("render", "2026-02-11-queue-forms").stdout_bytes == doc.read_bytes()


def test_liquid_tags_and_template_in_the_middle_of_a_name_are_still_postmortems(run_cli, db_url, workdir):
    folder = workdir / "incidents"
    folder.mkdir()
    liquid = "".join(f"![diagram]({{{{ '/assets/{n}.png' | relative_url }}}})\n\n" for n in range(4))
    write(folder, "2026-01-dns.md", f"# DNS outage\n\n{liquid}## Follow-ups\n\n- Proxy every S3 subdomain\n")
    write(folder, "from-template-orders.md", "# Orders\n\n## Action items\n\n- Cap the pool\n")
    result = run_cli.ok("import", str(folder))
    assert "skipped" not in result.stdout
    assert {i.title for i in items(db_url)} == {"Proxy every S3 subdomain", "Cap the pool"}
