"""Extraction spread over the machine's cores, results in the order asked.

Ingest, `rebuild` and `verify` extract many captures at once; extraction is pure CPU work
(bytes and rules in, an `Extraction` out), so it runs in a pool of forked processes that
inherit the declaration and the loaded modules. Results come back in input order, so what is
committed never depends on which worker was faster. One job runs in-process: no pool is
worth starting for it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import ExtractionError, PolicyDiffError

if TYPE_CHECKING:
    from .declaration import Declaration
    from .extract import Extraction


@dataclass(frozen=True)
class ExtractJob:
    data: bytes
    media_type: str
    captured_at: datetime
    base_url: str | None
    content_type: str | None


def default_workers() -> int:
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process (a Dask worker's, a pool's) may not start processes
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_declaration: Declaration | None = None


def _die_with_parent() -> None:
    """A worker must not outlive an ingest killed with SIGKILL (it would wait for work for
    ever): ask Linux to kill it when its parent dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request
        os._exit(1)


def _init(declaration: Declaration) -> None:
    global _declaration
    _die_with_parent()
    _declaration = declaration


def run_job(declaration: Declaration, job: ExtractJob) -> Extraction | ExtractionError:
    """One extraction; a capture that cannot be extracted comes back as its error."""
    from .extract import extract_capture  # here: a command that extracts nothing never loads it

    try:
        return extract_capture(
            job.data,
            job.media_type,
            declaration.rules_at(job.captured_at),
            base_url=job.base_url,
            content_type=job.content_type,
        )
    except PolicyDiffError as exc:
        return ExtractionError(exc.message)
    except RecursionError:
        return ExtractionError("too deeply nested to extract")
    except MemoryError:
        return ExtractionError("too large to extract in memory")


def _pooled(job: ExtractJob) -> Extraction | ExtractionError:
    assert _declaration is not None
    return run_job(_declaration, job)


def extract_all(
    declaration: Declaration, jobs: Sequence[ExtractJob], workers: int | None = None
) -> list[Extraction | ExtractionError]:
    """Every job's extraction (or error), in the order of `jobs`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    count = min(workers or default_workers(), len(jobs))
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [run_job(declaration, job) for job in jobs]
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(8, len(jobs) // (count * 4)))
    with ProcessPoolExecutor(count, mp_context=context, initializer=_init, initargs=(declaration,)) as pool:
        return list(pool.map(_pooled, jobs, chunksize=chunk))
