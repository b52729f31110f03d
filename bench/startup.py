"""Start-up of the CLI in a new process, against a bare interpreter in the same run
(`make bench`): `policy-diff --help`, `versions --json`, `diff --json` on the bundled archive.
Each is run `--repeat` times; wall time and CPU time (user + system of the child) are
reported as medians. Targets (issue 17): --help under 150 ms, versions --json under 250 ms.

Usage: python bench/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(command: list[str], repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("policy-diff"))
    archive = str(HERE.parent / "archive")
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "policy-diff --help": [exe, "--help"],
        "policy-diff versions --json": [exe, "--archive", archive, "versions", "google-privacy-policy", "--json"],
        "policy-diff diff --json": [exe, "--archive", archive, "diff", "google-privacy-policy", "--json"],
    }
    print(f"median of {args.repeat} runs each, in a new process")
    print()
    print("| command | wall ms | CPU ms |")
    print("|---|---|---|")
    for name, command in commands.items():
        wall, cpu = run(command, args.repeat)
        print(f"| {name} | {wall * 1000:.0f} | {cpu * 1000:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
