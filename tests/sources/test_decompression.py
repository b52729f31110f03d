"""Issue 15: a gzip bomb from the live page or the Wayback Machine is streamed with a cap,
never inflated whole (main read 1 GiB into memory before refusing it)."""

from __future__ import annotations

import functools
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest

from policydiff.archive import Archive
from policydiff.errors import PolicyDiffError
from policydiff.ingest.fetch import Fetcher
from policydiff.ingest.live import capture_policy
from policydiff.ingest.wayback import CdxRecord, Skip, WaybackClient

from .replay import FakeClock, Replay, Reply

INFLATED_MIB = 150  # above the 64 MiB limit; main held all of it


@functools.cache
def gzip_bomb() -> bytes:
    """150 MiB of HTML in 150 KB of gzip."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    mebibyte = b"a" * (1 << 20)
    return b"".join(
        [packer.compress(b"<p>"), *(packer.compress(mebibyte) for _ in range(INFLATED_MIB)), packer.flush()]
    )


@pytest.mark.parametrize("source", ["capture", "wayback"])
def test_a_gzip_bomb_is_streamed_with_a_cap(source: str, archive: Archive, replay: Replay, clock: FakeClock) -> None:
    bomb = gzip_bomb()
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    fetcher = Fetcher(clock=clock, retries=0)
    tracemalloc.start()
    try:
        if source == "capture":
            archive.add_policy("p", {"name": "P", "url": replay.base + "/privacy"})
            replay.add("/privacy", Reply(200, headers, bomb))
            with pytest.raises(PolicyDiffError, match="above the 64 MiB capture limit once decompressed") as info:
                capture_policy(archive, "p", fetcher, now=datetime(2026, 1, 1, tzinfo=UTC))
            assert "\n" not in info.value.message
        else:
            client = WaybackClient(fetcher, replay.base, rate=0)
            record = CdxRecord("20200101000000", "https://example.org/privacy", "text/html", "200", "X")
            path = client.memento_url(record.timestamp, record.original).removeprefix(replay.base)
            replay.add(path, Reply(200, [*headers, ("Memento-Datetime", "Wed, 01 Jan 2020 00:00:00 GMT")], bomb))
            with pytest.raises(Skip, match="above the 64 MiB capture limit"):
                client.fetch(record)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MiB held for a body the limit refuses"
