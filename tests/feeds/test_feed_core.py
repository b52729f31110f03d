"""The feed core as a pure function: histories in (built from texts, no archive), feed
documents out."""

from __future__ import annotations

import json
from dataclasses import replace

import feedparser
import lxml.etree
import lxml.html
import pytest
from feedcheck import GITHUB_STATEMENTS, SITE_URL, XML_FORBIDDEN, check_atom, check_json_feed

from history_fixtures import history_of, relineage
from policydiff.diff import segment
from policydiff.errors import PolicyDiffError
from policydiff.feeds import FeedMemo, FeedSettings, build_feeds, feed_documents
from policydiff.feeds.entries import MAX_ENTRY_CHARS
from policydiff.wording import section_name

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
    history = history_of(
        "hostile",
        [POLICY, HOSTILE],
        name="Hostile \x01 <b>Inc</b> privacy policy",
        wayback="javascript:alert(4)",
        source="https://ok.example/p",
    )
    docs = documents(build_feeds([history], SETTINGS))
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
    history = history_of("acme", texts, name="Acme")
    (change,) = history.changes
    # A better extractor re-versions history: other version ids, another normalised text,
    # from the same captures.
    reextracted = history_of("acme", [t.replace("  ", " ") + "\n" for t in texts], name="Acme", captured=texts)
    assert [v.id for v in reextracted.versions] != [v.id for v in history.versions]
    first = build_feeds([history], SETTINGS)
    again = build_feeds([reextracted], SETTINGS)
    ids = [e.id for f in first for e in f.entries]
    assert ids == [e.id for f in again for e in f.entries]
    assert ids[0] == f"tag:example.org,2026:watch/acme/20200102T000000Z-{change.first_capture.sha256}"
    other = history_of("acme", texts, name="Acme", captured=[texts[0], texts[1] + " (other bytes)"])
    assert build_feeds([other], SETTINGS)[1].entries[0].id != ids[0]


def test_trivial_changes_are_left_out_unless_asked_for() -> None:
    whitespace = POLICY.replace("one year.", "one  year .")
    history = history_of("acme", [POLICY, whitespace], name="Acme")
    assert history.changes[0].flags.trivial
    (site, policy, *_sections) = build_feeds([history], SETTINGS)
    assert policy.entries == () and site.entries == ()
    assert "left out" in policy.description and "left out" in site.description
    for switched in (
        build_feeds([history_of("acme", [POLICY, whitespace], name="Acme", include_trivial=True)], SETTINGS),
        build_feeds([history], replace(SETTINGS, include_trivial=True)),
    ):
        (site, policy, *_sections) = switched
        assert len(policy.entries) == 1 and "trivial" in policy.entries[0].categories
        assert "are included" in policy.description


def test_a_date_only_change_is_trivial() -> None:
    history = history_of("acme", [POLICY, POLICY.replace("January 1", "March 3")], name="Acme")
    (change,) = history.changes
    assert change.flags.names == ("date_only", "trivial")
    assert (change.old_stated_date, change.new_stated_date) == ("2020-01-01", "2020-03-03")
    assert all(not feed.entries for feed in build_feeds([history], SETTINGS))  # sections' feeds too
    (entry,) = build_feeds([history], replace(SETTINGS, include_trivial=True))[1].entries
    assert entry.title == "Acme: Only the stated date changed (2020-01-01 → 2020-03-03)."  # its headline
    assert "Date only. Only the stated date changed (2020-01-01 → 2020-03-03)." in entry.content_html
    assert entry.categories == ("date only", "trivial")  # its flags, then its significance (trivial too)


def test_entry_tells_what_changed_on_a_real_pair() -> None:
    names = ("20200424T231443Z.md", "20200522T045008Z.md")
    texts = [(GITHUB_STATEMENTS / name).read_text(encoding="utf-8") for name in names]
    history = history_of("github", texts, name="GitHub Privacy Statement")
    (change,) = history.changes
    (site, policy, *sections) = build_feeds([history], SETTINGS)
    (entry,) = policy.entries
    assert site.entries == policy.entries
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(feed_documents(policy)[f"feeds/github/{name}"])
        assert parsed.feed.link == f"{SITE_URL}policies/github/"  # the page, not the feed itself
        assert parsed.entries[0].link == f"{SITE_URL}policies/github/changes/{change.first_capture.stem}/"
    # Independently of the diff: the sections whose text differs between the two versions.
    old = {s.id: s.text for s in segment(texts[0])}
    new = {s.id: s for s in segment(texts[1])}
    differing = {section_name(s.title) for sid, s in new.items() if old.get(sid) != s.text}
    assert differing
    tree = lxml.html.fragment_fromstring(entry.content_html, create_parent="div")
    assert {row.xpath("string(td[1])") for row in tree.xpath("//tbody/tr")} == differing
    n = len(differing)
    assert entry.title == f"GitHub Privacy Statement: {change.headline}"
    assert f"{n} section{'s' if n > 1 else ''} modified" in entry.summary
    assert entry.published == change.first_capture.captured_at
    assert entry.url == f"{SITE_URL}policies/github/changes/{change.first_capture.stem}/"
    assert tree.xpath("//ins") and f"sha256 {change.first_capture.sha256}" in tree.text_content()
    # One entry in the feed of each changed section, none elsewhere.
    section_feeds = [f for f in sections if "/sections/" in f.dir]
    touched = {f.title.split(" — ", 1)[1].removesuffix(": changes") for f in section_feeds if f.entries}
    assert touched == differing
    # Each watched group it gained or lost has it in its feed.
    terms = {f.dir: f for f in sections if f.dir.startswith("feeds/terms/")}
    assert change.terms and all([e.id for e in terms[f"feeds/terms/{t}/"].entries] == [entry.id] for t in change.terms)


def test_feeds_are_bounded_newest_first_and_say_when_a_text_returns() -> None:
    texts = [POLICY.replace("one year", f"{n} years") if n % 3 else POLICY for n in range(13)]
    history = history_of("acme", texts, name="Acme")
    limit = 5
    (site, policy, *_sections) = build_feeds([history], replace(SETTINGS, max_entries=limit))
    assert len(history.changes) == 12
    assert len(policy.entries) == limit and len(site.entries) == limit
    newest = sorted(history.changes, key=lambda c: c.published, reverse=True)[:limit]
    assert [e.published for e in policy.entries] == [c.published for c in newest]
    assert policy.updated == newest[0].published
    assert "last 5 changes" in policy.description
    returns = [e for e in policy.entries if "revert" in e.categories]
    assert returns and all("first in force on 2020-01-01" in e.content_html for e in returns)
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

    history = history_of("acme", [policy(False), policy(True)], name="Acme")
    (change,) = history.changes
    assert change.diff.summary.words_added > 50_000
    (_site, policy_feed, *sections) = build_feeds([history], SETTINGS)
    (entry,) = policy_feed.entries
    assert len(entry.content_html) < 3 * MAX_ENTRY_CHARS
    assert "more sections: see the change on the site" in entry.content_html
    assert "Part 0" in entry.content_html
    assert max(len(e.content_html) for f in sections for e in f.entries) < 3 * MAX_ENTRY_CHARS


def test_a_section_feed_follows_its_section_through_a_rename() -> None:
    renamed = POLICY.replace("## Data sharing", "## Sharing your data")
    edited = renamed.replace("with anyone", "with advertisers")
    history = history_of("acme", [POLICY, renamed, edited], name="Acme")
    assert history.changes[0].diff.sections[2].status == "renamed"  # the history keeps its lineage
    feeds = {f.dir: f for f in build_feeds([history], replace(SETTINGS, include_trivial=True))}
    assert "feeds/acme/sections/sharing-your-data/" not in feeds
    section = feeds["feeds/acme/sections/data-sharing/"]
    assert len(section.entries) == 2
    assert section.title == "Acme — Sharing your data: changes"
    assert section.home_url == f"{SITE_URL}policies/acme/sections/data-sharing/"


def test_feeds_need_an_absolute_site_url() -> None:
    history = history_of("acme", [POLICY], name="Acme")
    for url in ("", "/watch/", "example.org"):
        with pytest.raises(PolicyDiffError, match="site_url"):
            build_feeds([history], replace(SETTINGS, site_url=url))


def test_a_policy_without_changes_has_empty_valid_feeds() -> None:
    history = history_of("acme", [POLICY], name="Acme")
    docs = documents(build_feeds([history], SETTINGS))
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
    history = history_of("acme", [french, french.replace("gardons", "vendons")], name="Acme")
    # Section ids are the diff's business; should one hold a non-ASCII letter, links still work.
    history = relineage(history, "donnees-personnelles", "données-personnelles")
    feeds = {f.dir: f for f in build_feeds([history], SETTINGS)}
    section = feeds["feeds/acme/sections/données-personnelles/"]
    assert len(section.entries) == 1
    assert section.url("atom.xml") == f"{SITE_URL}feeds/acme/sections/donn%C3%A9es-personnelles/atom.xml"
    for feed in feeds.values():
        assert feed.id.isascii() and all(e.id.isascii() and e.url.isascii() for e in feed.entries)
        atom = feed_documents(feed)[f"{feed.dir}atom.xml"]
        assert not check_atom(atom, feed.url("atom.xml"))


def test_feeds_need_a_positive_entry_limit() -> None:
    history = history_of("acme", [POLICY], name="Acme")
    with pytest.raises(PolicyDiffError, match="feeds_max_entries: expected a positive number, got 0"):
        build_feeds([history], replace(SETTINGS, max_entries=0))


def test_a_silent_change_is_flagged() -> None:
    history = history_of("acme", [POLICY, POLICY.replace("one year", "ten years")], name="Acme")
    (change,) = history.changes
    assert change.flags.names == ("silent_change",)  # the text changed, "Last updated" did not
    (entry,) = build_feeds([history], SETTINGS)[1].entries
    assert entry.categories == ("silent change", "major")  # a period changed: "one year" -> "ten years"
    flag = "Silent change. The text changed but its stated date did not (it still says 2020-01-01)."
    assert flag in entry.content_html
    tree = lxml.html.fragment_fromstring(entry.content_html, create_parent="div")
    assert "one" in " ".join(tree.xpath("//del/text()")) and "ten" in " ".join(tree.xpath("//ins/text()"))


def test_rss_descriptions_are_escaped_as_html() -> None:
    """RSS readers render `<description>` as HTML: a section title or a site description
    there is escaped for HTML inside XML, so `<img onerror>` stays text (issue 15)."""
    img = "<img src=x onerror=alert(1)>"
    text = POLICY.replace("## Data sharing", "## &lt;img src=x onerror=alert(1)&gt;")
    history = history_of("hostile", [text, text.replace("anyone", "anyone at all")])
    settings = replace(SETTINGS, site_description=f"Watch {img} here")
    docs = documents(build_feeds([history], settings))
    rss = {path: doc for path, doc in docs.items() if path.endswith("rss.xml")}
    seen = set()
    for path, doc in rss.items():
        root = lxml.etree.fromstring(doc)
        for element in root.iter("description", "title"):
            shown = lxml.html.fragment_fromstring(element.text or "", create_parent="div")
            assert not list(shown.iter("img")), (path, element.text)
            if element.tag == "description":
                assert len(shown) == 0, (path, element.text)  # text only, no element
                seen.add(shown.text_content())
    assert any(img in description for description in seen), seen  # shown as the words it is


def test_a_memo_reuses_unchanged_policies_and_gives_the_same_bytes() -> None:
    """`mkdocs serve` keeps a `FeedMemo`: after a new capture of one policy, the other's
    entries and documents are reused, and every document is what a build without it writes."""
    names = ("20200424T231443Z.md", "20200522T045008Z.md")
    github = history_of("github", [(GITHUB_STATEMENTS / n).read_text(encoding="utf-8") for n in names], name="GitHub")
    texts = [POLICY.replace("one year", f"{n} years") for n in range(1, 4)]
    acme = history_of("acme", texts, name="Acme")
    memo = FeedMemo()
    first = build_feeds([github, acme], SETTINGS, memo)
    assert documents(first) == documents(build_feeds([github, acme], SETTINGS))
    kept_github, kept_acme = memo.policies["github"][3], memo.policies["acme"][3]
    github_atom = memo.feed_documents(next(f for f in first if f.dir == "feeds/github/"))

    grown = history_of("acme", [*texts, POLICY.replace("one year", "ten years")], name="Acme")
    second = build_feeds([github, grown], SETTINGS, memo)
    assert memo.policies["github"][3] is kept_github and memo.policies["acme"][3] is not kept_acme
    assert memo.feed_documents(next(f for f in second if f.dir == "feeds/github/")) is github_atom
    assert len(next(f for f in second if f.dir == "feeds/acme/").entries) == 3
    assert memoised(memo, second) == documents(build_feeds([github, grown], SETTINGS))
    # other settings, or a policy gone: nothing stale is served
    other = replace(SETTINGS, site_name="Other watch")
    third = build_feeds([grown], other, memo)
    assert set(memo.policies) == {"acme"} and memo.policies["acme"][3] is not kept_acme
    assert set(memo.documents) <= {f.dir for f in third}
    assert memoised(memo, third) == documents(build_feeds([grown], other))


def memoised(memo: FeedMemo, feeds: list) -> dict[str, bytes]:
    return {path: content for feed in feeds for path, content in memo.feed_documents(feed).items()}
