"""Read one policy from the archive into a `PolicyHistory` (the only reader of the archive
between the diff and the faces: render and feeds never open it)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..archive import Archive
from ..watch import TermGroup
from .build import HISTORY_VERSION, build_history
from .records import Exclusion, PolicyHistory


def load_history(archive: Archive, slug: str, site_terms: Sequence[TermGroup] = ()) -> PolicyHistory:
    """The whole history of one policy, read from the archive once; `site_terms`: the
    site's watched-term additions."""
    versions = archive.versions(slug)
    return build_history(
        archive.declaration(slug),
        captures=archive.captures(slug),
        exclusions=[Exclusion.from_json(item) for item in archive.exclusions(slug).values()],
        versions=versions,
        texts={v.id: archive.version_text(v) for v in versions},
        periods=archive.history(slug),
        site_terms=site_terms,
    )


def archive_fingerprint(archive: Archive, slug: str) -> str:
    """A cheap hash of the archive files a policy's history is read from (declaration,
    exclusions, provenance, versions), to tell whether a cached history is still current
    without loading it."""
    digest = hashlib.sha256(f"policy-diff archive files {HISTORY_VERSION}\0".encode())
    pdir = archive.policy_dir(slug)
    paths = [pdir / "policy.yml", pdir / "exclusions.json"]
    paths += sorted(archive.captures_dir(slug).glob("*.json"))
    paths += sorted(archive.versions_dir(slug).glob("v*"))
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(pdir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
