"""bench/_peak.py: the peak memory the benchmarks report is the measured process's own,
not that of the larger bench process that started it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
# Loaded from its file: bench/ on sys.path would put its scripts' names (site, diff, feeds)
# before every other module's for the rest of the test run.
_spec = importlib.util.spec_from_file_location("bench_peak", BENCH / "_peak.py")
assert _spec is not None and _spec.loader is not None
_peak = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_peak)
run_measured = _peak.run_measured

_BIG = 200 << 20  # this process's memory while it starts the child: far above the child's


def test_a_small_child_of_a_large_process_is_measured_small() -> None:
    ballast = b"\x01" * _BIG  # written, so resident
    status, cpu, peak_kb, errors = run_measured([sys.executable, "-c", "x = b'\\x02' * (30 << 20)"])
    assert ballast[-1] == 1
    assert status == 0, errors
    assert 30 * 1024 <= peak_kb < 120 * 1024  # its 30 MB and an interpreter, not our 200
    assert cpu > 0


def test_own_peak_in_a_child_is_its_own() -> None:
    ballast = b"\x01" * _BIG
    code = "import _peak; print(_peak.own_peak_kb())"
    out = subprocess.run([sys.executable, "-c", code], cwd=BENCH, capture_output=True, text=True, check=True)
    assert ballast[-1] == 1
    assert int(out.stdout) < 100 * 1024


def test_the_command_s_failure_is_passed_on() -> None:
    status, _cpu, _peak_kb, errors = run_measured([sys.executable, "-c", "import sys; sys.exit('no such site')"])
    assert status == 1
    assert b"no such site" in errors
