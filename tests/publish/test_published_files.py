"""Citable, verifiable versions in the built site (the fixture site: GitHub's statement, ZWSOFT
with a withdrawn cookie wall, and a hostile policy with an HTML capture full of script):
every version's text is a download whose sha256 is the one its citation gives; every capture
is published and linked from the timeline, byte for byte, and none is ever served as HTML."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
import urllib.request
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urljoin

import lxml.html
import pytest

from policydiff.archive import Archive
from policydiff.history import load_history
from policydiff.render import RenderSettings, render_policy
from policydiff.render.blocks import src
from policydiff.urls import capture_file, timeline_page, version_page

SITE_URL = "https://example.org/policy-diff/"  # the repository's mkdocs.yml


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def resolve(site: Path, page: str, href: str) -> Path:
    """The built file a relative link of a page (a site path like `policies/x/`) points to."""
    return site / unquote(urljoin("/" + page, href).lstrip("/"))


@pytest.fixture(scope="module")
def histories(fixture_site):
    archive = Archive(fixture_site.archive)
    return [load_history(archive, slug) for slug in archive.slugs()]


def test_every_capture_is_published_linked_and_its_sha256_matches(fixture_site, histories) -> None:
    site = fixture_site.site
    checked = 0
    for history in histories:
        page = timeline_page(history.slug)
        tree = lxml.html.fromstring((site / page / "index.html").read_text(encoding="utf-8"))
        links = {a.text_content(): a.get("href") for a in tree.xpath("//a[contains(@class, 'pd-capture-file')]")}
        shown = {
            row.xpath("string(.//a[contains(@class, 'pd-capture-file')])"): row.xpath(
                "string(.//code[@class='pd-sha']/@title)"
            )
            for row in tree.xpath("//tr[.//code[@class='pd-sha']]")
        }
        for capture in history.captures:
            assert capture.file in links, (history.slug, capture.file)  # withdrawn captures too
            published = resolve(site, page, links[capture.file])
            assert published == site / capture_file(history.slug, capture.file)
            assert sha256(published) == capture.sha256
            if capture.file in shown:  # the provenance table's sha256 is the file's
                assert shown[capture.file] == sha256(published)
            checked += 1
    assert checked == sum(len(h.captures) for h in histories) >= 8


def test_no_published_capture_is_ever_served_as_html(fixture_site, histories) -> None:
    site = fixture_site.site
    published = sorted(site.glob("policies/*/captures/*"))
    assert len(published) == sum(len(h.captures) for h in histories)
    assert any(p.name.endswith(".html.txt") for p in published)  # the hostile HTML capture is among them
    assert all(p.suffix == ".txt" for p in published)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for path in published:
            with urllib.request.urlopen(base + path.relative_to(site).as_posix()) as response:
                assert response.headers.get_content_type() == "text/plain", path
                assert response.read() == path.read_bytes()
    finally:
        server.shutdown()
        server.server_close()
    hostile = next(p for p in published if p.name.endswith(".html.txt") and b"<script" in p.read_bytes())
    assert hostile  # a real script, inert as text


def test_every_version_offers_its_text_and_a_citation(fixture_site, histories) -> None:
    site = fixture_site.site
    for history in histories:
        for version in history.versions:
            page = version_page(history.slug, version.id)
            tree = lxml.html.fromstring((site / page / "index.html").read_text(encoding="utf-8"))
            (button,) = tree.xpath("//a[@download]")
            assert button.get("download") == f"{history.slug}-{version.id}.md"
            text = resolve(site, page, button.get("href"))
            assert sha256(text) == version.version.sha256
            assert (
                text.read_bytes()
                == (fixture_site.archive / history.slug / "versions" / f"{version.id}.md").read_bytes()
            )
            (cite,) = tree.xpath("//div[@class='pd-cite']//code")
            line = cite.text_content()
            assert line.startswith(f"{history.name}, version {version.id}, ")
            assert re.search(r"in force from \d{4}-\d\d-\d\d to (\d{4}-\d\d-\d\d|present)\.", line), line
            assert f" {SITE_URL}{page} " in line and line.endswith(f"SHA-256 of the text: {version.version.sha256}.")
    history = histories[0]
    built = (site / version_page(history.slug, history.latest.id) / "index.html").read_bytes()
    assert "to present." in lxml.html.fromstring(built).xpath("//div[@class='pd-cite']//code")[0].text_content()


def test_captures_are_not_linked_when_not_published(histories) -> None:
    history = histories[0]
    page = render_policy(history, RenderSettings(captures=False)).files[src(timeline_page(history.slug))]
    assert "captures/" not in page and "pd-capture-file" not in page
    page = render_policy(history, RenderSettings(captures=True)).files[src(timeline_page(history.slug))]
    assert page.count("pd-capture-file") == len(history.captures)
