"""Extraction spread over the machine's cores, results in the order asked.

Ingest, `rebuild` and `verify` extract many captures at once; extraction is pure CPU work
(bytes and rules in, an `Extraction` out), so it runs in a pool of forked processes that
inherit the loaded modules; the pool is kept for the process's next ingest. Results come
back in input order, in batches as they are ready (`extract_batches`), so what is committed
never depends on which worker was faster, and a batch can be committed while the workers
extract the next. One job runs in-process: no pool is worth starting for it.
"""

from __future__ import annotations

import gc
import math
import os
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import ExtractionError, PolicyDiffError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

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


def _init() -> None:
    _die_with_parent()


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


def _preload() -> None:
    """Load the extraction stack in the parent before it forks: each worker inherits it
    instead of importing ftfy, charset-normalizer and lxml again (about 0.2 s of CPU a
    worker, for every pool)."""
    from .extract import encoding, html, text  # noqa: F401


def _pooled(declaration: Declaration, jobs: Sequence[ExtractJob]) -> list[Extraction | ExtractionError]:
    return [run_job(declaration, job) for job in jobs]


# One pool per process, kept for the next ingest: a pool costs tens of ms of CPU to fork and
# tear down, which a back-fill of many policies or windows would otherwise pay each time.
_pool: tuple[int, int, ProcessPoolExecutor] | None = None  # (creator's pid, size, pool)


def _pool_of(count: int, jobs: Sequence[Sequence[ExtractJob]], declaration: Declaration) -> list[Future[Any]]:
    """The chunks submitted to this process's pool of `count` workers, started if need be."""
    global _pool
    import atexit
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if _pool is not None and _pool[0] != os.getpid():
        _pool = None  # a forked child's copy of its parent's pool is not its own
    if _pool is not None and _pool[1] == count:
        try:
            return [_pool[2].submit(_pooled, declaration, chunk) for chunk in jobs]
        except BrokenProcessPool:  # a worker died since (killed, out of memory): start anew
            pass
    close_pool(wait=False)
    _preload()
    # Objects moved to the GC's permanent generation are not traversed by the workers'
    # collections, which would otherwise write to, and so copy, every page they share.
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_init)
        # with fork, the first submit starts every worker
        futures = [pool.submit(_pooled, declaration, chunk) for chunk in jobs]
    finally:
        gc.unfreeze()
    _pool = (os.getpid(), count, pool)
    atexit.unregister(close_pool)
    atexit.register(close_pool)  # before the interpreter tears down what the pool uses
    return futures


def close_pool(*, wait: bool = True) -> None:
    """Stop this process's extraction workers (waiting for them to exit, so their CPU time
    is counted in the process's children's: `bench/ingest.py` calls it)."""
    global _pool
    if _pool is not None and _pool[0] == os.getpid():
        _pool[2].shutdown(wait=wait, cancel_futures=True)
    _pool = None


def extract_all(
    declaration: Declaration, jobs: Sequence[ExtractJob], workers: int | None = None
) -> list[Extraction | ExtractionError]:
    """Every job's extraction (or error), in the order of `jobs`."""
    return [result for batch in extract_batches(declaration, jobs, workers) for result in batch]


def extract_batches(
    declaration: Declaration, jobs: Sequence[ExtractJob], workers: int | None = None, *, share: float = 0.0
) -> Iterator[list[Extraction | ExtractionError]]:
    """The extractions of `jobs` in order, in batches: each batch is every result that is
    ready when it is asked for (at least one, and at least `share` of those still to come),
    so a caller that commits a batch while the workers go on extracting overlaps its writes
    with their work. In-process (one worker), one batch of all."""
    import multiprocessing

    count = min(workers or default_workers(), len(jobs))
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        if jobs:
            yield [run_job(declaration, job) for job in jobs]
        return
    from concurrent.futures.process import BrokenProcessPool  # here: commands that never extract skip it

    size = max(1, min(8, len(jobs) // (count * 4)))
    given = 0  # jobs whose results have been yielded
    retried = False
    while given < len(jobs):
        rest = jobs[given:]
        futures = _pool_of(count, [rest[start : start + size] for start in range(0, len(rest), size)], declaration)
        taken = 0
        try:
            while taken < len(futures):
                batch = futures[taken].result()
                taken += 1
                least = math.ceil(share * (len(jobs) - given))
                while taken < len(futures) and len(batch) < least:
                    batch.extend(futures[taken].result())
                    taken += 1
                while taken < len(futures) and futures[taken].done():
                    batch.extend(futures[taken].result())
                    taken += 1
                given += len(batch)
                yield batch
        except BrokenProcessPool:
            # A worker died (killed, or out of memory), perhaps while idle since the last
            # ingest: extraction is pure, so the rest is asked again of a new pool, once.
            close_pool(wait=False)
            if retried:
                raise
            retried = True
        finally:
            for future in futures[taken:]:
                future.cancel()
