"""Batch throughput on Dask: captures a second per worker, the speed-up from 1 to 2 workers,
peak memory per worker, and the projected time of the Princeton-Leuven dataset (1M captures)
on 32 cores.

The input is a repository in the dataset's layout (`policydiff.batch.layout`), generated
deterministically from the corpus's real captures: site i takes document i mod D of the
corpus (every document with raw captures: OTA's and tosback's `snapshots/*.html`, ZWSOFT's
dataset captures, GitHub's privacy statement sources) and K consecutive captures of it,
starting at offset (i div D) * K, under its own domain `<document>-<i>.example`, each capture
committed at its real time (the corpus's file name). So the sites are real policies of real
sizes, the same every run.

Each configuration runs `run_batch` on a fresh output folder against a local cluster started
before the clock (cluster start-up is reported apart: a run of the whole dataset pays it
once), configurations interleaved within each repeat; medians over repeats. CPU time is the
workers' own (`getrusage` in each worker process, before and after), peak memory their
own maximum resident set size (`_peak.py`).

    python bench/batch.py [--corpus ../shared/corpus] [--sites 24] [--per-site 6] [--repeat 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from policydiff.batch.layout import DatasetCapture, write_repository
from policydiff.times import stamp_in_name

REPO = Path(__file__).resolve().parent.parent


def documents(corpus: Path) -> list[tuple[str, list[tuple[Path, bool]]]]:
    """(name, [(capture file, is HTML)]) of every corpus document with raw captures, sorted."""
    out = []
    for folder in sorted(p for p in corpus.glob("*/*") if p.is_dir()):
        files = sorted((folder / "snapshots").glob("*.html")) or sorted((folder / "captures").glob("*.*"))
        if not files and folder.parent.name == "github-site-policy":
            files = sorted((folder / "versions").glob("*.md"))
        if files:
            out.append((folder.name, [(f, f.suffix == ".html") for f in files]))
    return out


def generate(corpus: Path, path: Path, sites: int, per_site: int) -> int:
    docs = documents(corpus)
    captures = []
    for i in range(sites):
        name, files = docs[i % len(docs)]
        start = (i // len(docs)) * per_site
        chosen = [files[(start + j) % len(files)] for j in range(min(per_site, len(files)))]
        for file, html in chosen:
            captures.append(
                DatasetCapture(f"{name}-{i:03d}.example", stamp_in_name(file.name), file.read_bytes(), html)
            )
    write_repository(path, captures)
    return len(captures)


def _usage() -> tuple[float, int]:
    # Runs in a worker: its own peak, not the nanny's carried over by the worker's start.
    from _peak import own_peak_kb

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, own_peak_kb() * 1024


def run(repo: Path, workers: int, scratch: Path) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from policydiff.batch.run import run_batch

    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    client = Client(cluster)
    startup = time.perf_counter() - started
    out = Path(tempfile.mkdtemp(dir=scratch))
    try:
        before = client.run(_usage)
        driver = time.process_time()
        wall = time.perf_counter()
        report = run_batch(repo, out, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - wall
        driver = time.process_time() - driver
        after = client.run(_usage)
    finally:
        client.close()
        cluster.close()
        shutil.rmtree(out, ignore_errors=True)
    assert report.count("failed") == 0, [r.message for r in report.results if r.status == "failed"]
    cpu = [after[w][0] - before[w][0] for w in after]
    return {
        "captures": report.captures,
        "wall": wall,
        "cpu": sum(cpu),
        "driver_cpu": driver,
        "peak_mb": max(after[w][1] for w in after) / 2**20,
        "startup": startup,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared/corpus"))
    )
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--per-site", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="pd-bench-batch-"))
    try:
        repo = scratch / "dataset"
        count = generate(args.corpus, repo, args.sites, args.per_site)
        print(f"input: {args.sites} sites, {count} captures, in {repo}", flush=True)
        runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for workers in (1, 2):
                result = run(repo, workers, scratch)
                runs[workers].append(result)
                print(
                    f"  {workers} worker(s): {result['wall']:.1f} s wall, {result['cpu']:.1f} s worker CPU, "
                    f"peak {result['peak_mb']:.0f} MB/worker, cluster start {result['startup']:.1f} s",
                    flush=True,
                )
        med = {w: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for w, rs in runs.items()}
        print(
            "\n| workers | median wall s | median worker CPU s | captures/s | captures/s per worker (wall) "
            "| captures per worker-CPU s | peak MB per worker | driver CPU s |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for w, m in med.items():
            print(
                f"| {w} | {m['wall']:.1f} | {m['cpu']:.1f} | {m['captures'] / m['wall']:.2f} | "
                f"{m['captures'] / m['wall'] / w:.2f} | {m['captures'] / m['cpu']:.2f} | {m['peak_mb']:.0f} | "
                f"{m['driver_cpu']:.1f} |"
            )
        speedup = med[1]["wall"] / med[2]["wall"]
        print(f"\nspeed-up 1 -> 2 workers (median wall): {speedup:.2f}x (goal >= 1.8x)")
        per_worker_wall = med[2]["captures"] / med[2]["wall"] / 2
        per_worker_cpu = med[2]["captures"] / med[2]["cpu"]
        for label, rate in (
            ("wall rate per worker, 2 workers", per_worker_wall),
            ("rate per worker-CPU second", per_worker_cpu),
        ):
            hours = 1_000_000 / (rate * 32) / 3600
            print(f"projected 1M captures on 32 cores from the {label} ({rate:.2f}/s): {hours:.2f} h (goal < 1 h)")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
