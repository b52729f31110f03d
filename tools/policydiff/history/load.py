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


def _file_digest(path: Path) -> bytes | None:
    """The sha256 of a regular file, opened without following a symbolic link (None for
    anything else: a link is never read through, whatever it points to)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return hashlib.file_digest(handle, "sha256").digest()


def _listed(directory: Path, prefix: str, suffix: str) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            return sorted(Path(e.path) for e in entries if e.name.startswith(prefix) and e.name.endswith(suffix))
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
    paths = [pdir / "policy.yml", pdir / "exclusions.json", pdir / "notes.yml", archive.manifest_path(slug)]
    paths += _listed(archive.captures_dir(slug), "", ".json")
    paths += _listed(archive.versions_dir(slug), "v", "")
    for path in paths:
        if not os.path.lexists(path):
            continue
        digest.update(path.relative_to(pdir).as_posix().encode() + b"\0")
        digest.update(_file_digest(path) or b"not a regular file")
    return digest.hexdigest()
