"""Feed entries from a policy's history: a title, a one-line summary and sanitised HTML.

Captured text is hostile: every string that comes from a capture is escaped by `escape`
(`feed_html_text` in HTML, `xml_text` in plain-text fields), and the whole fragment then
goes through `escape.clean_html`, the allow-list the pages use. What a change is (flags,
labels, section names) is read from the history and worded by `wording`, as on the site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from ..diff import SectionChange
from ..escape import clean_html, feed_html_text, markdown_html, markdown_plain, xml_text
from ..history import Change, PolicyHistory
from ..history.significance import displayed_significance
from ..render.diffhtml import feed_blocks
from ..times import format_iso, format_stamp
from ..urls import change_page, section_page
from ..wording import (
    FLAG_TITLES,
    MATERIAL_TITLE,
    NOTE_TITLE,
    SIGNIFICANCE_TITLES,
    change_gist,
    day,
    entry_label,
    entry_title,
    flag_categories,
    flag_explanation,
    returned_to,
    shortened,
    shown_flags,
    word_counts,
)

# Tunables that bound an entry's size: a feed reader shows the gist, the change page the rest.
MAX_SECTION_CHARS = 3000  # characters of a section's diff HTML, context included
MAX_ENTRY_CHARS = 15000  # characters of diff HTML per entry, all sections together
MAX_SECTION_DIFFS = 10  # sections whose word diff is shown
MAX_TABLE_ROWS = 40  # sections listed in the summary table
MAX_TITLE_CHARS = 120
MAX_HEADLINE_TITLE_CHARS = 240  # an entry's title is its change's headline, cut here


def absolute(site_url: str, path: str) -> str:
    """A site path as an absolute URL; section ids may hold non-ASCII letters."""
    return site_url + quote(path, safe="/")


@dataclass(frozen=True)
class FeedEntry:
    id: str  # tag URI, stable forever
    title: str
    url: str  # absolute URL of the page the entry is about
    published: datetime  # when the new text was first captured
    summary: str  # plain text
    content_html: str  # sanitised
    categories: tuple[str, ...] = ()
    slug: str = ""


@dataclass(frozen=True)
class EntryContext:
    history: PolicyHistory
    site_url: str  # absolute, ending in "/"
    id_prefix: str  # "tag:host,2026:path/"
    section_titles: Mapping[str, str]  # lineage id -> latest title, as a reader sees it

    @property
    def name(self) -> str:
        return self.history.name


def section_title(section: SectionChange) -> str:
    return shortened(entry_title(section), MAX_TITLE_CHARS)


def diff_html(ops: Sequence[tuple[int, str]], budget: int = MAX_SECTION_CHARS) -> tuple[str, int]:
    """A section's word diff as rendered HTML a feed reader shows without any style: the
    text's headings, lists, tables and links with `<ins>`/`<del>` (see `render.diffhtml`),
    and its length.

    Unchanged runs are cut to a line of context around the edits; the HTML stops at a
    block boundary near `budget` characters with an ellipsis, however many edits there are.
    """
    if not any(op for op, _ in ops):
        return "", 0
    parts: list[str] = []
    used = 0
    for block in feed_blocks(ops):
        if used and used + len(block) > budget:
            parts.append("<p>[…]</p>")
            used += 9
            break
        parts.append(block)
        used += len(block)
    return "".join(parts), used


def _summary_table(sections: Sequence[SectionChange]) -> str:
    rows = "".join(
        f"<tr><td>{feed_html_text(section_title(s))}</td><td>{feed_html_text(entry_label(s))}</td>"
        f"<td>{word_counts(s.words_added, s.words_removed)}</td></tr>"
        for s in sections[:MAX_TABLE_ROWS]
    )
    if len(sections) > MAX_TABLE_ROWS:
        more = len(sections) - MAX_TABLE_ROWS
        what = f"{more} more section{'' if more == 1 else 's'}"
        rows += f"<tr><td>… {what}: see the change on the site</td><td></td><td></td></tr>"
    return f"<table><thead><tr><th>Section</th><th>Change</th><th>Words</th></tr></thead><tbody>{rows}</tbody></table>"


def flag_lines(change: Change, history: PolicyHistory) -> list[str]:
    """Each flag shown, as "Title. What it means." (the change page's words)."""
    return [f"{FLAG_TITLES[name]}. {flag_explanation(name, change, history)}" for name in shown_flags(change.flags)]


def _back_to(change: Change, history: PolicyHistory) -> str:
    if change.flags.reverts_to is None:
        return ""
    return f" (back to the text of {day(returned_to(change, history))})"


def _provenance(change: Change, context: EntryContext) -> str:
    capture = change.first_capture
    parts = [
        f"Captured {feed_html_text(format_iso(capture.captured_at).replace('T', ' ').replace('Z', ' UTC'))}",
        f"capture <code>{feed_html_text(capture.file)}</code>",
        f"sha256 <code>{feed_html_text(capture.sha256)}</code>",
    ]
    if capture.wayback_url:
        parts.append(f'<a href="{feed_html_text(capture.wayback_url)}">Wayback Machine copy</a>')
    if capture.source_url:
        parts.append(f'source <a href="{feed_html_text(capture.source_url)}">{feed_html_text(capture.source_url)}</a>')
    link = f'<a href="{absolute(context.site_url, change_page(change))}">See the whole change on the site</a>'
    return f"<p>{link}</p><p>{' · '.join(parts)}</p>"


def _section_diffs(sections: Sequence[SectionChange]) -> str:
    parts = []
    used_total = 0
    shown = [s for s in sections if s.status != "unchanged" and any(op for op, _ in s.diff)]
    for section in shown[:MAX_SECTION_DIFFS]:
        budget = min(MAX_SECTION_CHARS, MAX_ENTRY_CHARS - used_total)
        if budget <= 0:
            break
        body, used = diff_html(section.diff, budget)
        used_total += used
        words = word_counts(section.words_added, section.words_removed)
        heading = f"{feed_html_text(section_title(section))} ({feed_html_text(entry_label(section))}, {words} words)"
        parts.append(f"<h3>{heading}</h3>{body}")
    left = len(shown) - len(parts)
    if left:
        parts.append(f"<p>{left} more changed section{'' if left == 1 else 's'}: see the change on the site.</p>")
    return "".join(parts)


def material_prefix(change: Change) -> str:
    return f"{MATERIAL_TITLE}: " if change.material else ""


def entry_id(change: Change, context: EntryContext) -> str:
    """The capture's identity (time and sha256), not the version's: a better extractor must not
    make an old change look new. The time is there because a return to an earlier text can be
    the very same bytes as an earlier capture."""
    return change_entry_id(change, context.id_prefix)


def change_entry_id(change: Change, id_prefix: str) -> str:
    capture = change.first_capture
    return f"{id_prefix}{change.slug}/{format_stamp(capture.captured_at)}-{capture.sha256}"


def publisher_html(change: Change) -> str:
    """The editor's note (Markdown through the one allow-list) and the effective date, first
    in an entry. Worded without the build date, so an entry never changes when a day passes."""
    parts = []
    if change.note is not None:
        title = NOTE_TITLE + (f" · {MATERIAL_TITLE}" if change.material else "")
        parts.append(
            f"<p><strong>{feed_html_text(title)}</strong></p><blockquote>{markdown_html(change.note.text)}</blockquote>"
        )
    if change.effective:
        parts.append(f"<p><strong>{feed_html_text(_effective_line(change))}</strong></p>")
    return "".join(parts)


def _effective_line(change: Change) -> str:
    notice = change.notice_days
    if not notice:
        return f"Effective {change.effective}."
    return f"Effective {change.effective}, {notice} day{'' if notice == 1 else 's'} after it was first captured."


def publisher_summary(change: Change) -> list[str]:
    words = []
    if change.note is not None:
        words.append(f"{NOTE_TITLE}: {shortened(markdown_plain(change.note.text), 300)}")
    if change.effective:
        words.append(_effective_line(change))
    return words


def change_entry(change: Change, context: EntryContext) -> FeedEntry:
    """The entry of a policy feed (and of the site-wide and term feeds) for one change:
    titled by its headline, its significance and reasons first."""
    history = context.history
    summary = change.diff.summary
    what = change_gist(change.diff, change.flags)
    level = displayed_significance(change)
    headline = change.headline or what
    changed = [s for s in change.diff.sections if s.status != "unchanged"]
    flags = flag_lines(change, history)
    words = f"{word_counts(summary.words_added, summary.words_removed)} words"
    body = [
        publisher_html(change),
        f"<p><strong>{feed_html_text(SIGNIFICANCE_TITLES[level])}</strong>: {feed_html_text(headline)}</p>",
        f"<p>{feed_html_text(what)} · {words}</p>",
    ]
    if change.reasons:
        body.append("<ul>" + "".join(f"<li>{feed_html_text(r)}</li>" for r in change.reasons) + "</ul>")
    body += [f"<p><strong>{feed_html_text(flag)}</strong></p>" for flag in flags]
    if changed:
        body.append(_summary_table(changed))
        body.append(_section_diffs(changed))
    body.append(_provenance(change, context))
    return FeedEntry(
        id=entry_id(change, context),
        title=xml_text(
            f"{context.name}: {material_prefix(change)}{shortened(headline, MAX_HEADLINE_TITLE_CHARS)}"
            f"{_back_to(change, history)}"
        ),
        url=absolute(context.site_url, change_page(change)),
        published=change.published,
        summary=xml_text(
            " ".join(
                [*publisher_summary(change), f"{SIGNIFICANCE_TITLES[level]}: {headline}", f"{what}, {words}.", *flags]
            )
        ),
        content_html=clean_html("".join(body)),
        categories=tuple(
            dict.fromkeys(
                (
                    *(("material",) if change.material else ()),
                    *flag_categories(change.flags),
                    level,
                    *(f"term: {t}" for t in change.terms),
                )
            )
        ),
        slug=change.slug,
    )


def section_entry(
    change: Change, sections: Sequence[SectionChange], lineage_id: str, context: EntryContext
) -> FeedEntry:
    """The entry of a section's feed: what this change did to that section (several pieces
    when the diff saw it removed and added again, split or merged)."""
    history = context.history
    title = context.section_titles.get(lineage_id) or section_title(sections[0])
    status = "; ".join(dict.fromkeys(entry_label(s) for s in sections))
    added = sum(s.words_added for s in sections)
    removed = sum(s.words_removed for s in sections)
    words = f"{word_counts(added, removed)} words"
    flags = flag_lines(change, history)
    body = [
        publisher_html(change),
        f"<p><strong>{feed_html_text(title)}: {feed_html_text(status)}</strong> · {words}</p>",
    ]
    body += [f"<p><strong>{feed_html_text(flag)}</strong></p>" for flag in flags]
    budget = MAX_ENTRY_CHARS
    for section in sections:
        body_html, used = diff_html(section.diff, min(MAX_SECTION_CHARS, budget))
        budget = max(budget - used, 0)
        body.append(body_html)
    section_link = absolute(context.site_url, section_page(change.slug, lineage_id))
    body.append(f'<p><a href="{section_link}">This section’s history</a></p>')
    body.append(_provenance(change, context))
    whole = change_gist(change.diff, change.flags)
    return FeedEntry(
        id=f"{entry_id(change, context)}/{quote(lineage_id, safe='')}",
        title=xml_text(f"{context.name} — {title}: {status}"),
        url=absolute(context.site_url, change_page(change)),
        published=change.published,
        summary=xml_text(f"{title}: {status}, {words}. {whole} in the whole policy."),
        content_html=clean_html("".join(body)),
        categories=(("trivial",) if all(s.trivial for s in sections) else ()),
        slug=change.slug,
    )
