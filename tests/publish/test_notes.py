"""Editor's notes end to end on real captures (GitHub's Privacy Statement): set with
`policy-diff note`, recorded in the manifest, mirrored in notes.yml, covered by `verify`,
shown first on the change page, in the timeline and in the feeds, hostile text inert."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import feedparser
import lxml.html
import pytest

from policydiff.archive import Archive
from policydiff.feeds import FeedSettings, build_feeds, feed_documents
from policydiff.history import PolicyHistory, load_history
from policydiff.history.notes import change_rank
from policydiff.notes import Note, parse_notes_yaml
from policydiff.render import render_policy
from policydiff.render.blocks import src
from policydiff.urls import change_page, timeline_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GITHUB = FIXTURES / "github-site-policy" / "github-privacy-statement" / "versions"
PICKS = ("20231228T004138Z", "20240418T002248Z", "20260324T002736Z")
SLUG = "github-privacy-statement"
HOSTILE = (
    "We now **share less**. <script>alert('note')</script> <img src=x onerror=alert(1)> "
    '[click](javascript:alert(2)) <a href="https://ok.example/" onclick="alert(3)">ok</a> {: onclick=alert(4) }\n\n'
    "<iframe src=https://evil.example/></iframe> ``` ~~~ [[x]] \u202eevil"
)


def tree_digest(root: Path) -> str:
    """Every file under root, names and bytes: what a note must never change."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def github(cli, archive_dir: Path) -> Archive:
    cli("add", SLUG, "--name", "GitHub Privacy Statement", "--url", "https://github.com/github/site-policy")
    cli("ingest", SLUG, *(GITHUB / f"{name}.md" for name in PICKS))
    return Archive(archive_dir)


def test_note_is_a_manifest_record_and_touches_no_capture(cli, github: Archive) -> None:
    pdir = github.policy_dir(SLUG)
    before = (tree_digest(pdir / "captures"), tree_digest(pdir / "versions"))
    head = github.manifest_head(SLUG)
    out = cli("note", SLUG, "2024-04-18", "--text", "The statement was **rewritten**.", "--material").output
    assert "note set on the change of 2024-04-18" in out and "material" in out
    assert (tree_digest(pdir / "captures"), tree_digest(pdir / "versions")) == before
    records = Archive(github.root).manifest(SLUG).records
    assert records[-1].kind == "note" and records[-1].body["prev"] == head
    assert records[-1].body["key"] == "2024-04-18" and records[-1].body["material"] is True
    notes = parse_notes_yaml((pdir / "notes.yml").read_bytes())
    assert notes == {"2024-04-18": Note("2024-04-18", "The statement was **rewritten**.\n", True, None)}
    # a version id (or a unique prefix of one) names the change that introduced it
    last = load_history(Archive(github.root), SLUG).changes[-1]
    cli("note", SLUG, last.new.version[:6], "--text", "Small edits.")
    assert set(parse_notes_yaml((pdir / "notes.yml").read_bytes())) == {"2024-04-18", last.new.version}
    assert "ok: 1 policies" in cli("verify", "--quick").output


def test_note_that_names_no_change_is_refused(cli, github: Archive) -> None:
    result = cli("note", SLUG, "2010-01-01", "--text", "x", expect=2)
    assert "names no change of github-privacy-statement" in result.output
    assert "2024-04-18" in result.output  # the changes it could have meant
    assert cli("note", SLUG, "2024-13-01", "--text", "x", expect=2).exit_code == 2
    assert cli("note", SLUG, "2024-04-18", "--text", "   ", expect=2).exit_code == 2
    assert not (github.policy_dir(SLUG) / "notes.yml").exists()
    assert all(r.kind != "note" for r in github.manifest(SLUG).records)


def test_verify_detects_an_edited_deleted_or_forged_notes_file(cli, github: Archive) -> None:
    cli("note", SLUG, "2024-04-18", "--text", "We share less.", "--material")
    notes = github.policy_dir(SLUG) / "notes.yml"
    original = notes.read_bytes()
    notes.write_bytes(original.replace(b"share less", b"share more"))
    result = cli("verify", "--quick", expect=1)
    assert "notes.yml: differs from the manifest's notes (2024-04-18)" in result.output
    notes.write_bytes(original.replace(b"  material: true\n", b""))  # the material flag removed
    assert "differs from the manifest's notes" in cli("verify", "--quick", expect=1).output
    notes.unlink()
    assert "notes.yml: missing" in cli("verify", "--quick", expect=1).output
    notes.write_bytes(b"'2024-04-18': [unclosed\n")
    assert "notes.yml: invalid: not valid YAML" in cli("verify", "--quick", expect=1).output
    # the next note rewrites the file from the manifest, so the edits are gone
    cli("note", SLUG, "2026-03-24", "--text", "Small edits.")
    assert b"share less" in notes.read_bytes() and "ok:" in cli("verify", "--quick").output
    # a note written into notes.yml without its record is a forgery
    notes.write_bytes(notes.read_bytes() + b"'2024-05-01':\n  text: added by hand\n")
    assert "differs from the manifest's notes (2024-05-01)" in cli("verify", "--quick", expect=1).output
    # and a manifest note record edited in place breaks the chain
    cli("note", SLUG, "2024-04-18", "--text", "We share less.", "--material")
    manifest = github.manifest_path(SLUG)
    lines = manifest.read_bytes().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if b"We share less" in line)  # the note's first record
    assert at > 0  # a record the chain leads to: editing it breaks the link after it or its own
    lines[at] = lines[at].replace(b"We share less", b"We share more")
    manifest.write_bytes(b"".join(lines))
    assert "chain broken" in cli("verify", "--quick", expect=1).output


def _pages_and_feed(history: PolicyHistory) -> tuple[dict[str, str], dict]:
    files = render_policy(history).files
    feeds = build_feeds([history], FeedSettings(site_url="https://example.org/site/", site_name="Watch"))
    policy_feed = next(f for f in feeds if f.dir == f"feeds/{SLUG}/")
    documents = feed_documents(policy_feed)
    return files, documents


def test_notes_are_first_in_pages_and_feeds_and_hostile_text_is_inert(cli, github: Archive) -> None:
    cli("note", SLUG, "2024-04-18", "--text", HOSTILE, "--material")
    history = load_history(Archive(github.root), SLUG)
    change = history.changes[0]
    assert change.note is not None and change.material and history.changes[1].note is None
    files, documents = _pages_and_feed(history)

    page = files[src(change_page(change))]
    body = page.split("# Change of", 1)[1]
    assert body.index("Editor's note") < body.index("**")  # before the summary and the flags
    assert 'class="pd-material">Material change' in body
    assert "<strong>share less</strong>" in body  # the note's Markdown is rendered...
    for raw in ("<script", "<img", "onerror", "javascript:", "<iframe", "\u202e", "```", "~~~", "[[x]]"):
        assert raw not in page, raw  # ...through the allow-list, and nothing of it is live
    note_html = next(line for line in page.splitlines() if "pd-note" in line)
    tree = lxml.html.fromstring(note_html)
    assert {a for el in tree.iter() for a in el.attrib} <= {"class", "href", "rel"}
    assert tree.xpath("//a/@href") == ["https://ok.example/"]
    timeline = files[src(timeline_page(SLUG))]
    row = next(line for line in timeline.splitlines() if "changes/" + change.key in line)
    assert row.index("Editor") < row.index("](../changes/") and "**Material change**" in row
    assert "<" not in row.split("Editor", 1)[1].split("·", 1)[0]  # plain words, entities only

    feed = feedparser.parse(documents[f"feeds/{SLUG}/atom.xml"])
    entry = next(e for e in feed.entries if e.link.endswith(f"/changes/{change.key}/"))
    assert entry.title.startswith("GitHub Privacy Statement: Material change: ")
    assert entry.summary.startswith("Editor's note: We now share less.")
    content = entry.content[0].value
    assert content.startswith("<p><strong>Editor's note · Material change</strong></p><blockquote><p>We now <strong>")
    tree = lxml.html.fromstring(content)
    assert not tree.xpath("//script|//img|//iframe|//@onerror|//@onclick")
    assert all(h.startswith("https://") for h in tree.xpath("//a/@href"))
    data = json.loads(documents[f"feeds/{SLUG}/feed.json"])
    item = next(i for i in data["items"] if i["url"].endswith(f"/changes/{change.key}/"))
    assert item["tags"][0] == "material" and "<script" not in item["content_html"]


def test_history_json_round_trip_keeps_notes_and_the_build_date(cli, github: Archive) -> None:
    cli("note", SLUG, "2024-04-18", "--text", "Rewritten.", "--material", "--effective", "2024-05-18")
    history = load_history(Archive(github.root), SLUG, build_date=date(2024, 5, 1))
    again = PolicyHistory.from_json(json.loads(json.dumps(history.to_json())))
    assert again == history and again.changes == history.changes
    assert again.changes[0].note == history.changes[0].note and again.build_date == date(2024, 5, 1)
    assert again.changes[0].effective == "2024-05-18" and again.changes[0].upcoming
    # a note changes the record's identity (caches keyed by it are refreshed)
    assert load_history(Archive(github.root), SLUG, build_date=date(2024, 6, 1)).fingerprint != history.fingerprint


def test_material_ranks_above_any_automatic_significance() -> None:
    ranked = sorted(
        [("big", change_rank(False, 0.99)), ("material", change_rank(True, 0.01)), ("none", change_rank(False))],
        key=lambda item: item[1],
        reverse=True,
    )
    assert [name for name, _ in ranked] == ["material", "big", "none"]


def test_a_note_killed_at_any_write_point_is_all_or_nothing(github: Archive) -> None:
    """Write points of a note: its manifest record (1: killed with half the line written),
    then notes.yml (2: its temporary written, not renamed). Killed at either, the archive
    verifies, and the next writer finishes it (1: no note; 2: notes.yml from the record)."""
    root = github.root
    for point, committed in ((1, False), (2, True)):
        env = {**os.environ, "POLICY_DIFF_CRASH_AT_WRITE": str(point)}
        args = ["note", SLUG, "2024-04-18", "--text", f"Note {point}.", "--material"]
        proc = subprocess.run(
            [sys.executable, "-m", "policydiff.cli", "--archive", str(root), *args], env=env, capture_output=True
        )
        assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
        assert [str(p) for p in Archive(root).verify(rederive=False) if p.fatal] == []
        archive = Archive(root)
        with archive.locked():  # the next writer recovers what the killed one left
            pass
        assert ("2024-04-18" in archive.notes(SLUG)) is committed
        notes = github.policy_dir(SLUG) / "notes.yml"
        assert parse_notes_yaml(notes.read_bytes()) == archive.notes(SLUG) if committed else not notes.exists()
        assert [str(p) for p in archive.verify(rederive=False)] == []
        assert not list(root.rglob(".*.tmp-*"))
