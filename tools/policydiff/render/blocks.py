"""Building blocks every page uses: paths and links between generated pages, front matter,
headings with stable anchors, raw HTML blocks, feed links, a version's text, provenance rows.

Links between generated pages are relative `.md` links in Markdown, so MkDocs checks them
and every builder rewrites them; captured text goes through `escape` (see there why it is
safe) and reader-facing words come from `wording`.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import yaml

from .. import urls
from ..diff import Section
from ..escape import external_link, html_text, markdown_html, md_text, plain_title, safe_url
from ..history import Change, PolicyHistory
from ..history.significance import displayed_significance
from ..models import Capture
from ..times import format_iso
from ..wording import MATERIAL_TITLE, NOTE_TITLE, SIGNIFICANCE_SHORT, change_summary, day, section_name, shortened

FEED_FILES = (
    ("Atom", "atom.xml", "application/atom+xml"),
    ("RSS", "rss.xml", "application/rss+xml"),
    ("JSON Feed", "feed.json", "application/feed+json"),
)


@dataclass(frozen=True)
class RenderSettings:
    """What a builder chooses about the pages (the history decides everything else)."""

    feeds: bool = True  # the feeds are written: pages link to them
    latest_changes: int = 15  # changes listed on the overview
    latest_min_significance: str = "trivial"  # the least significant change the overview lists
    captures: bool = False  # the raw captures are published with the site (`urls.capture_file`)
    site_url: str = ""  # the site's absolute address, for the stable URLs versions are cited by
    feeds_floor: str = "minor"  # the feeds' `feeds_min_significance`: which section feeds have entries

    def key(self) -> str:
        return (
            f"feeds={self.feeds};latest={self.latest_changes};min={self.latest_min_significance};"
            f"captures={self.captures};url={self.site_url};floor={self.feeds_floor}"
        )


DEFAULT_RENDER = RenderSettings()


def significance_badge(level: str) -> str:
    """A change's significance as inline HTML: its word, not only its colour."""
    return f'<span class="pd-sig pd-sig-{level}">{SIGNIFICANCE_SHORT[level]}</span>'


HEADLINE_CHARS = 240  # of a headline in a table cell; the change page has all of it


def headline_text(change: Change) -> str:
    """A change's headline for a table cell (its summary when it has none), as Markdown text."""
    return md_text(shortened(change.headline or change_summary(change.diff), HEADLINE_CHARS))


def changes_table(changes: Iterable[tuple[Change, PolicyHistory]], page: str) -> str:
    """A table of changes across policies (home page, watched-term pages): date, policy,
    significance and the headline linking to the change page."""
    out = ["| Date | Policy | Significance | Change |\n|---|---|---|---|\n"]
    for change, history in changes:
        link = rel(page, src(urls.change_page(change)))
        headline = headline_text(change)
        if change.material:
            headline = f"{MATERIAL_TITLE}: {headline}"
        level = significance_badge(displayed_significance(change))
        out.append(f"| {day(change.published)} | {md_text(history.name)} | {level} | [{headline}]({link}) |\n")
    return "".join(out)


def src(page_dir: str) -> str:
    """The Markdown source of a page directory from `urls` (`policies/x/` -> `policies/x/index.md`)."""
    return page_dir + "index.md"


def rel(from_src: str, to_path: str) -> str:
    return posixpath.relpath(to_path, posixpath.dirname(from_src) or ".")


def span(start: datetime, end: datetime) -> str:
    """`2020-01-01 → 2020-03-01`, or one date when a period lasted a day."""
    return day(start) if day(start) == day(end) else f"{day(start)} → {day(end)}"


def front_matter(title: str, *, search_exclude: bool = False, hide: Sequence[str] = ()) -> str:
    meta: dict[str, object] = {"title": plain_title(title)}
    if hide:
        meta["hide"] = list(hide)
    if search_exclude:
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"


def anchor(section_id: str) -> str:
    """An HTML id for a section: its stable id when that is a plain slug."""
    if section_id and all(c.isalnum() or c in "-_" for c in section_id) and not section_id.startswith("pd--"):
        return section_id
    return "s-" + hashlib.sha1(section_id.encode("utf-8")).hexdigest()[:12]


def heading(level: int, title: str, anchor_id: str, classes: str = "") -> str:
    marks = "#" * max(1, min(level, 6))
    attrs = f"#{anchor_id}" + (f" {classes}" if classes else "")
    return f"{marks} {md_text(title) or 'Untitled'} {{ {attrs} }}\n\n"


def raw_block(html_fragment: str) -> str:
    """A raw HTML block: alone on its line, blank lines around it."""
    return f"\n{html_fragment}\n\n"


def feed_links(
    page_src: str,
    settings: RenderSettings,
    slug: str | None = None,
    section: str | None = None,
    *,
    directory: str | None = None,
) -> str:
    """Subscribe links to a page's feed (written by the feeds step at `urls.feed_dir`, or at
    `directory`); raw HTML because feeds are not Markdown pages, so MkDocs must not try to
    resolve them."""
    if not settings.feeds:
        return ""
    base = directory or urls.feed_dir(slug, section)
    links = " · ".join(
        f'<a href="{rel(page_src, base + name)}" class="pd-feed" type="{kind}">{label}</a>'
        for label, name, kind in FEED_FILES
    )
    return raw_block(f'<p class="pd-feeds"><span class="pd-feeds-label">Subscribe:</span> {links}</p>')


def note_block(change: Change) -> str:
    """The editor's note of a change as an admonition (raw HTML: the note is Markdown from the
    archive, rendered only through `escape.markdown_html`), marked when the change is material."""
    if change.note is None:
        return ""
    title = NOTE_TITLE + (f' · <span class="pd-material">{MATERIAL_TITLE}</span>' if change.material else "")
    kind = "warning" if change.material else "note"
    return raw_block(
        f'<div class="admonition {kind} pd-note"><p class="admonition-title">{title}</p>'
        f"{markdown_html(change.note.text)}</div>"
    )


def toggle() -> str:
    return raw_block(
        '<div class="pd-toolbar"><button type="button" class="md-button pd-toggle" aria-pressed="false">'
        "Side by side</button></div>"
    )


def body_without_heading(section: Section) -> str:
    if section.level > 0 and section.title:
        return section.text.split("\n", 1)[1] if "\n" in section.text else ""
    return section.text


def text_markdown(sections: Iterable[Section], *, markers: dict[str, str] | None = None, base_level: int = 1) -> str:
    """A version's text: each section a heading with a permalink (the TOC follows it), its
    body cleaned HTML; `markers` maps section id -> Markdown shown under the heading."""
    out = []
    for section in sections:
        if section.level > 0 and section.title:
            out.append(
                heading(section.level + base_level, section_name(section.title), anchor(section.id), ".pd-section")
            )
            if markers and section.id in markers:
                out.append(markers[section.id] + "\n\n")
        body = body_without_heading(section)
        if body.strip():
            out.append(raw_block(f'<div class="pd-text">{markdown_html(body)}</div>'))
    return "".join(out)


PROVENANCE_HEAD = "| Captured | Version | File | SHA-256 | Archived copy |\n|---|---|---|---|---|\n"


def capture_link(history: PolicyHistory, page: str, file: str, settings: RenderSettings | None) -> str:
    """A capture's file name, linked to its published raw file when captures are published
    (a Markdown link, so the builder checks it resolves)."""
    if settings is None or not settings.captures or history.capture(file) is None:
        return md_text(file)
    return f"[{md_text(file)}]({rel(page, urls.capture_file(history.slug, file))}){{: .pd-capture-file }}"


def provenance_row(
    history: PolicyHistory,
    page: str,
    vid: str,
    file: str,
    capture: Capture | None,
    settings: RenderSettings | None = None,
) -> str:
    version = rel(page, src(urls.version_page(history.slug, vid)))
    if capture is None:
        return f"| ? | [{vid}]({version}) | {md_text(file)} | | |\n"
    archived = external_link(capture.wayback_url, "Wayback Machine") if capture.wayback_url else ""
    if not archived and safe_url(capture.source_url):
        archived = "source: " + external_link(capture.source_url, capture.source_url)
    sha = f'<code class="pd-sha" title="{html_text(capture.sha256)}">{html_text(capture.sha256[:16])}…</code>'
    file_cell = capture_link(history, page, capture.file, settings)
    return f"| {format_iso(capture.captured_at)} | [{vid}]({version}) | {file_cell} | {sha} | {archived} |\n"
