"""Rendering of a real pair (GitHub Privacy Statement, 2024-04-18 -> 2026-03-24) against a
reviewed golden file.

The diff records come from a stored JSON (the `PolicyDiff.to_json` contract), not from
today's diff engine, so this golden file changes only when the rendering does. Regenerate
with `POLICY_DIFF_UPDATE_GOLDEN=1 pytest tests/render`, then read the diff before committing.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policydiff.changes import Change
from policydiff.declaration import Declaration
from policydiff.diff import DiffSummary, PolicyDiff, SectionChange, diff_versions, segment
from policydiff.models import Capture, CaptureRef, Period, Version
from policydiff.render.pages import PolicyData, change_page, section_histories

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
VERSIONS = HERE.parent / "fixtures" / "github-site-policy" / "github-privacy-statement" / "versions"
OLD, NEW = "20240418T002248Z", "20260324T002736Z"
UPDATE = os.environ.get("POLICY_DIFF_UPDATE_GOLDEN") == "1"


def diff_from_json(data: dict) -> PolicyDiff:
    sections = [
        SectionChange(**{**s, "diff": [(op, text) for op, text in s["diff"]]})  # JSON lists -> tuples
        for s in data["sections"]
    ]
    return PolicyDiff(data["from"], data["to"], DiffSummary(**data["summary"]), sections)


def stamp(name: str) -> datetime:
    return datetime.strptime(name, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def pair_data() -> tuple[PolicyData, Change]:
    texts = {OLD: (VERSIONS / f"{OLD}.md").read_text("utf-8"), NEW: (VERSIONS / f"{NEW}.md").read_text("utf-8")}
    stored = GOLDEN / "github-2024-2026.diff.json"
    if UPDATE or not stored.exists():
        stored.write_text(json.dumps(diff_versions(texts[OLD], texts[NEW], old_id=OLD, new_id=NEW).to_json(),
                                     indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    diff = diff_from_json(json.loads(stored.read_text("utf-8")))
    refs = {name: CaptureRef(stamp(name), f"{name}-0000000000aa.md") for name in texts}
    periods = [Period(name, stamp(name), stamp(name), (refs[name],)) for name in (OLD, NEW)]
    capture = Capture(
        slug="github-privacy-statement", file=refs[NEW].file, captured_at=stamp(NEW), sha256="ab" * 32,
        size=len(texts[NEW]), media_type="text/markdown", source_url="https://github.com/github/site-policy",
        ingested_via="file", ingested_at=stamp(NEW), wayback_url=None,
    )  # fmt: skip
    lineage = {s.new_id: s.new_id for s in diff.sections if s.new_id is not None}
    change = Change("github-privacy-statement", 1, periods[0], periods[1], diff, capture, lineage)
    sections = {name: segment(text) for name, text in texts.items()}
    histories, current = section_histories(sections[OLD], stamp(OLD), [change])
    data = PolicyData(
        slug="github-privacy-statement",
        declaration=Declaration("github-privacy-statement", "GitHub Privacy Statement", ("https://github.com/",)),
        versions={n: Version("github-privacy-statement", n, "0" * 64, f"{n}.md", (refs[n],), "test") for n in texts},
        periods=periods, changes=[change], captures={capture.file: capture}, exclusions={}, texts=texts,
        sections=sections, histories=histories, current_lineage=current, stated_date=None,
    )  # fmt: skip
    return data, change


def test_change_page_matches_the_reviewed_golden_file() -> None:
    data, change = pair_data()
    page = change_page(data, change)
    golden = GOLDEN / "github-2024-2026.change.md"
    if UPDATE:
        golden.write_text(page, encoding="utf-8")
    assert golden.exists(), "no golden file: run with POLICY_DIFF_UPDATE_GOLDEN=1 and review it"
    assert page == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("status", ["modified"])
def test_every_changed_section_is_on_the_page(status: str) -> None:
    data, change = pair_data()
    page = change_page(data, change)
    changed = [s for s in change.diff.sections if s.status == status]
    assert changed
    for entry in changed:
        assert f"{{ #{entry.new_id} .pd-status-{status} }}" in page
