"""Ingest: bad input is refused with one clear line and leaves the archive unchanged;
WARC files and capture-time inference work on real captures."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import FIXTURES, CliRun
from policydiff.archive import Archive
from policydiff.ingest.files import MAX_CAPTURE_BYTES
from test_archive import MARKUP_ONLY, UPTIME, UPTIME_URL, add_uptime, tree_state


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0]))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def bad_file(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A bad capture file and the words its error must contain."""
    if kind == "empty":
        path = tmp_path / "20250101T000000Z.html"
        path.write_bytes(b"")
        return path, "empty file"
    if kind == "png":
        path = tmp_path / "20250101T000000Z.html"
        path.write_bytes(png_bytes())
        return path, "binary content (a PNG image)"
    if kind == "pdf":
        path = tmp_path / "20250101T000000Z.txt"
        path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
        return path, "binary content (a PDF document)"
    if kind == "extension":
        path = tmp_path / "20250101T000000Z.docx"
        path.write_bytes((UPTIME / MARKUP_ONLY[0]).read_bytes())
        return path, "unknown extension '.docx'"
    if kind == "undated":
        path = tmp_path / "privacy.html"
        path.write_bytes((UPTIME / MARKUP_ONLY[0]).read_bytes())
        return path, "cannot tell when this was captured"
    if kind == "huge":
        path = tmp_path / "20250101T000000Z.html"
        with open(path, "wb") as handle:  # sparse: 200 MB on paper, nothing on disk
            handle.truncate(200 * 1024 * 1024)
        return path, "above the 64 MiB capture limit"
    if kind == "missing":
        return tmp_path / "20250101T000000Z.html", "no such file"
    if kind == "no-text":
        path = tmp_path / "20250101T000000Z.html"
        path.write_bytes(b"<html><body><script>alert(1)</script></body></html>")
        return path, "no text left after extraction"
    raise AssertionError(kind)


BAD_KINDS = ["empty", "png", "pdf", "extension", "undated", "huge", "missing", "no-text"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_is_refused_clearly(kind: str, cli: CliRun, archive_dir: Path, tmp_path: Path) -> None:
    add_uptime(cli)
    path, words = bad_file(tmp_path, kind)
    before = tree_state(archive_dir)
    result = cli("ingest", "uptimerobot", path, expect=2)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert str(path) in errors[0] and words in errors[0]
    assert tree_state(archive_dir) == before
    if path.exists():
        assert path.stat().st_size >= 0  # the input is left where it was


def test_unparseable_captured_option(cli: CliRun, archive_dir: Path) -> None:
    add_uptime(cli)
    before = tree_state(archive_dir)
    result = cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], "--captured", "last tuesday", expect=2)
    assert "unparseable date 'last tuesday'" in result.output
    assert tree_state(archive_dir) == before


def test_a_bad_file_does_not_stop_the_good_ones(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    bad, _ = bad_file(tmp_path, "png")
    result = cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], bad, UPTIME / MARKUP_ONLY[1], expect=2)
    assert "2 stored, 0 already there, 1 refused" in result.output
    assert len(archive.captures("uptimerobot")) == 2
    # everything already there: exit 0
    result = cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], UPTIME / MARKUP_ONLY[1])
    assert "0 stored, 2 already there, 0 refused" in result.output


def test_unknown_policy(cli: CliRun) -> None:
    result = cli("ingest", "nobody", UPTIME, expect=2)
    assert "no policy 'nobody'" in result.output and "policy-diff add nobody" in result.output


def write_warc(path: Path, records: list[tuple[str, str, bytes, str]]) -> None:
    """records: (target URI, WARC-Date, body, HTTP status line)."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=path.suffix == ".gz")
        for uri, date, body, status in records:
            headers = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)


def test_warc_takes_matching_200_responses(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    page = (UPTIME / MARKUP_ONLY[0]).read_bytes()
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            ("https://uptimerobot.com/", "2025-02-01T10:00:00Z", b"<html><body>home</body></html>", "200 OK"),
            ("http://www.uptimerobot.com/privacy", "2025-02-01T10:00:05Z", page, "200 OK"),
            ("https://uptimerobot.com/privacy/", "2025-02-02T10:00:00Z", b"gone", "404 Not Found"),
        ],
    )
    result = cli("ingest", "uptimerobot", warc)
    assert "1 stored" in result.output
    (capture,) = archive.captures("uptimerobot")
    assert capture.captured_at.isoformat() == "2025-02-01T10:00:05+00:00"
    assert capture.ingested_via == "warc"
    assert archive.read_capture(capture) == page
    assert capture.extra["warc_file"] == "crawl.warc.gz"


def test_warc_without_matching_record_is_refused(cli: CliRun, archive_dir: Path, tmp_path: Path) -> None:
    add_uptime(cli)
    warc = tmp_path / "other.warc"
    write_warc(warc, [("https://example.org/", "2025-02-01T10:00:00Z", b"<p>hello</p>", "200 OK")])
    before = tree_state(archive_dir)
    result = cli("ingest", "uptimerobot", warc, expect=2)
    assert str(warc) in result.output and f"no HTTP 200 response for {UPTIME_URL}" in result.output
    assert tree_state(archive_dir) == before


def test_corrupt_warc_is_refused(cli: CliRun, tmp_path: Path) -> None:
    add_uptime(cli)
    warc = tmp_path / "broken.warc.gz"
    warc.write_bytes(os.urandom(2048))
    result = cli("ingest", "uptimerobot", warc, expect=2)
    assert str(warc) in result.output


def test_capture_time_from_wayback_digits_in_name(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    path = tmp_path / "uptimerobot-20240102030405.html"
    path.write_bytes((UPTIME / MARKUP_ONLY[0]).read_bytes())
    cli("ingest", "uptimerobot", path)
    assert archive.captures("uptimerobot")[0].captured_at.isoformat() == "2024-01-02T03:04:05+00:00"


def test_the_same_bytes_at_the_same_time_in_two_formats_are_one_capture(
    cli: CliRun, archive: Archive, tmp_path: Path
) -> None:
    """A capture is its time and sha256: the same bytes named .html and .md (found by the
    fuzz test) are one capture, never two files sharing one provenance file."""
    add_uptime(cli)
    data = (UPTIME / MARKUP_ONLY[0]).read_bytes()
    for name in ("20240102T030405Z.html", "20240102T030405Z.md"):
        (tmp_path / name).write_bytes(data)
    result = cli("ingest", "uptimerobot", tmp_path / "20240102T030405Z.html", tmp_path / "20240102T030405Z.md")
    assert "1 stored, 1 already there, 0 refused" in result.output
    assert [c.file.rsplit(".", 1)[1] for c in archive.captures("uptimerobot")] == ["html"]
    result = cli("ingest", "uptimerobot", tmp_path / "20240102T030405Z.md")  # and later, on its own
    assert "0 stored, 1 already there" in result.output
    cli("verify")  # exit 0 (it was 1: "provenance differs from its manifest record")


def test_size_limit_is_documented() -> None:
    readme = (FIXTURES.parent.parent / "README.md").read_text()
    assert f"{MAX_CAPTURE_BYTES // 2**20} MiB" in readme
