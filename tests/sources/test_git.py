"""`policy-diff ingest-git` on GitHub's real site-policy repository (a git bundle in the
fixtures): the privacy statement's first-parent history across its three paths."""

from __future__ import annotations

import itertools
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES
from policydiff.archive import Archive
from policydiff.ingest.git import follow, open_repository
from test_crash import policy_diff

BUNDLE = FIXTURES / "github-site-policy" / "site-policy.bundle"
LATEST = "Policies/privacy-policies/github-general-privacy-statement.md"
PATHS = [
    "Policies/github-privacy-statement.md",
    "Policies/privacy-policies/github-privacy-statement.md",
    LATEST,
]
URL = "https://docs.github.com/en/site-policy/privacy-policies/github-general-privacy-statement"


@pytest.fixture(scope="module")
def site_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("git") / "site-policy"
    subprocess.run(["git", "clone", "--quiet", str(BUNDLE), str(repo)], check=True)
    return repo


def declared(tmp_path: Path) -> Path:
    archive_dir = tmp_path / "archive"
    Archive(archive_dir).add_policy("github-privacy", {"name": "GitHub Privacy Statement", "url": URL})
    return archive_dir


def run(archive_dir: Path, *args: str) -> tuple[int, str]:
    proc = policy_diff(archive_dir, *args)
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out.decode()


def test_first_parent_history_followed_across_renames(site_policy: Path) -> None:
    revisions = follow(open_repository(site_policy), LATEST)
    assert len(revisions) == 71
    assert len({r.blob for r in revisions}) == 70
    assert revisions[0].committed_at.isoformat() == "2017-06-09T23:41:00+00:00"
    assert revisions[-1].committed_at.isoformat() == "2026-03-24T00:27:36+00:00"
    # the paths in the order the file had them, each a run of commits
    runs = [p for i, p in enumerate(r.path for r in revisions) if i == 0 or revisions[i - 1].path != p]
    assert runs == PATHS
    counts = {p: sum(r.path == p for r in revisions) for p in PATHS}
    assert counts == {PATHS[0]: 35, PATHS[1]: 23, PATHS[2]: 13}  # git log counts the 2 renaming commits twice
    # the 2022 move kept the blob (a capture of the same text); the 2024 rename rewrote it (18% similar)
    moved = next(i for i, r in enumerate(revisions) if r.path == PATHS[1])
    assert revisions[moved].commit.startswith("87906da") and revisions[moved].blob == revisions[moved - 1].blob
    renamed = next(i for i, r in enumerate(revisions) if r.path == LATEST)
    assert revisions[renamed].commit.startswith("7b380af") and revisions[renamed].blob != revisions[renamed - 1].blob
    assert all(a.committed_at <= b.committed_at for a, b in itertools.pairwise(revisions))


def test_ingest_git_stores_each_commit_and_a_rerun_adds_nothing(site_policy: Path, tmp_path: Path) -> None:
    archive_dir = declared(tmp_path)
    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "-q")
    assert code == 0, out
    assert out.strip().endswith("github-privacy: 71 stored, 0 already there, 0 refused")
    archive = Archive(archive_dir)
    captures = archive.captures("github-privacy")
    assert len(captures) == 71
    revisions = follow(open_repository(site_policy), LATEST)
    for capture, revision in zip(captures, revisions, strict=True):
        assert capture.captured_at == revision.committed_at
        assert capture.ingested_via == "git"
        assert capture.extra["git_commit"] == revision.commit
        assert capture.extra["git_path"] == revision.path
        assert capture.extra["git_repository"] == str(BUNDLE)  # the clone's remote
        assert capture.extra["git_author_date"].endswith("Z")
    first = archive.read_capture(captures[0])
    assert first == (FIXTURES / "github-site-policy/github-privacy-statement/20170609T234100Z.md").read_bytes()
    versions = archive.versions("github-privacy")
    assert 1 < len(versions) <= 70
    assert sum(len(v.captures) for v in versions) == 71
    manifest = archive.manifest_path("github-privacy").read_bytes()

    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "-q")
    assert code == 0, out
    assert out.strip().endswith("github-privacy: 0 stored, 71 already there, 0 refused")
    assert archive.manifest_path("github-privacy").read_bytes() == manifest
    assert [str(p) for p in Archive(archive_dir).verify() if p.fatal] == []


def test_since_and_bad_arguments(site_policy: Path, tmp_path: Path) -> None:
    archive_dir = declared(tmp_path)
    code, out = run(
        archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "--since", "2024-04-18", "-q"
    )
    assert code == 0, out
    times = [c.captured_at.isoformat() for c in Archive(archive_dir).captures("github-privacy")]
    assert len(times) == 13  # every commit of the general statement is from 2024-04-18 UTC on
    assert min(times) == "2024-04-18T00:22:48+00:00"

    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "--branch", "nope")
    assert code != 0 and out.strip().splitlines() == [f"Error: {site_policy}: no branch 'nope'"]
    code, out = run(archive_dir, "ingest-git", "github-privacy", str(tmp_path), LATEST)
    assert code != 0 and out.strip() == f"Error: {tmp_path}: not a git repository (or one that cannot be read)"
    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), "Policies/none.md")
    assert code == 2 and out.strip() == f"error: {site_policy}: no commit of HEAD touched 'Policies/none.md'"


def _fingerprint(archive_dir: Path) -> tuple[list[str], list[tuple[str, int]]]:
    archive = Archive(archive_dir)
    files = [c.file for c in archive.captures("github-privacy")]
    versions = [(v.id, len(v.captures)) for v in archive.versions("github-privacy")]
    return files, versions


# One group commit of the 71 captures, extracted in-process (with a pool, the batches
# committed follow the workers' timing): bytes and provenance staged (1-142), the manifest
# record (143), the renames (144-285), then the versions.
@pytest.fixture(scope="module")
def reference(site_policy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive an uninterrupted import makes."""
    archive_dir = declared(tmp_path_factory.mktemp("reference"))
    assert run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "-q")[0] == 0
    return archive_dir


@pytest.mark.parametrize("write", [143, 200])  # a torn manifest record; committed, files half in place
def test_killed_mid_import_recovers(write: int, site_policy: Path, reference: Path, tmp_path: Path) -> None:
    archive_dir = declared(tmp_path)
    proc = policy_diff(
        archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "--workers=1", crash_at_write=write
    )
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert len(Archive(archive_dir).captures("github-privacy")) == (0 if write <= 143 else 71)
    assert [str(p) for p in Archive(archive_dir).verify() if p.fatal] == []
    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "-q")
    assert code == 0, out
    assert _fingerprint(archive_dir) == _fingerprint(reference)
    assert [str(p) for p in Archive(archive_dir).verify() if p.fatal] == []
    assert not list(archive_dir.rglob(".*.tmp-*"))


def test_killed_from_outside_recovers(site_policy: Path, tmp_path: Path) -> None:
    archive_dir = declared(tmp_path)
    proc = policy_diff(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST)
    time.sleep(random.Random(14).uniform(0.6, 1.6))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    code, out = run(archive_dir, "ingest-git", "github-privacy", str(site_policy), LATEST, "-q")
    assert code == 0, out
    assert len(Archive(archive_dir).captures("github-privacy")) == 71
    assert [str(p) for p in Archive(archive_dir).verify() if p.fatal] == []
    history = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "policydiff.cli",
                "--archive",
                str(archive_dir),
                "history",
                "github-privacy",
                "--json",
            ],
            check=True,
            capture_output=True,
        ).stdout
    )
    assert sum(len(p["captures"]) for p in history) == 71
