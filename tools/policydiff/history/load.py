"""Read one policy from the archive into a `PolicyHistory` (the only reader of the archive
between the diff and the faces: render and feeds never open it)."""

from __future__ import annotations

import hashlib
from datetime import date

from ..archive import Archive
from .build import HISTORY_VERSION, build_history
from .records import Exclusion, PolicyHistory


def load_history(archive: Archive, slug: str, *, build_date: date | None = None) -> PolicyHistory:
    """The whole history of one policy, read from the archive once (its editor's notes from
    the manifest). `build_date`: the day it is built for (default SOURCE_DATE_EPOCH, else today)."""
    versions = archive.versions(slug)
    return build_history(
        archive.declaration(slug),
        captures=archive.captures(slug),
        exclusions=[Exclusion.from_json(item) for item in archive.exclusions(slug).values()],
        versions=versions,
        texts={v.id: archive.version_text(v) for v in versions},
        periods=archive.history(slug),
        notes=archive.notes(slug),
        build_date=build_date,
    )


def archive_fingerprint(archive: Archive, slug: str) -> str:
    """A cheap hash of the archive files a policy's history is read from (declaration,
    manifest, exclusions, notes, provenance, versions), to tell whether a cached history is
    still current without loading it (a cache keys it with the build date too)."""
    digest = hashlib.sha256(f"policy-diff archive files {HISTORY_VERSION}\0".encode())
    pdir = archive.policy_dir(slug)
    paths = [pdir / "policy.yml", pdir / "manifest.jsonl", pdir / "exclusions.json", pdir / "notes.yml"]
    paths += sorted(archive.captures_dir(slug).glob("*.json"))
    paths += sorted(archive.versions_dir(slug).glob("v*"))
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(pdir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
