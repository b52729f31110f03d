"""Runs inside the side venv of EDGI's web-monitoring-diff (see bench/README.md), never in
the project's: reads {"repeat": N, "pairs": [[old_html, new_html], ...]} as JSON on stdin,
prints {"wall": [...], "cpu": [...], "max_rss_kb": K} on stdout: per pair, the median of N
runs of `html_text_diff` (wall and CPU seconds), and the process's peak resident memory."""

import json
import resource
import statistics
import sys
import time

from web_monitoring_diff import html_text_diff


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
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"wall": walls, "cpu": cpus, "max_rss_kb": max_rss}, sys.stdout)


if __name__ == "__main__":
    main()
