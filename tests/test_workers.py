"""The extraction pool: results in input order whatever the workers' timing, one pool kept
for the process's next ingest, and a pool whose worker died replaced, not reused."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policydiff import workers
from policydiff.declaration import parse_declaration
from policydiff.workers import ExtractJob, extract_all, extract_batches, run_job
from test_archive import UPTIME, UPTIME_URL

DECLARATION = parse_declaration(
    "uptimerobot", {"name": "UptimeRobot", "url": UPTIME_URL, "select": ["main"]}, Path("policy.yml")
)


def jobs() -> list[ExtractJob]:
    """Every real uptimerobot capture, twice, so there are more chunks than workers."""
    when = datetime(2025, 1, 1, tzinfo=UTC)
    files = sorted(UPTIME.glob("*.html")) * 2
    return [ExtractJob(path.read_bytes(), "text/html", when, UPTIME_URL, None) for path in files]


@pytest.fixture
def fresh_pool():
    workers.close_pool()
    yield
    workers.close_pool()


def test_pooled_results_equal_in_process_results_in_order(fresh_pool: None) -> None:
    given = jobs()
    alone = [run_job(DECLARATION, job) for job in given]
    batches = list(extract_batches(DECLARATION, given, 2))
    assert batches and all(batches)  # every batch holds at least one result
    assert [result for batch in batches for result in batch] == alone
    assert extract_all(DECLARATION, given, 1) == alone


def test_each_batch_holds_its_share_of_what_is_left(fresh_pool: None) -> None:
    given = jobs()
    batches = list(extract_batches(DECLARATION, given, 2, share=0.5))
    left = len(given)
    for batch in batches:
        assert 2 * len(batch) >= left
        left -= len(batch)
    assert left == 0
    assert [result for batch in batches for result in batch] == extract_all(DECLARATION, given, 1)


def test_the_pool_is_kept_and_a_broken_one_replaced(fresh_pool: None) -> None:
    given = jobs()
    expected = extract_all(DECLARATION, given, 1)
    assert extract_all(DECLARATION, given, 2) == expected
    assert workers._pool is not None
    kept = workers._pool[2]
    assert extract_all(DECLARATION, given, 2) == expected
    assert workers._pool[2] is kept  # the second ingest forked nothing
    for pid in list(kept._processes):  # workers killed between two ingests (OOM killer, say)
        os.kill(pid, signal.SIGKILL)
    # whether the pool has noticed yet or not, the next ingest gets every result, in order
    assert extract_all(DECLARATION, given, 2) == expected
    assert workers._pool is not None and workers._pool[2] is not kept
    time.sleep(0.2)
    for pid in list(workers._pool[2]._processes):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)  # noticed by now: the pool is broken when the next ingest submits
    assert extract_all(DECLARATION, given, 2) == expected
