"""Fixtures for the source tests: a replay server on 127.0.0.1, a fake clock, a client."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from policydiff.ingest.fetch import Fetcher
from policydiff.ingest.wayback import WaybackClient

from .replay import FakeClock, Replay


@pytest.fixture
def replay() -> Iterator[Replay]:
    server = Replay()
    thread = threading.Thread(target=server.server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(replay: Replay, clock: FakeClock) -> WaybackClient:
    return WaybackClient(Fetcher(clock=clock, retries=3, backoff=2.0, timeout=10), replay.base, rate=1.0)
