"""FIRST CUT (to be replaced by the diff issue): Markdown headings only, id alignment."""

from __future__ import annotations

import re

import fast_diff_match_patch

from .records import DiffSummary, PolicyDiff, Section, SectionChange

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "section"


def segment(markdown: str) -> list[Section]:
    sections: list[Section] = []
    title, level, lines = "", 0, []
    seen: dict[str, int] = {}

    def flush() -> None:
        if not lines and not title:
            return
        base = _slug(title) if title else "preamble"
        seen[base] = seen.get(base, 0) + 1
        sid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        sections.append(Section(sid, title, level, "".join(lines), len(sections)))

    for line in markdown.splitlines(keepends=True):
        match = _HEADING.match(line)
        if match:
            flush()
            title, level, lines = match.group(2).strip(), len(match.group(1)), [line]
        else:
            lines.append(line)
    flush()
    return sections


_OPS = {"=": 0, "-": -1, "+": 1}


def _word_diff(old: str, new: str) -> list[tuple[int, str]]:
    return [
        (_OPS[op], text)
        for op, text in fast_diff_match_patch.diff(old, new, timelimit=0, cleanup="Semantic", counts_only=False)
    ]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def diff_versions(old: str, new: str, *, old_id: str = "old", new_id: str = "new") -> PolicyDiff:
    old_sections = {s.id: s for s in segment(old)}
    new_sections = segment(new)
    changes: list[SectionChange] = []
    counts = dict.fromkeys(("unchanged", "modified", "added", "removed"), 0)
    added_words = removed_words = 0
    for section in new_sections:
        before = old_sections.pop(section.id, None)
        if before is None:
            n = _words(section.text)
            added_words += n
            counts["added"] += 1
            changes.append(
                SectionChange(
                    "added",
                    None,
                    section.id,
                    None,
                    section.title,
                    None,
                    section.index,
                    n,
                    0,
                    False,
                    [(1, section.text)],
                )
            )
            continue
        if before.text == section.text:
            counts["unchanged"] += 1
            changes.append(
                SectionChange(
                    "unchanged",
                    before.id,
                    section.id,
                    before.title,
                    section.title,
                    before.index,
                    section.index,
                    0,
                    0,
                    False,
                    [(0, section.text)],
                )
            )
            continue
        ops = _word_diff(before.text, section.text)
        plus = sum(_words(t) for op, t in ops if op == 1)
        minus = sum(_words(t) for op, t in ops if op == -1)
        added_words += plus
        removed_words += minus
        counts["modified"] += 1
        changes.append(
            SectionChange(
                "modified",
                before.id,
                section.id,
                before.title,
                section.title,
                before.index,
                section.index,
                plus,
                minus,
                plus + minus == 0,
                ops,
            )
        )
    for section in old_sections.values():
        n = _words(section.text)
        removed_words += n
        counts["removed"] += 1
        changes.append(
            SectionChange(
                "removed", section.id, None, section.title, None, section.index, None, 0, n, False, [(-1, section.text)]
            )
        )
    summary = DiffSummary(**counts, words_added=added_words, words_removed=removed_words)
    return PolicyDiff(old_id, new_id, summary, changes)
