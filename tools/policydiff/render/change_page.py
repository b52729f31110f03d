"""One page per change: where it sits in the history, its flags, a table of the sections it
touched, each one's word diff (inline or side by side), the unchanged sections folded, and
the provenance of the capture that first showed it."""

from __future__ import annotations

from .. import urls
from ..diff import SectionChange
from ..escape import html_text, markdown_html, md_text
from ..history import Change, PolicyHistory
from ..history.significance import displayed_significance
from ..times import format_iso
from ..wording import (
    FLAG_TITLES,
    SIGNIFICANCE_LEVELS,
    SIGNIFICANCE_TITLES,
    change_summary,
    day,
    effective_words,
    entry_label,
    entry_title,
    flag_explanation,
    flag_level,
    shown_flags,
    word_counts,
)
from .blocks import (
    PROVENANCE_HEAD,
    anchor,
    front_matter,
    heading,
    note_block,
    provenance_row,
    raw_block,
    rel,
    significance_badge,
    span,
    src,
    toggle,
)
from .diffhtml import diff_block
from .terms import highlight_terms


def entry_anchor(entry: SectionChange) -> str:
    sid = entry.new_id if entry.new_id is not None else f"removed-{entry.old_id}"
    return anchor(sid)


def words_cell(entry: SectionChange) -> str:
    return word_counts(entry.words_added, entry.words_removed)


def significance_block(change: Change) -> str:
    """The change's headline with its significance, then why it has it."""
    level = displayed_significance(change)
    out = [f"{significance_badge(level)} {md_text(change.headline)}\n{{: .pd-headline }}\n\n"]
    if change.reasons:
        out.append(f'!!! {SIGNIFICANCE_LEVELS[level]} "Why it is a {SIGNIFICANCE_TITLES[level].lower()}"\n')
        out += [f"    - {md_text(reason)}\n" for reason in change.reasons]
        out.append("\n")
    return "".join(out)


def diff_html(history: PolicyHistory, entry: SectionChange, old_label: str, new_label: str) -> str:
    """An entry's word diff with the policy's watched terms marked (the one place they are)."""
    return highlight_terms(diff_block(entry.diff, old_label=old_label, new_label=new_label), history.term_matcher)


def flag_admonitions(history: PolicyHistory, change: Change) -> str:
    return "".join(
        f'!!! {flag_level(name, change)} "{FLAG_TITLES[name]}"\n'
        f"    {md_text(flag_explanation(name, change, history))}\n\n"
        for name in shown_flags(change.flags)
    )


def change_page(history: PolicyHistory, change: Change) -> str:
    page = src(urls.change_page(change))
    slug = history.slug
    # a change page is excerpts of two versions (each version page is indexed whole)
    out = [front_matter(f"Change of {day(change.published)} · {history.name}", search_exclude=True)]
    out.append(f"# Change of {day(change.published)} {{ #pd--top }}\n\n")
    # On paper the page says what it is and where it came from (policy-diff.js fills the URL)
    out.append(
        raw_block(
            f'<p class="pd-print-only">{html_text(history.name)} · change of {day(change.published)} · '
            '<span class="pd-print-url"></span></p>'
        )
    )
    policy = rel(page, src(urls.policy_page(slug)))
    old_v = rel(page, src(urls.version_page(slug, change.old.version)))
    new_v = rel(page, src(urls.version_page(slug, change.new.version)))
    out.append(
        # "change n", not "n of all": a page that named the count would change with every new
        # capture, and so would every change page of the policy (a rebuild, a deploy)
        f"[{md_text(history.name)}]({policy}) · change {change.number} · "
        f"from [{change.old.version}]({old_v}) (in force {span(change.old.start, change.old.end)}) "
        f"to [{change.new.version}]({new_v}) (first captured {format_iso(change.published)})\n\n"
    )
    out.append(note_block(change))  # the publisher's word comes first
    if change.notice_days or change.upcoming:  # advance notice; a date in the past is the text's business
        out.append(f"**{md_text(effective_words(change))}**\n{{: .pd-effective }}\n\n")
    out.append(significance_block(change))
    out.append(flag_admonitions(history, change))
    out.append(f"**{md_text(change_summary(change.diff))}**\n\n")
    changed = [e for e in change.diff.sections if e.status != "unchanged"]
    unchanged = len(change.diff.sections) - len(changed)
    if changed:
        out.append("| Section | Change | Words |\n|---|---|---|\n")
        for entry in changed:
            out.append(
                f"| [{md_text(entry_title(entry))}](#{entry_anchor(entry)}) | {md_text(entry_label(entry))} "
                f"| {words_cell(entry)} |\n"
            )
        if unchanged:
            out.append(f"\n{unchanged} sections unchanged (collapsed below).\n\n")
        else:
            out.append("\n")
    out.append(toggle())
    old_label = f"{change.old.version} ({day(change.old.start)})"
    new_label = f"{change.new.version} ({day(change.published)})"
    run: list[SectionChange] = []
    for entry, lineage in change.entries():
        if entry.status == "unchanged":
            run.append(entry)
            continue
        out.append(unchanged_block(run))
        run = []
        out.append(heading(2, entry_title(entry), entry_anchor(entry), f".pd-status-{entry.status}"))
        history_link = ""
        if lineage in history.paged_lineages:
            history_link = f" · [history of this section]({rel(page, src(urls.section_page(slug, lineage)))})"
        out.append(
            f'<span class="pd-badge pd-badge-{entry.status}">{md_text(entry_label(entry))}</span> '
            f"· {words_cell(entry)} words{history_link}\n\n"
        )
        out.append(raw_block(diff_html(history, entry, old_label, new_label)))
    out.append(unchanged_block(run))
    out.append("## Provenance { #pd--provenance }\n\n")
    out.append(PROVENANCE_HEAD)
    first = change.first_capture
    out.append(provenance_row(history, page, change.new.version, first.file, first))
    out.append("\n")
    nav = []
    if change.number > 1:
        prev = history.change(change.number - 1)
        nav.append(f"[← Previous change ({day(prev.published)})]({rel(page, src(urls.change_page(prev)))})")
    nav.append(f"[All changes]({rel(page, src(urls.timeline_page(slug)))})")
    if change.number < len(history.changes):
        nxt = history.change(change.number + 1)
        nav.append(f"[Next change ({day(nxt.published)}) →]({rel(page, src(urls.change_page(nxt)))})")
    out.append(" · ".join(nav) + "\n{: .pd-prevnext }\n")
    return "".join(out)


def unchanged_block(run: list[SectionChange]) -> str:
    if not run:
        return ""
    titles = ", ".join(entry_title(e) for e in run[:4]) + ("…" if len(run) > 4 else "")
    label = "1 unchanged section" if len(run) == 1 else f"{len(run)} unchanged sections"
    bodies = "".join(
        f'<div class="pd-text">{markdown_html("".join(text for op, text in e.diff if op == 0))}</div>' for e in run
    )
    return raw_block(f'<details class="pd-unchanged"><summary>{label}: {html_text(titles)}</summary>{bodies}</details>')
