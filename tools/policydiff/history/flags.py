"""What a change is, beyond its diff: one definition of each flag, used by every surface.

- **trivial**: the change touched at least one section, and every section it touched changed
  only by noise of the kinds `diff.classify` recognises (whitespace, punctuation, dates,
  clause numbers, link targets). A diff of two equal texts is no change, not a trivial one.
- **date_only**: the stated date moved and the only edits are dates (a date-only change is
  trivial too; pages then name it "Date only" rather than "Trivial change").
- **silent_change**: a substantive edit under an unchanged stated date (both versions state
  one, and it is the same), of a change at least `minor` (`significance.py`): a trivial
  change under the same date is not silent, it is noise (`calibrated`).
- **reverts_to**: the new text is one that was in force earlier in the history: that
  version's id.

The diff already measures the first three (`DiffSummary`); they are read from it here and
nowhere else, so a later rule (a significance threshold for silent changes, say) changes
them in one place for the site, the feeds, the CLI and the compare page alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..diff import PolicyDiff
from ..models import Period
from .records import ChangeFlags


def change_flags(diff: PolicyDiff, reverts_to: str | None = None) -> ChangeFlags:
    """The flags of a change with this diff; `reverts_to` from `earlier_text`."""
    summary = diff.summary
    touched = [s for s in diff.sections if s.status != "unchanged"]
    trivial = bool(touched) and all(s.trivial for s in touched)
    kinds = sorted({s.trivial_kind for s in touched if s.trivial and s.trivial_kind}) if trivial else []
    return ChangeFlags(
        trivial=trivial,
        trivial_kinds=tuple(kinds),
        date_only=summary.date_only,
        silent_change=summary.silent_change,
        reverts_to=reverts_to,
    )


def calibrated(flags: ChangeFlags, significance: str) -> ChangeFlags:
    """The flags once the change's significance is known: only a change that matters
    (`minor` or `major`) can be a silent one."""
    return replace(flags, silent_change=flags.silent_change and significance != "trivial")


def earlier_text(periods: Sequence[Period], index: int) -> str | None:
    """The version id the change into `periods[index]` returns to, if its text was in force
    in an earlier period; None for a text not seen before (and for the first period)."""
    if index <= 0:
        return None
    version = periods[index].version
    return version if any(p.version == version for p in periods[:index]) else None


def change_index(
    periods: Sequence[Period], old_version: str, new_version: str, at: datetime | None = None
) -> int | None:
    """The index of the period that a change from `old_version` to `new_version` leads into:
    the one in force at `at` when that is such a change, else the latest such change; None
    when the history has no such change (an arbitrary pair)."""

    def is_change(index: int) -> bool:
        return index > 0 and periods[index - 1].version == old_version and periods[index].version == new_version

    if at is not None:
        in_force = [i for i, p in enumerate(periods) if p.start <= at]
        if in_force and is_change(in_force[-1]):
            return in_force[-1]
    return next((i for i in range(len(periods) - 1, 0, -1) if is_change(i)), None)
