"""Every page type in a real browser, at a desktop's and a phone's width (issue 11): no
request to any other host, the left navigation where a reader needs it, nothing wider
than a phone, a printed change page whole. Screenshots of each go to tests/output/site/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from site_browser import Watch, require_chromium, serve
from site_support import BuiltSite

from policydiff import urls
from policydiff.archive import Archive
from policydiff.history import load_history

pytestmark = pytest.mark.browser
SLUG = "github-privacy-statement"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])
        yield instance
        instance.close()


def page_types(site: BuiltSite) -> dict[str, str]:
    history = load_history(Archive(site.archive), SLUG)
    change = history.changes[-1]
    return {
        "home": "",
        "policy": urls.policy_page(SLUG),
        "timeline": urls.timeline_page(SLUG),
        "change": urls.change_page(change),
        "section": urls.section_page(SLUG, change.lineage[0]),
        "compare": urls.compare_page(SLUG),
        "version": urls.version_page(SLUG, change.new.version),
    }


def opened(browser: Browser, origin: str, width: int) -> tuple[Page, Watch]:
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    page = context.new_page()
    watch = Watch(origin)
    watch.attach(page)
    return page, watch


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_type_stays_on_its_host_and_fits(
    browser: Browser, fixture_site: BuiltSite, output_dir: Path, width: int
) -> None:
    with serve(fixture_site.site) as origin:
        page, watch = opened(browser, origin, width)
        for name, path in page_types(fixture_site).items():
            page.goto(origin + path)
            page.wait_for_load_state("networkidle")
            if name == "compare":
                expect(page.locator(".pd-compare-summary")).to_be_visible()
            page.screenshot(path=output_dir / f"{name}-{width}.png", full_page=False)
            # nothing sideways: the page is no wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (name, width)
            if width == 1280 and name in {"change", "section", "compare", "policy"}:
                expect(page.locator(".md-sidebar--primary .md-nav--primary")).to_be_visible()
            if name == "timeline":
                for column in ("Change", "Flags", "Version", "In force"):
                    header = page.locator("article .pd-timeline th", has_text=column).first
                    expect(header).to_be_visible()
                    box = header.bounding_box()
                    assert box is not None and box["x"] + box["width"] <= width, (column, width)
        # no request to any other host, the site's own site_url included (Material used to
        # fetch a sitemap.xml next to every feed link)
        assert watch.outside_requests == [], watch.outside_requests
        assert watch.errors == [] and watch.dialogs == []


def test_a_printed_change_page_is_whole_and_says_what_it_is(browser: Browser, fixture_site: BuiltSite) -> None:
    path = page_types(fixture_site)["change"]
    with serve(fixture_site.site) as origin:
        page, watch = opened(browser, origin, 1280)
        page.goto(origin + path)
        page.wait_for_load_state("load")
        closed = page.locator("article details:not([open])").count()
        assert closed > 0  # unchanged sections and folds are collapsed on screen
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator("article details:not([open])").count() == 0
        head = page.locator(".pd-print-only").first
        expect(head).to_be_visible()
        expect(head).to_contain_text("GitHub Privacy Statement")
        expect(head).to_contain_text(origin + path)
        pdf = page.pdf()
        assert len(pdf) > 10_000
    assert watch.outside_requests == [] and watch.errors == []


def test_insertions_and_deletions_are_announced_and_marked_beyond_colour(
    browser: Browser, fixture_site: BuiltSite
) -> None:
    path = page_types(fixture_site)["change"]
    with serve(fixture_site.site) as origin:
        page, watch = opened(browser, origin, 1280)
        page.goto(origin + path)
        ins = page.locator(".pd-inline ins").first
        deleted = page.locator(".pd-inline del").first
        before = "(e, p) => getComputedStyle(e, p).content"
        assert "inserted" in ins.evaluate(f"e => ({before})(e, '::before')")
        assert "deleted" in deleted.evaluate(f"e => ({before})(e, '::before')")
        assert ins.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
        assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
        # the rendered text: lists and headings, no Markdown shown
        assert page.locator(".pd-inline :is(ul, ol) li").count() > 0
        assert "## " not in page.locator(".pd-inline").first.inner_text()
    assert watch.outside_requests == []


def test_a_search_typed_right_after_load_finds_a_policy_phrase(browser: Browser, fixture_site: BuiltSite) -> None:
    """Typed before the search index has loaded, the query still gets its results."""
    phrase = "Privacy Statement"
    with serve(fixture_site.site) as origin:
        page, watch = opened(browser, origin, 1280)
        page.goto(origin + urls.policy_page(SLUG), wait_until="commit")
        page.locator(".md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially(phrase, delay=10)
        results = page.locator(".md-search-result__item")
        expect(results.first).to_be_visible(timeout=15_000)
        expect(page.locator(".md-search-result")).to_contain_text(phrase)
        # change pages are excerpts of two versions: the versions are indexed, not them
        hrefs = page.locator(".md-search-result__link").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and not [h for h in hrefs if "/changes/" in h]
    assert watch.outside_requests == []
