"""Ingest captures from files: HTML, Markdown, plain text, and WARC (via ingest.warc)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..archive import Archive, StoreResult
from ..errors import CaptureError, PolicyDiffError
from ..times import stamp_in_name
from .dating import wayback_origin

# Documented limit (README): a policy page is rarely above 2 MB; 64 MiB leaves room for
# pages with inline images while refusing dumps that are not a page.
MAX_CAPTURE_BYTES = 64 * 1024 * 1024

MEDIA_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
)


@dataclass
class CaptureCandidate:
    """Bytes about to become a capture, with what is known of where they came from."""

    data: bytes
    media_type: str
    origin: str
    captured_at: datetime | None = None
    source_url: str | None = None
    ingested_via: str = "file"
    content_type: str | None = None
    wayback_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class IngestOutcome:
    origin: str
    status: str  # stored | already | refused
    message: str
    result: StoreResult | None = None


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the capture files inside directories named (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".") and (p.suffix.lower() in MEDIA_TYPES or is_warc(p))
            )
        else:
            out.append(path)
    return out


def check_content(path: Path | str, data: bytes) -> None:
    """Refuse what cannot be a text capture, with the reason."""
    if not data.strip():
        raise CaptureError(path, "empty file: nothing to ingest")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise CaptureError(path, f"binary content ({what}), not an HTML, Markdown or text capture")
    head = data[:8192]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and head.count(b"\x00") > len(head) // 10:
        raise CaptureError(path, "binary content (NUL bytes), not an HTML, Markdown or text capture")


def read_file_capture(path: Path) -> CaptureCandidate:
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise CaptureError(
            path,
            f"unknown extension {path.suffix or '(none)'!r}: expected .html, .htm, .md, .txt, .warc or .warc.gz",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaptureError(path, f"cannot read: {exc.strerror}") from None
    if size > MAX_CAPTURE_BYTES:
        raise CaptureError(path, f"{size / 2**20:.0f} MiB is above the {MAX_CAPTURE_BYTES // 2**20} MiB capture limit")
    data = path.read_bytes()
    check_content(path, data)
    return CaptureCandidate(data=data, media_type=media_type, origin=str(path))


def candidates_for(path: Path, archive: Archive, slug: str) -> Iterator[CaptureCandidate]:
    if not path.exists():
        raise CaptureError(path, "no such file")
    if is_warc(path):
        from .warc import read_warc

        yield from read_warc(path, archive.declaration(slug).urls)
    else:
        yield read_file_capture(path)


def date_candidate(candidate: CaptureCandidate, captured: datetime | None) -> None:
    """Fill in the capture time: --captured, WARC-Date, a Wayback note, the file name."""
    text = candidate.data[:65536].decode("utf-8", "replace")
    tail = candidate.data[-8192:].decode("utf-8", "replace")
    origin = wayback_origin(text) or wayback_origin(tail)
    if origin:
        moment, original_url, wayback_url = origin
        candidate.source_url = candidate.source_url or original_url or None
        candidate.wayback_url = candidate.wayback_url or wayback_url or None
        if candidate.captured_at is None:
            candidate.captured_at = moment
    if captured is not None:
        candidate.captured_at = captured
    if candidate.captured_at is None:
        candidate.captured_at = stamp_in_name(Path(candidate.origin).name)
    if candidate.captured_at is None:
        raise CaptureError(
            candidate.origin,
            "cannot tell when this was captured: pass --captured 2017-11-21T21:45:41Z, or name "
            "the file with its time (20171121T214541Z.html or Wayback's 14 digits)",
        )


def ingest_paths(
    archive: Archive,
    slug: str,
    paths: Iterable[Path],
    *,
    captured: datetime | None = None,
    source_url: str | None = None,
    on_file_done: Callable[[Path], None] | None = None,
) -> list[IngestOutcome]:
    """Ingest every capture found; a bad file is refused with its reason, the rest go on."""
    archive.require(slug)
    outcomes: list[IngestOutcome] = []
    for path in expand_paths(paths):
        try:
            for candidate in candidates_for(path, archive, slug):
                outcomes.append(_store(archive, slug, candidate, captured, source_url))
        except PolicyDiffError as exc:
            message = exc.message if str(path) in exc.message else f"{path}: {exc.message}"
            outcomes.append(IngestOutcome(str(path), "refused", message))
        if on_file_done:
            on_file_done(path)
    return outcomes


def _store(
    archive: Archive,
    slug: str,
    candidate: CaptureCandidate,
    captured: datetime | None,
    source_url: str | None,
) -> IngestOutcome:
    try:
        date_candidate(candidate, captured)
        assert candidate.captured_at is not None
        result = archive.store_capture(
            slug,
            candidate.data,
            captured_at=candidate.captured_at,
            media_type=candidate.media_type,
            source_url=source_url or candidate.source_url,
            ingested_via=candidate.ingested_via,
            original_name=Path(candidate.origin).name,
            content_type=candidate.content_type,
            wayback_url=candidate.wayback_url,
            extra=candidate.extra,
        )
    except PolicyDiffError as exc:
        message = exc.message if candidate.origin in exc.message else f"{candidate.origin}: {exc.message}"
        return IngestOutcome(candidate.origin, "refused", message)
    name = result.capture.file
    if not result.created:
        return IngestOutcome(
            candidate.origin, "already", f"{candidate.origin}: already in the archive as {name}", result
        )
    what = "new version" if result.new_version else "same text as version"
    message = f"{candidate.origin}: stored as {name} ({what} {result.version})"
    for warning in result.warnings:
        message += f"\n  warning: {warning}"
    return IngestOutcome(candidate.origin, "stored", message, result)
