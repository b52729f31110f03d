"""One record of a policy's history, the single source of truth of every surface.

`load_history(archive, slug) -> PolicyHistory` reads a policy once; `build_history(...)`
makes the same record from records and texts (no archive). The site (`render`), the feeds,
the CLI and the compare page all read what a change is from it: its diff, its flags (one
definition each, `flags.py`), the lineage of every section (`lineage.py`) and the dates the
policy states. Nothing downstream re-derives any of it.

Modules: `records` (the frozen records and their JSON), `flags`, `lineage`, `build` (the
pure computation) and `load` (the archive reader, imported only when asked for, so that
render and feeds, which import the records, never load the archive). What a change does and
whether it matters: `assess` (one call per change) over `edits` (the sentences an edit
changed), `terms` (watched terms gained or lost, patterns in `policydiff.watch`), `values`
(periods, ages, amounts, addresses... before and after), `significance` (the rules, their
thresholds and `displayed_significance`) and `headline`.
"""

from typing import Any

from .build import HISTORY_VERSION, build_history
from .flags import change_flags, change_index, earlier_text
from .records import (
    FLAG_NAMES,
    Change,
    ChangeFlags,
    Exclusion,
    PolicyHistory,
    SectionHistory,
    SectionLink,
    VersionText,
)

__all__ = [
    "FLAG_NAMES",
    "HISTORY_VERSION",
    "Change",
    "ChangeFlags",
    "Exclusion",
    "PolicyHistory",
    "SectionHistory",
    "SectionLink",
    "VersionText",
    "archive_fingerprint",
    "build_history",
    "change_flags",
    "change_index",
    "earlier_text",
    "load_history",
]


def __getattr__(name: str) -> Any:
    if name in {"load_history", "archive_fingerprint"}:
        from . import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
