"""The feed core as a pure function: change records in, feed documents out."""

from __future__ import annotations

import json
from dataclasses import replace

import feedparser
import lxml.etree
import lxml.html
import pytest
from feedcheck import (
    GITHUB_STATEMENTS,
    SITE_URL,
    XML_FORBIDDEN,
    changes_of,
    check_atom,
    check_json_feed,
    source_of,
)

from policydiff.diff import segment
from policydiff.errors import PolicyDiffError
from policydiff.feeds import FeedSettings, PolicyFeedSource, build_feeds, feed_documents
from policydiff.feeds.entries import MAX_ENTRY_CHARS, plain_title

SETTINGS = FeedSettings(site_url=SITE_URL, site_name="Policy watch")

POLICY = """# Privacy policy

Last updated: January 1, 2020

## Information we collect

We collect your name and email address when you register.

## Data sharing

We do not share your data with anyone.

## Retention

We keep your data for one year.
"""

HOSTILE = (
    POLICY.replace("one year", "one year\x00\x0b\x1b[31m\x7f\x85\ufffe")
    .replace("## Data sharing", "## Data sharing <script>alert(1)</script>\x0c")
    .replace(
        "with anyone.",
        "with [partners](javascript:alert(2)) <img src=x onerror=alert(3)> <iframe src=https://evil.example/>"
        " ]]> --> </textarea> \u202eevil\u202c and <a href='data:text/html,x'>more</a>.",
    )
)


def documents(feeds: list) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for feed in feeds:
        out.update(feed_documents(feed))
    return out


def entry_html(document: bytes) -> list[str]:
    root = lxml.etree.fromstring(document)
    return [c.text or "" for c in root.iter("{http://www.w3.org/2005/Atom}content")]


def test_hostile_text_never_reaches_a_feed() -> None:
    source = source_of(
        "hostile",
        "Hostile \x01 <b>Inc</b> privacy policy",
        [POLICY, HOSTILE],
        language="en",
    )
    source = replace(
        source,
        changes=changes_of("hostile", [POLICY, HOSTILE], wayback="javascript:alert(4)", source="https://ok.example/p"),
    )
    docs = documents(build_feeds([source], SETTINGS))
    assert any(path.endswith("sections/data-sharing/atom.xml") for path in docs)
    for path, content in docs.items():
        text = content.decode("utf-8")
        assert not XML_FORBIDDEN.search(text), path
        if path.endswith(".json"):
            data = json.loads(text)
            assert not check_json_feed(data, SITE_URL + path)
            htmls = [item["content_html"] for item in data["items"]]
        else:
            assert feedparser.parse(content).bozo == 0, path
            htmls = entry_html(content) if path.endswith("atom.xml") else []
        for fragment in htmls:
            tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
            assert not tree.xpath("//script|//iframe|//img|//textarea|//style|//form"), fragment
            assert not [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")]
            hrefs = [el.get("href") for el in tree.iter("a")]
            assert hrefs and all(h is None or h.startswith(("https://", "http://")) for h in hrefs), hrefs
    policy_atom = docs["feeds/hostile/atom.xml"]
    (content,) = entry_html(policy_atom)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content  # shown as text, never as markup


def test_entry_ids_come_from_the_slug_and_the_first_capture_only() -> None:
    texts = [POLICY, POLICY.replace("one year", "two years")]
    (change,) = changes_of("acme", texts)
    # A better extractor re-versions history: other version ids, another normalised text.
    reextracted = changes_of("acme", [t.replace("  ", " ") + "\n" for t in texts])[0]
    reextracted = replace(reextracted, first_capture=change.first_capture)
    first = build_feeds([PolicyFeedSource("acme", "Acme", [change], {})], SETTINGS)
    again = build_feeds([PolicyFeedSource("acme", "Acme", [reextracted], {})], SETTINGS)
    ids = [e.id for f in first for e in f.entries]
    assert ids == [e.id for f in again for e in f.entries]
    assert ids[0] == f"tag:example.org,2026:watch/acme/20200102T000000Z-{change.first_capture.sha256}"
    other = replace(change, first_capture=replace(change.first_capture, sha256="0" * 64))
    moved = build_feeds([PolicyFeedSource("acme", "Acme", [other], {})], SETTINGS)
    assert moved[1].entries[0].id != ids[0]


def test_trivial_changes_are_left_out_unless_asked_for() -> None:
    whitespace = POLICY.replace("one year.", "one  year .")
    source = source_of("acme", "Acme", [POLICY, whitespace])
    (site, policy, *_sections) = build_feeds([source], SETTINGS)
    assert policy.entries == () and site.entries == ()
    assert "left out" in policy.description and "left out" in site.description
    for switched in (
        build_feeds([replace(source, include_trivial=True)], SETTINGS),
        build_feeds([source], replace(SETTINGS, include_trivial=True)),
    ):
        (site, policy, *_sections) = switched
        assert len(policy.entries) == 1 and "trivial" in policy.entries[0].categories
        assert "are included" in policy.description


def test_a_date_only_change_is_trivial() -> None:
    (change,) = changes_of("acme", [POLICY, POLICY.replace("January 1", "March 3")])
    summary = replace(change.diff.summary, date_only=True, old_stated_date="2020-01-01", new_stated_date="2020-03-03")
    dated = replace(change, diff=replace(change.diff, summary=summary))
    source = PolicyFeedSource("acme", "Acme", [dated], {})
    assert all(not feed.entries for feed in build_feeds([source], SETTINGS))  # sections' feeds too
    (entry,) = build_feeds([replace(source, include_trivial=True)], SETTINGS)[1].entries
    assert entry.title == "Acme: only the stated date changed"
    assert "2020-01-01 → 2020-03-03" in entry.content_html


def test_entry_tells_what_changed_on_a_real_pair() -> None:
    names = ("20200424T231443Z.md", "20200522T045008Z.md")
    texts = [(GITHUB_STATEMENTS / name).read_text(encoding="utf-8") for name in names]
    source = source_of("github", "GitHub Privacy Statement", texts)
    (change,) = source.changes
    (site, policy, *sections) = build_feeds([source], SETTINGS)
    (entry,) = policy.entries
    assert site.entries == policy.entries
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(feed_documents(policy)[f"feeds/github/{name}"])
        assert parsed.feed.link == f"{SITE_URL}policies/github/"  # the page, not the feed itself
        assert parsed.entries[0].link == f"{SITE_URL}policies/github/changes/{change.first_capture.stem}/"
    # Independently of the diff: the sections whose text differs between the two versions.
    old = {s.id: s.text for s in segment(texts[0])}
    new = {s.id: s for s in segment(texts[1])}
    differing = {plain_title(s.title) for sid, s in new.items() if old.get(sid) != s.text}
    assert differing
    tree = lxml.html.fragment_fromstring(entry.content_html, create_parent="div")
    assert {row.xpath("string(td[1])") for row in tree.xpath("//tbody/tr")} == differing
    n = len(differing)
    assert entry.title == f"GitHub Privacy Statement: {n} section{'s' if n > 1 else ''} changed"
    assert entry.published == change.first_capture.captured_at
    assert entry.url == f"{SITE_URL}policies/github/changes/{change.first_capture.stem}/"
    assert tree.xpath("//ins") and f"sha256 {change.first_capture.sha256}" in tree.text_content()
    # One entry in the feed of each changed section, none elsewhere.
    touched = {f.title.split(" — ", 1)[1].removesuffix(": changes") for f in sections if f.entries}
    assert touched == differing


def test_feeds_are_bounded_newest_first_and_say_when_a_text_returns() -> None:
    texts = [POLICY.replace("one year", f"{n} years") if n % 3 else POLICY for n in range(13)]
    source = source_of("acme", "Acme", texts)
    limit = 5
    (site, policy, *_sections) = build_feeds([source], replace(SETTINGS, max_entries=limit))
    assert len(source.changes) == 12
    assert len(policy.entries) == limit and len(site.entries) == limit
    newest = sorted(source.changes, key=lambda c: c.published, reverse=True)[:limit]
    assert [e.published for e in policy.entries] == [c.published for c in newest]
    assert policy.updated == newest[0].published
    assert "last 5 changes" in policy.description
    returns = [e for e in policy.entries if "revert" in e.categories]
    assert returns and all("Returns to the text first seen on 2020-01-01" in e.content_html for e in returns)
    assert all(e.title.endswith("(back to the text of 2020-01-01)") for e in returns)
    atom = feed_documents(policy)["feeds/acme/atom.xml"]
    assert not check_atom(atom, f"{SITE_URL}feeds/acme/atom.xml")


def test_entry_size_is_bounded_for_a_huge_change() -> None:
    def policy(edit: bool) -> str:
        parts = [
            f"## Part {n}\n\n" + " ".join(f"w{k}" if edit and k % 2 else f"v{k}" for k in range(300))
            for n in range(150)
        ]
        return POLICY + "\n".join(parts) + ("\n## Annex\n\n" + "new words " * 20_000 if edit else "")

    source = source_of("acme", "Acme", [policy(False), policy(True)])
    (change,) = source.changes
    assert change.diff.summary.words_added > 50_000
    (_site, policy_feed, *sections) = build_feeds([source], SETTINGS)
    (entry,) = policy_feed.entries
    assert len(entry.content_html) < 3 * MAX_ENTRY_CHARS
    assert "more sections: see the change on the site" in entry.content_html
    assert "Part 0" in entry.content_html
    assert max(len(e.content_html) for f in sections for e in f.entries) < 3 * MAX_ENTRY_CHARS


def test_a_section_feed_follows_its_section_through_a_rename() -> None:
    renamed = POLICY.replace("## Data sharing", "## Sharing your data")
    edited = renamed.replace("with anyone", "with advertisers")
    changes = changes_of("acme", [POLICY, renamed, edited])
    # policy_changes maps a renamed section to the id it first had; here by hand, whatever
    # the diff made of the rename (one renamed section, or a removal and an addition).
    first, second = changes
    lineage = {sid: ("data-sharing" if sid == "sharing-your-data" else sid) for sid in first.lineage}
    changes = [replace(first, lineage=lineage), replace(second, lineage=lineage)]
    source = PolicyFeedSource("acme", "Acme", changes, {s.id: s.title for s in segment(POLICY)})
    feeds = {f.dir: f for f in build_feeds([source], replace(SETTINGS, include_trivial=True))}
    assert "feeds/acme/sections/sharing-your-data/" not in feeds
    section = feeds["feeds/acme/sections/data-sharing/"]
    assert len(section.entries) == 2
    assert section.title == "Acme — Sharing your data: changes"
    assert section.home_url == f"{SITE_URL}policies/acme/sections/data-sharing/"


def test_feeds_need_an_absolute_site_url() -> None:
    source = source_of("acme", "Acme", [POLICY])
    for url in ("", "/watch/", "example.org"):
        with pytest.raises(PolicyDiffError, match="site_url"):
            build_feeds([source], replace(SETTINGS, site_url=url))


def test_a_policy_without_changes_has_empty_valid_feeds() -> None:
    source = source_of("acme", "Acme", [POLICY])
    docs = documents(build_feeds([source], SETTINGS))
    assert "feeds/acme/sections/retention/atom.xml" in docs
    for path, content in docs.items():
        if path.endswith("atom.xml"):
            assert not check_atom(content, SITE_URL + path), path
        if path.endswith(".xml"):
            assert feedparser.parse(content).bozo == 0
    atom = lxml.etree.fromstring(docs["feeds/acme/atom.xml"])
    assert atom.findtext("{http://www.w3.org/2005/Atom}updated") == "2020-01-01T00:00:00+00:00"


def test_non_ascii_section_ids_give_percent_encoded_urls_and_ids() -> None:
    french = "# Politique\n\n## Données personnelles\n\nNous gardons vos données.\n"
    (change,) = changes_of("acme", [french, french.replace("gardons", "vendons")])
    # Section ids are the diff's business; should one hold a non-ASCII letter, links still work.
    lineage = {sid: ("données-personnelles" if sid.startswith("donn") else sid) for sid in change.lineage}
    source = PolicyFeedSource("acme", "Acme", [replace(change, lineage=lineage)], {})
    feeds = {f.dir: f for f in build_feeds([source], SETTINGS)}
    section = feeds["feeds/acme/sections/données-personnelles/"]
    assert len(section.entries) == 1
    assert section.url("atom.xml") == f"{SITE_URL}feeds/acme/sections/donn%C3%A9es-personnelles/atom.xml"
    for feed in feeds.values():
        assert feed.id.isascii() and all(e.id.isascii() and e.url.isascii() for e in feed.entries)
        atom = feed_documents(feed)[f"{feed.dir}atom.xml"]
        assert not check_atom(atom, feed.url("atom.xml"))


def test_feeds_need_a_positive_entry_limit() -> None:
    source = source_of("acme", "Acme", [POLICY])
    with pytest.raises(PolicyDiffError, match="feeds_max_entries: expected a positive number, got 0"):
        build_feeds([source], replace(SETTINGS, max_entries=0))


def test_a_silent_change_is_flagged() -> None:
    (change,) = changes_of("acme", [POLICY, POLICY.replace("one year", "ten years")])
    stated = {"old_stated_date": "2020-01-01", "new_stated_date": "2020-01-01"}
    summary = replace(change.diff.summary, silent_change=True, **stated)
    silent = replace(change, diff=replace(change.diff, summary=summary))
    (entry,) = build_feeds([PolicyFeedSource("acme", "Acme", [silent], {})], SETTINGS)[1].entries
    assert "silent change" in entry.categories
    assert "Silent change: the text changed but the policy's stated date (2020-01-01) did not." in entry.content_html
    tree = lxml.html.fragment_fromstring(entry.content_html, create_parent="div")
    assert "one" in " ".join(tree.xpath("//del/text()")) and "ten" in " ".join(tree.xpath("//ins/text()"))
