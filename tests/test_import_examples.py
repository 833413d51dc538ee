"""Every example postmortem imports exactly as its answer key says, through the real CLI and database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import load_bench
from test_import_support import DATA, TARGETS, as_written, items

from tracker.importing.markdown import to_plain


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check what an import stores, not how a database is first made: start at head."""
    return migrated_db_url


def _names(folder: Path) -> list[str]:
    return sorted(p.name[: -len(".expected.json")] for p in folder.glob("*.expected.json"))


# Documents whose forms the importer was built for: each must match its answer key exactly. Every
# other example is measured, not memorised: bench/understanding.py scores all of them by organisation
# (leave one organisation out) and .ci/run fails when a figure drops under its floor.
BUILT_FOR = [
    "cheqd-2023-01-30-v1x-upgrade",
    "cheqd-2025-05-28-v4x-testnet-halt",
    "cheqd-2025-07-02-v4x-testnet-retrial",
    "cog-uk-2021-03-05-blank-biosample",
    "cog-uk-2021-04-16-iontorrent-qc",
    "cog-uk-2022-01-05-unpublish",
    "cog-uk-2022-04-20-foel-listener-failure",
    "ecadinfra-2025-08-19-celestia-validator",
    "edgi-2018-10-09-staging-reboot-loop",
    "edgi-2018-10-10-differ-locked-cluster",
    "edgi-2018-10-30-incorrect-tls-certs",
    "edgi-2019-01-18-versionista-scraper-failure",
    "edgi-2019-02-12-wayback-import-failure",
    "edgi-2019-07-21-differ-broken",
    "etcd-v3.5-data-inconsistency",
    "ethereum-pm-2020-01-02-muir-glacier-retro",
    "ethereum-pm-2021-07-21-london-ropsten",
    "ethereum-pm-2025-03-05-sepolia-pectra",
    "felvin-2021-08-13-localstorage-schema",
    "gattaca-helix-2024-11-28-missed-blocks",
    "google-sre-book-shakespeare-sonnet",
    "govuk-one-login-001-lambda-retries",
    "govuk-one-login-002-deletion-processor-errors",
    "govuk-one-login-003-config-errors",
    "guide-template-orders-api",
    "hachyderm-2022-12-13-root-filesystem-full",
    "hachyderm-2022-12-18-media-caching",
    "hachyderm-2023-01-03-fritz-overload",
    "hachyderm-2023-01-07-fritz-timeouts",
    "hachyderm-2023-02-27-tls-media",
    "hachyderm-2023-07-16-redis-exposed",
    "hexpm-2025-07-30-hex-outage",
    "hexpm-2026-08-24-private-package-authz",
    "homebrew-2018-08-05-security-incident",
    "homebrew-2021-04-21-security-incident",
    "iip-design-2021-06-25-graphql-endpoint",
    "iip-design-2022-03-23-s3-dns",
    "leapdao-2019-06-17-mainnet",
    "matrix-org-2019-07-24-data-portability-bug",
    "mybinder-2017-09-27-hub-403",
    "mybinder-2018-03-26-no-space-left",
    "obs-2022-05-11-strscan",
    "obs-2023-12-01-notifications",
    "posthog-2025-10-03-surveys-sdk-bug",
    "posthog-2025-10-21-feature-flags-recurring-outages",
    "posthog-2026-01-17-replay-sdk-fetch-wrapper",
]


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


@pytest.mark.parametrize("name", BUILT_FOR)
def test_shared_example_imports_as_expected(name, shared_dir, run_cli, db_url):
    folder = shared_dir / "examples"
    _check(run_cli, db_url, folder / f"{name}.md", folder / f"{name}.expected.json")


@pytest.mark.parametrize("name", _names(DATA))
def test_own_hard_case_imports_as_expected(name, run_cli, make_config, db_url):
    make_config(TARGETS)
    _check(run_cli, db_url, DATA / f"{name}.md", DATA / f"{name}.expected.json")


def test_every_shared_example_has_an_answer_key(shared_dir):
    documents = {p.stem for p in (shared_dir / "examples").glob("*.md")} - {"README", "SOURCES"}
    assert documents and documents == set(_names(shared_dir / "examples"))
    assert set(BUILT_FOR) <= documents


def test_import_figures_by_organisation_meet_their_floors(shared_dir):
    """Import, scored on every example with each organisation left out in turn, stays at its floors."""
    bench = load_bench("understanding")
    examples = shared_dir / "examples"
    figures = bench.import_figures(examples, leave_out=True)
    overall = figures["overall"]
    assert overall["documents"] == len(_names(examples))
    assert overall["found_rate"] >= bench.FLOORS["import_found"]
    assert overall["exact_rate"] >= bench.FLOORS["import_exact"]
