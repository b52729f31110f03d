"""Labels and flags a reader relies on: moved and renamed sections, silent and trivial
changes, returns to an earlier text (records built by hand, as the diff step will emit them)."""

from __future__ import annotations

import json
from dataclasses import replace

from test_render_golden import pair_data

from policydiff import urls
from policydiff.diff import DiffSummary, SectionChange
from policydiff.diff.segment import slugify
from policydiff.models import Period
from policydiff.render.pages import change_flags, change_page, compare_data, entry_label


def section(status: str, **fields: object) -> SectionChange:
    base = dict(
        status=status, old_id="a", new_id="a", old_title="Sharing", new_title="Sharing", old_index=2, new_index=2,
        words_added=0, words_removed=0, trivial=False, diff=[(0, "## Sharing\n\nWe share.\n")],
    )  # fmt: skip
    return SectionChange(**{**base, **fields})  # type: ignore[arg-type]


def test_moved_and_renamed_sections_are_labelled() -> None:
    assert entry_label(section("moved", new_index=5)) == "moved; position 3 → 6"
    renamed = section("renamed", new_id="b", new_title="Who we share with")
    assert entry_label(renamed) == "renamed from “Sharing”"
    assert entry_label(section("modified", new_title="Sharing data")) == "modified; renamed from “Sharing”"
    split = section("modified", note="split into 2", words_added=3)
    assert entry_label(split) == "modified; split into 2"
    assert entry_label(section("modified", trivial=True, trivial_kind="date")) == "modified; trivial (date)"


def test_flags_for_silent_trivial_and_date_only_changes() -> None:
    data, change = pair_data()
    silent = replace(change, diff=replace(change.diff, summary=DiffSummary(modified=1, silent_change=True,
                                                                          new_stated_date="2024-02-01")))  # fmt: skip
    flags = change_flags(data, silent)
    assert [title for _, title, _ in flags] == ["Silent change"]
    assert "2024-02-01" in flags[0][2]
    page = change_page(data, silent)
    assert '!!! warning "Silent change"' in page
    date_only = replace(
        change, diff=replace(change.diff, summary=DiffSummary(modified=1, trivial=True, date_only=True))
    )
    assert [title for _, title, _ in change_flags(data, date_only)] == ["Date only"]
    trivial = replace(change, diff=replace(change.diff, summary=DiffSummary(modified=1, trivial=True)))
    assert [title for _, title, _ in change_flags(data, trivial)] == ["Trivial change"]


def test_a_return_to_an_earlier_text_is_flagged() -> None:
    data, change = pair_data()
    first, second = data.periods
    back = Period(first.version, second.end.replace(year=2027), second.end.replace(year=2027), first.captures)
    plain = replace(change, diff=replace(change.diff, summary=DiffSummary(modified=1)))
    change = plain
    revert = replace(plain, number=2, old=second, new=back)
    data = replace(data, periods=[first, second, back], changes=[change, revert])
    assert [title for _, title, _ in change_flags(data, revert)] == ["Return to an earlier text"]
    assert change_flags(data, change) == []


def test_compare_data_carries_what_the_alignment_keys_on() -> None:
    """The compare page's port of diff/align.py keys its id and title passes on each
    section's parent and title slug (clause numbers dropped), so the JSON ships Python's."""
    data, _ = pair_data()
    files = compare_data(data)
    index = json.loads(files[urls.compare_page(data.slug) + "versions.json"])
    assert [v["id"] for v in index["versions"]] == list(data.versions)
    for version in index["versions"]:
        shipped = json.loads(files[urls.compare_page(data.slug) + version["file"]])["sections"]
        sections = data.sections[version["id"]]
        assert [(s["id"], s["parent"], s["slug"], s["text"]) for s in shipped] == [
            (s.id, s.parent, slugify(s.title), s.text) for s in sections
        ]
