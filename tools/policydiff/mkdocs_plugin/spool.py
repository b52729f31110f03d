"""Where a one-shot `mkdocs build` keeps its generated files until MkDocs reads them.

A build writes its pages to a temporary folder instead of holding them (`plugin.py`) and
removes the folder when it ends, failed or not. A build killed with SIGKILL, or by the
out-of-memory killer, cannot: its folder stays in the temporary directory, and a site of
thousands of versions leaves hundreds of megabytes there each time. So each folder's name
says which host and process made it, and a new spool removes the folders whose process is
gone. Only those: a folder of another host (a temporary directory shared between
containers, whose process ids mean nothing here), of another user, or whose process may be
alive is left alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import socket
import stat
import tempfile
from pathlib import Path

PREFIX = "policy-diff-site-"
_NAME = re.compile(re.escape(PREFIX) + r"([0-9a-f]{8})-([0-9]{1,10})-[^/]{1,64}\Z")
_SWEEP_LIMIT = 10_000  # folders looked at per sweep: a crowded temporary directory costs no more

log = logging.getLogger("mkdocs.plugins.policy_diff")


def host_tag() -> str:
    """A short, file-name-safe tag of this host (a container's hostname is its own)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process id we could have written: never ours to remove
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or a number the kernel refuses: keep the folder
    return True


def orphans(root: Path) -> list[Path]:
    """Spool folders in `root` left by a process of this host and user that is gone."""
    found: list[Path] = []
    host, uid = host_tag(), os.getuid()
    try:
        entries = os.scandir(root)
    except OSError:
        return found
    with entries:
        for seen, entry in enumerate(entries):
            if seen >= _SWEEP_LIMIT:
                break
            match = _NAME.match(entry.name)
            if not match or match.group(1) != host:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not _alive(int(match.group(2))):
                found.append(Path(entry.path))
    return found


class Spool:
    """A build's spool folder, made when the first file is written."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root  # None: the system's temporary directory
        self.path: Path | None = None
        self.swept: list[Path] = []  # folders of killed builds removed when this one was made

    def write(self, relative: str, content: bytes) -> Path:
        """Write one file (`relative` already checked to stay inside) and return its path."""
        if self.path is None:
            root = self.root or Path(tempfile.gettempdir())
            self.swept = orphans(root)
            for folder in self.swept:
                shutil.rmtree(folder, ignore_errors=True)
            if self.swept:
                log.info("policy-diff: removed %d spool folders left by killed builds", len(self.swept))
            self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{host_tag()}-{os.getpid()}-", dir=root))
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return target

    def drop(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
