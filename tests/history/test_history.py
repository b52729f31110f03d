"""The history record: one load, frozen, self-contained (JSON and pickle round trips, a
fingerprint of its inputs), with one definition of each flag."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from history_fixtures import history_of
from policydiff.archive import Archive
from policydiff.diff import diff_versions
from policydiff.history import PolicyHistory, change_flags, change_index, earlier_text, load_history

REPO = Path(__file__).resolve().parents[2]
POLICY = "# Policy\n\nLast updated: May 1, 2021\n\n## Data\n\nWe keep your data for a year.\n"


@pytest.fixture(scope="module")
def github() -> PolicyHistory:
    return load_history(Archive(REPO / "archive"), "github-privacy-statement")


def test_a_history_cannot_be_changed_through_any_of_its_parts(github: PolicyHistory) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        github.changes = ()  # type: ignore[misc]
    for field in ("captures", "exclusions", "versions", "periods", "changes", "sections"):
        assert isinstance(getattr(github, field), tuple), field
    change = github.changes[-1]
    assert isinstance(change.diff.sections, tuple) and isinstance(change.diff.sections[0].diff, tuple)
    assert isinstance(change.lineage, tuple) and len(change.lineage) == len(change.diff.sections)
    with pytest.raises(TypeError):
        github.declaration.raw["name"] = "Evil"  # type: ignore[index]
    with pytest.raises(TypeError):
        github.versions[0].version.meta["id"] = "v0"  # type: ignore[index]
    with pytest.raises(TypeError):
        github.captures[0].extra["x"] = 1  # type: ignore[index]
    assert hash(github) == hash(load_history(Archive(REPO / "archive"), "github-privacy-statement"))


def test_a_history_round_trips_through_json_and_pickle(github: PolicyHistory) -> None:
    text = json.dumps(github.to_json(), ensure_ascii=False)
    again = PolicyHistory.from_json(json.loads(text))
    assert again == github
    assert json.dumps(again.to_json(), ensure_ascii=False) == text
    assert pickle.loads(pickle.dumps(github)) == github


def test_the_fingerprint_is_of_the_inputs() -> None:
    edited = POLICY.replace("a year", "two years")
    first = history_of("p", [POLICY, edited])
    assert history_of("p", [POLICY, edited]).fingerprint == first.fingerprint
    assert history_of("p", [POLICY, edited + "\nMore.\n"]).fingerprint != first.fingerprint
    assert history_of("p", [POLICY, edited], name="Other").fingerprint != first.fingerprint


def test_each_flag_has_one_definition() -> None:
    same = diff_versions(POLICY, POLICY)
    assert change_flags(same).names == ()  # no section changed: no change, not a trivial one
    spaced = diff_versions(POLICY, POLICY.replace("a year.", "a  year ."))
    assert change_flags(spaced).names == ("trivial",) and change_flags(spaced).trivial_kinds == ("punctuation",)
    dated = diff_versions(POLICY, POLICY.replace("May 1", "June 2"))
    assert change_flags(dated).names == ("date_only", "trivial")
    silent = diff_versions(POLICY, POLICY.replace("a year", "ten years"))
    assert change_flags(silent).names == ("silent_change",)
    assert change_flags(silent, "v1").names == ("revert", "silent_change")
    assert change_flags(silent, "v1").summary_json() == {"flags": ["revert", "silent_change"], "reverts_to": "v1"}


def test_a_return_to_an_earlier_text_names_that_version() -> None:
    edited = POLICY.replace("a year", "ten years")
    history = history_of("p", [POLICY, edited, POLICY, edited])
    a, b = history.periods[0].version, history.periods[1].version
    assert [c.flags.reverts_to for c in history.changes] == [None, a, b]
    assert [earlier_text(history.periods, i) for i in range(4)] == [None, None, a, b]
    assert change_index(history.periods, a, b) == 3  # the latest change from a to b
    assert change_index(history.periods, b, b) is None


def test_render_and_feeds_never_load_the_archive() -> None:
    """The contract: no module under render/ or feeds/ imports the archive, not even through
    another module (checked in a fresh interpreter)."""
    for folder in ("render", "feeds"):
        for module in (REPO / "tools" / "policydiff" / folder).glob("*.py"):
            source = module.read_text(encoding="utf-8")
            assert "archive import" not in source and "import archive" not in source, module
    code = (
        "import sys\n"
        "import policydiff.render, policydiff.feeds\n"
        "print('policydiff.archive' in sys.modules, 'policydiff.extract' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
