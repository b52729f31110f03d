"""Crash-safe file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import secrets
import signal
from pathlib import Path
from typing import Any

TMP_MARK = ".tmp-"

# Fault injection for the crash tests: the process kills itself (SIGKILL, no clean-up) in the
# middle of its Nth atomic write, after the temporary file is written and before the rename.
_CRASH_AT_WRITE = int(os.environ.get("POLICY_DIFF_CRASH_AT_WRITE", "0") or 0)
_writes = 0


def _maybe_crash() -> None:
    global _writes
    _writes += 1
    if _CRASH_AT_WRITE and _writes >= _CRASH_AT_WRITE:
        os.kill(os.getpid(), signal.SIGKILL)


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync it, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _maybe_crash()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def remove_stale_temporaries(root: Path) -> list[Path]:
    """Temporary files left by a killed writer. Only call while holding the archive lock."""
    removed = []
    for tmp in root.rglob(f".*{TMP_MARK}*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed
