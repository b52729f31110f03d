"""Shared by the diff tests: real versions copied from the corpus (tests/fixtures/) and the
invariants every diff must satisfy."""

from __future__ import annotations

import itertools
from pathlib import Path

from policydiff.diff import PolicyDiff, Section, segment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

GITHUB = "github-site-policy/github-privacy-statement/versions"
GOOGLE = "tosback/google-privacy-policy/versions"
BUMBLE = "ota-dating/bumble-privacy-policy/versions"
FINYA = "ota-dating/finya-privacy-policy-de/versions"
ZWSOFT = "citp-wayback/zwsoft-privacy-policy/captures/20171121T214541Z.md"

# Consecutive real versions: (name, old, new).
PAIRS = [
    ("github-2024-restructure", f"{GITHUB}/20231228T004138Z.md", f"{GITHUB}/20240418T002248Z.md"),
    ("google-2018-rewrite", f"{GOOGLE}/20180511T054415Z.md", f"{GOOGLE}/20180526T054320Z.md"),
    ("bumble-small-edit", f"{BUMBLE}/20221223T123205Z.md", f"{BUMBLE}/20230109T123208Z.md"),
    ("bumble-dated-edit", f"{BUMBLE}/20230109T123208Z.md", f"{BUMBLE}/20230118T123208Z.md"),
    ("finya-flip", f"{FINYA}/20240604T123220Z.md", f"{FINYA}/20240701T123221Z.md"),
    ("finya-flop", f"{FINYA}/20240701T123221Z.md", f"{FINYA}/20240701T183221Z.md"),
]


def read(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def rebuilt(diff: PolicyDiff) -> tuple[str, str]:
    """The old and new texts joined back from a diff's entries, in old and in new order."""
    olds = sorted((c for c in diff.sections if c.old_index is not None), key=lambda c: c.old_index or 0)
    news = sorted((c for c in diff.sections if c.new_index is not None), key=lambda c: c.new_index or 0)
    old = "".join(text for c in olds for op, text in c.diff if op <= 0)
    new = "".join(text for c in news for op, text in c.diff if op >= 0)
    return old, new


def check_invariants(diff: PolicyDiff, old: str, new: str) -> None:
    """Nothing lost, nothing invented; identical sections never reported as changed."""
    assert rebuilt(diff) == (old, new)
    old_sections, new_sections = segment(old), segment(new)
    old_ids = [i for c in diff.sections for i in c.old_ids]
    new_ids = [i for c in diff.sections for i in c.new_ids]
    assert sorted(old_ids) == sorted(s.id for s in old_sections)
    assert sorted(new_ids) == sorted(s.id for s in new_sections)
    # A section whose text is in both versions is unchanged, moved or renamed: never
    # modified, never one removal plus one addition.
    old_texts = {s.text for s in old_sections}
    new_texts = {s.text for s in new_sections}
    by_old = {s.id: s.text for s in old_sections}
    by_new = {s.id: s.text for s in new_sections}
    for change in diff.sections:
        if change.status == "removed":
            assert by_old[change.old_ids[0]] not in new_texts or _duplicated(by_old[change.old_ids[0]], old_sections)
        if change.status == "added":
            assert by_new[change.new_ids[0]] not in old_texts or _duplicated(by_new[change.new_ids[0]], new_sections)
        if change.status in ("modified", "renamed"):
            pieces_old = [by_old[i] for i in change.old_ids]
            pieces_new = [by_new[i] for i in change.new_ids]
            assert "".join(pieces_old) != "".join(pieces_new)
        if change.status in ("unchanged", "moved"):
            assert change.diff == ((0, change.diff[0][1]),)
        ops = [op for op, _ in change.diff]
        assert all(text for _, text in change.diff)
        assert all(a != b for a, b in itertools.pairwise(ops))


def _duplicated(text: str, sections: list[Section]) -> bool:
    """A text that occurs more often on one side may leave one copy unmatched."""
    return sum(1 for s in sections if s.text == text) > 1
