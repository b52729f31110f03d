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

Measurements that set the thresholds: `bench/significance.py` over every change of the
shared corpus (146 changes in 12 documents, en/fr/de), run 2026-12-02; the 109 substantive
changes that do not return to an earlier text (finya flips between two documents) measured:

- share of the words changed: median 1.1%, 75th percentile 5.9%, 90th 50%. The 21 changes at
  15% or more are all restructures (several sections added and removed: Google 2014-04-01,
  2018-05-26, GitHub 2019-04-19, 2022-09-01...); of the 11 between 5% and 15%, 9 add or remove
  a section of `SECTION_WORDS` or more anyway: `MAJOR_SHARE = 0.15`, where edits stop being
  local. (It is never the only rule that holds in the corpus.)
- words changed (max of added, removed): median 81, 75th percentile 392: `MAJOR_WORDS = 400`,
  a backstop for a long policy that grows a topic inside existing sections (never the only
  rule in the corpus either).
- added or removed sections: 403 of 40 words or more, 163 below; those below are headings
  alone ("### Other important information"), tables of contents and one-line contact
  notes, while the short ones that matter ("Right to Opt-Out", 38 words) bring a watched
  term that rule d catches: `SECTION_WORDS = 40`.
- watched terms: 15 majors hold by rule d alone, all a new topic in a section (Meetic's
  biometric data, Bumble's AI matching, GitHub's AI training, Google's location sentences);
  the one-word fixes (GitHub 2023-05-04 "fFor" -> "for", 2023-12-06 "repos" ->
  "repositories", Google 2016-11-03 "Actvity") change 1 word, the smallest rule-d major 29:
  `TERM_WORDS = 8`, about a sentence.
- values: 6 changes change a commitment value, 2 by that rule alone (Google 2017-10-03
  "Google Inc" -> "Google LLC"; Bumble 2026-06-13 "30 days" -> "24 hours").

Distribution (same run): 82 major (56%, 28 of them finya's flips), 58 minor (40%), 6 trivial
(4%); of 27 silent changes, 6 are major (a warning) and 21 minor (a note).
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
    held = major_rules(m)
    level = "major" if held else "minor"
    return level, significance_reasons(level, flags=flags, measures=m, rules=held)


def major_rules(m: Measures) -> tuple[str, ...]:
    """The rules of 2. (a-e) that hold for a substantive change: any makes it major."""
    rules = {
        "share": m.share >= MAJOR_SHARE,
        "words": m.changed_words >= MAJOR_WORDS,
        "sections": bool(m.big_added or m.big_removed),
        "terms": any(t.entering for t in m.terms) and m.changed_words >= TERM_WORDS,
        "values": any(v.kind in COMMITMENT_KINDS and v.before and v.after for v in m.values),
    }
    return tuple(name for name, holds in rules.items() if holds)


def displayed_significance(change: Change) -> str:
    """The significance a reader is shown for a change: the one place a later record (an
    editor's note marking a change material, issue 13) overrides the automatic rules: the
    editor's word ranks above them."""
    return "major" if change.material else change.significance


def at_least(level: str, floor: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(floor)
