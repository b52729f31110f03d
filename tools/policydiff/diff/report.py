"""A diff as text for a terminal or as Markdown: a summary line per section, then the word
changes of each changed section with a little context. Section names and flags are worded
as on the site (`wording`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..wording import FLAG_TITLES, section_name, shown_flags
from .records import PolicyDiff, SectionChange

if TYPE_CHECKING:
    from ..history import ChangeFlags

_MARK = {"unchanged": " ", "modified": "~", "added": "+", "removed": "-", "moved": ">", "renamed": "R"}
_COLOUR = {"modified": "yellow", "added": "green", "removed": "red", "moved": "cyan", "renamed": "magenta"}
_CONTEXT = 40

Style = Callable[..., str]


def _plain(text: str, **_kwargs: object) -> str:
    return text


def summary_line(diff: PolicyDiff, flags: ChangeFlags | None = None) -> str:
    """`flags`: the change's (`history.change_flags`); without them, none are shown."""
    s = diff.summary
    parts = [f"{getattr(s, k)} {k}" for k in ("modified", "added", "removed", "moved", "renamed") if getattr(s, k)]
    words = f"+{s.words_added}/-{s.words_removed} words"
    shown = shown_flags(flags) if flags is not None else ()
    flag_words = []
    for name in shown:
        if name == "silent_change":
            flag_words.append(f"{FLAG_TITLES[name]}: stated date still {s.new_stated_date}")
        elif name == "revert":
            flag_words.append(f"{FLAG_TITLES[name]} ({flags.reverts_to})")  # type: ignore[union-attr]
        else:
            flag_words.append(FLAG_TITLES[name])
    if "silent_change" not in shown and s.old_stated_date != s.new_stated_date:
        flag_words.append(f"stated date {s.old_stated_date or '?'} -> {s.new_stated_date or '?'}")
    body = ", ".join(parts) if parts else "no change"
    return f"{diff.from_id} -> {diff.to_id}: {body}; {s.unchanged} unchanged; {words}" + (
        f" [{'; '.join(flag_words)}]" if flag_words else ""
    )


def section_line(change: SectionChange) -> str:
    title = section_name(change.new_title if change.new_title is not None else change.old_title)
    if change.status == "renamed":
        title = f"{section_name(change.old_title)} -> {section_name(change.new_title)}"
    extra = []
    if change.words_added or change.words_removed:
        extra.append(f"+{change.words_added}/-{change.words_removed}")
    if change.moved and change.status != "moved":
        extra.append("moved")
    if change.trivial_kind:
        extra.append(f"trivial: {change.trivial_kind}")
    if change.note:
        extra.append(change.note)
    return f"{_MARK[change.status]} {change.status:<9} {title}" + (f"  ({', '.join(extra)})" if extra else "")


def format_text(diff: PolicyDiff, flags: ChangeFlags | None = None, *, style: Style = _plain) -> str:
    """Summary, one line per section that changed, then each change's words in context."""
    lines = [style(summary_line(diff, flags), bold=True)]
    changed = [c for c in diff.sections if c.status != "unchanged"]
    for change in changed:
        lines.append(style(section_line(change), fg=_COLOUR.get(change.status)))
    for change in changed:
        if change.status in ("modified", "renamed"):
            lines.append("")
            lines.append(style(section_line(change), bold=True))
            lines.append(_inline(change.diff, style))
    return "\n".join(lines) + "\n"


def _inline(ops: Sequence[tuple[int, str]], style: Style) -> str:
    out = []
    for i, (op, text) in enumerate(ops):
        if op == 0:
            out.append(_elide(text, first=i == 0, last=i == len(ops) - 1))
        elif op < 0:
            out.append(style(f"[-{text}-]", fg="red"))
        else:
            out.append(style(f"{{+{text}+}}", fg="green"))
    return "".join(out).strip("\n")


def _elide(text: str, *, first: bool, last: bool) -> str:
    if len(text) <= 2 * _CONTEXT + 5:
        return text
    head = "" if first else text[:_CONTEXT]
    tail = "" if last else text[-_CONTEXT:]
    return f"{head} … {tail}"


def format_markdown(diff: PolicyDiff, flags: ChangeFlags | None = None) -> str:
    """A Markdown report: a table of the changed sections, then each one's word diff in
    CriticMarkup ({--deleted--}{++inserted++}), which pymdownx.critic renders."""
    lines = [f"# {diff.from_id} → {diff.to_id}", "", summary_line(diff, flags), ""]
    changed = [c for c in diff.sections if c.status != "unchanged"]
    if changed:
        lines += ["| status | section | words | notes |", "|---|---|---|---|"]
        for c in changed:
            title = _cell(section_name(c.new_title if c.new_title is not None else c.old_title))
            notes = ", ".join(x for x in (c.trivial_kind and f"trivial: {c.trivial_kind}", c.note) if x)
            lines.append(f"| {c.status} | {title} | +{c.words_added}/-{c.words_removed} | {_cell(notes)} |")
        lines.append("")
    for c in changed:
        if c.status not in ("modified", "renamed"):
            continue
        title = section_name(c.new_title if c.new_title is not None else c.old_title)
        lines += [f"## {title}", ""]
        parts = []
        for op, text in c.diff:
            if op == 0:
                parts.append(text)
            else:
                parts.append(("{--" if op < 0 else "{++") + text + ("--}" if op < 0 else "++}"))
        lines += ["".join(parts).rstrip("\n"), ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
