"""Back-fill a policy's history from the Wayback Machine.

List the captures of the policy's URL(s) with the CDX API, keep the first and last capture of
each run of identical digests (enough to date every version), download the original bytes
(`id_` mode) and store them with their true capture time and the Wayback URL as provenance.

Re-running costs nothing that was already done: the listing is saved page by page in
`archive/<slug>/wayback.json` with its resume key, a capture already stored (same time and
digest, however it was ingested) is not fetched, bytes already in the archive (same SHA-1
payload digest as the CDX lists) are reused instead of downloaded, and captures skipped for a lasting reason (the site
answered 404, a soft-404, a redirect to the home page) are logged there with the reason and
not fetched again.

The client is our own small one over `requests` rather than EDGI's `wayback` package: that
package hard-codes web.archive.org in its CDX and memento URLs and sleeps with `time.sleep`
(60 s after a 429), so it cannot be pointed at a replay server or tested without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import filelock
import requests

from ..archive import Archive, StoreResult
from ..errors import PolicyDiffError
from ..models import Capture
from ..storage import write_json_atomic
from ..times import format_iso, now_utc, to_utc
from .fetch import BodyTooLarge, Fetcher, FetchError, RateLimiter, default_retry, read_body
from .files import MAX_CAPTURE_BYTES, check_content
from .pages import kept_headers, media_type_of, soft_404_reason
from .warc import comparable_url

DEFAULT_BASE_URL = "https://web.archive.org"
# The archive's hard limits, as EDGI's `wayback` package records them from the Internet
# Archive, are 30 CDX and 600 memento requests a minute. Stay well below: one memento a
# second (10% of it) and one CDX page every four seconds (half of it).
DEFAULT_RATE = 1.0
CDX_RATE_SHARE = 0.25
CDX_MAX_RATE = 0.4  # what the archive asks clients to keep to, whatever --rate says
CDX_PAGE_SIZE = 500
MAX_REDIRECTS = 10
WAYBACK_STAMP = "%Y%m%d%H%M%S"  # the 14 digits of CDX timestamps and memento URLs
STATE_FILE = "wayback.json"
RUN_LOCK = ".wayback.lock"
STORM_LIMIT = 3  # captures failing in a row before the back-fill stops

_MEMENTO_PATH = re.compile(r"^/web/(\d{14})(?:[a-z]{2}_)?/(.+)$")
_PARTIAL_STAMP = re.compile(r"^\d{4}(?:\d{2}){0,5}$")
# CDX media types that cannot be a policy page, skipped without a download.
NOT_TEXT = ("image/", "video/", "audio/", "font/", "application/pdf", "application/zip", "application/octet-stream")


class WaybackError(PolicyDiffError):
    """The Wayback Machine cannot list or serve this policy at all."""


class Skip(Exception):
    """A capture not worth storing, with the reason recorded in the skipped log."""

    def __init__(self, reason: str, *, lasting: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.lasting = lasting  # the same digest elsewhere in the listing is skipped too


@dataclass(frozen=True)
class CdxRecord:
    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str
    status: str
    digest: str
    length: str = "-"

    @property
    def captured_at(self) -> datetime:
        return to_utc(datetime.strptime(self.timestamp, WAYBACK_STAMP))

    @property
    def key(self) -> tuple[str, str]:
        return self.timestamp, self.digest

    def to_row(self) -> list[str]:
        return [self.timestamp, self.original, self.mimetype, self.status, self.digest, self.length]

    @classmethod
    def from_row(cls, row: list[str]) -> CdxRecord:
        return cls(*row)


@dataclass
class Memento:
    data: bytes
    captured_at: datetime
    original_url: str
    wayback_url: str
    content_type: str | None
    redirects: list[str]
    headers: dict[str, str]


def payload_digest(data: bytes) -> str:
    """The digest the CDX API lists: base32 of the payload's SHA-1."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def check_stamp(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    if not _PARTIAL_STAMP.fullmatch(value):
        raise WaybackError(f"{option} {value!r}: expected YYYY, YYYYMM, YYYYMMDD (up to 14 digits)")
    return value


def parse_cdx(text: str) -> tuple[list[CdxRecord], str | None]:
    """Records of one CDX page and the resume key that follows a blank line, if any."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    resume = None
    if len(lines) >= 2 and not lines[-2].strip():
        resume = lines.pop().strip()
        lines.pop()
    records = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) < 7:
            continue
        _urlkey, timestamp, original, mimetype, status, digest, length = fields[:7]
        records.append(CdxRecord(timestamp, original, mimetype, status, digest, length))
    return records, resume


def collapse_runs(records: Iterable[CdxRecord]) -> tuple[list[CdxRecord], int]:
    """Duplicates dropped, and of each run of identical digests at one address only the first
    and last kept: the middle ones say nothing a version's first and last sighting do not.
    Runs are taken per address, so a redirect captured between two sightings of the policy
    (`http://x.com` -> `https://x.com`) does not break them. Returned in time order."""
    unique = sorted({r.key: r for r in records}.values(), key=lambda r: (r.timestamp, r.original))
    by_address: dict[str, list[CdxRecord]] = {}
    for record in unique:
        by_address.setdefault(record.original, []).append(record)
    kept: list[CdxRecord] = []
    for sightings in by_address.values():
        run: list[CdxRecord] = []
        for record in [*sightings, None]:
            if run and (record is None or record.digest != run[0].digest):
                kept.extend(run if len(run) < 3 else [run[0], run[-1]])
                run = []
            if record is not None:
                run.append(record)
    kept.sort(key=lambda r: (r.timestamp, r.original))
    return kept, len(unique) - len(kept)


def is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.strip("/") in ("", "index.html", "index.php") and not parts.query


def _memento_retry(response: requests.Response) -> bool:
    # An archived 429 or 503 is what the site answered years ago: history, not throttling.
    return "Memento-Datetime" not in response.headers and default_retry(response)


@dataclass
class WaybackClient:
    """CDX listing and `id_` memento download against a configurable Wayback base URL."""

    fetcher: Fetcher
    base_url: str = DEFAULT_BASE_URL
    rate: float = DEFAULT_RATE
    cdx_limiter: RateLimiter = field(init=False)
    memento_limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        cdx_rate = min(self.rate * CDX_RATE_SHARE, CDX_MAX_RATE) if self.rate > 0 else 0.0
        self.cdx_limiter = RateLimiter(cdx_rate, self.fetcher.clock)
        self.memento_limiter = RateLimiter(self.rate, self.fetcher.clock)

    def memento_url(self, timestamp: str, url: str) -> str:
        return f"{self.base_url}/web/{timestamp}id_/{url}"

    def cdx_page(
        self, url: str, since: str | None, until: str | None, resume_key: str | None
    ) -> tuple[list[CdxRecord], str | None]:
        params = {"url": url, "limit": str(CDX_PAGE_SIZE), "showResumeKey": "true", "resolveRevisits": "true"}
        if since:
            params["from"] = since
        if until:
            params["to"] = until
        if resume_key:
            params["resumeKey"] = resume_key
        response = self.fetcher.get(f"{self.base_url}/cdx/search/cdx", params=params, limiter=self.cdx_limiter)
        if response.status_code == 403 or "Blocked" in response.headers.get("X-Archive-Wayback-Runtime-Error", ""):
            raise WaybackError(f"{url}: the Wayback Machine refuses to list this URL (blocked, HTTP 403)")
        if response.status_code != 200:
            raise WaybackError(f"{url}: CDX search answered HTTP {response.status_code}")
        return parse_cdx(response.text)

    def fetch(self, record: CdxRecord) -> Memento:
        """The original bytes of a capture, following the site's archived redirects.

        Raises Skip for what is not a policy page (archived errors, redirects home, loops)."""
        url = self.memento_url(record.timestamp, record.original)
        seen = {url}
        redirects: list[str] = []
        current = record.original
        for _hop in range(MAX_REDIRECTS + 1):
            response = self.fetcher.get(
                url, limiter=self.memento_limiter, allow_redirects=False, retry_if=_memento_retry, stream=True
            )
            if response.status_code != 200 or "Memento-Datetime" not in response.headers:
                response.close()
            location = response.headers.get("Location")
            if response.is_redirect and location:
                parsed = self._parse_memento(urljoin(url, location))
                if parsed is None:
                    raise Skip(f"redirects out of the archive to {urljoin(url, location)}")
                timestamp, original = parsed
                target = self.memento_url(timestamp, original)  # original bytes, from the configured base
                if target in seen:
                    raise Skip(f"redirect loop through {target}")
                seen.add(target)
                # The archive's own redirects (to the nearest capture time) keep the address;
                # a new address is the site's redirect, replayed.
                if original != current:
                    redirects.append(original)
                    current = original
                    if is_home_page(original) and not is_home_page(record.original):
                        raise Skip(f"soft 404: redirects to the home page {original}")
                url = target
                continue
            if "Memento-Datetime" not in response.headers:
                raise Skip(f"not playable: the Wayback Machine answered HTTP {response.status_code} without a memento")
            if response.status_code != 200:
                raise Skip(f"the site answered HTTP {response.status_code} when captured")
            try:
                data = read_body(response, MAX_CAPTURE_BYTES)
            except BodyTooLarge as exc:
                raise Skip(exc.message.split(": ", 1)[-1]) from None
            moment = _memento_datetime(response.headers["Memento-Datetime"]) or record.captured_at
            return Memento(
                data=data,
                captured_at=moment,
                original_url=current,
                wayback_url=url,
                content_type=response.headers.get("Content-Type"),
                redirects=redirects,
                headers=kept_headers(response.headers),
            )
        raise Skip(f"more than {MAX_REDIRECTS} redirects")

    def _parse_memento(self, memento_url: str) -> tuple[str, str] | None:
        """(timestamp, archived address) of a memento URL of this archive, in either scheme."""
        parts, base = urlsplit(memento_url), urlsplit(self.base_url)
        if parts.netloc != base.netloc:
            return None
        path = parts.path.removeprefix(base.path) + (f"?{parts.query}" if parts.query else "")
        match = _MEMENTO_PATH.match(path)
        return (match.group(1), match.group(2)) if match else None


def _memento_datetime(value: str) -> datetime | None:
    try:
        return to_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError):
        return None


# -- the resumable back-fill ------------------------------------------------------------------


@dataclass
class BackfillSummary:
    listed: int = 0
    collapsed: int = 0
    already: int = 0
    fetched: int = 0
    reused: int = 0
    stored: int = 0
    new_versions: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)  # retried by the next run
    resumed: bool = False

    def line(self, slug: str) -> str:
        return (
            f"{slug}: {self.listed} listed, {self.collapsed} inside runs of identical captures, "
            f"{self.already} already stored, {self.fetched} downloaded, {self.reused} from bytes already archived, "
            f"{self.stored} stored ({self.new_versions} new versions), {len(self.skipped)} skipped, "
            f"{len(self.failed)} failed"
        )


class BackfillState:
    """`archive/<slug>/wayback.json`: the listing in progress and the skipped-captures log."""

    def __init__(self, archive: Archive, slug: str) -> None:
        self.archive = archive
        self.path = archive.policy_dir(slug) / STATE_FILE
        data: dict[str, Any] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise WaybackError(f"{self.path}: invalid JSON ({exc}); delete it to start over") from None
        self.skipped: list[dict[str, Any]] = data.get("skipped", [])
        self.listing: dict[str, Any] | None = data.get("listing")

    def save(self) -> None:
        with self.archive.locked():
            write_json_atomic(self.path, {"listing": self.listing, "skipped": self.skipped})

    def skip(self, record: CdxRecord, reason: str, wayback_url: str, *, lasting: bool = True) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "timestamp": record.timestamp,
            "original": record.original,
            "digest": record.digest,
            "status": record.status,
            "reason": reason,
            "wayback_url": wayback_url,
            "skipped_at": format_iso(now_utc()),
        }
        if not lasting:
            entry["lasting"] = False
        self.skipped.append(entry)
        self.save()
        return entry


Progress = Callable[[int, int], None]


def backfill(
    archive: Archive,
    slug: str,
    client: WaybackClient,
    *,
    since: str | None = None,
    until: str | None = None,
    on_progress: Progress | None = None,
) -> BackfillSummary:
    """List, collapse, download and store; resumable at any point. See the module docstring.

    Raises FetchError (with how to resume) when the archive keeps failing, WaybackError when
    it refuses the URL or another back-fill of the policy is running."""
    urls = list(archive.declaration(slug).urls)
    # One back-fill per policy at a time; the archive lock is only held for each write, so
    # ingests and live captures go on meanwhile.
    run_lock = filelock.FileLock(str(archive.policy_dir(slug) / RUN_LOCK), timeout=0)
    try:
        run_lock.acquire()
    except filelock.Timeout:
        raise WaybackError(f"another `policy-diff wayback {slug}` is running ({run_lock.lock_file})") from None
    summary = BackfillSummary()
    try:
        _backfill(archive, slug, client, urls, since, until, summary, on_progress)
    except FetchError as exc:
        raise FetchError(
            f"{exc.message}; {summary.stored} captures stored so far, re-run `policy-diff wayback {slug}` to resume"
        ) from None
    finally:
        run_lock.release()
    return summary


def _backfill(
    archive: Archive,
    slug: str,
    client: WaybackClient,
    urls: list[str],
    since: str | None,
    until: str | None,
    summary: BackfillSummary,
    on_progress: Progress | None,
) -> None:
    query = {"urls": urls, "from": since, "to": until, "base_url": client.base_url}
    state = BackfillState(archive, slug)
    records = _list(client, state, query, summary)
    summary.listed = len(records)
    kept, summary.collapsed = collapse_runs(records)
    wanted = {comparable_url(u) for u in urls}

    stored_keys, by_digest = _archived(archive, slug)
    skipped_digests = {e["digest"]: e for e in state.skipped if e.get("lasting", True)}
    skipped_keys = {(e["timestamp"], e["digest"]) for e in state.skipped}
    in_a_row = 0
    for index, record in enumerate(kept):
        if record.key in stored_keys or record.key in skipped_keys:
            summary.already += 1
        else:
            try:
                _take(archive, slug, client, state, summary, record, wanted, by_digest, skipped_digests)
                in_a_row = 0
            except FetchError as exc:
                # One broken memento must not block the back-fill for ever; several in a row
                # mean the archive itself is in trouble: stop and let a later run resume.
                in_a_row += 1
                if in_a_row >= STORM_LIMIT:
                    raise FetchError(f"{in_a_row} captures in a row failed, the last one: {exc.message}") from None
                summary.failed.append(
                    {"timestamp": record.timestamp, "original": record.original, "reason": exc.message}
                )
            stored_keys.add(record.key)
        if on_progress:
            on_progress(index + 1, len(kept))
    # Keep the listing while something failed, so the next run retries just that.
    state.listing = state.listing if summary.failed else None
    state.save()


def _list(
    client: WaybackClient, state: BackfillState, query: dict[str, Any], summary: BackfillSummary
) -> list[CdxRecord]:
    listing = state.listing
    if listing is not None and listing.get("query") == query:
        summary.resumed = True
    else:
        listing = {"query": query, "done_urls": [], "resume_key": None, "records": [], "complete": False}
        state.listing = listing
    while not listing["complete"]:
        pending = [u for u in query["urls"] if u not in listing["done_urls"]]
        if not pending:
            listing["complete"] = True
            state.save()
            break
        url = pending[0]
        page, resume = client.cdx_page(url, query["from"], query["to"], listing["resume_key"])
        listing["records"].extend(r.to_row() for r in page)
        listing["resume_key"] = resume
        if resume is None:
            listing["done_urls"].append(url)
        state.save()  # each page is kept: a killed run lists from here
    return [CdxRecord.from_row(row) for row in listing["records"]]


def _archived(archive: Archive, slug: str) -> tuple[set[tuple[str, str]], dict[str, Capture]]:
    """(CDX time, digest) of the captures already in the archive, and the captures by the
    payload digest the CDX API would list for their bytes. Captures ingested from files
    count too: a Wayback capture already ingested by hand is not downloaded again."""
    keys: set[tuple[str, str]] = set()
    by_digest: dict[str, Capture] = {}
    for capture in archive.captures(slug):
        extra = capture.extra
        if "cdx_timestamp" in extra and "cdx_digest" in extra:
            keys.add((extra["cdx_timestamp"], extra["cdx_digest"]))
        digest = extra.get("payload_digest") or payload_digest(archive.read_capture(capture))
        keys.add((to_utc(capture.captured_at).strftime(WAYBACK_STAMP), digest))
        by_digest.setdefault(digest, capture)
    return keys, by_digest


def _take(
    archive: Archive,
    slug: str,
    client: WaybackClient,
    state: BackfillState,
    summary: BackfillSummary,
    record: CdxRecord,
    wanted: set[tuple[str, str, str]],
    by_digest: dict[str, Capture],
    skipped_digests: dict[str, dict[str, Any]],
) -> None:
    wayback_url = client.memento_url(record.timestamp, record.original)
    try:
        if record.status not in ("200", "-") and not record.status.startswith("3"):
            raise Skip(f"the site answered HTTP {record.status} when captured")
        if record.status == "200" and record.mimetype.startswith(NOT_TEXT):
            raise Skip(f"not a text page ({record.mimetype})")
        reused = by_digest.get(record.digest)
        if reused is None and record.digest in skipped_digests:
            earlier = skipped_digests[record.digest]
            raise Skip(f"same bytes as {earlier['timestamp']}: {earlier['reason']}")
        if reused is not None:
            data = archive.read_capture(reused)
            memento = Memento(
                data, record.captured_at, record.original, wayback_url, reused.extra.get("content_type"), [], {}
            )
            summary.reused += 1
        else:
            memento = client.fetch(record)
            summary.fetched += 1
        result = _store(archive, slug, record, memento, wanted)
        if not result.created:  # another listed capture led to the same memento
            raise Skip(f"served the capture already stored as {result.capture.file}", lasting=False)
    except Skip as skip:
        entry = state.skip(record, skip.reason, wayback_url, lasting=skip.lasting)
        summary.skipped.append(entry)
        if skip.lasting:
            skipped_digests.setdefault(record.digest, entry)
        return
    digest = result.capture.extra.get("payload_digest")
    if digest:
        by_digest.setdefault(digest, result.capture)
    summary.stored += 1
    summary.new_versions += int(result.new_version)


def _store(
    archive: Archive, slug: str, record: CdxRecord, memento: Memento, wanted: set[tuple[str, str, str]]
) -> StoreResult:
    media_type = media_type_of(memento.content_type, record.mimetype)
    if media_type is None:
        raise Skip(f"not a text page ({memento.content_type or record.mimetype})")
    if len(memento.data) > MAX_CAPTURE_BYTES:
        raise Skip(f"{len(memento.data)} bytes is above the capture limit")
    try:
        check_content(memento.wayback_url, memento.data)
    except PolicyDiffError as exc:
        raise Skip(exc.message.split(": ", 1)[-1]) from None
    reason = soft_404_reason(memento.data) if media_type == "text/html" else None
    if reason:
        raise Skip(reason)
    extra: dict[str, Any] = {
        "cdx_timestamp": record.timestamp,
        "cdx_digest": record.digest,
        "payload_digest": payload_digest(memento.data),
        "content_type": memento.content_type,
    }
    if memento.redirects:
        extra["redirects"] = memento.redirects
    if memento.headers:
        extra["headers"] = memento.headers
    if comparable_url(memento.original_url) not in wanted:
        extra["requested_url"] = record.original
    try:
        return archive.store_capture(
            slug,
            memento.data,
            captured_at=memento.captured_at,
            media_type=media_type,
            source_url=memento.original_url,
            ingested_via="wayback",
            content_type=memento.content_type,
            wayback_url=memento.wayback_url,
            extra=extra,
        )
    except PolicyDiffError as exc:  # no text at all: an empty shell, not the policy
        raise Skip(exc.message) from None
