"""Ingest captures from files: HTML, Markdown, plain text, and WARC (via ingest.warc)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..archive import Archive, NewCapture, StoreResult
from ..errors import CaptureError, PolicyDiffError, shown
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
# Bytes that text in any charset but UTF-16/32 does not hold: C0 controls but tab, newline,
# form feed and carriage return, and DEL. Random or compressed bytes are full of them.
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])
_MAX_CONTROL_SHARE = 0.01
# A file name the archive will keep as provenance and print in messages: valid UTF-8 (no
# undecodable byte), no control character (a newline could forge a second `error:` line).
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Captures committed together by `ingest_paths` (bounded in bytes too).
WINDOW_CAPTURES = 256
WINDOW_BYTES = 128 * 1024 * 1024


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
    """Files named, and the capture files inside directories named (recursively, sorted).

    Symbolic links are listed, never followed: reading refuses them, so nothing outside
    the given paths is ever read."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found: list[Path] = []
            for folder, dirs, files in os.walk(path, followlinks=False):
                base = Path(folder)
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in [*files, *(d for d in dirs if (base / d).is_symlink())]:
                    candidate = base / name
                    if name.startswith("."):
                        continue
                    if candidate.suffix.lower() in MEDIA_TYPES or is_warc(candidate) or candidate.is_symlink():
                        found.append(candidate)
                dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
            out.extend(sorted(found))
        else:
            out.append(path)
    return out


def check_name(path: Path | str) -> None:
    """Refuse a name the archive could not keep or print on one line."""
    name = Path(path).name
    bad = _BAD_NAME.search(name)
    if bad:
        what = "an undecodable byte" if "\ud800" <= bad.group() <= "\udfff" else "a control character"
        raise CaptureError(path, f"the file name holds {what}: rename the file to ingest it")


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
    if not utf16:
        controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
        if controls > max(4, len(head) * _MAX_CONTROL_SHARE):
            raise CaptureError(path, "binary content (control bytes), not an HTML, Markdown or text capture")


def read_regular_file(path: Path, limit: int = MAX_CAPTURE_BYTES) -> bytes:
    """A file's bytes, refused when it is a symbolic link, not a regular file or too big."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise CaptureError(path, "no such file") from None
    except OSError as exc:
        if path.is_symlink():
            raise CaptureError(path, "is a symbolic link: not followed (give the file it points to)") from None
        raise CaptureError(path, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CaptureError(path, "not a regular file")
        if info.st_size > limit:
            raise CaptureError(path, f"{info.st_size / 2**20:.0f} MiB is above the {limit // 2**20} MiB capture limit")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # read(n) allocates n bytes first: asked for the 64 MiB limit, that was five times
            # the cost of reading a 64 KB page. A file that grew since fstat is read on.
            data = handle.read(min(info.st_size, limit) + 1)
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise CaptureError(path, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise CaptureError(path, f"above the {limit // 2**20} MiB capture limit")
    return data


def read_file_capture(path: Path) -> CaptureCandidate:
    check_name(path)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if path.is_symlink():
        raise CaptureError(path, "is a symbolic link: not followed (give the file it points to)")
    if media_type is None:
        raise CaptureError(
            path,
            f"unknown extension {shown(path.suffix) or '(none)'!r}: expected .html, .htm, .md, .txt, .warc or .warc.gz",
        )
    data = read_regular_file(path)
    check_content(path, data)
    return CaptureCandidate(data=data, media_type=media_type, origin=str(path))


def candidates_for(path: Path, archive: Archive, slug: str) -> Iterator[CaptureCandidate]:
    check_name(path)
    if path.is_symlink():
        raise CaptureError(path, "is a symbolic link: not followed (give the file it points to)")
    if not path.exists():
        raise CaptureError(path, "no such file")
    if is_warc(path):
        from .warc import read_warc

        yield from read_warc(path, archive.declaration(slug).urls)
    else:
        yield read_file_capture(path)


def date_candidate(candidate: CaptureCandidate, captured: datetime | None) -> None:
    """Fill in the capture time: --captured, the WARC-Date, a time in the file name, and only
    then a Wayback note inside the capture (text in a capture never overrides what the user
    or the WARC says; a time in the future is refused by the archive)."""
    if captured is not None:
        candidate.captured_at = captured
    if candidate.captured_at is None:
        candidate.captured_at = stamp_in_name(Path(candidate.origin).name)
    text = candidate.data[:65536].decode("utf-8", "replace")
    tail = candidate.data[-8192:].decode("utf-8", "replace")
    origin = wayback_origin(text) or wayback_origin(tail)
    if origin:
        moment, original_url, wayback_url = origin
        candidate.source_url = candidate.source_url or original_url or None
        candidate.wayback_url = candidate.wayback_url or wayback_url or None
        if candidate.captured_at is None:
            candidate.captured_at = moment
    if candidate.captured_at is None:
        raise CaptureError(
            candidate.origin,
            "cannot tell when this was captured: pass --captured 2017-11-21T21:45:41Z, or name "
            "the file with its time (20171121T214541Z.html or Wayback's 14 digits)",
        )


class CaptureWindow:
    """Dated candidates gathered into windows and committed a window at a time
    (`Archive.store_captures`), so a killed ingest loses at most the window in flight.

    Every candidate added gets an outcome, in order, in `outcomes`; `refuse` records one
    that could not even become a candidate."""

    def __init__(
        self,
        archive: Archive,
        slug: str,
        *,
        source_url: str | None = None,
        workers: int | None = None,
        group_commit: bool = True,
    ) -> None:
        self.archive, self.slug, self.source_url = archive, slug, source_url
        self.workers, self.group_commit = workers, group_commit
        self.outcomes: list[IngestOutcome] = []
        self._window: list[tuple[int, CaptureCandidate]] = []
        self._size = 0

    def add(self, candidate: CaptureCandidate) -> None:
        self.outcomes.append(IngestOutcome(candidate.origin, "pending", ""))
        self._window.append((len(self.outcomes) - 1, candidate))
        self._size += len(candidate.data)
        if len(self._window) >= WINDOW_CAPTURES or self._size >= WINDOW_BYTES:
            self.flush()

    def refuse(self, origin: str, exc: PolicyDiffError) -> None:
        self.outcomes.append(IngestOutcome(shown(origin), "refused", _message(origin, exc)))

    def flush(self) -> None:
        if not self._window:
            return
        items = [_new_capture(candidate, self.source_url) for _, candidate in self._window]
        results = self.archive.store_captures(self.slug, items, workers=self.workers, group_commit=self.group_commit)
        for (slot, candidate), result in zip(self._window, results, strict=True):
            self.outcomes[slot] = _outcome(candidate, result)
        self._window.clear()
        self._size = 0


def ingest_paths(
    archive: Archive,
    slug: str,
    paths: Iterable[Path],
    *,
    captured: datetime | None = None,
    source_url: str | None = None,
    on_file_done: Callable[[Path], None] | None = None,
    workers: int | None = None,
    group_commit: bool = True,
) -> list[IngestOutcome]:
    """Ingest every capture found; a bad file is refused with its reason, the rest go on.

    Captures are read and dated in order, extracted over `workers` processes (default: one
    per core) and committed a window at a time (`CaptureWindow`)."""
    archive.require(slug)
    window = CaptureWindow(archive, slug, source_url=source_url, workers=workers, group_commit=group_commit)
    for path in expand_paths(paths):
        try:
            for candidate in candidates_for(path, archive, slug):
                try:
                    date_candidate(candidate, captured)
                except PolicyDiffError as exc:
                    window.refuse(candidate.origin, exc)
                    continue
                window.add(candidate)
        except PolicyDiffError as exc:
            window.refuse(str(path), exc)
        if on_file_done:
            on_file_done(path)
    window.flush()
    return window.outcomes


def _message(origin: str, exc: PolicyDiffError) -> str:
    where = shown(origin)
    return exc.message if where in exc.message else f"{where}: {exc.message}"


def _new_capture(candidate: CaptureCandidate, source_url: str | None) -> NewCapture:
    assert candidate.captured_at is not None
    return NewCapture(
        data=candidate.data,
        captured_at=candidate.captured_at,
        media_type=candidate.media_type,
        source_url=source_url or candidate.source_url,
        ingested_via=candidate.ingested_via,
        original_name=Path(candidate.origin).name,
        content_type=candidate.content_type,
        wayback_url=candidate.wayback_url,
        extra=candidate.extra,
    )


def _outcome(candidate: CaptureCandidate, result: StoreResult | PolicyDiffError) -> IngestOutcome:
    origin = shown(candidate.origin)
    if isinstance(result, PolicyDiffError):
        return IngestOutcome(origin, "refused", _message(candidate.origin, result))
    name = result.capture.file
    if not result.created:
        return IngestOutcome(origin, "already", f"{origin}: already in the archive as {name}", result)
    what = "new version" if result.new_version else "same text as version"
    message = f"{origin}: stored as {name} ({what} {result.version})"
    for warning in result.warnings:
        message += f"\n  warning: {warning}"
    return IngestOutcome(origin, "stored", message, result)
