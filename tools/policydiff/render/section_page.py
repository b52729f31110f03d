"""One page per section lineage: the section's titles over time, where its text came from
and went to (splits, merges, restructures), and each change to it, newest first."""

from __future__ import annotations

from .. import feeds, urls  # feeds: a module (it imports render.diffhtml in turn)
from ..escape import md_text
from ..history import PolicyHistory, SectionHistory, SectionLink
from ..wording import born_from, day, entry_label, section_name, went_into, word_counts
from .blocks import RenderSettings, anchor, feed_links, front_matter, raw_block, rel, src, toggle
from .diffhtml import diff_block


def section_page(history: PolicyHistory, section: SectionHistory, settings: RenderSettings) -> str:
    slug = history.slug
    page = src(urls.section_page(slug, section.lineage))
    title = section_name(section.title)
    out = [front_matter(f"History of {section.title or 'the preamble'} · {history.name}", search_exclude=True)]
    out.append(f"# {md_text(title)} {{ #pd--top }}\n\n")
    policy = rel(page, src(urls.policy_page(slug)))
    if section.current_id is not None:
        latest = {s.id: s for s in history.latest.sections} if history.latest else {}
        titled = section.current_id in latest and latest[section.current_id].level > 0
        fragment = f"#{anchor(section.current_id)}" if titled else ""
        where = f"[in the current text]({policy}{fragment})"
    else:
        where = f"removed on {day(section.removed_at)}" if section.removed_at else "not in the current text"
    out.append(
        f"Section history of [{md_text(history.name)}]({policy}) · first seen {day(section.first_seen)} · {where}\n\n"
    )
    # a section's feed is offered only when it has an entry (its file is written anyway)
    if feeds.section_feed_has_entries(history, section, settings.feeds_floor):
        out.append(feed_links(page, settings, slug, section.lineage))
    links = [(link, born_from(link, history.change(link.change).published)) for link in section.born_from]
    links += [(link, went_into(link, history.change(link.change).published)) for link in section.went_into]
    if links:
        out.extend(_link_line(history, page, link, text) for link, text in links)
        out.append("\n")
    if len(section.titles) > 1:
        out.append("Titles over time:\n\n")
        out.extend(f"- {day(when)}: {md_text(section_name(name))}\n" for when, name in section.titles)
        out.append("\n")
    entries = history.section_entries(section)
    if not entries:
        out.append(f"This section has not changed since it was first captured on {day(section.first_seen)}.\n")
        return "".join(out)
    times = "once" if len(entries) == 1 else f"{len(entries)} times"
    out.append(f"Changed {times}:\n\n| Date | Change | Words |\n|---|---|---|\n")
    for change, entry in entries:
        label = md_text(entry_label(entry))
        words = word_counts(entry.words_added, entry.words_removed)
        out.append(f"| [{day(change.published)}](#pd--{change.number}) | {label} | {words} |\n")
    out.append("\n")
    out.append(toggle())
    shown: dict[int, int] = {}
    for change, entry in reversed(entries):
        link = rel(page, src(urls.change_page(change)))
        # A change can touch a section in several pieces (removed, then added again): the
        # table links to the first; each heading keeps an id of its own.
        shown[change.number] = shown.get(change.number, 0) + 1
        suffix = "" if shown[change.number] == 1 else f"-{shown[change.number]}"
        out.append(f"## {day(change.published)}: {md_text(entry_label(entry))} {{ #pd--{change.number}{suffix} }}\n\n")
        out.append(f"[The whole change]({link}) · {word_counts(entry.words_added, entry.words_removed)} words\n\n")
        out.append(
            raw_block(
                diff_block(
                    entry.diff,
                    old_label=f"{change.old.version} ({day(change.old.start)})",
                    new_label=f"{change.new.version} ({day(change.published)})",
                )
            )
        )
    return "".join(out)


def _link_line(history: PolicyHistory, page: str, link: SectionLink, text: str) -> str:
    if link.lineage not in history.paged_lineages:
        return f"- {md_text(text)}\n"
    target = rel(page, src(urls.section_page(history.slug, link.lineage)))
    return f"- {md_text(text)} [History of that section]({target}).\n"
