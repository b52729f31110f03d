"""Runs inside the side venv of EDGI's web-monitoring-diff (see bench/README.md), never in
the project's: reads [[old_html, new_html], ...] as JSON on stdin, prints the seconds each
`html_text_diff` took (median of `repeat` runs) as JSON on stdout."""

import json
import statistics
import sys
import time

from web_monitoring_diff import html_text_diff


def main() -> None:
    request = json.load(sys.stdin)
    out = []
    for old, new in request["pairs"]:
        times = []
        for _ in range(request["repeat"]):
            start = time.perf_counter()
            html_text_diff(old, new)
            times.append(time.perf_counter() - start)
        out.append(statistics.median(times))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
