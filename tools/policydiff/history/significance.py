"""Does a change matter? Every change is `major`, `minor` or `trivial`, by the rules below,
and carries the reasons in words. The rules and their thresholds live here and nowhere else.

Rules, in order (the first that decides wins; every rule that holds adds a reason):

1. **trivial**: no word changed: every touched section changed only by noise
   (`flags.trivial`: whitespace, punctuation, dates, clause numbers, link targets), or
   sections only moved.
2. **major** when any of:
   a. the edit rewrote at least `MAJOR_SHARE` of the policy's words
      (max(words added, words removed) / words of the longer version);
   b. it changed at least `MAJOR_WORDS` words, whatever the policy's length;
   c. a section of at least `SECTION_WORDS` words was added or removed;
   d. a watched term group (`terms.py`) entered a section that had none of its terms, or
      left one, and the edit changed at least `TERM_WORDS` words (a new sentence about
      training models in "From You" is news; one more sentence about cookies in a section
      about cookies is a reason, not a major change; a one-word fix is neither);
   e. a commitment value changed from one value to another (a period, an age, an amount,
      a company name: `values.py`): "30 days" -> "90 days", "Google Inc" -> "Google LLC".
3. **minor** otherwise (a reason says what: "edits 3 words in “Cookies”").

Measurements that set the thresholds (`bench/significance.py` over every change of the
shared corpus, 425 changes in 12 documents, run 2026-12-02):

- words changed (max of added, removed) per substantive change: median 9, 75th percentile
  37, 90th 245; the rewrites a reader would call new policies (Google 2018-05-25 and
  2020-01-22 rewrites, GitHub 2024-02 restructure, finya's flips between two documents)
  all change more than 25% of the words, while no edit below 15% rewrote more than two
  sections: `MAJOR_SHARE = 0.15`.
- `MAJOR_WORDS = 400`: the largest edits under 15% (long policies: Google, GitHub) that add
  a whole topic (a new "AI" passage, a state-law section) change 400+ words; routine edits
  stay below 300.
- `SECTION_WORDS = 40`: added sections under 40 words are headings split off or one-line
  notes (20 of the 31 added sections below 40 words had no sentence of their own).
- `TERM_WORDS = 8`: a sentence; the one-word and link fixes (GitHub 2023-12-06
  "repos → repositories") change 1-3 words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diff import PolicyDiff
from ..wording import significance_reasons
from .edits import EntryEdit
from .terms import TermChange
from .values import COMMITMENT_KINDS, ValueChange

if TYPE_CHECKING:
    from .records import Change, ChangeFlags

LEVELS = ("trivial", "minor", "major")  # in order of weight

MAJOR_SHARE = 0.15
MAJOR_WORDS = 400
SECTION_WORDS = 40
TERM_WORDS = 8


@dataclass(frozen=True)
class Measures:
    """What the rules read of a change."""

    changed_words: int  # max(words added, words removed)
    policy_words: int  # content words of the longer of the two versions
    big_added: tuple[tuple[str, int], ...]  # (title, words) of added sections of SECTION_WORDS+
    big_removed: tuple[tuple[str, int], ...]
    terms: tuple[TermChange, ...]
    values: tuple[ValueChange, ...]
    edits: tuple[EntryEdit, ...]
    labels: dict[str, str] = field(default_factory=dict)  # term-group id -> its label

    @property
    def share(self) -> float:
        return self.changed_words / self.policy_words if self.policy_words else 1.0


def measure(
    diff: PolicyDiff,
    edits: Sequence[EntryEdit],
    policy_words: int,  # the larger of the two versions' content words
    terms: Sequence[TermChange],
    values: Sequence[ValueChange],
    labels: dict[str, str],
) -> Measures:
    summary = diff.summary
    return Measures(
        changed_words=max(summary.words_added, summary.words_removed),
        policy_words=policy_words,
        big_added=tuple((e.title, e.new_words) for e in edits if e.status == "added" and e.new_words >= SECTION_WORDS),
        big_removed=tuple(
            (e.title, e.old_words) for e in edits if e.status == "removed" and e.old_words >= SECTION_WORDS
        ),
        terms=tuple(terms),
        values=tuple(values),
        edits=tuple(edits),
        labels=labels,
    )


def significance(flags: ChangeFlags, m: Measures, moved_only: bool) -> tuple[str, tuple[str, ...]]:
    """The level of a change and the reasons for it, in words (`wording`)."""
    if flags.trivial or moved_only or not m.edits:
        return "trivial", significance_reasons("trivial", flags=flags, measures=m, moved_only=moved_only)
    rules = {
        "share": m.share >= MAJOR_SHARE,
        "words": m.changed_words >= MAJOR_WORDS,
        "sections": bool(m.big_added or m.big_removed),
        "terms": any(t.entering for t in m.terms) and m.changed_words >= TERM_WORDS,
        "values": any(v.kind in COMMITMENT_KINDS and v.before and v.after for v in m.values),
    }
    level = "major" if any(rules.values()) else "minor"
    held = tuple(name for name, holds in rules.items() if holds)
    return level, significance_reasons(level, flags=flags, measures=m, rules=held)


def displayed_significance(change: Change) -> str:
    """The significance a reader is shown for a change: the one place a later record (an
    editor's note marking a change material, issue 13) overrides the automatic rules."""
    return change.significance


def at_least(level: str, floor: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(floor)
