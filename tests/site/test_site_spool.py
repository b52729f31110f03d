"""A build killed with SIGKILL leaves its spool folder; the next build removes it, and only
folders whose process is gone (never a live build's, another host's or another user's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from site_support import BIN, make_fixture_archive, write_config

from policydiff.mkdocs_plugin import spool
from policydiff.mkdocs_plugin.spool import PREFIX, Spool, host_tag, orphans

# Runs once the pages are generated, before MkDocs renders them: the spool is full, and the
# process dies the way the out-of-memory killer ends it (no exit handler, no `finally`).
KILL_HOOK = """
import os, signal

def on_env(env, config, files):
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _spools(tmp: Path) -> list[Path]:
    return sorted(p for p in tmp.iterdir() if p.name.startswith(PREFIX))


def _build(config: Path, site: Path, tmp: Path) -> tuple[int, str, int]:
    """`mkdocs build` with its temporary directory in `tmp`: exit status, log, process id."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp)}
    with subprocess.Popen(
        [str(BIN / "mkdocs"), "build", "-f", str(config), "-d", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    ) as proc:
        log, _ = proc.communicate()
    return proc.returncode, log, proc.pid


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_killed_build_spool_removed_by_the_next_build(tmp_path: Path) -> None:
    archive = make_fixture_archive(tmp_path, with_hostile=False)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    killed = write_config(tmp_path, archive)
    hook = tmp_path / "kill_hook.py"
    hook.write_text(KILL_HOOK, encoding="utf-8")
    killed.write_text(killed.read_text(encoding="utf-8") + f"hooks:\n  - {hook}\n", encoding="utf-8")
    status, log, pid = _build(killed, tmp_path / "site-killed", tmp)
    assert status == -signal.SIGKILL, log
    left = _spools(tmp)
    assert len(left) == 1 and any(f.suffix == ".md" for f in left[0].rglob("*")), left
    assert left[0].name.startswith(f"{PREFIX}{host_tag()}-{pid}-")

    clean = tmp_path / "clean"
    clean.mkdir()
    status, log, _ = _build(write_config(clean, archive), tmp_path / "site", tmp)
    assert status == 0, log
    assert "removed 1 spool folders left by killed builds" in log
    assert _spools(tmp) == []  # the killed build's, and this build's own once it ended
    assert (tmp_path / "site" / "index.html").is_file()


def test_only_folders_of_gone_processes_of_this_host_and_user(tmp_path: Path) -> None:
    host = host_tag()
    other_host = "00000000" if host != "00000000" else "ffffffff"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead_dir = tmp_path / f"{PREFIX}{host}-{_dead_pid()}-abc123"
        kept = [
            tmp_path / f"{PREFIX}{host}-{live.pid}-abc123",  # a build still running
            tmp_path / f"{PREFIX}{host}-{os.getpid()}-abc123",  # this process's own
            tmp_path / f"{PREFIX}{other_host}-{_dead_pid()}-abc123",  # another host's
            tmp_path / f"{PREFIX}abc123",  # an older version's name: whose it was is unknown
            tmp_path / f"{PREFIX}{host}-0-abc123",
        ]
        for folder in [dead_dir, *kept]:
            folder.mkdir()
            (folder / "page.md").write_text("# a page\n", encoding="utf-8")
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "keep.txt").write_text("not a spool\n", encoding="utf-8")
        link = tmp_path / f"{PREFIX}{host}-{_dead_pid()}-link"
        link.symlink_to(outside, target_is_directory=True)
        file_named = tmp_path / f"{PREFIX}{host}-{_dead_pid()}-file"
        file_named.write_text("a file, not a folder\n", encoding="utf-8")

        assert orphans(tmp_path) == [dead_dir]
        made = Spool(tmp_path)
        written = made.write("policy/index.md", b"# Policy\n")
        assert made.swept == [dead_dir] and not dead_dir.exists()
        assert all(folder.is_dir() for folder in kept)
        assert (outside / "keep.txt").is_file() and link.is_symlink() and file_named.is_file()
        assert made.path is not None and made.path.name.startswith(f"{PREFIX}{host}-{os.getpid()}-")
        assert written.read_bytes() == b"# Policy\n" and written.is_relative_to(made.path)
        made.drop()
        assert made.path is None and not written.exists()
    finally:
        live.kill()
        live.wait()


def test_sweep_reads_a_bounded_number_of_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool, "_SWEEP_LIMIT", 3)
    for number in range(5):
        (tmp_path / f"{PREFIX}{host_tag()}-{_dead_pid()}-n{number}").mkdir()
    assert len(orphans(tmp_path)) == 3
