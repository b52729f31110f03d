"""Issue 15: hostile archives and inputs. One regression test per finding of the red team's
review (each failed on main), on real captures; the site-side findings are tested with the
site (tests/site)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import CliRun
from policydiff.archive import Archive
from policydiff.diff.segment import segment
from policydiff.history import archive_fingerprint
from policydiff.ingest import ingest_paths
from policydiff.verify import QuickVerification
from test_archive import MARKUP_ONLY, TEXT_CHANGE, UPTIME, UPTIME_URL, add_uptime, tree_state

PAGE = UPTIME / MARKUP_ONLY[0]


def errors_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def no_secret_in(root: Path, secret: bytes) -> bool:
    return all(secret not in p.read_bytes() for p in root.rglob("*") if p.is_file())


# -- High: symbolic links ------------------------------------------------------------------------


def test_symlinks_are_never_followed(cli: CliRun, archive_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"root:x:0:0:the secret of this machine:/root:/bin/bash\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "20200102T000000Z.txt").write_bytes(secret.read_bytes())
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "20200101T000000Z.txt").symlink_to(secret)
    (folder / "linked-dir").symlink_to(outside)
    (folder / "20250314T123011Z.html").write_bytes((UPTIME / MARKUP_ONLY[1]).read_bytes())
    add_uptime(cli)
    result = cli("ingest", "uptimerobot", folder, expect=2)
    errors = errors_of(result.output)
    assert len(errors) == 2 and all("symbolic link: not followed" in e for e in errors), result.output
    assert "1 stored, 0 already there, 2 refused" in result.output
    # a symbolic link named on the command line is refused too
    result = cli("ingest", "uptimerobot", folder / "20200101T000000Z.txt", expect=2)
    assert "symbolic link" in result.output
    assert no_secret_in(archive_dir, b"the secret of this machine")


def test_rebuild_never_reads_outside_the_archive(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"the secret of this machine\n")
    add_uptime(cli)
    cli("ingest", "uptimerobot", PAGE)
    (capture,) = archive.captures("uptimerobot")
    meta = archive.captures_dir("uptimerobot") / f"{capture.stem}.json"
    data = json.loads(meta.read_text())
    data["file"] = os.path.relpath(secret, archive.captures_dir("uptimerobot"))
    meta.write_text(json.dumps(data))
    # as a pre-manifest archive would have it: the provenance file is all there is
    archive.manifest_path("uptimerobot").unlink()
    result = cli("rebuild", "uptimerobot", expect=2)
    (line,) = result.output.strip().splitlines()
    assert "is not a capture file name" in line
    assert no_secret_in(archive.root, b"the secret of this machine")


# -- Medium: declarations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--name", 'x\n{: onclick="alert(1)" }\n\ny'], "field `name`: one line without control characters"),
        (["--name", "x\x1b[31m"], "field `name`: one line without control characters"),
        (["--url", "https://:443/privacy"], "field `url`: expected an http(s) URL"),
        (["--url", "https://example.com:99999/"], "field `url`: expected an http(s) URL"),
        (["--url", "https://exa<mple.com/"], "field `url`: expected an http(s) URL"),
        (["--language", "en\x00"], "field `language`: expected a BCP 47 language tag"),
        (["--language", "english please"], "field `language`: expected a BCP 47 language tag"),
    ],
)
def test_declaration_fields_are_validated(args: list[str], words: str, cli: CliRun, archive_dir: Path) -> None:
    base = {"--url": UPTIME_URL, "--name": "UptimeRobot", "--language": "en"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = cli("add", "uptimerobot", *(x for pair in base.items() for x in pair), expect=2)
    (line,) = result.output.strip().splitlines()
    assert words in line
    assert not (archive_dir / "uptimerobot" / "policy.yml").exists()


@pytest.mark.parametrize(
    ("declaration", "words"),
    [
        ({"feeds": {"include_trivial": "no"}}, "field `feeds.include_trivial`: expected true or false"),
        ({"language": "pt-BR"}, None),
        ({"language": "en\n"}, "field `language`: expected a BCP 47 language tag"),  # `$` matches before a \n
        ({"language": "zh-Hant-TW"}, None),
        ({"history": [{"valid_until": "2019-02-30"}]}, "history[0].valid_until"),
        ({"replace": [{"pattern": "(?<=a)b"}]}, "replace[0].pattern: invalid regular expression"),
    ],
)
def test_declaration_values_in_policy_yml(
    declaration: dict, words: str | None, cli: CliRun, archive: Archive, archive_dir: Path
) -> None:
    add_uptime(cli)
    path = archive_dir / "uptimerobot" / "policy.yml"
    path.write_text(yaml.safe_dump({"name": "U", "url": UPTIME_URL, **declaration}))
    if words is None:
        archive.declaration("uptimerobot")
        return
    result = cli("ingest", "uptimerobot", PAGE, expect=2)
    (line,) = result.output.strip().splitlines()
    assert str(path) in line and words in line


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: U\nurl: https://x.org/\nhistory:\n  - valid_until: 2019-02-30\n", "invalid value"),
        ("name: U\nurl: https://x.org/\nlanguage: [en\n", "invalid YAML at line"),
        ("name: U\nurl: https://x.org/\nselect: {a: b: c}\n", "invalid YAML at line"),
    ],
)
def test_unreadable_policy_yml_is_one_line(text: str, words: str, cli: CliRun, archive_dir: Path) -> None:
    add_uptime(cli)
    (archive_dir / "uptimerobot" / "policy.yml").write_text(text)
    result = cli("ingest", "uptimerobot", PAGE, expect=2)
    (line,) = result.output.strip().splitlines()
    assert words in line


# -- Medium: limits -------------------------------------------------------------------------------


def run_guarded(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run code in another interpreter; a hang (main's behaviour) fails the test, it never
    blocks the suite."""
    try:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish in {timeout} s: no limit")


def test_backtracking_patterns_cannot_hang_an_ingest(cli: CliRun, archive_dir: Path, tmp_path: Path) -> None:
    add_uptime(cli)
    declaration = {
        "name": "U",
        "url": UPTIME_URL,
        "select": ["main"],
        "replace": [{"pattern": "(a+)+$", "with": ""}],
        "filters": [{"text": "(x+x+)+y"}],
    }
    (archive_dir / "uptimerobot" / "policy.yml").write_text(yaml.safe_dump(declaration))
    page = tmp_path / "20250101T000000Z.html"
    hostile = "a" * 40 + "!"
    page.write_text(f"<html><body><main><p>{hostile}</p><p>{'x' * 40}</p><p>Policy text.</p></main></body></html>")
    code = (
        "from policydiff.cli import main; import sys; "
        f"sys.argv = ['policy-diff', '--archive', {str(archive_dir)!r}, 'ingest', 'uptimerobot', {str(page)!r}]; main()"
    )
    out = run_guarded(code)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 stored" in out.stdout


def test_an_attribute_bomb_is_refused(cli: CliRun, archive_dir: Path, tmp_path: Path) -> None:
    add_uptime(cli)
    page = tmp_path / "20250101T000000Z.html"
    page.write_text("<html><body><div " + " ".join(f'a{i}="1"' for i in range(1_000_000)) + ">text</div></body></html>")
    code = (
        "from policydiff.cli import main; import sys; "
        f"sys.argv = ['policy-diff', '--archive', {str(archive_dir)!r}, 'ingest', 'uptimerobot', {str(page)!r}]; main()"
    )
    out = run_guarded(code)
    assert out.returncode == 2
    assert "more than 1000 attributes" in out.stderr


def test_many_headings_are_segmented_in_linear_time_and_capped() -> None:
    code = (
        "from policydiff.diff.segment import segment\n"
        "toc = ''.join(f'## Rules for topic {i}\\n\\n' for i in range(20_000))\n"
        "body = ''.join(f'## Rules for topic {i}\\n\\nThe rules, at length, for {i}.\\n\\n' for i in range(20_000))\n"
        "sections = segment(toc + body)\n"
        "assert len(sections) == 1001, len(sections)  # the preamble (the table of contents) and 1,000\n"
        "print(''.join(s.text for s in sections) == toc + body)\n"
    )
    out = run_guarded(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


# -- Medium: decompression -------------------------------------------------------------------------


# -- Medium: file names --------------------------------------------------------------------------------


def test_undecodable_and_multiline_file_names(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = (UPTIME / MARKUP_ONLY[1]).read_bytes()
    (folder / os.fsdecode(b"20250101T000000Z-\xff.html")).write_bytes(body)
    (folder / "20250102T000000Z\nerror: spoofed.html").write_bytes(body)
    (folder / "20250103T000000Z.html").write_bytes(body)
    add_uptime(cli)
    result = cli("ingest", "uptimerobot", folder, expect=2)
    errors = errors_of(result.output)
    assert len(errors) == 2, result.output
    assert any("\\xff" in e and "undecodable byte" in e for e in errors)
    assert any("\\nerror: spoofed" in e and "control character" in e for e in errors)
    assert "1 stored, 0 already there, 2 refused" in result.output
    # nothing orphaned: every file in captures/ is a recorded capture or its provenance
    files = sorted(p.name for p in archive.captures_dir("uptimerobot").iterdir())
    (capture,) = archive.captures("uptimerobot")
    assert files == sorted([capture.file, f"{capture.stem}.json"])
    assert [p for p in archive.verify() if p.fatal] == []


# -- Medium: dates and URLs from the capture itself -------------------------------------------------------


def test_dates_and_urls_inside_a_capture_do_not_override(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    body = PAGE.read_text(encoding="utf-8")
    named = tmp_path / "20250101T000000Z.html"
    named.write_text(body + "\n<!-- FILE ARCHIVED ON 12:00:00 Jan 01, 2099 -->\n", encoding="utf-8")
    cli("ingest", "uptimerobot", named)
    (capture,) = archive.captures("uptimerobot")
    assert capture.captured_at.year == 2025  # the file name, not the text inside
    # a time in the future is refused, whoever gives it
    undated = tmp_path / "privacy.html"
    undated.write_text(body + "\n<!-- FILE ARCHIVED ON 12:00:00 Jan 01, 2099 -->\n", encoding="utf-8")
    result = cli("ingest", "uptimerobot", undated, expect=2)
    assert "2099-01-01T12:00:00Z is in the future" in result.output
    result = cli("ingest", "uptimerobot", PAGE, "--captured", "2099-01-01T00:00:00Z", expect=2)
    assert "is in the future" in result.output
    # only an http(s) source URL is kept
    wombat = tmp_path / "wombat.html"
    wombat.write_text(
        body.replace("</body>", '<script>__wm.wombat("javascript:alert(1)","20240101000000")</script></body>')
    )
    cli("ingest", "uptimerobot", wombat)
    stored = [c for c in archive.captures("uptimerobot") if c.captured_at.year == 2024]
    assert [c.source_url for c in stored] == [UPTIME_URL]


# -- Medium: tamper evidence -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("filled") / "archive"
    archive = Archive(root)
    archive.add_policy("uptimerobot", {"name": "UptimeRobot", "url": UPTIME_URL, "select": ["main"]})
    # in-process, so one group commit: a test below counts the manifest's records
    ingest_paths(archive, "uptimerobot", [UPTIME / n for n in [*MARKUP_ONLY, TEXT_CHANGE]], workers=1)
    assert [p for p in archive.verify() if p.fatal] == []
    return root


@pytest.fixture
def filled(filled_template: Path, archive: Archive) -> Archive:
    """Four real captures, two versions: a copy for each test to tamper with."""
    shutil.copytree(filled_template, archive.root)
    return archive


def verify_fails(cli: CliRun, *words: str) -> str:
    result = cli("verify", expect=1)
    assert "Traceback" not in result.output
    errors = errors_of(result.output)
    assert errors and all(any(w in e for e in errors) for w in words), result.output
    return result.output


def test_verify_catches_an_edited_provenance_field(filled: Archive, cli: CliRun) -> None:
    capture = filled.captures("uptimerobot")[0]
    meta = filled.captures_dir("uptimerobot") / f"{capture.stem}.json"
    data = json.loads(meta.read_text())
    data["source_url"] = "https://evil.example/"
    meta.write_text(json.dumps(data, indent=2))
    verify_fails(cli, "provenance differs from its manifest record: source_url")


def test_verify_catches_a_version_edited_with_its_sha256(filled: Archive, cli: CliRun) -> None:
    version = filled.versions("uptimerobot")[-1]
    md = filled.root / version.path
    text = md.read_text().replace("UptimeRobot", "EvilRobot", 1)
    md.write_text(text)
    meta_path = md.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    import hashlib

    meta["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    meta_path.write_text(json.dumps(meta, indent=2))
    verify_fails(cli, "not the extraction of any of its captures")
    assert cli("verify", "--quick").exit_code == 0  # only re-derivation can tell


def test_verify_catches_a_deleted_policy_yml(filled: Archive, cli: CliRun) -> None:
    (filled.policy_dir("uptimerobot") / "policy.yml").unlink()
    verify_fails(cli, "policy.yml: missing")


@pytest.mark.parametrize("where", ["captures/20250101T000000Z-000000000000.html", "versions/notes.txt", "extra.yml"])
def test_verify_catches_unexpected_files(where: str, filled: Archive, cli: CliRun) -> None:
    path = filled.policy_dir("uptimerobot") / where
    path.write_text("<p>planted</p>")
    verify_fails(cli, where.split("/")[-1])


@pytest.mark.parametrize(
    ("target", "edit"),
    [
        ("version", lambda d: {**d, "captures": "all of them"}),
        ("version", lambda d: [d]),
        ("version", lambda d: {**d, "captures": [{"captured_at": "2020-01-01T00:00:00Z"}]}),
        ("provenance", lambda d: {**d, "size": "12"}),
        ("provenance", lambda d: {**d, "captured_at": 20250101}),
    ],
)
def test_verify_reports_wrong_json_types_without_crashing(target: str, edit, filled: Archive, cli: CliRun) -> None:
    if target == "version":
        path = next(filled.versions_dir("uptimerobot").glob("*.json"))
    else:
        path = next(filled.captures_dir("uptimerobot").glob("*.json"))
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    verify_fails(cli, path.name)


def test_verify_catches_a_rewritten_manifest(filled: Archive, cli: CliRun) -> None:
    head = filled.manifest_head("uptimerobot")
    assert f"head uptimerobot {head}" in cli("verify", "--head", f"uptimerobot={head}").output
    filled.exclude("uptimerobot", filled.captures("uptimerobot")[1].file, "cookie wall")
    assert "history extends the head given by 1 record(s)" in cli("verify", "--head", f"uptimerobot={head}").output
    path = filled.manifest_path("uptimerobot")
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2
    path.write_bytes(lines[0].replace(b"uptimerobot.com", b"evil.example.") + lines[1])
    verify_fails(cli, "record 1 (line 2): chain broken")
    # rewriting it whole (a new chain) passes the chain check but not the head published before
    path.unlink()
    cli("seal", "uptimerobot")
    result = cli("verify", "--head", f"uptimerobot={head}", expect=1)
    assert "is not in this history" in result.output


def test_a_kept_quick_verification_checks_only_changed_folders_and_misses_no_edit(filled: Archive) -> None:
    """`mkdocs serve` keeps one `QuickVerification`: a rebuild checks again only the policy
    folders whose state changed, and finds what a fresh `verify --quick` finds, even after an
    edit that keeps a capture's size and modification time."""
    filled.add_policy("other", {"name": "Other", "url": "https://other.example/privacy"})
    kept = QuickVerification()
    assert kept.run(filled) == filled.verify(rederive=False) == []
    assert sorted(kept.checked) == ["other", "uptimerobot"]
    assert kept.run(filled) == [] and kept.checked == []

    capture = filled.captures("uptimerobot")[0]
    raw = filled.captures_dir("uptimerobot") / capture.file
    before = raw.stat()
    data = bytearray(raw.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    raw.write_bytes(bytes(data))
    os.utime(raw, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert raw.stat().st_size == before.st_size and raw.stat().st_mtime_ns == before.st_mtime_ns
    found = kept.run(filled)
    assert kept.checked == ["uptimerobot"]
    assert found == filled.verify(rederive=False) and any("sha256" in p.message for p in found), found

    (filled.root / "planted.html").write_text("<p>planted</p>")  # the top level is checked at every run
    found = kept.run(filled)
    assert kept.checked == [] and found == filled.verify(rederive=False)
    assert any(p.path.name == "planted.html" for p in found), found

    shutil.rmtree(filled.policy_dir("other"))
    assert kept.run(filled) == filled.verify(rederive=False) and set(kept.policies) == {"uptimerobot"}


def test_the_fingerprint_sees_an_edit_in_place_that_keeps_size_and_mtime(filled: Archive) -> None:
    """The fingerprint keeps each file's digest by its state: an edit that keeps the file's
    size and modification time still changes it (its change time moves)."""
    before = archive_fingerprint(filled, "uptimerobot")
    assert archive_fingerprint(filled, "uptimerobot") == before
    meta = next(filled.versions_dir("uptimerobot").glob("v*.json"))
    info = meta.stat()
    data = meta.read_bytes()
    meta.write_bytes(data.replace(b'"', b"'", 1) if b'"' in data else data[::-1])
    os.utime(meta, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert meta.stat().st_size == info.st_size and meta.stat().st_mtime_ns == info.st_mtime_ns
    assert archive_fingerprint(filled, "uptimerobot") != before


def test_archives_made_before_the_manifest_are_sealed_once(filled: Archive, cli: CliRun, archive_dir: Path) -> None:
    filled.manifest_path("uptimerobot").unlink()  # what an archive of main looks like
    before = tree_state(archive_dir)
    verify_fails(cli, "policy-diff seal uptimerobot")
    result = cli("ingest", "uptimerobot", UPTIME / TEXT_CHANGE, "--captured", "2025-09-01T00:00:00Z", expect=2)
    assert "run `policy-diff seal uptimerobot` once" in result.output
    assert tree_state(archive_dir) == before
    assert "4 captures sealed" in cli("seal").output
    assert cli("verify").exit_code == 0
    cli("ingest", "uptimerobot", UPTIME / TEXT_CHANGE, "--captured", "2025-09-01T00:00:00Z")
    assert cli("verify").exit_code == 0


# -- Low -----------------------------------------------------------------------------------------------------


def test_a_full_disk_is_one_line(cli: CliRun, archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_uptime(cli)
    before = tree_state(archive_dir)
    import policydiff.storage as storage

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "open", full, raising=False)
    result = cli("ingest", "uptimerobot", PAGE, expect=2)
    (line,) = result.output.strip().splitlines()
    assert "no space left on the device; nothing was committed" in line
    assert tree_state(archive_dir) == before


def test_a_read_only_archive_is_one_line(cli: CliRun, archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_uptime(cli)
    import filelock

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    result = cli("ingest", "uptimerobot", PAGE, expect=2)
    (line,) = result.output.strip().splitlines()
    assert "read-only file system" in line


def test_an_exclusion_without_file_is_one_line(filled: Archive, cli: CliRun) -> None:
    filled.manifest_path("uptimerobot").unlink()
    (filled.policy_dir("uptimerobot") / "exclusions.json").write_text('[{"reason": "cookie wall"}]')
    result = cli("versions", "uptimerobot", expect=2)
    (line,) = result.output.strip().splitlines()
    assert "exclusion 0: field `file`" in line


def test_a_garbage_warc_is_not_echoed(cli: CliRun, tmp_path: Path) -> None:
    add_uptime(cli)
    warc = tmp_path / "garbage.warc"
    noise = bytes((i * 7919 + 13) % 251 for i in range(300))
    for garbage in (b"\x8f\x1b[2J\x07" + noise, b"WARC/1.0\r\n\x1b[2J" + noise, noise):
        warc.write_bytes(garbage)
        result = cli("ingest", "uptimerobot", warc, expect=2)
        (line,) = errors_of(result.output)
        assert "not a readable WARC file" in line, line
        assert "\x1b" not in result.output and "\\x1b" not in result.output


def write_warc(path: Path, body: bytes) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.suffix == ".gz")
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        UPTIME_URL, "response", payload=io.BytesIO(body), http_headers=headers,
        warc_headers_dict={"WARC-Date": "2025-02-01T10:00:00Z"},
    )  # fmt: skip
    writer.write_record(record)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "words"), [("cut.warc.gz", "truncated gzip file"), ("cut.warc", "short of its")])
def test_a_truncated_warc_is_refused(name: str, words: str, cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    warc = tmp_path / name
    data = write_warc(warc, PAGE.read_bytes())
    warc.write_bytes(data[: len(data) * 2 // 3])
    result = cli("ingest", "uptimerobot", warc, expect=2)
    (line,) = errors_of(result.output)
    assert words in line
    assert archive.captures("uptimerobot") == []


def test_random_bytes_named_html_are_not_a_version(cli: CliRun, archive: Archive, tmp_path: Path) -> None:
    add_uptime(cli)
    path = tmp_path / "20250101T000000Z.html"
    path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(3000)))
    result = cli("ingest", "uptimerobot", path, expect=2)
    (line,) = errors_of(result.output)
    assert "binary content" in line
    assert archive.versions("uptimerobot") == []


def test_a_stray_folder_stops_nothing(cli: CliRun, archive: Archive, archive_dir: Path) -> None:
    add_uptime(cli)
    stray = archive_dir / "Not A Slug"
    stray.mkdir()
    (stray / "policy.yml").write_text("name: x\nurl: https://x.org/\n")
    cli("ingest", "uptimerobot", PAGE)
    result = cli("verify")
    assert "warning:" in result.output and "invalid slug" in result.output
    assert archive.slugs() == ["uptimerobot"]
    from policydiff.history import load_history
    from policydiff.render import render_site

    assert render_site([load_history(archive, slug) for slug in archive.slugs()])


@pytest.mark.parametrize(
    ("markdown", "title"),
    [
        ("## &lt;img src=x onerror=alert(1)&gt;\n\nText.\n", "<img src=x onerror=alert(1)>"),
        ("## `*`\n\nText.\n", "*"),
        ("## [x](javascript:alert(1))\n\nText.\n", "x"),
    ],
)
def test_heading_titles(markdown: str, title: str) -> None:
    (section,) = segment(markdown)
    assert section.title == title


# -- Medium: the plugin's cache key --------------------------------------------------------------


def test_the_archive_fingerprint_covers_the_manifest_and_never_follows_links(filled: Archive, tmp_path: Path) -> None:
    from policydiff.history import archive_fingerprint

    slug = "uptimerobot"
    first = archive_fingerprint(filled, slug)
    manifest = filled.manifest_path(slug)
    manifest.write_bytes(manifest.read_bytes() + b"\n")  # a rewritten history is a new key
    assert archive_fingerprint(filled, slug) != first
    outside = tmp_path / "outside.json"
    outside.write_text('{"secret": 1}')
    link = filled.captures_dir(slug) / "20990101T000000Z-000000000000.json"
    link.symlink_to(outside)
    linked = archive_fingerprint(filled, slug)
    outside.write_text('{"secret": 2}')  # what the link points to is never read
    assert archive_fingerprint(filled, slug) == linked


# -- Medium: tamper evidence, published ------------------------------------------------------------


def test_the_manifest_head_is_published_on_the_policy_page_and_in_its_feed(filled: Archive, cli: CliRun) -> None:
    import lxml.etree

    from policydiff.feeds import FeedSettings, build_feeds, feed_documents
    from policydiff.history import load_history
    from policydiff.render import RenderSettings
    from policydiff.render.policy_page import policy_page

    slug = "uptimerobot"
    head = filled.manifest_head(slug)
    assert head and f"head {slug} {head}" in cli("verify", "--quick").output
    history = load_history(filled, slug)
    page = policy_page(history, RenderSettings(feeds=True))
    assert f"<code>{head}</code>" in page and "verify --head" in page
    feeds = build_feeds([history], FeedSettings(site_url="https://example.org/", site_name="Watch"))
    documents = feed_documents(next(f for f in feeds if f.dir == f"feeds/{slug}/"))
    atom = lxml.etree.fromstring(documents[f"feeds/{slug}/atom.xml"])
    assert head in atom.findtext("{http://www.w3.org/2005/Atom}subtitle")
    assert head in lxml.etree.fromstring(documents[f"feeds/{slug}/rss.xml"]).findtext("channel/description")
    assert json.loads(documents[f"feeds/{slug}/feed.json"])["_policy_diff"] == {"manifest_head": head}
    # what a reader kept vouches for the history: a rewrite is caught
    cli("verify", "--quick", "--head", f"{slug}={head}")
    manifest = filled.manifest_path(slug)
    lines = manifest.read_bytes().splitlines(keepends=True)
    manifest.write_bytes(b"".join(lines[:-1]))
    assert "is not in this history" in cli("verify", "--quick", "--head", f"{slug}={head}", expect=1).output


# -- Medium: limits on pages and feeds ---------------------------------------------------------------


def test_section_pages_and_feeds_per_policy_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headings churned through versions make a lineage each: past the limit of section
    pages (2,000; 3 here) the current text's sections keep theirs, the others get no page,
    no feed, and no link to a page that does not exist."""
    import re

    from history_fixtures import history_of
    from policydiff import render, urls
    from policydiff.feeds import FeedSettings, build_feeds
    from policydiff.history import records

    monkeypatch.setattr(records, "MAX_SECTION_PAGES", 3)
    topics = [
        ("Cookies", "Small files stored by your browser remember settings between visits."),
        ("Payments", "Card numbers go to the processor; we keep the last four digits only."),
        ("Children", "Nobody under thirteen may open an account on this service."),
        ("Transfers abroad", "Data leaves the country under standard contractual clauses."),
        ("Retention", "Logs are deleted after ninety days unless a court orders otherwise."),
        ("Security", "Staff use hardware keys and every disk is encrypted at rest."),
    ]

    def text(pick: tuple[int, ...]) -> str:
        return "# Policy\n\nIntro.\n\n" + "".join(f"## {topics[i][0]}\n\n{topics[i][1]}\n\n" for i in pick)

    history = history_of("churn", [text((0, 1)), text((2, 3)), text((4, 5))])
    assert len(history.sections) > 3
    current = set(history.current_lineage.values())
    assert current <= history.paged_lineages and len(history.paged_lineages) == 3
    rendered = render.render_policy(history, render.RenderSettings(feeds=True))
    pages = {path for path in rendered.files if "/sections/" in path}
    assert pages == {render.src(urls.section_page("churn", lineage)) for lineage in history.paged_lineages}
    for path, content in rendered.files.items():
        if not path.endswith(".md"):
            continue
        for link in re.findall(r"\]\(([^)]*sections/[^)]*)\)", content):
            target = (Path(path).parent / link).as_posix()
            resolved = os.path.normpath(target)
            assert resolved in {os.path.normpath(p) for p in pages}, (path, link)
    feeds = build_feeds([history], FeedSettings(site_url="https://example.org/", site_name="Watch"))
    assert len([f for f in feeds if "/sections/" in f.dir]) == 3


def test_declaration_fields_stay_text_on_every_page() -> None:
    """A one-line name that is Markdown syntax (an attribute list, emphasis, raw HTML) and a
    URL with markup in it are text on every page, the section pages' subscribe line included."""
    from dataclasses import replace

    import lxml.html
    import markdown

    from history_fixtures import history_of
    from policydiff import render
    from policydiff.declaration import parse_declaration

    name = 'x {: onclick="alert(1)" } *em* <b onmouseover=alert(2)>b</b>'
    url = 'https://evil.example/p?q="><img/src=x/onerror=alert(3)>'
    declaration = parse_declaration("p", {"name": name, "url": url}, Path("p/policy.yml"))  # one line, http(s)
    text = "# Policy\n\n## Data\n\nWe keep data.\n"
    history = replace(history_of("p", [text, text.replace("keep", "sell")], name=name), declaration=declaration)
    extensions = ["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.details", "pymdownx.superfences"]
    pages = render.render_policy(history, render.RenderSettings(feeds=True)).files
    assert any("/sections/" in path for path in pages)
    for path, content in pages.items():
        if not path.endswith(".md"):
            continue
        html = markdown.markdown(content.split("\n---\n", 1)[-1], extensions=extensions)
        tree = lxml.html.fragment_fromstring(html, create_parent="div")
        live = [(el.tag, a) for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
        assert not live, (path, live)
        assert not tree.xpath("//img|//b|//em[contains(., 'em')]"), path
    assert "evil.example/p?q=%22%3E%3Cimg" in pages["policies/p/index.md"]  # the source link, percent-encoded
