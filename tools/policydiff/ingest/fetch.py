"""Polite HTTP for the network sources: a rate limit, retries with backoff, clear failures.

Shared by the Wayback back-fill and the live capture. The clock is injectable so tests run
the real retry and rate-limit logic without sleeping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol

import requests

from .. import __version__
from ..errors import PolicyDiffError

USER_AGENT = f"policy-diff/{__version__} (privacy policy change tracker; python-requests)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 522, 524})
# Connection-level failures worth another try; anything else (bad URL, TLS) fails at once.
RETRY_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
MAX_RETRY_AFTER = 300.0
# A 429 without Retry-After: the pause the Internet Archive recommends (EDGI's `wayback`).
RATE_LIMITED_PAUSE = 60.0


class FetchError(PolicyDiffError):
    """A request that still failed after every retry, or could not be made at all."""


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class RateLimiter:
    """At most `per_second` calls per second, spaced evenly (no bursts)."""

    per_second: float
    clock: Clock = field(default_factory=SystemClock)
    _next: float = 0.0

    def wait(self) -> None:
        if self.per_second <= 0:
            return
        now = self.clock.monotonic()
        if now < self._next:
            self.clock.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.per_second


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass
class Fetcher:
    """GET with a timeout, a rate limit per route, and retries with exponential backoff.

    `retries` is the number of extra attempts after the first; the wait before attempt n
    is `backoff * 2**(n-1)` seconds, or the server's Retry-After when it is longer, or after
    a 429 without one, `rate_limited_pause`.
    """

    user_agent: str = USER_AGENT
    timeout: float = 30.0
    retries: int = 5
    backoff: float = 2.0
    rate_limited_pause: float = RATE_LIMITED_PAUSE
    clock: Clock = field(default_factory=SystemClock)
    session: requests.Session = field(default_factory=requests.Session)
    attempts: int = 0  # requests actually sent, for summaries and tests

    def get(
        self,
        url: str,
        *,
        limiter: RateLimiter | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        allow_redirects: bool = True,
        retry_if: RetryPolicy | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """The response, whatever its status, once it is not worth retrying.

        Raises FetchError naming the URL, the attempts and the last problem when the server
        kept answering 429/5xx or the connection kept failing.
        """
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        problem = ""
        previous: requests.Response | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.clock.sleep(self._delay(attempt, previous))
            if limiter:
                limiter.wait()
            previous = None
            self.attempts += 1
            try:
                response = self.session.get(
                    url,
                    headers=sent,
                    params=params,
                    timeout=self.timeout,
                    allow_redirects=allow_redirects,
                    stream=stream,
                )
            except RETRY_ERRORS as exc:
                problem = f"connection failed ({type(exc).__name__})"
                continue
            except requests.RequestException as exc:
                raise FetchError(f"{url}: request failed: {exc}") from None  # a bad URL, TLS: no retry
            if not (retry_if or default_retry)(response):
                return response
            problem = f"HTTP {response.status_code} {response.reason or ''}".strip()
            response.close()
            previous = response
        where = requests.Request("GET", url, params=params).prepare().url if params else url
        raise FetchError(f"{where}: gave up after {self.retries + 1} attempts; last answer: {problem}")

    def _delay(self, attempt: int, last: requests.Response | None) -> float:
        delay = self.backoff * 2 ** (attempt - 1)
        if last is not None:
            asked = retry_after_seconds(last.headers.get("Retry-After"))
            if asked is not None:
                delay = max(delay, min(asked, MAX_RETRY_AFTER))
            elif last.status_code == 429:
                delay = max(delay, self.rate_limited_pause)
        return delay


class BodyTooLarge(FetchError):
    """A body above the capture limit once decompressed: not read further."""


def read_body(response: requests.Response, limit: int) -> bytes:
    """The decoded body of a streamed response, read up to `limit` bytes and no further:
    a gzip bomb (1 GiB inflating from 1 MB) costs `limit` bytes of memory, not its size."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(
                    f"{response.url}: body above the {limit // 2**20} MiB capture limit once decompressed; "
                    "not read further"
                )
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"{response.url}: download failed: {type(exc).__name__}") from None
    finally:
        response.close()
    return b"".join(chunks)


class RetryPolicy(Protocol):
    def __call__(self, response: requests.Response) -> bool: ...


def default_retry(response: requests.Response) -> bool:
    return response.status_code in RETRY_STATUSES
