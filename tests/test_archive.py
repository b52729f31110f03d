"""The archive: captures, provenance, versions, history, exclusions, verify, rebuild."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, CliRun
from policydiff.archive import Archive
from policydiff.errors import ArchiveError

UPTIME = FIXTURES / "ota-demo" / "uptimerobot-privacy-policy" / "snapshots"
UPTIME_URL = "https://uptimerobot.com/privacy/"
ZWSOFT = FIXTURES / "citp-wayback" / "zwsoft-privacy-policy" / "captures" / "20171121T214541Z.md"
DEVIANTART = FIXTURES / "tosback" / "deviantart-privacy-policy-latin1-declared" / "snapshots" / "20201006T130358Z.html"

# OTA's manifest: the first three uptimerobot captures differ only in markup
# (kinds first-record, html-change-only, html-change-only); the fourth changes the text.
MARKUP_ONLY = ["20241024T003012Z.html", "20250314T123011Z.html", "20250617T123017Z.html"]
TEXT_CHANGE = "20250808T003018Z.html"


def tree_state(root: Path) -> dict[str, str]:
    """Every file under root with its sha256: what 'changes nothing' is checked against."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def add_uptime(cli: CliRun) -> None:
    cli("add", "uptimerobot", "--url", UPTIME_URL, "--select", "main", "--name", "UptimeRobot privacy policy")


def test_ingest_stores_bytes_and_provenance(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0])
    (capture,) = archive.captures("uptimerobot")
    raw = (UPTIME / MARKUP_ONLY[0]).read_bytes()
    stored = archive.captures_dir("uptimerobot") / capture.file
    assert stored.read_bytes() == raw
    sha = hashlib.sha256(raw).hexdigest()
    assert capture.file == f"20241024T003012Z-{sha[:12]}.html"
    meta = json.loads(stored.with_suffix(".json").read_text())
    assert meta["sha256"] == sha
    assert meta["captured_at"] == "2024-10-24T00:30:12Z"
    assert meta["source_url"] == UPTIME_URL
    assert meta["media_type"] == "text/html"
    assert meta["ingested_via"] == "file"
    assert meta["detected_charset"] == "utf-8"
    assert meta["charset_mismatch"] is False


def test_same_capture_twice_changes_nothing_and_says_so(cli: CliRun, archive_dir: Path) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0])
    before = tree_state(archive_dir)
    result = cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0])
    assert "already in the archive" in result.output
    assert "0 stored, 1 already there, 0 refused" in result.output
    assert tree_state(archive_dir) == before


def test_markup_only_captures_extend_one_version(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", *(UPTIME / name for name in MARKUP_ONLY))
    (version,) = archive.versions("uptimerobot")
    assert [ref.file[:16] for ref in version.captures] == [n[:16] for n in MARKUP_ONLY]
    assert version.first_seen.isoformat() == "2024-10-24T00:30:12+00:00"
    assert version.last_seen.isoformat() == "2025-06-17T12:30:17+00:00"
    cli("ingest", "uptimerobot", UPTIME / TEXT_CHANGE)
    assert len(archive.versions("uptimerobot")) == 2


def test_versions_json_contract(cli: CliRun, archive_dir: Path) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME)
    data = json.loads(cli("versions", "uptimerobot", "--json").output)
    assert [len(v["captures"]) for v in data] == [3, 1]
    for item in data:
        assert set(item) == {"id", "sha256", "first_seen", "last_seen", "path", "captures"}
        assert not item["id"][0].isdigit()
        text = (archive_dir / item["path"]).read_text(encoding="utf-8")
        assert hashlib.sha256(text.encode()).hexdigest() == item["sha256"]
        for ref in item["captures"]:
            assert set(ref) == {"captured_at", "file"}
            assert ref["captured_at"].endswith("Z") and len(ref["captured_at"]) == 20
    assert data[0]["first_seen"] < data[1]["first_seen"]


def test_revert_is_three_periods_and_two_changes(cli: CliRun) -> None:
    """The same bytes seen again later are a new capture; A -> B -> A is two changes."""
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], UPTIME / TEXT_CHANGE)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[1], "--captured", "2025-09-01T00:00:00Z")
    periods = json.loads(cli("history", "uptimerobot", "--json").output)
    assert [p["from"] for p in periods] == ["2024-10-24T00:30:12Z", "2025-08-08T00:30:18Z", "2025-09-01T00:00:00Z"]
    assert periods[0]["version"] == periods[2]["version"] != periods[1]["version"]
    versions = json.loads(cli("versions", "uptimerobot", "--json").output)
    assert len(versions) == 2


def test_show_prints_latest_and_by_id_and_date(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME)
    first, latest = archive.versions("uptimerobot")
    assert cli("show", "uptimerobot").output == archive.version_text(latest)
    assert cli("show", "uptimerobot", first.id).output == archive.version_text(first)
    assert cli("show", "uptimerobot", "2025-01-01").output == archive.version_text(first)
    assert "UptimeRobot" in archive.version_text(latest)
    result = cli("show", "uptimerobot", "nope", expect=2)
    assert "no version 'nope'" in result.output


def test_wayback_note_dates_a_markdown_capture(cli: CliRun, archive: Archive) -> None:
    cli("add", "zwsoft", "--url", "https://www.zwsoft.com/about/privacyPolicys")
    renamed = ZWSOFT.read_bytes()
    cli("ingest", "zwsoft", ZWSOFT)
    (capture,) = archive.captures("zwsoft")
    assert capture.captured_at.isoformat() == "2017-11-21T21:45:41+00:00"
    assert capture.wayback_url == (
        "https://web.archive.org/web/20171121214541id_/https://www.zwsoft.com/about/privacyPolicys"
    )
    assert capture.media_type == "text/markdown"
    assert archive.read_capture(capture) == renamed
    text = archive.version_text(archive.version("zwsoft"))
    assert "The following text is extracted" not in text
    assert "A. Online Privacy" in text and "E. Technical Support and Privacy" in text


def test_declared_charset_lie_is_recorded_and_text_decoded(cli: CliRun, archive: Archive) -> None:
    cli("add", "deviantart", "--url", "https://www.deviantart.com/about/policy/privacy/")
    cli("ingest", "deviantart", DEVIANTART)
    (capture,) = archive.captures("deviantart")
    assert archive.read_capture(capture) == DEVIANTART.read_bytes()
    assert (capture.declared_charset, capture.detected_charset, capture.charset_mismatch) == (
        "iso-8859-1",
        "utf-8",
        True,
    )
    text = archive.version_text(archive.version("deviantart"))
    assert "’" in text and "â€™" not in text


def test_exclude_withdraws_a_capture_but_keeps_it(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME)
    bad = archive.captures("uptimerobot")[-1]
    result = cli("exclude", "uptimerobot", bad.stem[:16], "--reason", "cookie wall")
    assert bad.file in result.output
    assert len(archive.versions("uptimerobot")) == 1
    assert len(archive.history("uptimerobot")) == 1
    assert archive.capture_path(bad).exists()
    assert archive.exclusions("uptimerobot")[bad.file]["reason"] == "cookie wall"
    cli("verify")


def test_verify_finds_tampering(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0])
    assert "ok: 1 policies, 1 captures" in cli("verify").output
    (capture,) = archive.captures("uptimerobot")
    path = archive.capture_path(capture)
    path.write_bytes(path.read_bytes().replace(b"Privacy", b"Privacx", 1))
    result = cli("verify", expect=1)
    assert capture.file in result.output and "sha256" in result.output


def test_verify_finds_missing_capture_and_broken_provenance(cli: CliRun, archive: Archive) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], UPTIME / MARKUP_ONLY[1])
    first, second = archive.captures("uptimerobot")
    archive.capture_path(first).unlink()
    archive.capture_path(second).with_suffix(".json").write_text("{not json")
    output = cli("verify", expect=1).output
    assert "is missing" in output and "invalid provenance" in output


def test_rebuild_regenerates_the_same_versions(cli: CliRun, archive: Archive, archive_dir: Path) -> None:
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME)
    vdir = archive.versions_dir("uptimerobot")
    before = {p.name: p.read_bytes() for p in vdir.glob("*.md")}
    shutil.rmtree(vdir)
    assert "4 captures -> 2 versions" in cli("rebuild", "uptimerobot").output
    assert {p.name: p.read_bytes() for p in vdir.glob("*.md")} == before
    assert not list(archive_dir.rglob(".versions.*"))
    cli("verify")


def test_add_refuses_path_traversal(cli: CliRun, archive_dir: Path) -> None:
    result = cli("add", "../x", "--url", UPTIME_URL, expect=2)
    assert "invalid policy slug" in result.output
    assert not (archive_dir.parent / "x").exists()
    result = cli("ingest", "../x", UPTIME, expect=2)
    assert "invalid policy slug" in result.output


def test_invalid_declaration_names_file_and_field(cli: CliRun, archive_dir: Path) -> None:
    add_uptime(cli)
    decl = archive_dir / "uptimerobot" / "policy.yml"
    decl.write_text("name: x\nurl: not-a-url\n")
    result = cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0], expect=2)
    assert str(decl) in result.output and "field `url`" in result.output
    decl.write_text("name: x\nurl: https://x.example/\nselcet: main\n")
    result = cli("verify", expect=1)
    assert str(decl) in result.output and "unknown field(s) ['selcet']" in result.output


def test_manifest_takes_records_of_other_kinds(cli: CliRun, archive: Archive) -> None:
    """A later kind is appended as its own kind: the chain takes it, and verify passes over a
    kind it does not know with a warning (`note`, issue 13's, is the archive's own now)."""
    add_uptime(cli)
    cli("ingest", "uptimerobot", UPTIME / MARKUP_ONLY[0])
    before = archive.manifest_head("uptimerobot")
    with pytest.raises(ArchiveError):
        archive.append_record("uptimerobot", "note", {"key": "2020-01-01", "text": "not through set_note"})
    head = archive.append_record("uptimerobot", "attestation", {"file": "notes.yml", "sha256": "0" * 64})
    records = archive.manifest("uptimerobot").records
    assert [r.kind for r in records] == ["captures", "attestation"]
    assert records[1].body["prev"] == before and records[1].digest == head
    problems = archive.verify()
    assert [p for p in problems if p.fatal] == []
    assert any("kind 'attestation' unknown to this version" in p.message for p in problems)


def test_provenance_json_is_every_field_then_the_free_form_part_copied() -> None:
    from dataclasses import asdict
    from datetime import UTC, datetime

    from policydiff.models import Capture

    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    for extra in ({"policy_diff_version": "1", "etag": None}, {"headers": {"a": [1, 2]}}):
        capture = Capture("s", "20250102T030405Z-0123456789ab.html", when, "0" * 64, 3, "text/html", None, "file", when)
        capture = Capture(**{**{f: getattr(capture, f) for f in capture.__dataclass_fields__}, "extra": extra})
        expected = asdict(capture)
        del expected["slug"], expected["extra"]
        expected.update(captured_at="2025-01-02T03:04:05Z", ingested_at="2025-01-02T03:04:05Z", **extra)
        data = capture.to_json()
        assert json.dumps(data) == json.dumps(expected)  # same keys, same order
        if "headers" in extra:
            assert data["headers"] is not extra["headers"]  # nested provenance is copied
