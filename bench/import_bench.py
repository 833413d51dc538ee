"""Import benchmark: `tracker import FOLDER` of generated archives as a new process, and its growth.

    .venv/bin/python bench/import_bench.py                      # 1,000 and 2,000 documents, both kinds
    .venv/bin/python bench/import_bench.py --sizes 250,500 --runs 1
    .venv/bin/python bench/import_bench.py --check              # exit 1 when 2,000 take > 2.2x 1,000

Two kinds of archive, 5 action items a document, one incident a day (so every document has earlier
postmortems for recurrence to compare with), each document with a root-cause section and the services
it affected:

- `varied`: many organisations' documents; services and words drawn from large vocabularies.
- `company`: one company; every document names one or two of the same dozen services, and its items
  and cause are written from the same few phrases (the case where words shared by everything make any
  word index useless unless it filters on what must be shared).

In both, an item stays open with the odds real archives show: the last 100 documents' items are
mostly open (follow-ups in progress), older ones mostly done, with a few percent left open for ever
(the neglected follow-ups recurrence exists to find). Documents are generated from a fixed seed.
`--check` compares ratios (2,000 against 1,000 documents, the best CPU time of the runs, the wall
time printed beside it), never absolute times.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

TRACKER = str(Path(sys.executable).with_name("tracker"))
PER_DOC = 5
RATIO_LIMIT = 2.2
RECENT = 100  # documents at the end of the archive whose items are mostly still open

COMPANY_SERVICES = (
    "orders-api",
    "payments-gateway",
    "checkout-web",
    "inventory-db",
    "search-cluster",
    "auth-service",
    "notification-worker",
    "billing-batch",
    "edge-proxy",
    "catalog-cache",
    "kafka-events",
    "reporting-warehouse",
)
COMPANY_ITEMS = (
    "Add alerting on {svc} error rate above {n}%",
    "Add a runbook for {svc} failover",
    "Increase {svc} connection pool size and alert on saturation",
    "Add retries with backoff to the {svc} client",
    "Load test {svc} at twice peak traffic",
    "Add a dashboard for {svc} latency and error rate",
    "Set a timeout on {svc} calls to the database",
    "Page the on-call engineer when {svc} latency exceeds {n} ms",
    "Document the {svc} deploy rollback procedure",
    "Add a canary stage to {svc} deploys",
    "Cap {svc} queue depth and shed load above {n} requests",
    "Review {svc} capacity before the next sale",
)
COMPANY_CAUSES = (
    "A deploy of {svc} exhausted the database connection pool and requests timed out.",
    "The {svc} client retried without backoff and the retry storm overloaded {other}.",
    "Latency on {svc} rose after a configuration change; alerting did not fire because the error rate "
    "threshold was too high.",
    "{svc} ran out of memory under peak traffic and the on-call engineer was not paged.",
    "A slow query on {other} made {svc} queue depth grow until requests were shed.",
)


def _words(rng: random.Random, count: int) -> list[str]:
    letters = "bcdfghjklmnprstvz"
    vowels = "aeiou"
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(letters) + rng.choice(vowels) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def _status(rng: random.Random, doc: int, count: int) -> str:
    recent = doc >= count - RECENT
    if rng.random() < (0.7 if recent else 0.03):
        return rng.choice(("Open", "Open", "In progress"))
    return rng.choice(("Done", "Done", "Done", "Won't do"))


def _document(slug: str, day: date, services: list[str], cause: str, rows: list[str]) -> str:
    table = "\n".join(rows)
    return (
        f"---\nslug: {slug}\nincident_date: {day.isoformat()}\n---\n# Outage {slug}\n\n"
        f"Services affected: {', '.join(services)}\n\n## Root cause\n\n{cause}\n\n"
        f"## Action Items\n\n| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n{table}\n"
    )


def archive(folder: Path, count: int, kind: str, seed: int = 15) -> None:
    """Write `count` generated postmortems of the given kind (`varied` or `company`) into `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = _words(rng, 5000)
    service_names = [f"{w}-svc" for w in _words(rng, 600)]
    first = date(2020, 1, 1)
    for doc in range(count):
        slug = f"inc-{doc:05d}"
        day = first + timedelta(days=doc)
        rows = []
        if kind == "company":
            services = rng.sample(COMPANY_SERVICES, rng.choice((1, 1, 2)))
            other = rng.choice(COMPANY_SERVICES)
            cause = " ".join(
                rng.choice(COMPANY_CAUSES).format(svc=services[0], other=other) for _ in range(2)
            )
            for _ in range(PER_DOC):
                title = rng.choice(COMPANY_ITEMS).format(
                    svc=rng.choice(services), n=rng.choice((1, 5, 250, 500))
                )
                rows.append(f"| {title} | @dana | {day + timedelta(days=30)} | {_status(rng, doc, count)} |")
        else:
            services = rng.sample(service_names, 2)
            cause = " ".join(rng.sample(vocabulary, 30)) + "."
            for _ in range(PER_DOC):
                words = rng.sample(vocabulary, rng.randint(4, 8))
                title = f"{rng.choice(('Add', 'Fix', 'Alert on', 'Document'))} {' '.join(words)}"
                rows.append(f"| {title} | @dana | {day + timedelta(days=30)} | {_status(rng, doc, count)} |")
        (folder / f"{slug}.md").write_text(_document(slug, day, services, cause, rows), encoding="utf-8")


def import_seconds(count: int, kind: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one `tracker import FOLDER` of a fresh archive, as a new process on a new
    database (CPU time says what the wall time means on a machine shared with other work)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tracker.toml").write_text('[org]\ntimezone = "UTC"\n', encoding="utf-8")
        archive(work / "pm", count, kind)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(
            [TRACKER, "--config", str(work / "tracker.toml"), "-q", "import", str(work / "pm")],
            cwd=work,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise SystemExit(f"tracker import failed ({result.returncode}):\n{result.stderr[-2000:]}")
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,2000", help="document counts (the first two are compared)")
    parser.add_argument("--kinds", default="varied,company")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 when the second size takes > {RATIO_LIMIT}x the first's CPU time",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        "| archive | documents | items | best | median | CPU (best run) |\n| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    failed = []
    for kind in args.kinds.split(","):
        wall: dict[int, float] = {}
        cpu: dict[int, float] = {}
        for size in sizes:
            samples = [import_seconds(size, kind) for _ in range(args.runs)]
            walls = sorted(w for w, _ in samples)
            wall[size], cpu[size] = walls[0], min(c for _, c in samples)
            print(
                f"| {kind} | {size:,} | {size * PER_DOC:,} | {walls[0]:.1f} s "
                f"| {statistics.median(walls):.1f} s | {cpu[size]:.1f} s |",
                flush=True,
            )
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[1]
            ratio = wall[large] / wall[small]
            cpu_ratio = cpu[large] / cpu[small]
            print(
                f"{kind}: {large:,} documents take {ratio:.2f}x {small:,} in wall time, {cpu_ratio:.2f}x in "
                f"CPU time (limit {RATIO_LIMIT}x)"
            )
            # CPU time is what the check trusts: on a machine shared with other work the wall time of
            # two runs minutes apart says more about the neighbours than about tracker.
            if cpu_ratio > RATIO_LIMIT:
                failed.append(kind)
    if args.check and failed:
        print(f"import grows faster than the archive for: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
