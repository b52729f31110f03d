"""The feeds of the bundled site, built twice by `mkdocs build --strict` (with different hash
seeds, so nothing may depend on set or dict ordering): the session's bundled site, and one
more build."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import feedparser
import lxml.html
import pytest
import yaml
from feedcheck import REPO, XML_FORBIDDEN, check_atom, check_json_feed, feed_files
from site_support import BuiltSite, mkdocs_build

from policydiff.archive import Archive


def _site_url() -> str:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return config["site_url"].rstrip("/") + "/"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """The bundled site (hash seed 1), and the same site built again with hash seed 2.
    The second build comes first: under xdist it then runs beside the other worker's build of
    the shared one instead of waiting for its lock."""
    second = tmp_path_factory.mktemp("bundled") / "second"
    mkdocs_build(REPO / "mkdocs.yml", second, hash_seed="2")
    bundled_site: BuiltSite = request.getfixturevalue("bundled_site")
    return bundled_site.site, second


@pytest.fixture(scope="module")
def site(builds: tuple[Path, Path]) -> Path:
    return builds[0]


def test_rebuilding_gives_byte_identical_feeds(builds: tuple[Path, Path]) -> None:
    first, second = builds
    names = [p.relative_to(first) for p in feed_files(first)]
    assert names == [p.relative_to(second) for p in feed_files(second)]
    assert len(names) > 3 * 5  # the site's, each policy's and their sections'
    different = [str(name) for name in names if (first / name).read_bytes() != (second / name).read_bytes()]
    assert not different


def test_every_feed_is_valid(site: Path) -> None:
    site_url = _site_url()
    for path in feed_files(site):
        url = site_url + path.relative_to(site).as_posix()
        content = path.read_bytes()
        assert not XML_FORBIDDEN.search(content.decode("utf-8")), path
        if path.name == "feed.json":
            assert not check_json_feed(json.loads(content), url), path
            continue
        parsed = feedparser.parse(content)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        if path.name == "atom.xml":
            assert not check_atom(content, url), path


def test_each_policy_has_feeds_and_the_site_feed_is_bounded(site: Path) -> None:
    archive = Archive(REPO / "archive")
    slugs = [slug for slug in archive.slugs() if archive.history(slug)]
    for slug in slugs:
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert (site / "feeds" / slug / name).is_file()
    changes = sum(len(archive.history(slug)) - 1 for slug in slugs)
    limit = 20  # feeds_max_entries' default
    assert changes > limit
    site_feed = json.loads((site / "feeds" / "feed.json").read_text(encoding="utf-8"))
    assert len(site_feed["items"]) == limit
    for path in feed_files(site):
        if path.name == "feed.json":
            items = json.loads(path.read_text(encoding="utf-8"))["items"]
            assert len(items) <= limit
            assert all(len(item["content_html"]) < 50_000 for item in items), path


def _alternates(page: Path) -> list[tuple[str, str]]:
    head = lxml.html.fromstring(page.read_bytes()).find("head")
    links = [link for link in head.iter("link") if "alternate" in (link.get("rel") or "").split()]
    return [(link.get("type"), link.get("href")) for link in links]


def test_every_page_announces_its_feeds(site: Path) -> None:
    site_url = _site_url()
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        links = _alternates(page)
        hrefs = [href for _, href in links]
        assert f"{site_url}feeds/atom.xml" in hrefs, page
        assert {kind for kind, _ in links} == {"application/atom+xml", "application/rss+xml", "application/feed+json"}
        for href in hrefs:
            assert (site / href.removeprefix(site_url)).is_file(), href
        where = page.relative_to(site).as_posix()
        match = re.match(r"policies/([^/]+)/", where)
        if match and "/sections/" not in where:  # a policy's pages offer its feed before the site's
            assert hrefs[0] == f"{site_url}feeds/{match.group(1)}/atom.xml", page


def test_home_and_policy_pages_link_their_feeds(site: Path) -> None:
    pages = {"index.html": "feeds/"} | {
        f"policies/{d.name}/index.html": f"feeds/{d.name}/" for d in (site / "policies").iterdir() if d.is_dir()
    }
    for page, feed in pages.items():
        tree = lxml.html.fromstring((site / page).read_bytes())
        targets = {
            os.path.normpath(os.path.join(os.path.dirname(page), a.get("href")))
            for a in tree.iter("a")
            if a.get("href") and not a.get("href").startswith(("http:", "https:", "#"))
        }
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert f"{feed}{name}" in targets, (page, name)
            assert (site / feed / name).is_file()
