"""WARC files: take the HTTP 200 responses whose target URI is one of the policy's URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import CaptureError
from ..times import parse_time
from .files import MAX_CAPTURE_BYTES, CaptureCandidate, check_content


def comparable_url(url: str) -> tuple[str, str, str]:
    """http/https, `www.`, a trailing slash and the fragment do not make another page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return host, path, parts.query


def read_warc(path: Path, urls: tuple[str, ...]) -> Iterator[CaptureCandidate]:
    wanted = {comparable_url(u) for u in urls}
    found = 0
    seen_uris: list[str] = []
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
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
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise CaptureError(path, f"not a readable WARC file ({exc})") from None
    if not found:
        sample = ", ".join(sorted(set(seen_uris))[:3]) or "no response records"
        raise CaptureError(
            path,
            f"no HTTP 200 response for {', '.join(urls)} in this WARC (it holds: {sample})",
        )
