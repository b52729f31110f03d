"""WARC files: take the HTTP 200 responses whose target URI is one of the policy's URLs."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import CaptureError, shown
from ..times import parse_time
from .files import MAX_CAPTURE_BYTES, CaptureCandidate, check_content


def comparable_url(url: str) -> tuple[str, str, str]:
    """http/https, `www.`, a trailing slash and the fragment do not make another page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return host, path, parts.query


def check_gzip_complete(path: Path) -> None:
    """A truncated .warc.gz reads as no records at all: say what it is (streamed, so a
    large or hostile file costs time, never memory)."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except EOFError:
        raise CaptureError(path, "truncated gzip file (it ends before its last record does): not ingested") from None
    except (OSError, zlib.error):
        raise CaptureError(path, "not a readable WARC file (invalid gzip data)") from None


def read_warc(path: Path, urls: tuple[str, ...]) -> Iterator[CaptureCandidate]:
    wanted = {comparable_url(u) for u in urls}
    found = records = 0
    seen_uris: list[str] = []
    if path.name.lower().endswith(".gz"):
        check_gzip_complete(path)
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                records += bool(record.rec_type)  # garbage after a WARC/1.0 line parses as a typeless record
                if record.rec_type != "response":
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                seen_uris.append(uri)
                if comparable_url(uri) not in wanted:
                    continue
                status = record.http_headers.get_statuscode() if record.http_headers else None
                if status != "200":
                    continue
                data = record.content_stream().read(MAX_CAPTURE_BYTES + 1)
                origin = f"{path}#{record.rec_headers.get_header('WARC-Record-ID') or found}"
                if len(data) > MAX_CAPTURE_BYTES:
                    raise CaptureError(origin, "response body above the capture size limit")
                missing = getattr(record.raw_stream, "limit", 0) or 0
                if missing > 0:
                    raise CaptureError(
                        origin, f"record ends {missing} bytes short of its Content-Length: truncated, not stored"
                    )
                check_content(origin, data)
                content_type = record.http_headers.get_header("Content-Type") or ""
                media = "text/plain" if content_type.startswith("text/plain") else "text/html"
                date = record.rec_headers.get_header("WARC-Date")
                found += 1
                yield CaptureCandidate(
                    data=data,
                    media_type=media,
                    origin=origin,
                    captured_at=parse_time(date) if date else None,
                    source_url=uri,
                    ingested_via="warc",
                    content_type=content_type or None,
                    extra={
                        "warc_file": path.name,
                        "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
                        "content_type": content_type or None,
                    },
                )
    except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error):
        # warcio's message quotes the file's first bytes: never echo them.
        raise CaptureError(path, "not a readable WARC file (no valid WARC or ARC record header)") from None
    if not records:
        raise CaptureError(path, "not a readable WARC file (no WARC or ARC record in it)")
    if not found:
        sample = shown(", ".join(sorted(set(seen_uris))[:3])[:300]) or "no response records"
        raise CaptureError(
            path,
            f"no HTTP 200 response for {', '.join(urls)} in this WARC (it holds: {sample})",
        )
