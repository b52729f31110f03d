"""bench/extraction_stages.py times the stages `extract_capture` really calls: a stage
imported under another name, or no longer called, would leave its wrapper untouched and
the breakdown silently wrong."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import lxml.html

from policydiff.extract import extract_capture

REPO = Path(__file__).resolve().parent.parent
CAPTURE = REPO / "tests/fixtures/ota-dating/bumble-privacy-policy/snapshots/20260530T003054Z.html"


def _script():
    spec = importlib.util.spec_from_file_location("extraction_stages", REPO / "bench/extraction_stages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_stage_is_called_through_its_wrapper_and_restored() -> None:
    stages = _script()
    data = CAPTURE.read_bytes()
    before = extract_capture(data, "text/html")
    clock = stages.Clock()
    restore = stages.install(clock)
    try:
        during = extract_capture(data, "text/html")
    finally:
        restore()
    assert during == before  # the wrappers change nothing
    assert set(clock.cpu) == {name for _, name in stages.STAGES}
    # nested stages (`_key_text` reads `visible_text`) are not counted twice
    assert all(spent >= 0 for spent in clock.cpu.values())
    clock.cpu.clear()
    extract_capture(data, "text/html")
    assert clock.cpu == {}  # restored: nothing timed any more


def test_the_walk_floor_walks_the_parsed_page() -> None:
    stages = _script()
    elements, bare, reading = stages.walk_floor([CAPTURE.read_bytes()], 1)
    assert elements == sum(1 for _ in lxml.html.document_fromstring(CAPTURE.read_bytes()).iter())
    assert bare >= 0 and reading >= 0
