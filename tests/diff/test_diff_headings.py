"""A change that only adds or removes headings shows as that: the section split into the new
sections (or merged from the old ones), the heading lines added (or removed), no words of the
text removed and added again. Issue 17: Facebook's first change (1 section -> 23, headings
added over the same text) was reported as 9,062 words removed and 9,062 added."""

from __future__ import annotations

import re

from diff_fixtures import GITHUB, check_invariants, read

from policydiff.diff import diff_versions

LOVOO = "ota-dating/lovoo-privacy-policy-de/versions"
HEADING_LINE = re.compile(r"(?m)^#{1,6} .*\n(?:\n)?")


def without_headings(markdown: str) -> str:
    """A DERIVED fixture (reviewed): the real GitHub Privacy Statement of 2024-04-18 with its
    ATX heading lines (and the blank line after each) taken out, the text left as it is.
    Built here from the real file, never stored: it stands for the version before
    headings were put over the same text."""
    return HEADING_LINE.sub("", markdown)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def heading_words(markdown: str) -> int:
    return sum(words(m.group(0)) for m in HEADING_LINE.finditer(markdown))


def test_headings_added_over_the_same_text_are_splits_with_only_the_headings_added() -> None:
    real = read(f"{GITHUB}/20240418T002248Z.md")
    # No title before the first heading: the old text's one section has no pair to host
    # the split (Facebook's case), so the split must be found without one.
    new = real[real.index("## GitHub Privacy Statement") :]
    old = without_headings(new)
    diff = diff_versions(old, new)
    check_invariants(diff, old, new)
    assert diff.summary.words_removed == 0
    assert diff.summary.words_added == heading_words(new) > 100
    assert diff.summary.added == diff.summary.removed == 0
    changed = [c for c in diff.sections if c.status != "unchanged"]
    assert all(c.status == "modified" and len(c.old_ids) == 1 for c in changed)
    assert sum(len(c.new_ids) for c in changed) > 23  # the one section and its neighbours, split out
    assert any(c.note == f"split into {len(c.new_ids)} sections" and len(c.new_ids) >= 11 for c in changed)
    for c in changed:
        added = "".join(text for op, text in c.diff if op == 1)
        assert all(line.startswith("#") for line in added.split("\n") if line.strip()), added
        assert not [text for op, text in c.diff if op == -1]


def test_headings_taken_away_are_merges_with_only_the_headings_removed() -> None:
    real = read(f"{GITHUB}/20240418T002248Z.md")
    old = real[real.index("## GitHub Privacy Statement") :]
    new = without_headings(old)
    diff = diff_versions(old, new)
    check_invariants(diff, old, new)
    assert diff.summary.words_added == 0
    assert diff.summary.words_removed == heading_words(old)
    assert diff.summary.added == diff.summary.removed == 0
    assert any(c.note and c.note.startswith("merged from") and len(c.old_ids) >= 11 for c in diff.sections)


def test_real_headings_added_lovoo_2025_is_one_split_into_five() -> None:
    """Lovoo (real versions, 2023-01-26 -> 2025-08-01): the processors listed under "How do
    we protect your data?" got headings of their own (Max Mind, Cloudflare, reCaptcha,
    Stripe). Before, the split stopped after the first one and three were 'added'."""
    old, new = read(f"{LOVOO}/20230126T123357Z.md"), read(f"{LOVOO}/20250801T173451Z.md")
    diff = diff_versions(old, new)
    check_invariants(diff, old, new)
    entry = next(c for c in diff.sections if c.old_id == "how-do-we-protect-your-data")
    assert entry.new_ids == ("how-do-we-protect-your-data", "max-mind-inc", "cloudflare-inc", "recaptcha", "stripe-inc")
    assert entry.note == "split into 5 sections"
    assert not [c for c in diff.sections if c.status == "added" and c.new_id in entry.new_ids]


def test_real_headings_removed_lovoo_2023_are_trivial_merges() -> None:
    """Lovoo (real versions, 2023-01-24 -> 2023-01-26): four addresses stopped being
    headings; same words, so the merges are trivial."""
    old, new = read(f"{LOVOO}/20230124T114022Z.md"), read(f"{LOVOO}/20230126T123357Z.md")
    diff = diff_versions(old, new)
    check_invariants(diff, old, new)
    merged = next(c for c in diff.sections if c.new_id == "how-do-we-protect-your-data")
    assert merged.note == "merged from 4 sections" and merged.trivial
    assert diff.summary.added == diff.summary.removed == 0 and diff.summary.trivial
