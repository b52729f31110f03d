"""Crash-safe file writes: a reader sees the old file or the new one, never half of one.

Two ways in. `write_atomic` writes one file (temporary file, fsync, rename, directory fsync).
`Staging` writes many at once for a group commit: every file goes to a temporary name, one
fsync pass covers them all (in parallel threads, which the file system's journal folds into
few commits), then the caller commits (the manifest record), then `publish` renames them all
and fsyncs each directory once. A temporary file is named `.<final name>.tmp-<pid>-<hex>`,
so a recovering writer can tell which final file a leftover was meant to become.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

TMP_MARK = ".tmp-"
FSYNC_THREADS = 16

# Fault injection for the crash tests: the process kills itself (SIGKILL, no clean-up) at its
# Nth write point. Write points are: each temporary file written (before its rename), each
# manifest append (half of the line written), and each rename of a group commit.
_CRASH_AT_WRITE = int(os.environ.get("POLICY_DIFF_CRASH_AT_WRITE", "0") or 0)
_writes = 0


def crash_point() -> None:
    global _writes
    _writes += 1
    if _CRASH_AT_WRITE and _writes >= _CRASH_AT_WRITE:
        os.kill(os.getpid(), signal.SIGKILL)


def write_error(path: Path, exc: OSError) -> ArchiveError:
    """One line for a write that failed: a full disk, a read-only archive, no permission."""
    reason = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "the archive is on a read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return ArchiveError(f"{path}: cannot write: {reason}; nothing was committed")


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# The threads of `fsync_all`, kept for the process's next commit: starting them again for
# each group commit cost more CPU than the fsyncs' own system calls.
_fsync_pool: tuple[int, ThreadPoolExecutor] | None = None  # (creator's pid, pool)


def _fsync_threads() -> ThreadPoolExecutor:
    global _fsync_pool
    if _fsync_pool is None or _fsync_pool[0] != os.getpid():  # a forked child's copy is not its own
        from concurrent.futures import ThreadPoolExecutor

        _fsync_pool = (os.getpid(), ThreadPoolExecutor(FSYNC_THREADS, thread_name_prefix="fsync"))
    return _fsync_pool[1]


def fsync_all(paths: Iterable[Path], folders: Iterable[Path] = ()) -> None:
    """fsync many files, and folders (as `fsync_dir` does), at once: concurrent fsyncs share
    the journal's commits."""
    todo = [(_fsync_path, path) for path in paths] + [(fsync_dir, folder) for folder in folders]
    if len(todo) <= 1:
        for sync, path in todo:
            sync(path)
        return
    list(_fsync_threads().map(lambda job: job[0](job[1]), todo))


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def final_name(tmp: Path) -> str | None:
    """The file a temporary was meant to become, or None when it is not one of ours."""
    name = tmp.name
    if not name.startswith(".") or TMP_MARK not in name:
        return None
    return name[1:].rsplit(TMP_MARK, 1)[0] or None


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync it, then rename over `path`."""
    tmp = temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        crash_point()
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, json_bytes(data))


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


class Staging:
    """Files of one group commit: staged under temporary names, synced once, published."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, Path]] = []  # (temporary, final), in publishing order

    def stage(self, path: Path, data: bytes) -> None:
        tmp = temporary_name(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            self.discard()
            raise write_error(path, exc) from None
        self.files.append((tmp, path))
        crash_point()

    def sync(self) -> None:
        """Make every staged file and its directory entry durable (before the commit)."""
        try:
            # the folders' entries of the new names with the files' bytes: one round, not two
            fsync_all((tmp for tmp, _ in self.files), self.folders())
        except OSError as exc:
            self.discard()
            raise write_error(self.files[0][1] if self.files else Path("."), exc) from None

    def publish(self) -> None:
        """Rename every staged file into place, then fsync each directory once."""
        for tmp, path in self.files:
            crash_point()
            os.replace(tmp, path)
        for folder in self.folders():
            fsync_dir(folder)
        self.files = []

    def discard(self) -> None:
        for tmp, _ in self.files:
            tmp.unlink(missing_ok=True)
        self.files = []

    def folders(self) -> list[Path]:
        return list(dict.fromkeys(path.parent for _, path in self.files))


def remove_stale_temporaries(root: Path) -> list[Path]:
    """Temporary files left by a killed writer. Only call while holding the archive lock."""
    removed = []
    for tmp in root.rglob(f".*{TMP_MARK}*"):
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed
