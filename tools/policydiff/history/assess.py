"""What a change does and whether it matters, computed once from its diff: flags (calibrated
by significance), significance with its reasons, the headline and the watched term groups
gained or lost. `build` calls it for every change of a history, the CLI for any pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diff import PolicyDiff
from ..watch import TermMatcher
from .edits import diff_edits, policy_words
from .flags import calibrated, change_flags
from .headline import headline
from .records import ChangeFlags, assessed_json
from .significance import measure, significance
from .terms import term_changes
from .values import value_changes


@dataclass(frozen=True)
class Assessment:
    flags: ChangeFlags
    significance: str  # major | minor | trivial
    reasons: tuple[str, ...]
    headline: str
    terms: tuple[str, ...]  # term-group ids gained or lost, sorted

    def summary_json(self) -> dict[str, Any]:
        """What `policy-diff diff --json` adds inside `summary` (the published contract)."""
        return assessed_json(self.flags, self.significance, self.headline, self.terms, self.reasons)


def assess_change(diff: PolicyDiff, matcher: TermMatcher, reverts_to: str | None = None) -> Assessment:
    flags = change_flags(diff, reverts_to)
    edits = diff_edits(diff)
    terms = term_changes(edits, matcher)

    def opt_out(sentence: str) -> bool:
        return "consent" in matcher.groups_in(sentence) or "opt" in sentence.lower()

    values = value_changes(edits, opt_out)
    measures = measure(diff, edits, policy_words(diff), terms, values, matcher.labels)
    touched = [e for e in diff.sections if e.status != "unchanged"]
    moved_only = bool(touched) and not edits and not flags.trivial
    level, reasons = significance(flags, measures, moved_only)
    return Assessment(
        flags=calibrated(flags, level),
        significance=level,
        reasons=reasons,
        headline=headline(diff, flags, edits, terms, values, matcher.labels, share=measures.share),
        terms=tuple(sorted({t.group for t in terms})),
    )
