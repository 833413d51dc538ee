"""Time the everyday commands as new processes on a 1,000-item database (a benchmark, not a test).

    .venv/bin/python bench/startup.py                 # best and median of --runs, per command
    .venv/bin/python bench/startup.py --check         # CI: each command within RATIO x `tracker --help`
    .venv/bin/python bench/startup.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

The database holds 100 postmortems of 10 items with 10 events each (bench/report_bench.py's
generator), bulk-loaded and derived as the migrations do. Every command runs as a user runs it: a
new `tracker` process, output to a pipe. `--check` compares each command's best time with
`tracker --help`'s on the same machine, so a slower machine does not fail it. Issue 15's target is
under 0.3 s where `--help` takes 0.06 s: RATIO is that 5x.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TRACKER = str(Path(sys.executable).with_name("tracker"))
# Best time allowed as a multiple of `tracker --help`'s best: issue 15's target, 5x (0.3 s against
# 0.06 s). The check compares wall and CPU time and fails only when both are over, so a loaded
# machine (where wall time swings by half) does not fail it; the commands measure 1.8-3.5x here.
RATIO = 5.0
HELP_LIMIT = 0.3  # seconds: `tracker --help` imports nothing heavy


def commands(slug: str, item: int) -> list[tuple[str, list[str]]]:
    return [
        ("tracker --help", ["--help"]),
        ("tracker list", ["list"]),
        (f"tracker show {item}", ["show", str(item)]),
        (f"tracker report -p {slug}", ["report", "-p", slug]),
        ("tracker report", ["report"]),
    ]


def user_environment() -> dict[str, str]:
    """The environment without PYTHONDONTWRITEBYTECODE: an installed tracker has its bytecode cached,
    and compiling every module from source on each run would measure the compiler, not the command."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


Timing = tuple[float, float, float]  # best wall, median wall, best CPU (user + system) seconds


def measure(args: list[str], runs: int, cwd: str) -> Timing:
    """Wall time of `tracker ARGS` as a new process (best, median) and its best CPU time, after a
    warm-up run. CPU time barely moves when other work shares the machine; wall time does."""
    env = user_environment()
    subprocess.run([TRACKER, *args], cwd=cwd, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([TRACKER, *args], cwd=cwd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), statistics.median(walls), min(cpus)


def build(url: str) -> None:
    """1,000 items with their history, loaded in bulk and derived as report_bench does."""
    import report_bench

    rows = report_bench.generate(100, 10, 10)
    report_bench.load(url, rows)
    report_bench.derive_states(url)
    report_bench.settle(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", help="PostgreSQL URL (a fresh schema, dropped after); default: SQLite")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when a command's best exceeds {RATIO}x tracker --help's"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        schema = None
        if args.url:
            from sqlalchemy import create_engine, text

            schema = f"startup_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.url)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.url}{'&' if '?' in args.url else '?'}options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{work}/tracker.db"
        try:
            build(url)
            Path(work, "tracker.toml").write_text(
                f'[database]\nurl = "{url}"\n[org]\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
            )
            results = [(name, *measure(cmd, args.runs, work)) for name, cmd in commands("inc-00050", 495)]
        finally:
            if schema is not None:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    help_wall, help_cpu = results[0][1], results[0][3]
    failed = []
    for name, best, median, cpu in results:
        ratio, cpu_ratio = best / help_wall, cpu / help_cpu
        print(
            f"{name:<28} best {best * 1000:5.0f} ms  median {median * 1000:5.0f} ms  ({ratio:.1f}x --help)"
            f"  CPU {cpu * 1000:5.0f} ms ({cpu_ratio:.1f}x)"
        )
        # Both ratios over the limit: wall time alone is at the mercy of whatever else runs.
        if name != "tracker --help" and min(ratio, cpu_ratio) > RATIO:
            failed.append(name)
    if args.check and min(help_wall, help_cpu) >= HELP_LIMIT:
        print(f"tracker --help is too slow (>= {HELP_LIMIT} s): something heavy is imported at start-up")
        sys.exit(1)
    if args.check and failed:
        print(f"more than {RATIO}x tracker --help: {', '.join(failed)} (see `python -X importtime`)")
        sys.exit(1)


if __name__ == "__main__":
    main()
