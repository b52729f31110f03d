"""A reader's path through the built site in a real browser, and a hostile capture that
must not get to run anything or make the browser fetch anything."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sys
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright
from site_browser import Watch, require_chromium, serve
from site_support import REPO, BuiltSite

from history_fixtures import history_of
from policydiff import urls
from policydiff.archive import Archive
from policydiff.diff import SectionChange, align, diff_versions
from policydiff.history import PolicyHistory, load_history
from policydiff.render import asset_files, diffhtml
from policydiff.render.compare import compare_config, compare_data
from policydiff.wording import FLAG_TITLES, entry_label, shown_flags

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])
        yield instance
        instance.close()


SITE_URL = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]


def open_page(browser: Browser, origin: str, site: Path | None = None) -> tuple[Page, Watch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    watch = Watch(origin, site, SITE_URL)
    watch.attach(page)
    return page, watch


def test_reader_path_home_policy_change_toggle_compare(
    browser: Browser, fixture_site: BuiltSite, output_dir: Path
) -> None:
    archive = Archive(fixture_site.archive)
    slug = "github-privacy-statement"
    change = load_history(archive, slug).changes[-1]
    with serve(fixture_site.site) as origin:
        page, watch = open_page(browser, origin, fixture_site.site)
        page.goto(origin)
        expect(page.locator("article table").first).to_contain_text("GitHub Privacy Statement")
        expect(page.locator("article")).to_contain_text("ZWSOFT privacy policy")
        page.screenshot(path=output_dir / "home.png")

        page.locator("article a", has_text="GitHub Privacy Statement").first.click()
        page.wait_for_url(origin + urls.policy_page(slug))
        expect(page.locator("h1")).to_contain_text("GitHub Privacy Statement")
        expect(page.locator("a.pd-changed").first).to_be_visible()
        page.screenshot(path=output_dir / "policy.png")

        page.goto(origin + urls.policy_page("zwsoft-privacy-policy"))
        expect(page.locator(".admonition")).to_contain_text("One version so far")
        expect(page.locator("article")).to_contain_text("Technical Support")
        page.screenshot(path=output_dir / "zwsoft.png", full_page=False)

        page.goto(origin + urls.change_page(change))
        inline = page.locator(".pd-diff .pd-inline").first
        expect(inline).to_be_visible()
        expect(page.locator(".pd-sbs").first).to_be_hidden()
        assert page.locator(".pd-inline ins").count() > 0
        # insertions and deletions are marked by more than colour
        decoration = "e => getComputedStyle(e).textDecorationLine"
        assert page.locator(".pd-inline ins").first.evaluate(decoration) == "underline"
        assert page.locator(".pd-inline del").first.evaluate(decoration) == "line-through"
        page.locator(".pd-toggle").first.click()
        expect(page.locator(".pd-sbs").first).to_be_visible()
        expect(inline).to_be_hidden()
        expect(page.locator(".pd-sbs .pd-old").first).to_contain_text(change.old.version)
        page.locator(".pd-diff").first.scroll_into_view_if_needed()
        page.screenshot(path=output_dir / "change-side-by-side.png")

        lineage = change.lineage[0]
        page.goto(origin + urls.section_page(slug, lineage))
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=output_dir / "section-history.png")

        versions = archive.versions(slug)
        current = load_history(archive, slug).latest
        assert current is not None and current.id != versions[0].id
        page.goto(origin + urls.version_page(slug, versions[0].id))
        page.locator("article a", has_text="Compare with the current version").click()
        page.wait_for_url(f"**/{urls.compare_page(slug)}index.html?from={versions[0].id}")
        expect(page.locator("select[name=from]")).to_have_value(versions[0].id)
        expect(page.locator("select[name=to]")).to_have_value(current.id)

        page.goto(origin + urls.compare_page(slug))
        page.locator("select[name=from]").select_option(versions[0].id)
        page.locator("select[name=to]").select_option(versions[1].id)
        page.locator("button.pd-compare-go").click()
        summary = page.locator(".pd-compare-summary")
        expect(summary).to_contain_text("sections differ")
        assert page.locator(".pd-compare-result ins").count() > 0
        assert page.locator(".pd-compare-result del").count() > 0
        assert f"from={versions[0].id}" in page.url
        page.screenshot(path=output_dir / "compare.png")
        assert watch.dialogs == [] and watch.outside_requests == [] and watch.errors == []


def test_hostile_capture_runs_nothing_and_fetches_nothing(
    browser: Browser, fixture_site: BuiltSite, output_dir: Path
) -> None:
    """Every page of the hostile policy, plus a search for its text: no dialog fires, no
    request leaves the site, no script error."""
    archive = Archive(fixture_site.archive)
    slug = "evil-policy"
    changes = load_history(archive, slug).changes
    assert len(changes) == 2
    paths = [urls.policy_page(slug), urls.timeline_page(slug), urls.compare_page(slug)]
    paths += [urls.change_page(c) for c in changes]
    paths += [urls.version_page(slug, v.id) for v in archive.versions(slug)]
    paths += sorted({urls.section_page(slug, lid) for c in changes for lid in c.lineage})
    with serve(fixture_site.site) as origin:
        page, watch = open_page(browser, origin, fixture_site.site)
        for path in paths:
            page.goto(origin + path)
            page.wait_for_load_state("load")
            for toggle in page.locator(".pd-toggle").all()[:1]:
                toggle.click()
            for details in page.locator("details").all():
                details.evaluate("d => d.open = true")
            page.mouse.move(300, 300)
            if path == urls.compare_page(slug):
                expect(page.locator(".pd-compare-summary")).to_be_visible()
        page.goto(origin + urls.change_page(changes[0]))
        page.screenshot(path=output_dir / "hostile-change.png", full_page=True)
        page.goto(origin + urls.policy_page(slug))
        page.screenshot(path=output_dir / "hostile-policy.png", full_page=True)
        # Material's search renders results from the index: search the hostile text
        page.wait_for_load_state("networkidle")
        page.locator(".md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially("Trojan", delay=30)
        results = page.locator(".md-search-result__item")
        expect(results.first).to_be_visible()
        # versions are indexed (change pages are not): their hostile text shows as text
        expect(page.locator(".md-search-result")).to_contain_text("<script>alert('code')</script>")
        page.screenshot(path=output_dir / "hostile-search.png")
        body = page.content()
        assert "\u202e" not in body
    assert watch.dialogs == []
    assert watch.outside_requests == []
    assert watch.errors == []


def test_the_watch_sees_dialogs_and_outside_requests(browser: Browser, tmp_path: Path) -> None:
    """The harness can fail: a page that does what a hostile capture would, is caught."""
    (tmp_path / "index.html").write_text(
        "<img src='https://evil.example/pixel.png'><script>alert('caught')</script>", encoding="utf-8"
    )
    with serve(tmp_path) as origin:
        page, watch = open_page(browser, origin)
        page.goto(origin)
        page.wait_for_load_state("load")
    assert watch.dialogs == ["alert: caught"]
    assert watch.outside_requests == ["https://evil.example/pixel.png"]


def entry(c: SectionChange) -> tuple[str, str, str]:
    return (c.status, " ".join(c.old_ids), " ".join(c.new_ids))


def marked(c: SectionChange) -> tuple[str, str]:
    """The words a section's diff marks: (inserted, deleted), as `diff_versions` has them."""
    return "".join(t for op, t in c.diff if op > 0), "".join(t for op, t in c.diff if op < 0)


def shown_marks(page: Page) -> list[tuple[str, str]]:
    """The words each compared section marks inserted and deleted, in its inline view."""
    read = (
        "els => els.map(e => [Array.from(e.querySelectorAll('.pd-inline ins')).map(x => x.textContent).join(''),"
        " Array.from(e.querySelectorAll('.pd-inline del')).map(x => x.textContent).join('')])"
    )
    return [tuple(pair) for pair in page.locator(".pd-compare-section").evaluate_all(read)]  # type: ignore[misc]


def shown_html(page: Page) -> list[str]:
    """Each compared section's inline view, as the browser holds it."""
    return page.locator(".pd-compare-section .pd-inline").evaluate_all("els => els.map(e => e.innerHTML)")


def server_html(page: Page, entries: list[SectionChange]) -> list[str]:
    """What the change page shows for each entry (`render.diffhtml`), read by the same browser."""
    read = "hs => hs.map(h => { const t = document.createElement('div'); t.innerHTML = h; return t.innerHTML; })"
    return page.evaluate(read, [diffhtml.inline_diff(c.diff) for c in entries])


def shown_labels(page: Page) -> list[str]:
    return page.locator(".pd-compare-section").evaluate_all("els => els.map(e => e.dataset.label)")


def compare_rows(page: Page, old: str, new: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Compare two versions on the open compare page, as a reader does: (status, old ids,
    new ids) of the sections it shows, in order, then of those it folds away as unchanged."""
    page.locator("select[name=from]").select_option(old)
    page.locator("select[name=to]").select_option(new)
    page.locator("button.pd-compare-go").click()
    # rendering a diff is per character: a 56,000-word section takes seconds on a busy machine
    expect(page.locator(f'.pd-compare-result[data-compared="{old} {new}"]')).to_be_attached(timeout=60_000)
    read = "els => els.map(e => [e.dataset.status, e.dataset.oldIds, e.dataset.newIds])"
    shown = [tuple(row) for row in page.locator(".pd-compare-section").evaluate_all(read)]
    folded = [tuple(row) for row in page.locator(".pd-compare-unchanged li").evaluate_all(read)]
    return shown, folded


def test_compare_page_aligns_sections_as_the_python_diff(
    browser: Browser, fixture_site: BuiltSite, output_dir: Path
) -> None:
    """GitHub's statement from December 2023 to March 2026 (the 2024 restructure and later
    edits): the browser pairs the sections as `diff_versions` does, including a section
    renamed and reworded, moved ones and a split, in the change pages' reading order."""
    archive = Archive(fixture_site.archive)
    slug = "github-privacy-statement"
    versions = archive.versions(slug)
    old, new = versions[0], versions[-1]
    expected = diff_versions(archive.version_text(old), archive.version_text(new))
    statuses = [c.status for c in expected.sections]
    # the pair shows what this test is about
    assert "renamed" in statuses and "moved" in statuses and any(c.note for c in expected.sections)

    with serve(fixture_site.site) as origin:
        page, watch = open_page(browser, origin, fixture_site.site)
        page.goto(origin + urls.compare_page(slug))
        shown, folded = compare_rows(page, old.id, new.id)
        assert shown == [entry(c) for c in expected.sections if c.status != "unchanged"]
        assert folded == [entry(c) for c in expected.sections if c.status == "unchanged"]
        changed = len(expected.sections) - statuses.count("unchanged")
        expect(page.locator(".pd-compare-summary")).to_contain_text(
            f"{changed} of {len(expected.sections)} sections differ"
        )
        renamed = next(c for c in expected.sections if c.status == "renamed")
        badge = page.locator(f'.pd-compare-section[data-new-ids="{renamed.new_id}"] .pd-badge')
        expect(badge).to_contain_text(f"renamed from “{renamed.old_title}”")
        split = next(c for c in expected.sections if c.note)
        expect(page.locator(f'.pd-compare-section[data-old-ids="{split.old_id}"] .pd-badge')).to_contain_text(
            split.note or ""
        )
        # Not a change of the history: the browser words the labels itself, as wording does
        # (whether an edit is trivial is the classifier's, so it is not said here), and marks
        # the very words the Python diff marks.
        changed_entries = [c for c in expected.sections if c.status != "unchanged"]
        expected_labels = [entry_label(dataclasses.replace(c, trivial=False)) for c in changed_entries]
        assert shown_labels(page) == expected_labels
        assert shown_html(page) == server_html(page, changed_entries)
        assert len(shown_marks(page)) == len(changed_entries)
        # labelled by date, with the change page's table of contents above the sections
        first = page.locator("select[name=from] option").first.text_content() or ""
        assert re.match(r"\d{4}-\d{2}-\d{2}", first), first
        assert page.locator(".pd-compare-contents tbody tr").count() == len(changed_entries)
        assert page.locator(".pd-compare-flags").count() == 0
        page.locator(f'.pd-compare-section[data-new-ids="{renamed.new_id}"]').scroll_into_view_if_needed()
        page.screenshot(path=output_dir / "compare-renamed.png")
    assert watch.dialogs == [] and watch.outside_requests == [] and watch.errors == []


def test_compare_page_matches_every_change_of_the_bundled_archive(browser: Browser, bundled_site: BuiltSite) -> None:
    """Each change of each bundled policy, run on the compare page, gives the sections,
    statuses, labels, flags and marked words of its change page (GitHub's and Google's
    restructures included)."""
    archive = Archive(bundled_site.archive)
    checked = 0
    with serve(bundled_site.site) as origin:
        page, watch = open_page(browser, origin, bundled_site.site)
        for slug in archive.slugs():
            history = load_history(archive, slug)
            if history.changes:
                page.goto(origin + urls.compare_page(slug))
            for change in history.changes:
                where = (slug, change.number)
                shown, folded = compare_rows(page, change.old.version, change.new.version)
                sections = change.diff.sections
                changed = [c for c in sections if c.status != "unchanged"]
                assert shown == [entry(c) for c in changed], where
                assert folded == [entry(c) for c in sections if c.status == "unchanged"], where
                assert shown_labels(page) == [entry_label(c) for c in changed], where
                # the very rendering of the change page: the same words marked in the same text
                assert shown_html(page) == server_html(page, changed), where
                flags = page.locator(".pd-compare-flags")
                assert flags.get_attribute("data-flags") == " ".join(change.flags.names), where
                titles = flags.locator(".pd-flag strong").all_text_contents()
                assert titles == [FLAG_TITLES[name] for name in shown_flags(change.flags)], where
                checked += 1
    assert checked >= 60
    assert watch.dialogs == [] and watch.outside_requests == [] and watch.errors == []


def static_compare_site(root: Path, history: PolicyHistory) -> Path:
    """The compare page alone (its JSON, the assets, a bare page): what the script does
    with a history built directly, without a site build."""
    for path, content in {**asset_files(), **compare_data(history)}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assets = "../../../assets/policy-diff/"
    names = ("dmp-shim.js", "diff_match_patch.js", "policy-diff.js")
    scripts = "".join(f'<script src="{assets}{name}"></script>' for name in names)
    page = (
        '<!doctype html><html><head><meta charset="utf-8"></head><body><div class="pd-compare" '
        f'data-index="versions.json" data-changes="changes.json" data-config="{assets}compare.json"></div>'
        f"{scripts}</body></html>"
    )
    (root / urls.compare_page(history.slug) / "index.html").write_text(page, encoding="utf-8")
    return root


def test_compare_page_codes_words_past_the_surrogates_as_python_does(browser: Browser, tmp_path: Path) -> None:
    """A section with more distinct words than there are code points below U+D800: Python
    gives the later words codes after the surrogate range; so must the page, or its diff
    would not be the change page's."""
    words = [f"w{n}" for n in range(56_000)]
    old = "# Policy\n\n" + " ".join(words) + "\n"
    new = old.replace(" w100 ", " x100 ").replace(" w55900 ", " x55900 ")
    history = history_of("big", [old, new], name="Big")
    (change,) = history.changes
    (modified,) = [c for c in change.diff.sections if c.status != "unchanged"]
    assert marked(modified) == ("x100x55900", "w100w55900")
    with serve(static_compare_site(tmp_path, history)) as origin:
        page, watch = open_page(browser, origin)
        page.goto(origin + urls.compare_page("big"))
        compare_rows(page, change.old.version, change.new.version)
        assert shown_html(page) == server_html(page, [modified])
        assert shown_marks(page) == [marked(modified)]
    assert watch.errors == [] and watch.outside_requests == []


def test_compare_page_scores_only_min_hash_candidates_as_python_does(browser: Browser, tmp_path: Path) -> None:
    """Two sections similar enough to pair (shingle Dice 0.72, word similarity 0.72) whose
    shared shingles all hash above their own: they share no min-hash, so Python does not
    consider them and reports one removed and one added; the page must too (it scored every
    pair before, and paired them as renamed)."""
    rng = random.Random(7)

    def run(first: str, count: int, accept: Callable[[int], bool]) -> list[str]:
        out = [first]
        while len(out) < count:
            candidate = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 8)))
            if accept(zlib.crc32(f"{out[-1]} {candidate}".encode())):
                out.append(candidate)
        return out

    shared = run("shared", 120, lambda h: h >= 1 << 31)
    intro = "# Policy\n\nThis policy explains how we handle the personal data of our users.\n\n"
    alpha = "## Alpha section\n\n" + " ".join(run("alphaword", 45, lambda h: h < 1 << 29) + shared) + ".\n\n"
    beta = "## Beta section\n\n" + " ".join(run("betaword", 45, lambda h: h < 1 << 29) + shared) + ".\n\n"
    # A section between them on each side, so that they do not sit between the same two
    # pairs: the pass that pairs a left-over section with the run of left-overs in the same
    # gap (headings added or taken away) does not apply, and only the similar-text pass could.
    contact = "## Contact\n\nWrite to us at the address below if you have any question about this policy.\n\n"
    old = intro + alpha + contact
    new = intro + contact + beta
    history = history_of("sketch", [old, new], name="Sketch")
    (change,) = history.changes
    assert [c.status for c in change.diff.sections] == ["unchanged", "removed", "unchanged", "added"]
    with serve(static_compare_site(tmp_path, history)) as origin:
        page, watch = open_page(browser, origin)
        page.goto(origin + urls.compare_page("sketch"))
        shown, _unchanged = compare_rows(page, change.old.version, change.new.version)
        assert shown == [entry(c) for c in change.diff.sections if c.status != "unchanged"]
    assert watch.errors == [] and watch.outside_requests == []


def test_compare_config_is_the_python_constants() -> None:
    """compare.json carries the constants of the modules that define them, and the word
    class it gives the script is Python's \\w, checked over every code point."""
    config = json.loads(compare_config())
    assert config["align"] == {
        "prefilter_dice": align.PREFILTER_DICE,
        "match_ratio": align.MATCH_RATIO,
        "attach_containment": align.ATTACH_CONTAINMENT,
        "sketch": align.SKETCH,
    }
    assert config["fold"] == {"at": diffhtml.FOLD_AT, "keep": diffhtml.KEEP}
    assert config["tokens"]["first_code"] == 0x100 and config["tokens"]["surrogates"] == [0xD800, 0xE000]
    assert config["tokens"]["word"] == r"\p{L}\p{N}_"
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    words = set(re.findall(r"\w", every))
    assert words == {c for c in every if unicodedata.category(c)[0] in "LN" or c == "_"}
    spaces = {chr(int(code, 16)) for code in re.findall(r"\\u\{([0-9A-F]+)\}", config["tokens"]["space"])}
    assert spaces == set(re.findall(r"\s", every))
