"""Section-level diffs between two versions of a policy.

`diff_versions(old_markdown, new_markdown) -> PolicyDiff`: texts in, typed records out;
no files, no pages. The JSON shape (`PolicyDiff.to_json`) is a contract used by the CLI,
the site and the feeds.
"""

from .records import DiffSummary, PolicyDiff, Section, SectionChange
from .sections import diff_versions, segment

__all__ = ["DiffSummary", "PolicyDiff", "Section", "SectionChange", "diff_versions", "segment"]
