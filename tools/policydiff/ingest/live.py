"""Capture the live policy: one polite GET per policy, stored with its HTTP headers.

Conditional requests (If-None-Match / If-Modified-Since from the last live capture) keep a
daily job cheap for the site; a 304 still records that the policy was seen unchanged, so the
version's `last_seen` moves forward, by storing the previous bytes at the new time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..archive import Archive, StoreResult
from ..errors import PolicyDiffError
from ..models import Capture
from ..times import now_utc
from .fetch import Fetcher, FetchError, RateLimiter, read_body
from .files import MAX_CAPTURE_BYTES, check_content
from .pages import kept_headers, media_type_of, soft_404_reason

INGESTED_VIA = "live"


@dataclass
class LiveOutcome:
    slug: str
    status: str  # stored | unchanged | already | failed
    message: str
    result: StoreResult | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def last_live_capture(archive: Archive, slug: str, url: str) -> Capture | None:
    live = [c for c in archive.captures(slug) if c.ingested_via == INGESTED_VIA and c.extra.get("requested_url") == url]
    return live[-1] if live else None


def conditional_headers(previous: Capture | None) -> dict[str, str]:
    if previous is None:
        return {}
    headers = {}
    if previous.extra.get("etag"):
        headers["If-None-Match"] = previous.extra["etag"]
    if previous.extra.get("last_modified"):
        headers["If-Modified-Since"] = previous.extra["last_modified"]
    return headers


def capture_policy(
    archive: Archive, slug: str, fetcher: Fetcher, *, now: datetime | None = None, limiter: RateLimiter | None = None
) -> LiveOutcome:
    """Fetch the policy's URL and store the response. Raises PolicyDiffError on failure."""
    url = archive.declaration(slug).url
    previous = last_live_capture(archive, slug, url)
    response = fetcher.get(url, headers=conditional_headers(previous), limiter=limiter, stream=True)
    moment = now or now_utc()
    extra: dict[str, Any] = {
        "requested_url": url,
        "http_status": response.status_code,
        "headers": kept_headers(response.headers),
    }
    if response.history:
        extra["redirects"] = [r.url for r in response.history[1:]] + [response.url]  # each address redirected to
    if response.status_code == 304 and previous is not None:
        response.close()
        data = archive.read_capture(previous)
        content_type = previous.extra.get("content_type")
        extra["unchanged_since"] = previous.file
        # A 304 may omit validators: keep the ones that earned it.
        extra["etag"] = response.headers.get("ETag") or previous.extra.get("etag")
        extra["last_modified"] = response.headers.get("Last-Modified") or previous.extra.get("last_modified")
    elif response.status_code == 200:
        data = read_body(response, MAX_CAPTURE_BYTES)
        content_type = response.headers.get("Content-Type")
        extra["etag"] = response.headers.get("ETag")
        extra["last_modified"] = response.headers.get("Last-Modified")
    else:
        response.close()
        raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
    extra["content_type"] = content_type
    media_type = media_type_of(content_type, "")
    if media_type is None:
        raise FetchError(f"{url}: not a text page ({content_type or 'no Content-Type'})")
    if len(data) > MAX_CAPTURE_BYTES:
        raise FetchError(f"{url}: {len(data)} bytes is above the capture limit")
    check_content(url, data)
    reason = soft_404_reason(data) if media_type == "text/html" else None
    if reason:
        raise FetchError(f"{url}: {reason}; not stored")
    result = archive.store_capture(
        slug,
        data,
        captured_at=moment,
        media_type=media_type,
        source_url=response.url or url,
        ingested_via=INGESTED_VIA,
        content_type=content_type,
        extra=extra,
    )
    archive.refresh_versions(slug)
    name = result.capture.file
    if not result.created:
        return LiveOutcome(slug, "already", f"{slug}: already stored as {name}", result)
    if response.status_code == 304:
        return LiveOutcome(slug, "unchanged", f"{slug}: not modified (304); seen again as {name}", result)
    what = "new version" if result.new_version else "same text as version"
    return LiveOutcome(slug, "stored", f"{slug}: stored {name} ({what} {result.version})", result)


def capture_all(archive: Archive, slugs: Iterable[str], fetcher: Fetcher, *, rate: float = 1.0) -> list[LiveOutcome]:
    """Capture each policy, at most `rate` requests a second (several policies often live on
    one site); a failure is reported in its outcome and the others go on."""
    limiter = RateLimiter(rate, fetcher.clock)
    outcomes = []
    for slug in slugs:
        try:
            outcomes.append(capture_policy(archive, slug, fetcher, limiter=limiter))
        except PolicyDiffError as exc:
            outcomes.append(LiveOutcome(slug, "failed", f"{slug}: {exc.message}"))
    return outcomes
