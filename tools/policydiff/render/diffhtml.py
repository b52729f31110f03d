"""Word diffs as HTML: inline (insertions underlined, deletions struck through) and side
by side. Marked by more than colour, so they read in print and for colour-blind readers."""

from __future__ import annotations

from collections.abc import Sequence

from ..escape import html_text

Op = tuple[int, str]


FOLD_AT = 1200  # an unchanged run longer than this (characters) is folded...
KEEP = 300  # ...keeping this much context on each side of it


def _fold(text: str) -> str:
    """Long unchanged text between changes: keep context, fold the middle (one click away)."""
    if len(text) <= FOLD_AT:
        return html_text(text)
    head_end = text.find(" ", KEEP)
    tail_start = text.rfind(" ", 0, len(text) - KEEP)
    if head_end < 0 or tail_start <= head_end:
        return html_text(text)
    middle = text[head_end:tail_start]
    words = len(middle.split())
    return (
        f'{html_text(text[:head_end])}<details class="pd-fold"><summary>{words} unchanged words</summary>'
        f"{html_text(middle)}</details>{html_text(text[tail_start:])}"
    )


def _piece(op: int, text: str) -> str:
    if not text:
        return ""
    if op == 0:
        return _fold(text)
    body = html_text(text)
    if op > 0:
        return f'<ins class="pd-ins" title="added">{body}</ins>'
    if op < 0:
        return f'<del class="pd-del" title="removed">{body}</del>'
    return body


def inline_diff(ops: Sequence[Op]) -> str:
    return "".join(_piece(op, text) for op, text in ops)


def old_side(ops: Sequence[Op]) -> str:
    return "".join(_piece(op, text) for op, text in ops if op <= 0)


def new_side(ops: Sequence[Op]) -> str:
    return "".join(_piece(op, text) for op, text in ops if op >= 0)


def diff_block(ops: Sequence[Op], *, old_label: str = "Before", new_label: str = "After") -> str:
    """One raw HTML block holding both views; `policy-diff.js` switches between them (the
    inline view shows without JavaScript)."""
    return (
        '<div class="pd-diff" data-view="inline">'
        f'<div class="pd-inline">{inline_diff(ops)}</div>'
        '<div class="pd-sbs" data-search-exclude>'
        f'<div class="pd-old"><div class="pd-side-label">{html_text(old_label)}</div>{old_side(ops)}</div>'
        f'<div class="pd-new"><div class="pd-side-label">{html_text(new_label)}</div>{new_side(ops)}</div>'
        "</div></div>"
    )
