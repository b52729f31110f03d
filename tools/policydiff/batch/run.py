"""The batch runner on Dask (`dask.distributed`): one task per site, on a local cluster of
worker processes by default or on an existing cluster given by its scheduler's address.

Dask rather than a process pool of our own: the same tasks run on a laptop and on a cluster
of many machines, a worker that dies has its task retried elsewhere, and the scheduler keeps
only the tasks' small descriptions (a site's list of captures), never their bytes. Each task
runs one site in one process (`workers=1` inside), so the cluster's workers are the only
parallelism and memory per worker is one site's window of captures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PolicyDiffError, shown
from ..export import table, write_part
from .inputs import SiteInput, discover
from .task import SiteResult, already_done, run_site


@dataclass
class BatchReport:
    results: list[SiteResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def captures(self) -> int:
        return sum(r.captures for r in self.results)


def run_batch(
    input_path: Path,
    out: Path,
    *,
    patterns: Iterable[str] = (),
    workers: int = 2,
    scheduler: str | None = None,
    on_result: Callable[[SiteResult, int], None] | None = None,
) -> BatchReport:
    """Run every site of INPUT (matching `patterns`) and return what happened to each.
    `on_result(result, total)` is called as each site finishes (the progress bar)."""
    from distributed import Client, LocalCluster, as_completed

    sites = discover(input_path, patterns)
    out.mkdir(parents=True, exist_ok=True)
    report = BatchReport()
    todo = []
    for site in sites:  # a site done from the same inputs is not even sent to the cluster
        done = already_done(out, site)
        if done is None:
            todo.append(site)
            continue
        report.results.append(done)
        if on_result:
            on_result(done, len(sites))
    if not todo:
        return report
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise PolicyDiffError(f"{shown(scheduler)}: cannot reach the Dask scheduler ({exc})") from None
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        # The biggest sites first, so a long one does not start last and hold the run.
        ordered = sorted(todo, key=lambda s: -s.size)
        futures = client.map(run_site, ordered, out_dir=str(out.resolve()), pure=False, retries=1)
        site_of = {f.key: s for f, s in zip(futures, ordered, strict=True)}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # the worker died (memory, a signal): recorded, the run goes on
                result = _lost(out, site_of[future.key], exc)
            report.results.append(result)
            if on_result:
                on_result(result, len(sites))
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    report.results.sort(key=lambda r: r.site)
    return report


def _lost(out: Path, site: SiteInput, exc: BaseException) -> SiteResult:
    message = f"the task was lost: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    row = {"site": site.site, "input": None, "stage": "task", "message": message}
    write_part(out / "export", "errors", site.site, table("errors", [row]))
    return SiteResult(site.site, "failed", errors=1, message=message)
