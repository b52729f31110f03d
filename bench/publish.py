"""What publishing the raw captures costs (issue 13's `publish_captures`, default on): the
bundled site built with it, against the same site built with `publish_captures: false`, in
the same run, alternating, wall and CPU time (the build's own process), medians and ratio;
and the bytes and files it adds to the site.

Usage: python bench/publish.py [--repeat 3]
Writes bench/output/publish.json and prints a line per measure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def project(root: Path, publish: bool) -> Path:
    config = root / f"mkdocs-{'on' if publish else 'off'}.yml"
    config.write_text(
        f"INHERIT: {REPO / 'mkdocs.yml'}\ndocs_dir: {REPO / 'docs'}\n"
        f"plugins:\n  - search\n  - policy-diff:\n      archive_dir: {REPO / 'archive'}\n"
        f"      publish_captures: {'true' if publish else 'false'}\n",
        encoding="utf-8",
    )
    return config


def build(config: Path, site: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(site)], env=ENV, capture_output=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode())
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runs: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
        for _ in range(args.repeat):
            for name in ("off", "on"):
                runs[name].append(build(project(root, name == "on"), root / f"site-{name}"))
        captures = sorted((root / "site-on").glob("policies/*/captures/*"))
        result = {
            name: {
                "wall_median_s": round(statistics.median(w for w, _ in times), 3),
                "cpu_median_s": round(statistics.median(c for _, c in times), 3),
            }
            for name, times in runs.items()
        }
        result["ratio_wall"] = round(result["on"]["wall_median_s"] / result["off"]["wall_median_s"], 3)
        result["ratio_cpu"] = round(result["on"]["cpu_median_s"] / result["off"]["cpu_median_s"], 3)
        result["captures_published"] = len(captures)
        result["bytes_added"] = sum(p.stat().st_size for p in captures)
        result["repeat"] = args.repeat
    out = REPO / "bench" / "output"
    out.mkdir(parents=True, exist_ok=True)
    (out / "publish.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name in ("off", "on"):
        print(
            f"publish_captures {name:>3}: wall {result[name]['wall_median_s']} s, cpu {result[name]['cpu_median_s']} s"
        )
    print(
        f"ratio on/off: wall {result['ratio_wall']}, cpu {result['ratio_cpu']}; "
        f"{result['captures_published']} captures, {result['bytes_added']} bytes added"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
