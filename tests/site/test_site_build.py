"""The built site: strict builds, every internal link resolves, the pages a reader needs exist."""

from __future__ import annotations

import posixpath
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from lxml import html as lxml_html
from site_support import REPO, WITHDRAWN_REASON, BuiltSite

from policydiff import urls
from policydiff.archive import Archive
from policydiff.history import load_history

FEED_NAMES = ("atom.xml", "rss.xml", "feed.json")
SITE_PREFIX = urlsplit(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path


@cache
def parse(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


@cache
def ids(path: Path) -> frozenset[str]:
    return frozenset(parse(path).xpath("//@id")) | frozenset(parse(path).xpath("//a/@name"))


def internal_links(site: Path) -> list[tuple[Path, str, str]]:
    out = []
    for page in sorted(site.rglob("*.html")):
        tree = parse(page)
        for element, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for node in tree.xpath(f"//{element}[@{attribute}]"):
                # a canonical or alternate link names a URL and loads nothing
                rel = (node.get("rel") or "").split()
                names_only = element == "link" and ("canonical" in rel or "alternate" in rel)
                element_kind = "a" if names_only else element
                out.append((page, element_kind, node.get(attribute)))
    return out


def broken_links(site: Path) -> list[str]:
    """Every link of every page: internal ones must resolve (file and anchor); only `a`
    may point outside (a script, stylesheet or image from elsewhere is a request leaving)."""
    problems = []
    for page, element, value in internal_links(site):
        parts = urlsplit(value)
        where = f"{page.relative_to(site)}: <{element}> {value}"
        if parts.scheme or parts.netloc:
            if element != "a" or parts.scheme not in {"http", "https", "mailto"}:
                problems.append(f"{where}: external resource")
            continue
        if not parts.path:
            target = page
        else:
            base = posixpath.dirname(page.relative_to(site).as_posix())
            path = unquote(parts.path)
            if path.startswith("/"):  # 404.html links from the site root (site_url's path)
                if not path.startswith(SITE_PREFIX):
                    problems.append(f"{where}: outside site_url")
                    continue
                base, path = "", path.removeprefix(SITE_PREFIX)
            resolved = posixpath.normpath(posixpath.join(base, path))
            if resolved.startswith(".."):
                problems.append(f"{where}: leaves the site")
                continue
            target = site / resolved
            if value.endswith("/") or target.is_dir():
                target = target / "index.html"
        if not target.is_file():
            if is_feed(site, target):
                continue
            problems.append(f"{where}: no such file")
            continue
        if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids(target):
            problems.append(f"{where}: no anchor #{parts.fragment}")
    return problems


def is_feed(site: Path, target: Path) -> bool:
    """Feed links follow the contract in `policydiff.urls`; the feeds step writes them.
    Until a build writes any feed, a feed link only has to be a contract path."""
    rel = target.relative_to(site).as_posix()
    if not (rel.startswith(urls.feed_dir()) and target.name in FEED_NAMES):
        return False
    return not (site / "feeds").exists()


def test_bundled_site_builds_strictly_and_every_link_resolves(bundled_site: BuiltSite) -> None:
    assert (bundled_site.site / "index.html").is_file()
    assert broken_links(bundled_site.site) == []


def test_fixture_site_links_resolve(fixture_site: BuiltSite) -> None:
    assert broken_links(fixture_site.site) == []


def test_every_change_version_and_section_has_its_page(fixture_site: BuiltSite) -> None:
    archive = Archive(fixture_site.archive)
    site = fixture_site.site
    for slug in archive.slugs():
        for page in (urls.policy_page(slug), urls.timeline_page(slug), urls.compare_page(slug)):
            assert (site / page / "index.html").is_file(), page
        for version in archive.versions(slug):
            assert (site / urls.version_page(slug, version.id) / "index.html").is_file()
        history = load_history(archive, slug)
        for change in history.changes:
            assert (site / urls.change_page(change) / "index.html").is_file()
            for lineage in {*change.lineage, *dict(change.section_lineage).values()}:
                assert (site / urls.section_page(slug, lineage) / "index.html").is_file()
        for section in history.sections:
            assert (site / urls.section_page(slug, section.lineage) / "index.html").is_file()
    assert len(load_history(archive, "github-privacy-statement").changes) == 2


def facts_of(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """The header table of a policy page, as {column: cell text}."""
    head = tree.xpath("(//article//table)[1]//th")
    cells = tree.xpath("(//article//table)[1]//td")
    return {h.text_content().strip(): " ".join(c.text_content().split()) for h, c in zip(head, cells, strict=True)}


def text_of(path: Path) -> str:
    return " ".join(parse(path).xpath("//article")[0].text_content().split())


def test_policy_page_header_and_section_markers(fixture_site: BuiltSite) -> None:
    archive = Archive(fixture_site.archive)
    slug = "github-privacy-statement"
    page = fixture_site.site / urls.policy_page(slug) / "index.html"
    changes = load_history(archive, slug).changes
    tree = parse(page)
    facts = facts_of(tree)
    assert facts["First seen"] == "2023-12-28"
    assert facts["Last changed"] == changes[-1].published.strftime("%Y-%m-%d")
    assert facts["Versions"] == str(len(archive.versions(slug))) == "3"
    assert facts["Captures"] == "3"
    source = tree.xpath("//p[contains(@class, 'pd-source')]/a/@href")
    assert source == ["https://github.com/github/site-policy/blob/main/Policies/github-privacy-statement.md"]
    markers = tree.xpath("//a[contains(@class, 'pd-changed')]")
    assert markers, "no section markers"
    assert all(re.fullmatch(r"(changed|unchanged since) \d{4}-\d{2}-\d{2}", m.text_content()) for m in markers)
    # every section heading has a permalink
    headings = tree.xpath("//article//h2[@id] | //article//h3[@id] | //article//h4[@id]")
    assert headings and all(h.xpath("a[@class='headerlink']") for h in headings)
    feeds = tree.xpath("//a[contains(@class, 'pd-feed')]/@href")
    assert sorted(f.rsplit("/", 1)[-1] for f in feeds) == sorted(FEED_NAMES)
    assert all(f.startswith("../../feeds/github-privacy-statement/") for f in feeds)


def test_single_capture_policy_reads_as_a_valid_state(fixture_site: BuiltSite) -> None:
    page = fixture_site.site / urls.policy_page("zwsoft-privacy-policy") / "index.html"
    text = text_of(page)
    assert "One version so far" in text
    facts = facts_of(parse(page))
    assert facts["Last changed"] == "no change captured yet" and facts["Versions"] == "1"
    assert facts["First seen"] == "2017-11-21"
    assert "ZWCAD Software Co., Ltd (ZWSOFT) would like to thank you" in text
    timeline = text_of(fixture_site.site / urls.timeline_page("zwsoft-privacy-policy") / "index.html")
    assert "first capture" in timeline and "Wayback Machine" in timeline
    assert "0 changes" in timeline
    # the withdrawn cookie-wall capture is listed with its reason, and is no version
    assert "Withdrawn captures" in timeline and WITHDRAWN_REASON in timeline
    assert "20180102T030405Z" in timeline


def _within(short: str, long: str) -> bool:
    """`short` is a subsequence of `long`."""
    it = iter(long)
    return all(c in it for c in short)


def test_change_page_shows_summary_diff_and_navigation(fixture_site: BuiltSite) -> None:
    archive = Archive(fixture_site.archive)
    changes = load_history(archive, "github-privacy-statement").changes
    first, last = changes
    tree = parse(fixture_site.site / urls.change_page(first) / "index.html")
    changed = [s for s in first.diff.sections if s.status != "unchanged"]
    rows = tree.xpath("(//article//table)[1]/tbody/tr")
    assert len(rows) == len(changed)
    # the rendered text marks the diff's inserted words, in order: all of them but the
    # targets of links inserted whole (on hover) and the numbers of lists inserted whole
    letters = re.compile(r"[^\W_]")
    shown = "".join(letters.findall("".join(tree.xpath("//div[@class='pd-inline']//ins//text()"))))
    inserted = [t for s in changed for op, t in s.diff if op == 1]
    every = "".join(letters.findall("".join(inserted)))
    target = re.compile(r"\]\(\s*(?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\s*(?:\)|$)")
    number = re.compile(r"(?m)^\s*\d+[.)]")
    least = "".join(letters.findall("".join(number.sub("", target.sub("]", t)) for t in inserted)))
    assert least and _within(least, shown) and _within(shown, every)
    assert tree.xpath("//details[contains(@class, 'pd-unchanged')]") or all(
        s.status != "unchanged" for s in first.diff.sections
    )
    nav = " ".join(tree.xpath("//p[contains(@class, 'pd-prevnext')]//a/text()"))
    assert "Next change" in nav and "Previous change" not in nav
    last_nav = parse(fixture_site.site / urls.change_page(last) / "index.html")
    assert "Previous change" in " ".join(last_nav.xpath("//p[contains(@class, 'pd-prevnext')]//a/text()"))


def test_timeline_lists_every_capture_with_provenance(fixture_site: BuiltSite) -> None:
    archive = Archive(fixture_site.archive)
    slug = "github-privacy-statement"
    text = text_of(fixture_site.site / urls.timeline_page(slug) / "index.html")
    for capture in archive.captures(slug):
        assert capture.file in text
        assert capture.sha256[:16] in text


def test_generated_navigation_stays_small(fixture_site: BuiltSite) -> None:
    """Change, version and section pages stay out of the navigation, so a page's size
    does not grow with the length of the history."""
    tree = parse(fixture_site.site / "index.html")
    nav_links = tree.xpath("//nav[contains(@class, 'md-nav--primary')]//a/@href")
    assert not [h for h in nav_links if "/changes/" in h or "/versions/" in h or "/sections/" in h]
    assert any("compare/" in h for h in nav_links)


def test_hostile_policy_pages_carry_nothing_active(fixture_site: BuiltSite) -> None:
    """The static check behind the browser test: every page of the hostile policy, parsed."""
    pages = sorted((fixture_site.site / "policies" / "evil-policy").rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "\u202e" not in raw and "\u2066" not in raw, page
        tree = parse(page)
        where = page.relative_to(fixture_site.site)
        assert not tree.xpath("//iframe | //object | //embed | //base | //meta[@http-equiv] | //img | //svg//script")
        assert not tree.xpath("//article//form | //article//input | //article//button[not(@class)]"), where
        assert not tree.xpath("//@*[starts-with(name(), 'on')]"), where
        assert not [u for u in tree.xpath("//@href | //@src") if u.strip().lower().startswith(("javascript:", "data:"))]
        for script in tree.xpath("//script"):
            assert "alert(" not in (script.text or ""), where
            assert not script.get("src") or "evil" not in script.get("src"), where
        assert not tree.xpath("//article//*[@style]"), where
    # ...and the hostile text is on the pages, shown as text
    texts = " ".join(text_of(page) for page in pages)
    assert "<script>alert('textarea')</script>" in texts and "⟦U+202E⟧" in texts
