"""The polite HTTP layer: rate limit, retries with backoff, clear failures (fake clock)."""

from __future__ import annotations

import socket

import pytest

from policydiff.ingest.fetch import Fetcher, FetchError, RateLimiter, retry_after_seconds

from .replay import FakeClock, Replay, Reply


def test_the_rate_limit_spaces_requests_evenly(clock: FakeClock) -> None:
    limiter = RateLimiter(4.0, clock)
    for _ in range(5):
        limiter.wait()
    assert clock.sleeps == [0.25, 0.25, 0.25, 0.25]


def test_no_wait_when_requests_are_already_slower_than_the_limit(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, clock)
    limiter.wait()
    clock.now += 5
    limiter.wait()
    assert clock.sleeps == []


def test_retry_then_success_with_doubling_backoff(replay: Replay, clock: FakeClock) -> None:
    replay.add("/p", Reply(503), Reply(502), Reply(200, [("Content-Type", "text/plain")], b"ok"))
    fetcher = Fetcher(clock=clock, retries=4, backoff=1.5)
    response = fetcher.get(replay.base + "/p")
    assert response.status_code == 200 and response.content == b"ok"
    assert clock.sleeps == [1.5, 3.0]
    assert fetcher.attempts == 3


def test_a_storm_gives_up_naming_the_url_the_attempts_and_the_answer(replay: Replay, clock: FakeClock) -> None:
    replay.add("/p", Reply(500))
    with pytest.raises(FetchError) as raised:
        Fetcher(clock=clock, retries=2, backoff=1).get(replay.base + "/p")
    assert (
        raised.value.message
        == f"{replay.base}/p: gave up after 3 attempts; last answer: HTTP 500 Internal Server Error"
    )
    assert replay.served["/p"] == 3


def test_connection_errors_are_retried_then_reported(clock: FakeClock) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(
        FetchError, match=r"gave up after 3 attempts; last answer: connection failed \(ConnectionError\)"
    ):
        Fetcher(clock=clock, retries=2, backoff=1, timeout=2).get(f"http://127.0.0.1:{port}/privacy")
    assert clock.sleeps == [1, 2]


def test_client_errors_are_answers_not_retries(replay: Replay, clock: FakeClock) -> None:
    replay.add("/gone", Reply(404))
    assert Fetcher(clock=clock).get(replay.base + "/gone").status_code == 404
    assert replay.served["/gone"] == 1 and clock.sleeps == []


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no extra wait
    assert retry_after_seconds("soon") is None


def test_a_429_without_retry_after_pauses_as_the_archive_asks(replay: Replay, clock: FakeClock) -> None:
    replay.add("/cdx", Reply(429), Reply(200, [], b"ok"))
    assert Fetcher(clock=clock, retries=1, backoff=2).get(replay.base + "/cdx").status_code == 200
    assert clock.sleeps == [60.0]
