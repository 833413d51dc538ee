"""Every example postmortem imports exactly as its answer key says, through the real CLI and database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_import_support import DATA, TARGETS, as_written, items

from tracker.importing.markdown import to_plain

SHARED_EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "examples"


def _names(folder: Path) -> list[str]:
    return sorted(p.name[: -len(".expected.json")] for p in folder.glob("*.expected.json"))


def _expected(path: Path) -> list[dict[str, str | None]]:
    """The answer key, titles reduced to plain text as its README says (links to text, marks gone, spaces)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [{**row, "title": re.sub(r"\s+", " ", to_plain(row["title"])).strip()} for row in rows]


def _check(run_cli, db_url: str, document: Path, key: Path) -> None:
    result = run_cli.ok("import", str(document), "--format", "json")
    [report] = json.loads(result.stdout)["documents"]
    stored = items(db_url, report["slug"])
    assert [as_written(item) for item in stored] == _expected(key)
    assert report["counts"]["new"] == len(stored)
    again = json.loads(run_cli.ok("import", str(document), "--format", "json").stdout)["documents"][0]
    assert again["counts"] == {"new": 0, "updated": 0, "unchanged": len(stored), "removed": 0}


@pytest.mark.parametrize("name", _names(SHARED_EXAMPLES) or ["missing"])
def test_shared_example_imports_as_expected(name, shared_dir, run_cli, db_url):
    folder = shared_dir / "examples"
    _check(run_cli, db_url, folder / f"{name}.md", folder / f"{name}.expected.json")


@pytest.mark.parametrize("name", _names(DATA))
def test_own_hard_case_imports_as_expected(name, run_cli, make_config, db_url):
    make_config(TARGETS)
    _check(run_cli, db_url, DATA / f"{name}.md", DATA / f"{name}.expected.json")


def test_every_shared_example_has_an_answer_key(shared_dir):
    documents = {p.stem for p in (shared_dir / "examples").glob("*.md")} - {"README"}
    assert documents and documents == set(_names(shared_dir / "examples"))


def test_examples_metadata(shared_dir, run_cli, db_url):
    from test_import_support import postmortem

    folder = shared_dir / "examples"
    run_cli.ok("import", str(folder / "guide-template-orders-api.md"))
    guide = postmortem(db_url, "guide-template-orders-api")
    assert guide.title == "API 5xx errors due to database connection pool exhaustion"
    assert str(guide.incident_date) == "2026-06-19" and guide.severity == "major"
    assert guide.duration == "22 minutes (14:00 to 14:22 UTC)"
    assert guide.services == ["/api/orders", "every endpoint on the primary database connection"]
    assert guide.detection == "Monitoring alert" and guide.commander == "@oncall-alex"
    assert str(guide.review_date) == "2026-07-03" and guide.review_date_source == "default"
    run_cli.ok("import", str(folder / "google-sre-book-shakespeare-sonnet.md"))
    google = postmortem(db_url, "google-sre-book-shakespeare-sonnet")
    assert google.title == "Shakespeare Sonnet++ Postmortem (incident #465)"
    assert str(google.incident_date) == "2015-10-21"  # from a "## Date" heading
    run_cli.ok("import", str(folder / "obs-2023-12-01-notifications.md"))
    obs = postmortem(db_url, "obs-2023-12-01-notifications")
    assert obs.title == "Post-mortem: Service Degradation in the Notifications System"  # front matter
    assert str(obs.incident_date) == "2023-11-27"  # "**Date**: 27.11.2023"
    run_cli.ok("import", str(folder / "etcd-v3.5-data-inconsistency.md"))
    etcd = postmortem(db_url, "etcd-v3.5-data-inconsistency")
    assert str(etcd.incident_date) == "2022-04-20"  # a Field | Value table with an empty header
    assert etcd.extra.get("authors") == "serathius@"
