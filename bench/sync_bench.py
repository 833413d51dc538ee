"""Sync benchmark: requests and wall time of `tracker sync` vs a naive per-item poller; push; import.

    .venv/bin/python bench/sync_bench.py                     # everything (about 10 minutes)
    .venv/bin/python bench/sync_bench.py --sizes 100,1000 --skip-push --skip-import

Runs the real `tracker` as a subprocess against the loopback fake GitHub (and fake Jira for the
bulk push) with `--latency` seconds (default 0.05) added to every request. Linked items are seeded
directly (items bulk-inserted into the database, issues written straight into the fake, then
`tracker adopt`), not through thousands of creates. Prints Markdown tables for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.orm import Session

from tracker.backends.base import IssueContext
from tracker.backends.block import compose_markdown_body
from tracker.backends.pacing import CreateBudget
from tracker.db import upgrade
from tracker.issue_text import make_marker
from tracker.models import ActionItem, Postmortem
from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

TRACKER = str(Path(sys.executable).with_name("tracker"))
REPO = "acme/platform"
TOKEN = "ghp_benchTOKEN000000000000000000000000"
LABEL = "postmortem-action"
PER_DOC = 100
OTHER_ISSUES = 2000  # non-tracker issues in the same repository
OTHER_CHANGED = 500  # of which this many change before every measured run
NAIVE_SAMPLE = 200  # naive GETs actually timed per size; the rest is extrapolated linearly


def config_text(github: str, jira: str = "") -> str:
    return f"""
[org]
timezone = "UTC"

[targets.gh]
kind = "github"
repo = "{REPO}"
api_url = "{github}"
token_env = "BENCH_GH_TOKEN"
creates_per_minute = 1000000
creates_per_hour = 1000000
{jira}
[routing]
default = "{"ops" if jira else "gh"}"

[people."dana"]
github = "dana-w"
jira = "5b10a2844c20165700ede21a"
aliases = ["@dana"]

[sync]
confirm_first_push = false
max_creates = 100000
"""


def documents(folder: Path, items: int, per_doc: int = PER_DOC, prefix: str = "inc") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for doc in range(math.ceil(items / per_doc)):
        count = min(per_doc, items - doc * per_doc)
        rows = "\n".join(
            f"| Alert when queue {doc}-{n} depth exceeds {1000 + n} for 5 min | @dana | 2030-06-10 | Open |"
            for n in range(count)
        )
        (folder / f"{prefix}-{doc:05d}.md").write_text(
            f"---\nslug: {prefix}-{doc:05d}\nincident_date: 2030-06-01\n---\n# Outage {doc}\n\n"
            f"## Action Items\n\n| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n{rows}\n",
            encoding="utf-8",
        )


def tracker(work: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "BENCH_GH_TOKEN": TOKEN, "BENCH_JIRA_TOKEN": "cloud-api-token"}
    env["BENCH_JIRA_EMAIL"] = "bot@example.com"
    start = time.perf_counter()
    result = subprocess.run(
        [TRACKER, "--config", str(work / "tracker.toml"), *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"tracker {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, result


def fake_github() -> FakeGitHub:
    fake = FakeGitHub(rate_limit=10**9, content_creation_per_minute=10**9, content_creation_per_hour=10**9)
    fake.add_token(TOKEN, "tracker-bot")
    fake.add_repo(REPO, private=True, collaborators=["dana-w", "tracker-bot"])
    return fake.start()


def seed(work: Path, gh: FakeGitHub, items: int) -> list[int]:
    """Items inserted straight into the database, their issues into the fake, linked by `tracker adopt`."""
    engine = create_engine(f"sqlite:///{work / 'tracker.db'}")
    insert_items(engine, items)
    with Session(engine) as session:
        rows = session.execute(
            select(ActionItem.id, ActionItem.title, ActionItem.fingerprint, Postmortem.slug).join(Postmortem)
        ).all()
    engine.dispose()
    numbers = []
    for item_id, title, fingerprint, slug in rows:
        marker = make_marker("gh", slug, fingerprint)
        context = IssueContext(slug, slug, date(2030, 6, 1), owner_text="@dana", item_id=item_id)
        body = compose_markdown_body("From the postmortem.", marker, context, date(2030, 6, 10))
        numbers.append(
            gh.create_issue(REPO, title, body, user="tracker-bot", labels=[LABEL], assignees=["dana-w"])
        )
    for n in range(OTHER_ISSUES):
        gh.create_issue(REPO, f"Unrelated issue {n}", "Not ours.", labels=["bug"])
    gh.advance(3600)  # the seeded issues are an hour old, as in a running installation
    _, adopted = tracker(work, "adopt", "gh")
    assert f"{items} issue(s) adopted" in adopted.stdout, adopted.stdout[-500:]
    return numbers


def insert_items(engine: Engine, items: int) -> None:
    """What importing generated postmortems would store, bulk-inserted (importing 10,000 takes minutes)."""
    upgrade(engine)
    with Session(engine) as session, session.begin():
        docs = math.ceil(items / PER_DOC)
        session.execute(
            insert(Postmortem),
            [
                {
                    "slug": f"inc-{d:05d}",
                    "title": f"Outage {d}",
                    "incident_date": date(2030, 6, 1),
                    "services": [],
                }
                for d in range(docs)
            ],
        )
        ids = {slug: pid for slug, pid in session.execute(select(Postmortem.slug, Postmortem.id))}
        rows = []
        for n in range(items):
            doc, pos = divmod(n, PER_DOC)
            rows.append(
                {
                    "postmortem_id": ids[f"inc-{doc:05d}"],
                    "fingerprint": f"{n:032x}",
                    "position": pos,
                    "source_line": pos + 10,
                    "title": f"Alert when queue {doc}-{pos} depth exceeds {1000 + pos} for 5 min",
                    "owner_text": "@dana",
                    "owner_person": "dana",
                    "deadline_text": "2030-06-10",
                    "deadline": date(2030, 6, 10),
                    "first_deadline": date(2030, 6, 10),
                    "deadline_source": "document",
                    "status_text": "Open",
                    "status_source": "document",
                }
            )
        session.execute(insert(ActionItem), rows)


@dataclass
class Row:
    size: int
    changed: int
    requests: int
    seconds: float
    naive_requests: int
    naive_seconds: float
    bound: int


def naive_poll(gh: FakeGitHub, numbers: list[int]) -> float:
    """One GET per linked item, the pattern most tools use; times a sample and extrapolates."""
    sample = numbers[:NAIVE_SAMPLE]
    session = requests.Session()
    session.headers["Authorization"] = f"token {TOKEN}"
    start = time.perf_counter()
    for number in sample:
        session.get(f"{gh.api_url}/repos/{REPO}/issues/{number}", timeout=30).raise_for_status()
    session.close()
    return (time.perf_counter() - start) * len(numbers) / len(sample)


def settle(work: Path, gh: FakeGitHub) -> None:
    """Back to idle, then five minutes pass on the server (past the pull overlap), as between cron runs."""
    latency, gh.engine.latency = gh.engine.latency, 0.0
    for _ in range(3):
        tracker(work, "-q", "sync")
    gh.advance(300)
    gh.engine.latency = latency


def measure_size(size: int, latency: float, changes: list[int]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gh = fake_github()
        try:
            (work / "tracker.toml").write_text(config_text(gh.api_url), encoding="utf-8")
            numbers = seed(work, gh, size)
            linked = set(numbers)
            others = [i.number for i in gh.issues(REPO) if i.number not in linked]
            gh.engine.latency = latency
            naive_seconds = naive_poll(gh, numbers)
            for k in changes:
                settle(work, gh)
                for number in numbers[:k]:
                    gh.close_issue(REPO, number, "completed", actor="dana-w")
                for number in others[:OTHER_CHANGED]:
                    gh.edit_issue(REPO, number, title=f"Unrelated issue, edited {time.time()}")
                gh.reset_log()
                seconds, _ = tracker(work, "-q", "sync")
                bound = 1 + math.ceil(k / 100) + (10 if k else 0)  # targets + pages + the slice
                rows.append(Row(size, k, len(gh.requests), seconds, size, naive_seconds, bound))
                for number in numbers[:k]:
                    gh.reopen_issue(REPO, number)
        finally:
            gh.stop()
    return rows


def pacing_bound(creates: int, per_minute: int = 20, per_hour: int = 400) -> float:
    """Seconds GitHub pacing needs for `creates` (the defaults), computed on a simulated clock."""
    now = [0.0]
    budget = CreateBudget(
        per_minute, per_hour, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    for _ in range(creates):
        budget.acquire()
    return now[0]


def push(latency: float, count: int = 1000) -> list[tuple[str, int, float]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gh = fake_github()
        try:
            (work / "tracker.toml").write_text(config_text(gh.api_url), encoding="utf-8")
            documents(work / "pm", count)
            tracker(work, "import", str(work / "pm"))
            gh.engine.latency = latency
            seconds, _ = tracker(work, "-q", "sync", "--yes")
            results.append(("GitHub (creates_per_minute = 1,000,000)", len(gh.requests), seconds))
        finally:
            gh.stop()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with FakeJira("cloud") as jira:
            jira_target = (
                f'[targets.ops]\nkind = "jira"\nurl = "{jira.url}"\nflavor = "cloud"\nproject = "OPS"\n'
                'email_env = "BENCH_JIRA_EMAIL"\ntoken_env = "BENCH_JIRA_TOKEN"\n'
            )
            (work / "tracker.toml").write_text(
                config_text("http://127.0.0.1:9/api/v3", jira_target), encoding="utf-8"
            )
            documents(work / "pm", count)
            tracker(work, "import", str(work / "pm"))
            jira.core.latency = latency
            seconds, _ = tracker(work, "-q", "sync", "--yes", "--target", "ops")
            results.append(("Jira Cloud (bulk, 50 a request)", len(jira.requests), seconds))
    return results


def import_documents(count: int = 1000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tracker.toml").write_text('[org]\ntimezone = "UTC"\n', encoding="utf-8")
        documents(work / "pm", count * 5, per_doc=5)
        seconds, _ = tracker(work, "import", str(work / "pm"))
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--changes", default="0,10,100")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--skip-push", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    changes = [int(k) for k in args.changes.split(",")]
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"latency per request: {args.latency * 1000:.0f} ms; {OTHER_ISSUES} other issues, {OTHER_CHANGED} changed per run\n"
    )
    print("| linked | changed | sync requests | bound | sync wall | naive requests | naive wall | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        for row in measure_size(size, args.latency, changes):
            ok = "" if row.requests <= row.bound else " (over)"
            print(
                f"| {row.size:,} | {row.changed} | {row.requests}{ok} | {row.bound} | {row.seconds:.2f} s "
                f"| {row.naive_requests:,} | {row.naive_seconds:.1f} s | {row.naive_requests / row.requests:,.0f}x |",
                flush=True,
            )
    if not args.skip_push:
        bound = pacing_bound(1000)
        print(f"\npush of 1,000: GitHub pacing at the defaults (20/min, 400/h) needs {bound / 3600:.2f} h")
        print("| push of 1,000 new items | requests | wall |\n| --- | ---: | ---: |")
        for name, count, seconds in push(args.latency):
            print(f"| {name} | {count} | {seconds:.1f} s |", flush=True)
    if not args.skip_import:
        print(f"\nimport of 1,000 documents (5 items each): {import_documents():.1f} s")


if __name__ == "__main__":
    main()
