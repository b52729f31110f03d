"""The words a reader sees for what the records say: section statuses, flags, section names,
change summaries and the links between section histories. Pages, feeds, the CLI and the
compare page (through `compare_words`) all take their wording from here, so that one change
reads the same wherever it is shown.

Plain text only: each surface escapes it for where it goes (see `escape`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diff import PolicyDiff, SectionChange
    from .history import Change, ChangeFlags, PolicyHistory, SectionLink

PREAMBLE = "Preamble"  # the text before a policy's first heading
STATUS_ORDER = ("modified", "added", "removed", "moved", "renamed")  # how summaries list them

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"^#+\s*|(?<!\w)[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}(?!\w)")


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def section_name(title: str | None) -> str:
    """A section's title as a reader sees it: Markdown links and emphasis markers dropped,
    "Preamble" for the text before the first heading."""
    if not title or not title.strip():
        return PREAMBLE
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", title)).strip() or title.strip()


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_title(entry: SectionChange) -> str:
    """The name of an entry of a diff: its new title, or its old one when it was removed."""
    return section_name(entry.new_title if entry.new_title is not None else entry.old_title)


def entry_label(entry: SectionChange) -> str:
    """An entry's status in words, with what moved, was renamed, split or merged, and the
    kind of noise when it is trivial: "modified; renamed from “Sharing”; trivial (date)"."""
    parts: list[str] = [entry.status]
    if entry.old_title is not None and entry.new_title is not None and entry.old_title != entry.new_title:
        renamed = renamed_from(entry.old_title)
        if entry.status == "renamed":
            parts[0] = renamed
        else:
            parts.append(renamed)
    moved = entry.status in {"moved", "renamed"} and entry.old_index is not None and entry.new_index is not None
    if moved and entry.old_index != entry.new_index:
        parts.append(position(entry.old_index, entry.new_index))  # type: ignore[arg-type]
    if entry.trivial:
        parts.append(f"trivial ({entry.trivial_kind})" if entry.trivial_kind else "trivial")
    if entry.note:
        parts.append(entry.note)
    return "; ".join(dict.fromkeys(parts))


RENAMED_FROM = "renamed from “{title}”"
POSITION = "position {old} → {new}"  # 1-based


def renamed_from(old_title: str) -> str:
    return RENAMED_FROM.format(title=section_name(old_title))


def position(old_index: int, new_index: int) -> str:
    return POSITION.format(old=old_index + 1, new=new_index + 1)


def word_counts(added: int, removed: int) -> str:
    return f"+{added} −{removed}"


def _counts(diff: PolicyDiff) -> list[tuple[int, str]]:
    s = diff.summary
    return [(n, status) for status in STATUS_ORDER if (n := getattr(s, status))]


def change_summary(diff: PolicyDiff) -> str:
    """A change in one line, for tables: "9 modified, 1 added; +143 −143 words"."""
    parts = [f"{n} {status}" for n, status in _counts(diff)]
    s = diff.summary
    return (", ".join(parts) or "no section changed") + f"; {word_counts(s.words_added, s.words_removed)} words"


def change_gist(diff: PolicyDiff, flags: ChangeFlags) -> str:
    """A change as a title's gist: "3 sections modified, 1 added", or what a trivial change was."""
    if flags.date_only:
        return "only the stated date changed"
    counts = _counts(diff)
    if not counts:
        return "no section changed"
    (n, status), *rest = counts
    text = ", ".join([f"{n} section{'' if n == 1 else 's'} {status}", *(f"{m} {word}" for m, word in rest)])
    return f"{text} (trivial)" if flags.trivial else text


# -- flags --------------------------------------------------------------------------------
FLAG_TITLES = {
    "silent_change": "Silent change",
    "date_only": "Date only",
    "trivial": "Trivial change",
    "revert": "Return to an earlier text",
}
FLAG_LEVELS = {"silent_change": "warning", "date_only": "note", "trivial": "note", "revert": "info"}
_SHOWN_ORDER = ("silent_change", "date_only", "trivial", "revert")


def flag_level(name: str, change: Change) -> str:
    """How loudly a flag is shown: a silent change with the weight of the change's
    significance (a `minor` one is a note, a `major` one a warning), others by kind."""
    if name == "silent_change":
        from .history.significance import displayed_significance

        return SIGNIFICANCE_LEVELS[displayed_significance(change)]
    return FLAG_LEVELS[name]


def shown_flags(flags: ChangeFlags) -> tuple[str, ...]:
    """The flags a reader is shown, most important first. A date-only change is trivial too,
    and is shown as "Date only" alone."""
    names = set(flags.names)
    if "date_only" in names:
        names.discard("trivial")
    return tuple(name for name in _SHOWN_ORDER if name in names)


def flag_explanation(name: str, change: Change, history: PolicyHistory) -> str:
    """One sentence saying what a flag means for this change."""
    if name == "silent_change":
        stated = f" (it still says {change.new_stated_date})" if change.new_stated_date else ""
        return f"The text changed but its stated date did not{stated}."
    if name == "date_only":
        return f"Only the stated date changed ({change.old_stated_date or '?'} → {change.new_stated_date or '?'})."
    if name == "trivial":
        kinds = change.flags.trivial_kinds
        what = f" ({', '.join(kinds)})" if kinds else ""
        return f"Only whitespace, punctuation, dates, numbering or link targets changed{what}."
    if name == "revert":
        version = change.flags.reverts_to or ""
        return f"The text went back to version {version}, first in force on {day(returned_to(change, history))}."
    raise ValueError(f"unknown flag {name!r}")


def returned_to(change: Change, history: PolicyHistory) -> datetime:
    """When the text a change returns to was first in force."""
    return next(p.start for p in history.periods if p.version == change.flags.reverts_to)


def trivial_note(included: bool) -> str:
    """What a feed says of the trivial changes it leaves out, or includes."""
    return f"Trivial-only changes (whitespace, punctuation, a date) are {'included' if included else 'left out'}."


def significance_note(floor: str) -> str:
    """What a feed says of the changes it leaves out (`feeds_min_significance`)."""
    if floor == "major":
        return "Only major changes are listed; minor and trivial ones are left out."
    return trivial_note(floor == "trivial")


def flag_categories(flags: ChangeFlags) -> tuple[str, ...]:
    """Feed categories: every flag that is set, as words ("silent change", "revert")."""
    return tuple(name.replace("_", " ") for name in flags.names)


# -- what the publisher says: editor's notes, material changes, effective dates -------------
NOTE_TITLE = "Editor's note"
MATERIAL_TITLE = "Material change"


def effective_words(change: Change) -> str:
    """When a change takes effect and how much notice it gave, or "" when unknown."""
    if change.effective is None:
        return ""
    verb = "Takes effect" if change.upcoming else "Took effect"
    notice = change.notice_days
    told = f", {notice} day{'' if notice == 1 else 's'} after it was first captured" if notice else ""
    return f"{verb} on {change.effective}{told}."


def upcoming_title(change: Change) -> str:
    return f"Upcoming change, effective {change.effective}"


def notice_words(change: Change) -> str:
    notice = change.notice_days
    first = day(change.published)
    return f"First captured {first}: {notice} day{'' if notice == 1 else 's'} of notice." if notice else ""


def in_force_span(history: PolicyHistory, version_id: str) -> tuple[str, str]:
    """(from, to) of a version, as a citation gives them: from the day it took effect (its
    change's effective date when known, else its first capture), to the day the next text
    did, or "present"; for a text in force several times, its first and last stretch."""
    indices = [i for i, p in enumerate(history.periods) if p.version == version_id]
    if not indices:
        return ("never in force (withdrawn captures only)", "")

    def began(index: int) -> str:
        if index == 0:
            return day(history.periods[0].start)
        change = history.changes[index - 1]
        return change.effective or day(change.published)

    start = began(indices[0])
    if indices[0] > 0 and history.changes[indices[0] - 1].upcoming:
        start += " (upcoming)"
    end = "present" if indices[-1] == len(history.periods) - 1 else began(indices[-1] + 1)
    return (start, end)


def cite_line(name: str, version_id: str, span: tuple[str, str], url: str | None, sha256: str) -> str:
    """One line to cite a version by: policy, version, in force from/to, stable URL, sha256."""
    start, end = span
    when = f"in force from {start} to {end}" if end else start
    where = f" {url}" if url else ""
    return f"{name}, version {version_id}, {when}.{where} SHA-256 of the text: {sha256}."


# -- links between section histories --------------------------------------------------------
def born_from(link: SectionLink, when: datetime) -> str:
    """How a section came from another one ("… on DATE"); the other's name is quoted."""
    name = section_name(link.title)
    if link.how == "split":
        return f"Split off from “{name}” on {day(when)}."
    if link.how == "merge":
        return f"“{name}” was merged into it on {day(when)}."
    return f"Appeared on {day(when)} when the policy was restructured; its text is closest to “{name}”, removed then."


def went_into(link: SectionLink, when: datetime) -> str:
    name = section_name(link.title)
    if link.how == "split":
        return f"“{name}” was split off from it on {day(when)}."
    if link.how == "merge":
        return f"Merged into “{name}” on {day(when)}."
    return f"Removed on {day(when)} when the policy was restructured; its text is closest to “{name}”, added then."


# What a rendered diff says about its own structure (render/diffhtml.py, and the compare
# page's script through `compare_words`).
BLOCK_NAMES = {
    "heading": "a level-{level} heading",
    "item": "a list item",
    "ordered": "a numbered list item",
    "row": "a table row",
    "quote": "a quotation",
    "text": "a paragraph",
    "rule": "a dividing line",
}
STRUCTURE_WAS = "was {what}"  # shown where a line changed kind: "was a paragraph"
LINK_TARGET = "link: "  # before a link's target, shown where the target changed
FOLDED = "{count} unchanged words"  # the label of a folded run of unchanged text
FEED_FOLDED = "…"  # an unchanged run left out of a feed entry


def structure_was(kind: str, level: int = 0) -> str:
    return STRUCTURE_WAS.format(what=BLOCK_NAMES[kind].format(level=level))


def folded(count: int) -> str:
    return FOLDED.format(count=count)


def compare_words() -> dict[str, Any]:
    """The words the compare page's script composes labels with, shipped to it as JSON (see
    render.compare; section names and flags come to it already worded)."""
    return {
        "renamed_from": RENAMED_FROM,
        "position": POSITION,
        "blocks": BLOCK_NAMES,
        "structure_was": STRUCTURE_WAS,
        "link_target": LINK_TARGET,
        "folded": FOLDED,
    }


# -- significance, reasons and headlines ------------------------------------------------------
SIGNIFICANCE_TITLES = {"major": "Major change", "minor": "Minor change", "trivial": "Trivial change"}
SIGNIFICANCE_SHORT = {"major": "Major", "minor": "Minor", "trivial": "Trivial"}
# How much weight a reader's eye should give it: the admonition or badge level of each.
SIGNIFICANCE_LEVELS = {"major": "warning", "minor": "note", "trivial": "quote"}
MAX_LISTED = 3  # sections, terms or values a reason or headline names before "and N more"


def quoted(title: str) -> str:
    return f"“{shortened(title, 80)}”"


def listing(items: list[str], limit: int = MAX_LISTED) -> str:
    """ "a", "a and b", "a, b and c", "a, b, c and 2 more"."""
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentences(n: int) -> str:
    return "a sentence" if n == 1 else f"{n} sentences"


def term_reason(change: Any, labels: dict[str, str]) -> str:
    """A `terms.TermChange` in words: "adds text about AI and machine learning in “Use” (2 sentences)"."""
    return term_phrase(labels.get(change.group, change.group), change.gained, change.sentences, [change.section])


def term_phrase(label: str, gained: bool, sentences: int, sections: list[str]) -> str:
    """ "adds text about AI and machine learning in “Use” (2 sentences)": text, since a
    sentence may be new or only reworded to hold the term."""
    where = listing([quoted(s) for s in sections], 2)
    if gained:
        return f"adds text about {label} in {where} ({_sentences(sentences)})"
    return f"drops text about {label} from {where} ({_sentences(sentences)})"


def value_phrase(change: Any) -> str:
    """A `values.ValueChange` in words: "period “30 days” → “90 days” in “Retention”"."""
    from .history.values import KIND_WORDS

    kind = KIND_WORDS[change.kind]
    where = f" in {quoted(change.section)}"
    if change.before and change.after:
        return f"{kind} “{change.before}” → “{change.after}”{where}"
    if change.after:
        return f"new {kind} “{change.after}”{where}"
    return f"{kind} “{change.before}” dropped{where}"


def significance_reasons(
    level: str, *, flags: Any, measures: Any, moved_only: bool = False, rules: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The reasons for a change's significance (`history.significance`), as sentences."""
    m = measures
    if level == "trivial":
        if flags.date_only:
            return ("Only the stated date changed.",)
        if flags.trivial:
            kinds = ", ".join(flags.trivial_kinds) or "noise"
            return (f"Only {kinds} changed: no word of the text.",)
        return ("Sections only moved: no word changed.",) if moved_only else ("No word of the text changed.",)
    reasons = []
    if "share" in rules:
        reasons.append(f"Rewrites {m.share:.0%} of the policy’s words ({m.changed_words} of {m.policy_words}).")
    elif "words" in rules:
        reasons.append(f"Changes {m.changed_words} words.")
    for title, words in m.big_added[:MAX_LISTED]:
        reasons.append(f"Adds the section {quoted(title)} ({words} words).")
    for title, words in m.big_removed[:MAX_LISTED]:
        reasons.append(f"Removes the section {quoted(title)} ({words} words).")
    labels = getattr(m, "labels", {})
    for term in m.terms[: 2 * MAX_LISTED]:
        reasons.append(term_reason(term, labels)[0].upper() + term_reason(term, labels)[1:] + ".")
    for value in m.values[:MAX_LISTED]:
        phrase = value_phrase(value)
        reasons.append(phrase[0].upper() + phrase[1:] + ".")
    if not reasons:
        titles = [quoted(e.title) for e in m.edits]
        words = m.changed_words
        reasons.append(f"Edits {words} word{'' if words == 1 else 's'} in {listing(titles)}.")
    return tuple(reasons)
