"""Crash safety and locking, with real processes: killed mid-ingest at seeded points, and two
ingests racing into one archive."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policydiff.archive import Archive
from test_archive import MARKUP_ONLY, TEXT_CHANGE, UPTIME, UPTIME_URL


def policy_diff(archive_dir: Path, *args: str, crash_at_write: int = 0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POLICY_DIFF_CRASH_AT_WRITE": str(crash_at_write)}
    return subprocess.Popen(
        [sys.executable, "-m", "policydiff.cli", "--archive", str(archive_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )


def run(archive_dir: Path, *args: str) -> tuple[int, str]:
    proc = policy_diff(archive_dir, *args)
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out.decode()


def many_captures(folder: Path, count: int, start_day: int = 1) -> Path:
    """Real captures seen on many days: the same bytes at other times are other captures."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [UPTIME / name for name in [*MARKUP_ONLY, TEXT_CHANGE]]
    for index in range(count):
        day = start_day + index
        name = f"2025{1 + day // 28:02d}{1 + day % 28:02d}T120000Z.html"
        (folder / name).write_bytes(sources[index % len(sources)].read_bytes())
    return folder


def assert_consistent(archive_dir: Path) -> None:
    code, out = run(archive_dir, "verify")
    assert code == 0, out
    archive = Archive(archive_dir)
    versioned = [ref.file for v in archive.versions("uptimerobot") for ref in v.captures]
    assert sorted(versioned) == sorted(c.file for c in archive.captures("uptimerobot"))
    assert len(versioned) == len(set(versioned))


def start_archive(tmp_path: Path) -> tuple[Path, Path]:
    archive_dir = tmp_path / "archive"
    code, out = run(archive_dir, "add", "uptimerobot", "--url", UPTIME_URL, "--select", "main")
    assert code == 0, out
    return archive_dir, many_captures(tmp_path / "in", 24)


def assert_recovers(archive_dir: Path, captures: Path) -> None:
    code, out = run(archive_dir, "verify")
    assert code == 0, out
    # whatever was interrupted is completed by running the same ingest again
    code, out = run(archive_dir, "ingest", "uptimerobot", str(captures))
    assert code == 0, out
    assert_consistent(archive_dir)
    assert len(Archive(archive_dir).captures("uptimerobot")) == 24
    assert not list(archive_dir.rglob(".*.tmp-*"))


# Write points: the first capture writes its bytes (1), its provenance (2), its version's
# text (3) and metadata (4); later ones 3 or 4 writes each. 3 dies after the capture is
# committed but before any version lists it; the others fall at seeded places.
CRASH_POINTS = [1, 2, 3, 4, *random.Random(20261125).sample(range(5, 70), 4)]


@pytest.mark.parametrize("write", CRASH_POINTS)
def test_crash_in_the_middle_of_a_write(write: int, tmp_path: Path) -> None:
    """Die inside the Nth atomic write: temporary file written, not yet renamed."""
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", str(captures), crash_at_write=write)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    stored = len(Archive(archive_dir).captures("uptimerobot"))
    assert stored < 24
    assert list(archive_dir.rglob(".*.tmp-*")), "the crash left no temporary file: not mid-write"
    assert_recovers(archive_dir, captures)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_from_outside_at_a_seeded_time(seed: int, tmp_path: Path) -> None:
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", str(captures))
    # start-up takes about 0.35 s here and the 24 captures about 0.8 s more
    time.sleep(random.Random(seed).uniform(0.35, 0.9))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_recovers(archive_dir, captures)


def test_concurrent_ingests_are_serialised(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    run(archive_dir, "add", "uptimerobot", "--url", UPTIME_URL, "--select", "main")
    first = many_captures(tmp_path / "a", 12, start_day=1)
    second = many_captures(tmp_path / "b", 12, start_day=13)
    procs = [policy_diff(archive_dir, "ingest", "uptimerobot", str(folder)) for folder in (first, second)]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out.decode()
    assert_consistent(archive_dir)
    archive = Archive(archive_dir)
    assert len(archive.captures("uptimerobot")) == 24
    # no lost update: every capture appears in exactly one version's metadata
    listed = [
        entry["file"]
        for meta in archive.versions_dir("uptimerobot").glob("*.json")
        for entry in json.loads(meta.read_text())["captures"]
    ]
    assert len(listed) == 24
