"""Section-level diffs between two versions of a policy.

`diff_versions(old_markdown, new_markdown) -> PolicyDiff`: texts in, typed records out;
no files, no pages. The JSON shape (`PolicyDiff.to_json`) is a contract used by the CLI,
the site and the feeds.

The stages, one module each: `segment` (sections with stable ids), `align` (which old
section became which new one), `words` (word diffs, diff-match-patch semantics),
`classify` (trivial or substantive), `dates` (the date a policy states for itself),
`compare` (the pipeline), `report` (text and Markdown for people).
"""

from .compare import diff_versions
from .dates import StatedDate, effective_date, stated_date
from .records import DiffSummary, PolicyDiff, Section, SectionChange
from .segment import segment, slugify
from .words import word_diff

__all__ = [
    "DiffSummary",
    "PolicyDiff",
    "Section",
    "SectionChange",
    "StatedDate",
    "diff_versions",
    "effective_date",
    "segment",
    "slugify",
    "stated_date",
    "word_diff",
]
