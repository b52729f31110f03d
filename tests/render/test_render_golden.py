"""Rendering of a real pair (GitHub Privacy Statement, 2024-04-18 -> 2026-03-24) against a
reviewed golden file.

The diff records come from a stored JSON (the `PolicyDiff.to_json` contract, read back by
`PolicyDiff.from_json`), not from today's diff engine, so this golden file changes only when
the rendering does; the history around it is built directly, with no archive. Regenerate
with `POLICY_DIFF_UPDATE_GOLDEN=1 pytest tests/render`, then read the diff before committing.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policydiff.declaration import Declaration
from policydiff.diff import PolicyDiff, diff_versions
from policydiff.history import Change, PolicyHistory, build_history
from policydiff.models import Capture, CaptureRef, Period, Version
from policydiff.render.change_page import change_page

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
VERSIONS = HERE.parent / "fixtures" / "github-site-policy" / "github-privacy-statement" / "versions"
OLD, NEW = "20240418T002248Z", "20260324T002736Z"
UPDATE = os.environ.get("POLICY_DIFF_UPDATE_GOLDEN") == "1"
SLUG = "github-privacy-statement"


def stamp(name: str) -> datetime:
    return datetime.strptime(name, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def stored_diff(texts: dict[str, str]) -> PolicyDiff:
    stored = GOLDEN / "github-2024-2026.diff.json"
    if UPDATE or not stored.exists():
        stored.write_text(json.dumps(diff_versions(texts[OLD], texts[NEW], old_id=OLD, new_id=NEW).to_json(),
                                     indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    return PolicyDiff.from_json(json.loads(stored.read_text("utf-8")))


def pair_data() -> tuple[PolicyHistory, Change]:
    """The pair as a history built directly (no archive), its one change's diff the stored one."""
    texts = {OLD: (VERSIONS / f"{OLD}.md").read_text("utf-8"), NEW: (VERSIONS / f"{NEW}.md").read_text("utf-8")}
    diff = stored_diff(texts)
    refs = {name: CaptureRef(stamp(name), f"{name}-0000000000aa.md") for name in texts}
    periods = [Period(name, stamp(name), stamp(name), (refs[name],)) for name in (OLD, NEW)]
    capture = Capture(
        slug=SLUG, file=refs[NEW].file, captured_at=stamp(NEW), sha256="ab" * 32,
        size=len(texts[NEW]), media_type="text/markdown", source_url="https://github.com/github/site-policy",
        ingested_via="file", ingested_at=stamp(NEW), wayback_url=None,
    )  # fmt: skip
    history = build_history(
        Declaration(SLUG, "GitHub Privacy Statement", ("https://github.com/",)),
        captures=[capture], exclusions=[], texts=texts, periods=periods,
        versions=[Version(SLUG, n, "0" * 64, f"{n}.md", (refs[n],), "test") for n in texts],
        differ=lambda old, new, old_id, new_id: diff,
    )  # fmt: skip
    return history, history.changes[0]


def test_change_page_matches_the_reviewed_golden_file() -> None:
    history, change = pair_data()
    page = change_page(history, change)
    golden = GOLDEN / "github-2024-2026.change.md"
    if UPDATE:
        golden.write_text(page, encoding="utf-8")
    assert golden.exists(), "no golden file: run with POLICY_DIFF_UPDATE_GOLDEN=1 and review it"
    assert page == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("status", ["modified"])
def test_every_changed_section_is_on_the_page(status: str) -> None:
    history, change = pair_data()
    page = change_page(history, change)
    changed = [s for s in change.diff.sections if s.status == status]
    assert changed
    for entry in changed:
        assert f"{{ #{entry.new_id} .pd-status-{status} }}" in page
