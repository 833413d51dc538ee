"""Build 10,000 postmortems / 100,000 items / 1,000,000 events and time `tracker report` over them.

    .venv/bin/python bench/report_bench.py                          # SQLite in a temp folder
    .venv/bin/python bench/report_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/report_bench.py --keep /tmp/bench.db        # build once, reuse afterwards
    .venv/bin/python bench/report_bench.py --url ... --keep bench_data  # the same with a kept schema

On PostgreSQL the data goes into a fresh schema that is dropped afterwards. Prints one line per
scenario (best and median of --repeat runs); the results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from tracker.app import AppContext  # noqa: E402
from tracker.config import config_from_text  # noqa: E402
from tracker.db import make_engine, upgrade  # noqa: E402
from tracker.models import ActionItem, Event, Link, Postmortem, SyncRun, TargetState  # noqa: E402

NOW = datetime.now(UTC)
TEAMS = ["payments", "platform", "search", "mobile", "data", None]


def people_config() -> str:
    """[people] and [teams] for the generated owners (personN is in team TEAMS[N % 6], as generated):
    the report attributes owners through the configuration, so the bench's must know them."""
    lines = []
    for number in range(300):
        team = TEAMS[number % len(TEAMS)]
        lines.append(f'[people.person{number}]\naliases = ["@person{number}"]')
        if team:
            lines.append(f'team = "{team}"')
    lines += [f"[teams.{team}]" for team in TEAMS if team]
    return "\n".join(lines) + "\n"


SEVERITIES = ["sev1", "sev2", "sev3", None]


def generate(
    postmortems: int, per_postmortem: int, events_per_item: int, seed: int = 7
) -> dict[str, list[dict[str, Any]]]:
    """Rows for every table: items spread over two years, with owners, slips, closes and bot closes."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {"postmortems": [], "items": [], "events": [], "links": []}
    item_id = event_id = 0
    for p in range(1, postmortems + 1):
        incident = NOW - timedelta(days=rng.randint(1, 730))
        rows["postmortems"].append(
            {
                "id": p,
                "slug": f"inc-{p:05d}",
                "title": f"Incident {p}",
                "incident_date": incident.date(),
                "severity": rng.choice(SEVERITIES),
                "services": [],
                "review_date": (incident + timedelta(days=14)).date(),
                "confidential": False,
                "historical": False,
                "extra": {},
                "created_at": incident,
                "updated_at": incident,
            }
        )
        for position in range(per_postmortem):
            item_id += 1
            created = incident + timedelta(hours=rng.randint(1, 72))
            first = (created + timedelta(days=rng.randint(7, 60))).date()
            deadline = first
            status = "open"
            history: list[tuple[str, Any, Any, datetime]] = [
                ("created", None, f"Item {item_id}", created),
                ("owner_text", None, f"@person{item_id % 300}", created),
                ("owner_person", None, f"person{item_id % 300}", created),
                ("deadline_text", None, first.isoformat(), created),
                ("deadline", None, first.isoformat(), created),
            ]
            moment = created
            for _ in range(rng.choice([0, 0, 1, 2])):  # deadline slips
                moment += timedelta(days=rng.randint(3, 30))
                if moment >= NOW:
                    break
                moved = deadline + timedelta(days=rng.randint(7, 45))
                history.append(("deadline_text", deadline.isoformat(), moved.isoformat(), moment))
                history.append(("deadline", deadline.isoformat(), moved.isoformat(), moment))
                deadline = moved
            for nxt in rng.choice(
                [[], ["in_progress"], ["in_progress", "done"], ["done"], ["wont_do"], ["done"]]
            ):
                moment += timedelta(days=rng.randint(1, 40))
                if moment >= NOW:
                    break
                history.append(("status", status, nxt, moment))
                status = nxt
            while len(history) < events_per_item:
                moment += timedelta(hours=rng.randint(1, 200))
                history.append(
                    ("title", f"Item {item_id}", f"Item {item_id}", min(moment, NOW - timedelta(minutes=1)))
                )
            bot = status == "wont_do" and rng.random() < 0.3
            done_at = moment if status in ("done", "wont_do") else None
            rows["items"].append(
                {
                    "id": item_id,
                    "postmortem_id": p,
                    "fingerprint": f"f{item_id}",
                    "position": position,
                    "title": f"Item {item_id}",
                    "owner_text": f"@person{item_id % 300}",
                    "owner_person": f"person{item_id % 300}",
                    "owner_team": TEAMS[item_id % len(TEAMS)],
                    "deadline": deadline,
                    "first_deadline": first,
                    "status": status,
                    "push": True,
                    "closed_by_bot": bot,
                    "done_at": done_at,
                    "created_at": created,
                    "updated_at": moment,
                }
            )
            if item_id % 3:
                rows["links"].append(
                    {
                        "item_id": item_id,
                        "target": "github" if item_id % 3 == 1 else "jira",
                        "kind": "github" if item_id % 3 == 1 else "jira",
                        "state": "linked",
                        "origin": "created",
                        "remote_id": str(item_id),
                        "key": f"OPS-{item_id}",
                        "base": {},
                        "attempts": 0,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            for field, old, new, when in history:
                event_id += 1
                rows["events"].append(
                    {
                        "id": event_id,
                        "item_id": item_id,
                        "postmortem_id": p,
                        "field": field,
                        "old": old,
                        "new": new,
                        "source": "document",
                        "occurred_at": when,
                        "recorded_at": when,
                    }
                )
    return rows


def load(url: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany in big transactions on SQLite."""
    engine = make_engine(url)
    upgrade(engine)
    tables = [
        (Postmortem.__table__, rows["postmortems"]),
        (ActionItem.__table__, rows["items"]),
        (Link.__table__, rows["links"]),
        (Event.__table__, rows["events"]),
    ]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            cursor = connection.connection.cursor()
            for table, data in tables:
                columns = list(data[0])
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row([_pg(row[c]) for c in columns])
            for table in ("postmortems", "action_items", "links", "events"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
                )
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            for table, data in tables:
                for start in range(0, len(data), 50_000):
                    connection.execute(insert(table), data[start : start + 50_000])
            connection.execute(text("ANALYZE"))
    with engine.begin() as connection:
        run = connection.execute(
            insert(SyncRun.__table__).values(
                command="sync", started_at=NOW, finished_at=NOW, outcome="ok", counts={}, requests=0
            )
        ).inserted_primary_key[0]
        for name, kind in (("github", "github"), ("jira", "jira")):
            connection.execute(
                insert(TargetState.__table__).values(
                    target=name,
                    kind=kind,
                    last_good_sync_at=NOW - timedelta(hours=2),
                    last_good_run_id=run,
                    verify_offset=0,
                    cache={},
                    updated_at=NOW,
                )
            )
    engine.dispose()


def _pg(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value)
    return value


def measure(url: str, repeat: int) -> list[tuple[str, float]]:
    """Best wall time of each scenario, through the same code path as the command."""
    from tracker.report.build import Options, build_report

    config = config_from_text(
        f'[database]\nurl = "{url}"\n[org]\ntimezone = "Europe/Berlin"\n'
        '[targets.github]\nkind = "github"\nrepo = "o/r"\ntoken_env = "T"\n'
        '[targets.jira]\nkind = "jira"\nurl = "https://j.example"\nproject = "OPS"\nflavor = "datacenter"\ntoken_env = "T"\n'
        + people_config()
    )
    app = AppContext(config=config)
    half_year = (NOW - timedelta(days=182)).date()
    scenarios = [
        ("report (figures + 12-month trend)", Options(save=False), False),
        ("report, no month end stored yet (cold)", Options(save=False), True),
        ("report, no trend", Options(save=False, months=0), False),
        ("report --as-of 6 months ago", Options(save=False, as_of=half_year), False),
        ("report --months 24", Options(save=False, months=24), False),
        ("report --months 24, cold", Options(save=False, months=24), True),
        ("report --postmortem (review view, with lint)", Options(save=False, postmortem="inc-00500"), False),
        ("report --owner", Options(save=False, owner="@person7", months=12), False),
    ]
    results = []
    try:
        for name, options, cold in scenarios:
            runs = []
            for _ in range(repeat):
                if cold:  # as after a bulk load or a change to the past: every month end counted again
                    with app.connection() as connection:
                        connection.execute("DELETE FROM trend_points")
                started = time.perf_counter()
                with app.connection() as connection:
                    report = build_report(app, connection, options)
                runs.append(time.perf_counter() - started)
            best, median = min(runs), statistics.median(runs)
            results.append((name, best))
            print(
                f"{name:<48} best {best * 1000:5.0f} ms  median {median * 1000:5.0f} ms"
                f"   total={report['summary']['total']}",
                flush=True,
            )
    finally:
        app.close()
    return results


def measure_cli(url: str, repeat: int) -> None:
    """`tracker report` as a user runs it: a new process (start-up, imports, rendering included)."""
    tracker = str(Path(sys.executable).with_name("tracker"))
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "tracker.toml"
        config.write_text(
            f'[database]\nurl = "{url}"\n[org]\ntimezone = "Europe/Berlin"\n' + people_config(),
            encoding="utf-8",
        )
        empty = Path(folder) / "empty.toml"
        empty.write_text(f'[database]\npath = "{folder}/empty.db"\n', encoding="utf-8")
        subprocess.run([tracker, "--config", str(empty), "db", "upgrade"], check=True, capture_output=True)
        help_best = help_cpu = 0.0  # the first line measures them: issue 15's targets read as ratios
        for name, args in (
            ("tracker --help (start-up alone)", ["--help"]),
            ("tracker report, empty SQLite database", ["--config", str(empty), "report", "--no-save"]),
            ("tracker report (plain table)", ["report", "--no-save"]),
            ("tracker report --format json", ["report", "--no-save", "--format", "json"]),
            (
                "tracker report --as-of 6 months ago",
                ["report", "--no-save", "--as-of", str((NOW - timedelta(days=182)).date())],
            ),
        ):
            runs = []
            chosen = [] if "--config" in args else ["--config", str(config)]
            # Bytecode cached, as in an installation (see bench/startup.py), after one warm-up run.
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            subprocess.run([tracker, *chosen, *args], check=True, capture_output=True, env=env)
            cpus = []
            for _ in range(repeat):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run([tracker, *chosen, *args], check=True, capture_output=True, env=env)
                runs.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            best, median, cpu = min(runs), statistics.median(runs), min(cpus)
            if args[0] == "--help":
                help_best, help_cpu = best, cpu
            # CPU time (user + system) barely moves when other work shares the machine; wall time does.
            print(
                f"{name:<48} best {best * 1000:5.0f} ms  median {median * 1000:5.0f} ms"
                f"  ({best / help_best:.1f}x --help)  CPU {cpu * 1000:5.0f} ms ({cpu / help_cpu:.1f}x)",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", help="PostgreSQL URL (a fresh schema is used); default: SQLite in a temp dir"
    )
    parser.add_argument("--postmortems", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=10, help="items per postmortem")
    parser.add_argument("--events", type=int, default=10, help="events per item")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="SQLite file (or PostgreSQL schema) to build once and reuse: when it exists, only pending "
        "migrations run before measuring, and it is never dropped",
    )
    parser.add_argument(
        "--processes-only", action="store_true", help="with --keep: time only the command as new processes"
    )
    args = parser.parse_args()
    if args.keep:
        url = _kept_url(args.url, args.keep)
        if _has_data(url):
            started = time.perf_counter()
            upgrade(make_engine(url))
            print(f"reusing {args.keep}; migrations up to date in {time.perf_counter() - started:.1f} s")
            settle(url)
            if not args.processes_only:
                measure(url, args.repeat)
            measure_cli(url, args.repeat)
            return
    started = time.perf_counter()
    rows = generate(args.postmortems, args.items, args.events)
    print(
        f"generated {len(rows['postmortems'])} postmortems, {len(rows['items'])} items, "
        f"{len(rows['events'])} events in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if args.keep:
        _run(_kept_url(args.url, args.keep), rows, args.repeat)
    elif args.url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.url}{'&' if '?' in args.url else '?'}options=-csearch_path%3D{schema}"
        try:
            _run(url, rows, args.repeat)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            _run(f"sqlite:///{folder}/bench.db", rows, args.repeat)


def _kept_url(url: str | None, keep: str) -> str:
    """The URL of a kept data set: a SQLite file, or a PostgreSQL schema (created when missing)."""
    if not url:
        return f"sqlite:///{keep}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{keep}"'))
    admin.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{keep}"


def _has_data(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT COUNT(*) FROM item_states")).scalar())
    except Exception:
        return False
    finally:
        engine.dispose()


def settle(url: str) -> None:
    """Bring the tables to their steady state: what autovacuum does on PostgreSQL (the visibility map
    lets the medians read their partial indexes only), fresh statistics on SQLite."""
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"))
    engine.dispose()


def derive_states(url: str) -> None:
    """The bulk load bypasses the ORM: derive item_states and report_rows as migrations 0005 and 0007 do."""
    from tracker.states import rebuild

    engine = make_engine(url)
    with engine.begin() as connection:
        rebuild(connection)
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _run(url: str, rows: dict[str, list[dict[str, Any]]], repeat: int) -> None:
    started = time.perf_counter()
    load(url, rows)
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    derive_states(url)
    print(
        f"item_states and report_rows derived (the migrations' backfill) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    settle(url)
    measure(url, repeat)
    measure_cli(url, repeat)


if __name__ == "__main__":
    main()
