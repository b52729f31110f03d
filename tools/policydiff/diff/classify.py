"""Is a change substantive, or trivial? A change is trivial when the two texts become equal
once one kind of noise is masked: whitespace, punctuation, dates, clause numbers, link
targets (or several of these together: "mixed")."""

from __future__ import annotations

import re
from collections.abc import Callable

from .dates import mask_dates

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]+")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<https?://[^>\s]+>|https?://[^\s)\]>]+")
# Clause numbers at the start of a line or heading: "3.", "3.2", "(b)", "B.", "iv)".
_NUMBERING = re.compile(
    r"(?m)^(\s*(?:#{1,6}\s+|[-*+]\s+|\*\*)?)(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[A-Za-z][.)]|\(?[ivxIVX]{1,5}[.)])(?=\s)"
)


def _whitespace(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _punctuation(text: str) -> str:
    return _whitespace(_PUNCT.sub(" ", text))


def _dates(text: str) -> str:
    return _whitespace(mask_dates(text))


def _renumbering(text: str) -> str:
    return _whitespace(_NUMBERING.sub(r"\1#", text))


def _links(text: str) -> str:
    return _whitespace(_LINK_TARGET.sub("](link)", text))


_KINDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("whitespace", _whitespace),
    ("date", _dates),
    ("renumbering", _renumbering),
    ("link", _links),
    ("punctuation", _punctuation),
)


def trivial_kind(old: str, new: str) -> str | None:
    """The kind of a trivial change, or None when the change is substantive (or no change)."""
    if old == new:
        return None
    for name, mask in _KINDS:
        if mask(old) == mask(new):
            return name

    def every(text: str) -> str:
        return _punctuation(_links(_renumbering(mask_dates(text))))

    return "mixed" if every(old) == every(new) else None
