"""Measure `tracker --help` and `tracker list` start-up time (a benchmark, not a test)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRACKER = str(Path(sys.executable).with_name("tracker"))


def measure(args: list[str], runs: int, cwd: str) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([TRACKER, *args], cwd=cwd, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when --help takes 0.3 s or more")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([TRACKER, "init"], cwd=work, check=True, capture_output=True)
        subprocess.run(
            [TRACKER, "add", "Add alert", "-p", "inc-1"], cwd=work, check=True, capture_output=True
        )
        help_time = measure(["--help"], args.runs, work)
        list_time = measure(["list"], args.runs, work)
    print(f"tracker --help  median {help_time * 1000:.0f} ms over {args.runs} runs")
    print(f"tracker list    median {list_time * 1000:.0f} ms over {args.runs} runs")
    if args.check and help_time >= 0.3:
        print("tracker --help is too slow (>= 0.3 s): something heavy is imported at start-up")
        sys.exit(1)


if __name__ == "__main__":
    main()
