"""Feed entries from change records: a title, a one-line summary and sanitised HTML content.

Captured text is hostile: every string that comes from a capture is HTML-escaped here, the
whole fragment then goes through nh3's allow-list, and the characters XML 1.0 forbids (NUL and
other C0 controls occur in old captures) are removed so no feed serialiser can choke on them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import nh3

from ..changes import Change
from ..diff import PolicyDiff, SectionChange
from ..times import format_iso, format_stamp
from ..urls import change_page, section_page

# Tunables that bound an entry's size: a feed reader shows the gist, the change page the rest.
CONTEXT_WORDS = 12  # unchanged words kept around each edit
MAX_SECTION_CHARS = 3000  # characters of a section's diff HTML, context included
MAX_ENTRY_CHARS = 15000  # characters of diff HTML per entry, all sections together
MAX_SECTION_DIFFS = 10  # sections whose word diff is shown
MAX_TABLE_ROWS = 40  # sections listed in the summary table
MAX_TITLE_CHARS = 120

ALLOWED_TAGS = {"p", "br", "a", "code", "strong", "em", "ins", "del", "h3", "ul", "li"}
ALLOWED_TAGS |= {"table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https"}

# XML 1.0 forbids C0 controls but tab/newline/CR, surrogates and U+FFFE/U+FFFF; it discourages
# the C1 controls, which in captures are only ever mojibake. NEL (U+0085) is kept as a space.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"^#+\s*|(?<!\w)[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}(?!\w)")


def absolute(site_url: str, path: str) -> str:
    """A site path as an absolute URL; section ids may hold non-ASCII letters."""
    return site_url + quote(path, safe="/")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot hold."""
    return _XML_UNSAFE.sub("", text.replace("\x85", " "))


def sanitise_html(fragment: str) -> str:
    """The allow-list every entry's HTML passes through, whatever produced it."""
    cleaned = nh3.clean(
        xml_safe(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return xml_safe(cleaned)


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
    """What an entry needs besides the change: the policy's name and where the site lives."""

    name: str
    site_url: str  # absolute, ending in "/"
    id_prefix: str  # "tag:host,2026:path/"
    section_titles: Mapping[str, str]  # lineage id -> latest title


def is_trivial(diff: PolicyDiff) -> bool:
    """A change a subscriber is not told about by default: whitespace, punctuation, a date,
    markup only (every changed section is trivial, or none changed)."""
    if diff.summary.trivial or diff.summary.date_only:
        return True
    return all(s.trivial for s in diff.sections if s.status != "unchanged")


def section_is_substantive(section: SectionChange) -> bool:
    if section.status == "unchanged" or section.trivial:
        return False
    # A section that only moved has the same words: nothing to read for its subscribers.
    return not (section.status == "moved" and not section.words_added and not section.words_removed)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe(diff: PolicyDiff) -> str:
    """A title's gist, like "3 sections changed, 1 added", or what a trivial change was."""
    summary = diff.summary
    counts = [
        (summary.modified, "changed"),
        (summary.added, "added"),
        (summary.removed, "removed"),
        (summary.renamed, "renamed"),
        (summary.moved, "moved"),
    ]
    parts = [(n, word) for n, word in counts if n]
    if summary.date_only:
        return "only the stated date changed"
    if not parts:
        return "markup-only change"
    first_n, first_word = parts[0]
    text = [f"{_plural(first_n, 'section')} {first_word}"]
    text += [f"{n} {word}" for n, word in parts[1:]]
    described = ", ".join(text)
    return f"{described} (trivial)" if is_trivial(diff) else described


def _words(section: SectionChange) -> str:
    return f"+{section.words_added} −{section.words_removed}"


def _short(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain_title(title: str | None) -> str:
    """A heading as a reader sees it: Markdown links and emphasis markers dropped."""
    text = _MD_LINK.sub(r"\1", title or "")
    text = _MD_MARKS.sub("", text).strip()
    return _short(text) if text else "Introduction"


def section_title(section: SectionChange) -> str:
    return plain_title(section.new_title if section.new_title is not None else section.old_title)


def _status_text(section: SectionChange) -> str:
    text: str = section.status
    if section.status == "renamed" and section.old_title:
        text = f"renamed from “{plain_title(section.old_title)}”"
    if section.trivial:
        text += f" (trivial: {section.trivial_kind})" if section.trivial_kind else " (trivial)"
    if section.note:
        text += f"; {section.note}"
    return text


def _escape(text: str) -> str:
    escaped = html.escape(text, quote=True)
    return re.sub(r"\n+", lambda m: "<br>" if len(m.group()) == 1 else "<br><br>", escaped)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+\s*|\s+", text)


def _context(text: str, *, before_edit: bool, after_edit: bool) -> str:
    """Unchanged text trimmed to the words next to the edits around it."""
    tokens = _tokens(text)
    n = CONTEXT_WORDS
    if after_edit and before_edit:
        return text if len(tokens) <= 2 * n else "".join(tokens[:n]) + " … " + "".join(tokens[-n:])
    if after_edit:
        return text if len(tokens) <= n else "".join(tokens[:n]) + " …"
    if before_edit:
        return text if len(tokens) <= n else "… " + "".join(tokens[-n:])
    return ""


def diff_html(ops: Sequence[tuple[int, str]], budget: int = MAX_SECTION_CHARS) -> tuple[str, int]:
    """A section's word diff as `<ins>`/`<del>` HTML, and its length.

    Unchanged runs are cut to a few words of context; the HTML stops near `budget`
    characters with an ellipsis, however many edits the section has.
    """
    edits = [i for i, (op, _) in enumerate(ops) if op != 0]
    if not edits:
        return "", 0
    parts: list[str] = []
    used = 0
    for i, (op, text) in enumerate(ops):
        if used >= budget:
            parts.append(" […]")
            break
        if op == 0:
            text = _context(text, before_edit=i < edits[-1], after_edit=i > edits[0])
        shown = text[: budget - used]
        cut = "…" if len(shown) < len(text) else ""
        tag = {1: "ins", -1: "del"}.get(op)
        part = f"<{tag}>{_escape(shown)}{cut}</{tag}>" if tag else _escape(shown + cut)
        used += len(part)
        parts.append(part)
    return "".join(parts), used


def _summary_table(sections: Sequence[SectionChange]) -> str:
    rows = "".join(
        f"<tr><td>{_escape(section_title(s))}</td><td>{_escape(_status_text(s))}</td><td>{_words(s)}</td></tr>"
        for s in sections[:MAX_TABLE_ROWS]
    )
    if len(sections) > MAX_TABLE_ROWS:
        more = _plural(len(sections) - MAX_TABLE_ROWS, "more section")
        rows += f"<tr><td>… {more}: see the change on the site</td><td></td><td></td></tr>"
    return f"<table><thead><tr><th>Section</th><th>Change</th><th>Words</th></tr></thead><tbody>{rows}</tbody></table>"


def _flags(change: Change, reverts_to: datetime | None) -> list[str]:
    summary = change.diff.summary
    flags = []
    if summary.silent_change:
        stated = f" ({summary.new_stated_date})" if summary.new_stated_date else ""
        flags.append(f"Silent change: the text changed but the policy's stated date{stated} did not.")
    if summary.date_only:
        flags.append(
            f"Date only: the stated date changed ({summary.old_stated_date or '?'} → "
            f"{summary.new_stated_date or '?'}), nothing else."
        )
    elif is_trivial(change.diff):
        flags.append("Trivial change: whitespace, punctuation, numbering or link addresses only.")
    if reverts_to is not None:
        flags.append(f"Returns to the text first seen on {format_iso(reverts_to)[:10]}.")
    return flags


def _back_to(reverts_to: datetime | None) -> str:
    return f" (back to the text of {format_iso(reverts_to)[:10]})" if reverts_to is not None else ""


def _provenance(change: Change, context: EntryContext) -> str:
    capture = change.first_capture
    parts = [
        f"Captured {_escape(format_iso(capture.captured_at).replace('T', ' ').replace('Z', ' UTC'))}",
        f"capture <code>{_escape(capture.file)}</code>",
        f"sha256 <code>{_escape(capture.sha256)}</code>",
    ]
    if capture.wayback_url:
        parts.append(f'<a href="{_escape(capture.wayback_url)}">Wayback Machine copy</a>')
    if capture.source_url:
        parts.append(f'source <a href="{_escape(capture.source_url)}">{_escape(capture.source_url)}</a>')
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
        heading = f"{_escape(section_title(section))} ({_escape(_status_text(section))}, {_words(section)} words)"
        parts.append(f"<h3>{heading}</h3><p>{body}</p>")
    left = len(shown) - len(parts)
    if left:
        parts.append(f"<p>{_plural(left, 'more changed section')}: see the change on the site.</p>")
    return "".join(parts)


def entry_id(change: Change, context: EntryContext) -> str:
    """The capture's identity (time and sha256), not the version's: a better extractor must not
    make an old change look new. The time is there because a return to an earlier text can be
    the very same bytes as an earlier capture."""
    capture = change.first_capture
    return f"{context.id_prefix}{change.slug}/{format_stamp(capture.captured_at)}-{capture.sha256}"


def change_entry(change: Change, context: EntryContext, *, reverts_to: datetime | None = None) -> FeedEntry:
    """The entry of a policy feed (and of the site-wide feed) for one change."""
    summary = change.diff.summary
    what = describe(change.diff)
    changed = [s for s in change.diff.sections if s.status != "unchanged"]
    flags = _flags(change, reverts_to)
    words = f"+{summary.words_added} −{summary.words_removed} words"
    body = [f"<p><strong>{_escape(what)}</strong> · {words}</p>"]
    body += [f"<p><strong>{_escape(flag)}</strong></p>" for flag in flags]
    if changed:
        body.append(_summary_table(changed))
        body.append(_section_diffs(changed))
    body.append(_provenance(change, context))
    categories = tuple(
        name
        for name, on in (
            ("silent change", summary.silent_change),
            ("date only", summary.date_only),
            ("trivial", is_trivial(change.diff)),
            ("revert", reverts_to is not None),
        )
        if on
    )
    return FeedEntry(
        id=entry_id(change, context),
        title=xml_safe(f"{context.name}: {what}{_back_to(reverts_to)}"),
        url=absolute(context.site_url, change_page(change)),
        published=change.published,
        summary=xml_safe(" ".join([f"{what}, {words}.", *flags])),
        content_html=sanitise_html("".join(body)),
        categories=categories,
        slug=change.slug,
    )


def section_entry(
    change: Change,
    sections: Sequence[SectionChange],
    lineage_id: str,
    context: EntryContext,
    *,
    reverts_to: datetime | None,
) -> FeedEntry:
    """The entry of a section's feed: what this change did to that section (several pieces
    when the diff saw it removed and added again, split or merged)."""
    title = context.section_titles.get(lineage_id) or section_title(sections[0])
    status = "; ".join(dict.fromkeys(_status_text(s) for s in sections))
    words = f"+{sum(s.words_added for s in sections)} −{sum(s.words_removed for s in sections)} words"
    flags = _flags(change, reverts_to)
    body = [f"<p><strong>{_escape(title)}: {_escape(status)}</strong> · {words}</p>"]
    body += [f"<p><strong>{_escape(flag)}</strong></p>" for flag in flags]
    budget = MAX_ENTRY_CHARS
    for section in sections:
        body_html, used = diff_html(section.diff, min(MAX_SECTION_CHARS, budget))
        budget = max(budget - used, 0)
        body.append(f"<p>{body_html}</p>")
    section_link = absolute(context.site_url, section_page(change.slug, lineage_id))
    body.append(f'<p><a href="{section_link}">This section’s history</a></p>')
    body.append(_provenance(change, context))
    return FeedEntry(
        id=f"{entry_id(change, context)}/{quote(lineage_id, safe='')}",
        title=xml_safe(f"{context.name} — {title}: {status}"),
        url=absolute(context.site_url, change_page(change)),
        published=change.published,
        summary=xml_safe(f"{title}: {status}, {words}. {describe(change.diff)} in the whole policy."),
        content_html=sanitise_html("".join(body)),
        categories=(("trivial",) if all(s.trivial for s in sections) else ()),
        slug=change.slug,
    )
