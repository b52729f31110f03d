"""Runs inside the side venv of EDGI's web-monitoring-diff (see bench/README.md), never in
the project's: reads {"repeat": N, "pairs": [[old_html, new_html], ...]} as JSON on stdin,
prints {"wall": [...], "cpu": [...], "max_rss_kb": K} on stdout: per pair, the median of N
runs of `html_text_diff` (wall and CPU seconds), and the process's own peak resident memory
(`_peak.py`: not the figure `getrusage` gives a child of the larger bench process)."""

import json
import statistics
import sys
import time

from web_monitoring_diff import html_text_diff

from _peak import own_peak_kb


def main() -> None:
    request = json.load(sys.stdin)
    walls, cpus = [], []
    for old, new in request["pairs"]:
        wall, cpu = [], []
        for _ in range(request["repeat"]):
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            html_text_diff(old, new)
            wall.append(time.perf_counter() - start_wall)
            cpu.append(time.process_time() - start_cpu)
        walls.append(statistics.median(wall))
        cpus.append(statistics.median(cpu))
    json.dump({"wall": walls, "cpu": cpus, "max_rss_kb": own_peak_kb()}, sys.stdout)


if __name__ == "__main__":
    main()
