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
from datetime import UTC, datetime
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
    archive = Archive(archive_dir)
    assert [str(p) for p in archive.verify() if p.fatal] == []
    versioned = [ref.file for v in archive.versions("uptimerobot") for ref in v.captures]
    assert sorted(versioned) == sorted(c.file for c in archive.captures("uptimerobot"))
    assert len(versioned) == len(set(versioned))


def start_archive(tmp_path: Path) -> tuple[Path, Path]:
    archive_dir = tmp_path / "archive"
    Archive(archive_dir).add_policy("uptimerobot", {"name": "uptimerobot", "url": UPTIME_URL, "select": ["main"]})
    return archive_dir, many_captures(tmp_path / "in", 24)


def assert_recovers(archive_dir: Path, captures: Path) -> None:
    # what a killed writer leaves is valid before anyone recovers it (verify takes no lock)
    assert [str(p) for p in Archive(archive_dir).verify() if p.fatal] == []
    # whatever was interrupted is completed by running the same ingest again
    code, out = run(archive_dir, "ingest", "uptimerobot", str(captures))
    assert code == 0, out
    assert_consistent(archive_dir)
    assert len(Archive(archive_dir).captures("uptimerobot")) == 24
    assert not list(archive_dir.rglob(".*.tmp-*"))


def left_mid_write(archive_dir: Path) -> bool:
    """A temporary file of the write that was interrupted (not the commit's marker)."""
    return any(not p.name.startswith(".commit") for p in archive_dir.rglob(".*.tmp-*"))


# Write points of one group commit of the 24 captures, extracted in-process (--workers=1: with
# a pool, captures are committed in the batches the workers finish, which depend on timing;
# the test below kills those): each capture's bytes and provenance
# are staged (1-48), the manifest records appended (49: killed with half of them written),
# the 48 files renamed into place (50-97), then the two versions' texts and metadata staged
# (98-101) and renamed (102-105). Before 49 nothing is committed, from 50 on everything is.
GROUP_POINTS = [1, 48, 49, 50, 97, 99, 104]
# One capture at a time (--no-group-commit): bytes, provenance (1, 2), manifest (3), two
# renames (4, 5), version text and metadata (6, 7) and their renames (8, 9); then the next.
ONE_BY_ONE_POINTS = [3, 6, 9, *random.Random(20261125).sample(range(10, 120), 2)]


@pytest.mark.parametrize("write", GROUP_POINTS)
def test_killed_inside_a_group_commit(write: int, tmp_path: Path) -> None:
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", "--workers=1", str(captures), crash_at_write=write)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert left_mid_write(archive_dir), "the crash left no temporary file: not mid-write"
    # a group commit is all or nothing
    committed = len(Archive(archive_dir).captures("uptimerobot"))
    assert committed == (0 if write <= 49 else 24)
    if write == 49:
        assert not (archive_dir / "uptimerobot" / "manifest.jsonl").read_bytes().endswith(b"\n")  # a torn record
    assert_recovers(archive_dir, captures)


@pytest.mark.parametrize("write", [3, 20, 60])
def test_killed_committing_batches_beside_the_extraction_workers(write: int, tmp_path: Path) -> None:
    """With two workers, each batch they finish is committed while they extract the next:
    a kill inside any of those commits leaves whole batches committed and nothing of the
    one in flight, and the re-run completes the rest."""
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", "--workers=2", str(captures), crash_at_write=write)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert left_mid_write(archive_dir)
    committed = Archive(archive_dir).captures("uptimerobot")
    # batches commit in input order, each whole: what is committed is the first k captures
    given = sorted(datetime.strptime(p.stem, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) for p in captures.iterdir())
    assert sorted(c.captured_at for c in committed) == given[: len(committed)]
    # and no capture file is in place that no manifest record commits
    in_place = {p.name for p in (archive_dir / "uptimerobot" / "captures").glob("*.html")}
    assert in_place <= {c.file for c in committed}
    assert_recovers(archive_dir, captures)


@pytest.mark.parametrize("write", ONE_BY_ONE_POINTS)
def test_killed_committing_one_capture_at_a_time(write: int, tmp_path: Path) -> None:
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", "--no-group-commit", str(captures), crash_at_write=write)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert left_mid_write(archive_dir)
    assert len(Archive(archive_dir).captures("uptimerobot")) < 24
    assert_recovers(archive_dir, captures)


@pytest.mark.parametrize(("seed", "mode"), [(1, "--workers=2"), (2, "--no-group-commit")])
def test_killed_from_outside_at_a_seeded_time(seed: int, mode: str, tmp_path: Path) -> None:
    archive_dir, captures = start_archive(tmp_path)
    proc = policy_diff(archive_dir, "ingest", "uptimerobot", mode, str(captures))
    # start-up takes about 0.35 s here and the 24 captures 0.2 s (group) to 0.6 s more
    time.sleep(random.Random(seed).uniform(0.35, 0.8))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_recovers(archive_dir, captures)


def test_concurrent_ingests_are_serialised(tmp_path: Path) -> None:
    archive_dir, _ = start_archive(tmp_path)
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
