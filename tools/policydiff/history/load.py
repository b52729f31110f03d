"""Read one policy from the archive into a `PolicyHistory` (the only reader of the archive
between the diff and the faces: render and feeds never open it)."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..archive import Archive
from ..watch import TermGroup
from .build import HISTORY_VERSION, build_history
from .records import Exclusion, PolicyHistory


def load_history(
    archive: Archive, slug: str, site_terms: Sequence[TermGroup] = (), *, build_date: date | None = None
) -> PolicyHistory:
    """The whole history of one policy, read from the archive once (its editor's notes from
    the manifest); `site_terms`: the site's watched-term additions; `build_date`: the day it
    is built for (default SOURCE_DATE_EPOCH, else today)."""
    versions = archive.versions(slug)
    return build_history(
        archive.declaration(slug),
        captures=archive.captures(slug),
        exclusions=[Exclusion.from_json(item) for item in archive.exclusions(slug).values()],
        versions=versions,
        texts={v.id: archive.version_text(v) for v in versions},
        periods=archive.history(slug),
        manifest_head=archive.manifest_head(slug),
        site_terms=site_terms,
        notes=archive.notes(slug),
        build_date=build_date,
    )


_DIGESTS: dict[tuple[str, int, int, int, int, int], bytes] = {}  # by path and the opened file's state
_DIGESTS_KEPT = 200_000


def _file_digest(path: str) -> bytes | None:
    """The sha256 of a regular file, opened without following a symbolic link (None for
    anything else: a link is never read through, whatever it points to). Kept by the opened
    file's device, inode, size and modification and change times: any write changes the
    change time, and the archive replaces a file by renaming a new one over it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        key = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        known = _DIGESTS.get(key)
        if known is None:
            known = hashlib.file_digest(handle, "sha256").digest()
            if len(_DIGESTS) >= _DIGESTS_KEPT:
                _DIGESTS.clear()
            _DIGESTS[key] = known
        return known


def _listed(directory: Path, prefix: str, suffix: str) -> list[str]:
    try:
        with os.scandir(directory) as entries:
            return sorted(e.name for e in entries if e.name.startswith(prefix) and e.name.endswith(suffix))
    except OSError:
        return []


def archive_fingerprint(archive: Archive, slug: str) -> str:
    """A cheap hash of the archive files a policy's history is read from (declaration,
    exclusions, provenance, versions) and of its manifest (whose records, notes included,
    change what is published), to tell whether a cached history (or a verification) is
    still current without loading it (a cache keys it with the build date too). A symbolic
    link counts as one, never read through."""
    digest = hashlib.sha256(f"policy-diff archive files {HISTORY_VERSION}\0".encode())
    pdir = archive.policy_dir(slug)
    fixed = [pdir / "policy.yml", pdir / "exclusions.json", pdir / "notes.yml", archive.manifest_path(slug)]
    names = [path.relative_to(pdir).as_posix() for path in fixed]
    for folder, prefix, suffix in (("captures", "", ".json"), ("versions", "v", "")):
        names += [f"{folder}/{name}" for name in _listed(pdir / folder, prefix, suffix)]
    base = str(pdir) + os.sep
    for name in names:
        path = base + name
        try:
            os.lstat(path)
        except OSError:
            continue
        digest.update(name.encode() + b"\0")
        digest.update(_file_digest(path) or b"not a regular file")
    return digest.hexdigest()
