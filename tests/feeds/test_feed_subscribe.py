"""A reader's view: subscribe, a new capture with a real change is ingested, the site is
rebuilt, and the reader sees exactly one new entry about the right sections."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import feedparser
import lxml.html
from feedcheck import GITHUB_STATEMENTS, GITHUB_URL, SITE_URL, build_site, feed_files, write_project

from policydiff.archive import Archive
from policydiff.diff import segment
from policydiff.wording import section_name

SLUG = "github-privacy-statement"
NAME = "GitHub Privacy Statement"


def _subscribe(site: Path) -> dict[str, feedparser.FeedParserDict]:
    """Every Atom and RSS feed of a built site, as a feed reader sees it."""
    return {
        path.relative_to(site).as_posix(): feedparser.parse(str(path))
        for path in feed_files(site)
        if path.suffix == ".xml"
    }


def _changed_titles(archive: Archive) -> set[str]:
    """The titles of the sections whose text differs in the last change, by plain segmentation
    of the two versions (independent of the diff's alignment)."""
    old, new = (archive.version(SLUG, period.version) for period in archive.history(SLUG)[-2:])
    before = {s.id: s.text for s in segment(archive.version_text(old))}
    return {section_name(s.title) for s in segment(archive.version_text(new)) if before.get(s.id) != s.text}


def test_a_new_capture_makes_exactly_one_new_entry(tmp_path: Path, cli, archive_dir: Path) -> None:
    cli("add", SLUG, "--url", GITHUB_URL, "--name", NAME)
    cli("ingest", SLUG, GITHUB_STATEMENTS / "20191221T003848Z.md", GITHUB_STATEMENTS / "20200424T231443Z.md")
    config = write_project(tmp_path)
    first = build_site(config, tmp_path / "first")
    before = _subscribe(first)
    assert len(before[f"feeds/{SLUG}/atom.xml"].entries) == 1

    cli("ingest", SLUG, GITHUB_STATEMENTS / "20200522T045008Z.md")
    second = build_site(config, tmp_path / "second")
    after = _subscribe(second)

    changed = _changed_titles(Archive(archive_dir))
    assert changed
    new_capture = Archive(archive_dir).captures(SLUG)[-1]
    for feed in (f"feeds/{SLUG}/atom.xml", f"feeds/{SLUG}/rss.xml", "feeds/atom.xml", "feeds/rss.xml"):
        old_entries = {e.id: e for e in before[feed].entries}
        new_entries = [e for e in after[feed].entries if e.id not in old_entries]
        assert len(new_entries) == 1, feed
        for entry in after[feed].entries:  # old entries are untouched: unread counts stay honest
            if entry.id in old_entries:
                assert entry.content[0].value == old_entries[entry.id].content[0].value
                assert entry.published == old_entries[entry.id].published
        (entry,) = new_entries
        assert new_capture.sha256 in entry.id
        assert entry.link == f"{SITE_URL}policies/{SLUG}/changes/{new_capture.stem}/"
        assert entry.published_parsed[:6] == (2020, 5, 22, 4, 50, 8)
        table = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
        assert {row.xpath("string(td[1])") for row in table.xpath("(//table)[1]/tbody/tr")} == changed, feed

    # Section feeds: one new entry in each changed section's feed, nothing anywhere else.
    touched = 0
    for path, feed in after.items():
        if "/sections/" not in path or not path.endswith("atom.xml"):
            continue
        title = feed.feed.title.split(" — ", 1)[1].removesuffix(": changes")
        old_ids = {e.id for e in before[path].entries} if path in before else set()
        new_ids = {e.id for e in feed.entries} - old_ids
        assert len(new_ids) == (1 if title in changed else 0), path
        touched += len(new_ids)
        if title not in changed and path in before:
            assert (first / path).read_bytes() == (second / path).read_bytes(), path
    assert touched == len(changed)


def _ingest_fixture(cli) -> None:
    cli("add", SLUG, "--url", GITHUB_URL, "--name", NAME)
    names = ("20191221T003848Z.md", "20200424T231443Z.md", "20200522T045008Z.md")
    cli("ingest", SLUG, *(GITHUB_STATEMENTS / name for name in names))


def test_plugin_options_bound_and_switch_off_the_feeds(tmp_path: Path, cli) -> None:
    _ingest_fixture(cli)
    config = write_project(tmp_path, options="feeds_max_entries: 1")
    site = build_site(config, tmp_path / "bounded")
    policy = feedparser.parse(str(site / "feeds" / SLUG / "atom.xml"))
    assert len(policy.entries) == 1
    assert policy.entries[0].published_parsed[:3] == (2020, 5, 22)
    assert "last 1 changes" in policy.feed.subtitle

    config = write_project(tmp_path, options="feeds: false")
    site = build_site(config, tmp_path / "off")
    assert not (site / "feeds").exists()
    assert 'rel="alternate' not in (site / "index.html").read_text(encoding="utf-8")


def test_a_missing_site_url_is_a_clear_build_error(tmp_path: Path, cli) -> None:
    _ingest_fixture(cli)
    config = write_project(tmp_path, site_url=None)
    run = subprocess.run(
        [str(Path(sys.executable).with_name("mkdocs")), "build", "-f", str(config), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )
    assert run.returncode != 0
    assert "site_url" in run.stderr and "mkdocs.yml" in run.stderr
    assert "Traceback" not in run.stderr


def shown(detail: dict) -> str:
    """A feed field as its reader shows it: HTML decoded, plain text as it is."""
    if detail["type"] == "text/html":
        return lxml.html.fragment_fromstring(detail["value"] or " ", create_parent="div").text_content()
    return detail["value"]


def test_a_hostile_policy_name_stays_text_in_heads_links_and_feeds(tmp_path: Path, cli) -> None:
    name = 'Evil "><script>alert(1)</script> <img src=x onerror=alert(2)> *Inc*'
    cli("add", "evil", "--url", "https://evil.example/privacy", "--name", name)
    for day, text in (("01", "# Privacy\n\nWe keep data.\n"), ("02", "# Privacy\n\nWe sell data.\n")):
        capture = tmp_path / f"202001{day}.md"
        capture.write_text(text, encoding="utf-8")
        cli("ingest", "evil", capture, "--captured", f"2020-01-{day}T00:00:00Z")
    site = build_site(write_project(tmp_path), tmp_path / "site")
    page = lxml.html.fromstring((site / "policies" / "evil" / "index.html").read_bytes())
    heads = page.find("head").iter("link")
    titles = [link.get("title") for link in heads if "alternate" in (link.get("rel") or "").split()]
    assert f"{name}: changes (Atom)" in titles  # the whole name, as an attribute value
    # the policy page's own subscribe links (the site's), and the name shown as text
    (subscribe,) = [p for p in page.iter("p") if p.text_content().startswith("Subscribe")]
    assert not subscribe.xpath(".//script|.//img|.//em")
    assert name in page.find(".//h1").text_content()
    assert not page.xpath("//article//script|//article//img|//article//em")
    for path in feed_files(site):
        if path.suffix == ".xml":
            parsed = feedparser.parse(str(path))
            assert parsed.bozo == 0
            # RSS titles are HTML to readers (feedparser says text/html): the name is their text
            assert all(shown(entry.title_detail).startswith(name) for entry in parsed.entries)
            assert len(parsed.entries) == 1 or "/sections/" in path.as_posix() or "/terms/" in path.as_posix()
            if "/evil/" in path.as_posix():
                assert shown(parsed.feed.title_detail).startswith(name)
            assert b"<script" not in path.read_bytes()


def test_rebuilding_versions_and_reingesting_change_no_feed(tmp_path: Path, cli) -> None:
    _ingest_fixture(cli)
    config = write_project(tmp_path)
    first = build_site(config, tmp_path / "first")
    cli("rebuild", SLUG)
    cli("ingest", SLUG, GITHUB_STATEMENTS / "20200522T045008Z.md")
    second = build_site(config, tmp_path / "second")
    files = [p.relative_to(first) for p in feed_files(first)]
    assert files == [p.relative_to(second) for p in feed_files(second)]
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_a_section_page_offers_its_own_feed_first(tmp_path: Path, cli) -> None:
    _ingest_fixture(cli)
    config = write_project(tmp_path)
    site = build_site(config, tmp_path / "site")
    sections = site / "feeds" / SLUG / "sections"
    lineage = next(d.name for d in sorted(sections.iterdir()) if feedparser.parse(str(d / "atom.xml")).entries)
    tree = lxml.html.fromstring((site / "policies" / SLUG / "sections" / lineage / "index.html").read_bytes())
    hrefs = [link.get("href") for link in tree.find("head").iter("link") if link.get("type") == "application/atom+xml"]
    assert hrefs == [
        f"{SITE_URL}feeds/{SLUG}/sections/{lineage}/atom.xml",
        f"{SITE_URL}feeds/{SLUG}/atom.xml",
        f"{SITE_URL}feeds/atom.xml",
    ]
    # The page's own subscribe links (rendered with the page, as `render --out` writes it)
    links = [a.get("href") for a in tree.iter("a") if a.text in {"Atom", "RSS", "JSON Feed"}]
    names = ("atom.xml", "rss.xml", "feed.json")
    assert links == [f"../../../../feeds/{SLUG}/sections/{lineage}/{name}" for name in names]
    assert all((site / "feeds" / SLUG / "sections" / lineage / name).is_file() for name in names)


def test_the_cli_writes_the_same_feeds_as_the_plugin(tmp_path: Path, cli) -> None:
    _ingest_fixture(cli)
    site = build_site(write_project(tmp_path, options="feeds_max_entries: 5"), tmp_path / "site")
    out = tmp_path / "out"
    result = cli("feeds", "--out", out, "--site-url", SITE_URL, "--site-name", "Policy watch", "--max-entries", "5")
    files = [p.relative_to(site) for p in feed_files(site)]
    assert f"wrote {len(files)} feed files" in result.output
    assert files == [p.relative_to(out) for p in feed_files(out)]
    assert all((site / f).read_bytes() == (out / f).read_bytes() for f in files)
    refused = cli("feeds", "--out", out, "--site-url", "/relative/", expect=2)
    assert "absolute `site_url`" in refused.output
