"""`policy-diff diff`: default pair, ids, dates, JSON contract, text and Markdown output."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from diff_fixtures import BUMBLE, FINYA, FIXTURES, check_invariants

from policydiff.archive import Archive
from policydiff.diff import diff_versions, segment
from policydiff.history import load_history

SECTION_KEYS = {
    "status", "old_id", "new_id", "old_title", "new_title", "old_index", "new_index",
    "words_added", "words_removed", "trivial", "diff",
}  # fmt: skip


def ingest(cli, slug: str, files: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    cli("add", slug, "--url", f"https://example.com/{slug}")
    for captured, relative in files:
        cli("ingest", slug, str(FIXTURES / relative), "--captured", captured)


def test_default_is_the_last_change_and_a_revert_is_a_change(cli, archive_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(
        cli,
        "finya",
        [
            ("2024-06-04T12:32:20Z", f"{FINYA}/20240604T123220Z.md"),
            ("2024-07-01T12:32:21Z", f"{FINYA}/20240701T123221Z.md"),
            ("2024-07-01T18:32:21Z", f"{FINYA}/20240701T183221Z.md"),
        ],
    )
    archive = Archive(archive_dir)
    periods = archive.history("finya")
    assert len(periods) == 3 and periods[0].version == periods[2].version
    data = json.loads(cli("diff", "finya", "--json").output)
    assert (data["from"], data["to"]) == (periods[1].version, periods[2].version)
    assert set(data["summary"]) >= {"unchanged", "modified", "added", "removed", "moved", "renamed"}
    for entry in data["sections"]:
        assert set(entry) >= SECTION_KEYS
        assert all(op in (-1, 0, 1) and isinstance(text, str) for op, text in entry["diff"])
    old = archive.version_text(archive.version("finya", periods[1].version))
    new = archive.version_text(archive.version("finya", periods[2].version))
    olds = sorted((e for e in data["sections"] if e["old_index"] is not None), key=lambda e: e["old_index"])
    news = sorted((e for e in data["sections"] if e["new_index"] is not None), key=lambda e: e["new_index"])
    assert "".join(t for e in olds for op, t in e["diff"] if op <= 0) == old
    assert "".join(t for e in news for op, t in e["diff"] if op >= 0) == new
    # The flags of the change, as the site and the feeds have them: a return to the first text.
    assert data["summary"]["reverts_to"] == periods[0].version
    assert "revert" in data["summary"]["flags"] and data["summary"]["flags"] == sorted(data["summary"]["flags"])
    forward = json.loads(cli("diff", "finya", periods[0].version, periods[1].version, "--json").output)
    assert forward["summary"]["reverts_to"] is None and "revert" not in forward["summary"]["flags"]
    # history --json: each period after the first carries its change's flags
    listed = json.loads(cli("history", "finya", "--json").output)
    assert "change" not in listed[0]
    assert [p["change"]["reverts_to"] for p in listed[1:]] == [None, periods[0].version]
    assert listed[2]["change"]["flags"] == data["summary"]["flags"]


def test_versions_by_id_prefix_and_by_date(cli, archive_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(
        cli,
        "bumble",
        [
            ("2022-12-23T12:32:05Z", f"{BUMBLE}/20221223T123205Z.md"),
            ("2023-01-09T12:32:08Z", f"{BUMBLE}/20230109T123208Z.md"),
            ("2023-01-18T12:32:08Z", f"{BUMBLE}/20230118T123208Z.md"),
        ],
    )
    versions = [v["id"] for v in json.loads(cli("versions", "bumble", "--json").output)]
    first = json.loads(cli("diff", "bumble", versions[0][:6], versions[1], "--json").output)
    assert (first["from"], first["to"]) == (versions[0], versions[1])
    assert first["summary"]["silent_change"] is True
    # A date means the version in force then; FROM alone diffs against the latest.
    by_date = json.loads(cli("diff", "bumble", "2023-01-10", "--json").output)
    assert (by_date["from"], by_date["to"]) == (versions[1], versions[2])
    same = json.loads(cli("diff", "bumble", versions[2], versions[2], "--json").output)
    assert {e["status"] for e in same["sections"]} == {"unchanged"}


def test_text_and_markdown_output(cli) -> None:  # type: ignore[no-untyped-def]
    ingest(
        cli,
        "bumble",
        [
            ("2023-01-09T12:32:08Z", f"{BUMBLE}/20230109T123208Z.md"),
            ("2023-01-18T12:32:08Z", f"{BUMBLE}/20230118T123208Z.md"),
        ],
    )
    text = cli("diff", "bumble").output
    first = text.splitlines()[0]
    assert "2 modified" in first and "stated date 2022-12-22 -> 2023-01-16" in first
    assert "~ modified  Effective date  (+3/-3, trivial: date)" in text
    assert "[-22nd December 2022-]{+16th January 2023+}" in text
    markdown = cli("diff", "bumble", "--format", "markdown").output
    assert "| modified | Effective date | +3/-3 | trivial: date |" in markdown
    assert "{--22nd December 2022--}{++16th January 2023++}" in markdown


def test_archive_is_accepted_after_the_command_name(cli, archive_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, "bumble", [("2023-01-09T12:32:08Z", f"{BUMBLE}/20230109T123208Z.md")])
    from click.testing import CliRunner

    from policydiff.cli import main

    elsewhere = CliRunner().invoke(main, ["--archive", str(tmp_path / "other"), "versions", "bumble", "--json"])
    assert elsewhere.exit_code != 0  # the group's archive has no such policy...
    after = CliRunner().invoke(main, ["versions", "bumble", "--json", "--archive", str(archive_dir)])
    assert after.exit_code == 0, after.output  # ...the command's own --archive wins
    assert len(json.loads(after.output)) == 1


def test_every_command_runs_as_a_module() -> None:
    """`python -m policydiff.cli` knows every command (`feeds` was defined after main() ran)."""
    import subprocess
    import sys

    from policydiff.cli import main

    for name in ("feeds", "render", "diff"):
        run = subprocess.run([sys.executable, "-m", "policydiff.cli", name, "--help"], capture_output=True, text=True)
        assert run.returncode == 0 and "Usage:" in run.stdout, (name, run.stderr)
    assert "feeds" in main.commands


def test_unknown_version_is_a_clear_error(cli) -> None:  # type: ignore[no-untyped-def]
    ingest(cli, "bumble", [("2023-01-09T12:32:08Z", f"{BUMBLE}/20230109T123208Z.md")])
    result = cli("diff", "bumble", "nope", "--json", expect=None)
    assert result.exit_code != 0 and "nope" in result.output


def test_lineage_follows_a_renamed_section(archive: Archive, tmp_path: Path) -> None:
    archive.add_policy("p", {"name": "P", "url": "https://example.com/p"})
    body = "We keep your account data while your account is open and delete it within ninety days."
    texts = [
        f"# Policy\n\n## Retention\n\n{body}\n",
        f"# Policy\n\n## How long we keep data\n\n{body}\n",
        f"# Policy\n\n## How long we keep data\n\n{body} Backups last a month.\n\n## Retention\n\nNew text here.\n",
    ]
    from policydiff.ingest import ingest_paths
    from policydiff.times import parse_time

    for n, text in enumerate(texts):
        path = tmp_path / f"v{n}.md"
        path.write_text(text, encoding="utf-8")
        ingest_paths(archive, "p", [path], captured=parse_time(f"2024-01-0{n + 1}T00:00:00Z"))
    changes = load_history(archive, "p").changes
    assert [c.lineage_of_section("how-long-we-keep-data") for c in changes] == ["retention", "retention"]
    # The new "Retention" section reuses an id whose lineage is taken: it gets its own.
    assert changes[1].lineage_of_section("retention") == "retention-2"
    entries = {c.new_id: c for c in changes[1].diff.sections}
    assert changes[1].lineage_of(entries["how-long-we-keep-data"]) == "retention"
    # Every entry has a lineage, a removed one the lineage it had.
    assert dict(zip((e.old_id for e in changes[0].diff.sections), changes[0].lineage, strict=True)) == {
        "policy": "policy",
        "retention": "retention",
    }
    for change in changes:
        check_invariants(change.diff, *_texts(archive, change))


def _texts(archive: Archive, change) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    old = archive.version_text(archive.version(change.slug, change.old.version))
    new = archive.version_text(archive.version(change.slug, change.new.version))
    return old, new


def test_every_change_of_the_bundled_archive() -> None:
    root = Path(__file__).resolve().parents[2] / "archive"
    archive = Archive(root)
    count = 0
    for slug in archive.slugs():
        texts = {v.id: archive.version_text(v) for v in archive.versions(slug)}
        periods = archive.history(slug)
        for old, new in itertools.pairwise(periods):
            diff = diff_versions(texts[old.version], texts[new.version], old_id=old.version, new_id=new.version)
            check_invariants(diff, texts[old.version], texts[new.version])
            assert diff.summary.changed
            count += 1
    assert count >= 20


def test_the_bundled_google_and_zwsoft_histories_meet_issue_16() -> None:
    """Google: no section title and no line is a control's label, and the change of
    2018-04-20 (tosback's tags stripped without a space: "Back to topInformation we collect")
    renames nothing. ZWSOFT: four captures in two formats, two versions, one change, in the
    "Web Site Analysis" and "Community Sites" sections."""
    from policydiff.labels import is_ui_phrase
    from policydiff.normalise import visible_text

    archive = Archive(Path(__file__).resolve().parents[2] / "archive")
    for version in archive.versions("google-privacy-policy"):
        text = archive.version_text(version)
        assert not [s.title for s in segment(text) if is_ui_phrase(s.title)]
        assert not [line for line in text.splitlines() if is_ui_phrase(visible_text(line))]
        assert "Back to top" not in text and "Hide examples" not in text
    periods = archive.history("google-privacy-policy")
    old, new = next((a, b) for a, b in itertools.pairwise(periods) if b.start.date().isoformat() == "2018-04-20")
    texts = [archive.version_text(archive.version("google-privacy-policy", p.version)) for p in (old, new)]
    diff = diff_versions(*texts)
    assert diff.summary.changed and [e for e in diff.sections if e.status == "renamed"] == []
    versions = archive.versions("zwsoft-privacy-policy")
    assert [len(v.captures) for v in versions] == [1, 3]
    diff = diff_versions(archive.version_text(versions[0]), archive.version_text(versions[1]))
    modified = [e.new_title for e in diff.sections if e.status == "modified"]
    assert modified == ["Web Site Analysis", "B. ZWSOFT Community Sites, including Forum, ZWCAD Club, etc."]
