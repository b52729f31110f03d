"""Rendering: a pure function from the archive to pages (Markdown with front matter, and
static JSON), used by the MkDocs plugin and by `policy-diff render --out DIR`.

`render_policy` renders one policy and is keyed by `policy_fingerprint`, a hash of every
archive file the pages depend on, so a builder can cache it and redo only the policies
whose files changed. `render_site` adds the site-wide overview and the assets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path, PurePosixPath

from .. import urls
from ..archive import Archive
from ..changes import Change, policy_changes
from .escape import plain_title
from .overview import overview_markdown, overview_page
from .pages import (
    PolicyData,
    change_page,
    compare_data,
    compare_page,
    load_policy,
    policy_page,
    section_page,
    src,
    timeline_page,
    version_page,
)

RENDER_VERSION = "2"  # bump when the pages change shape, to invalidate cached renderings
ASSET_DIR = "assets/policy-diff/"
ASSETS = {
    ASSET_DIR + "policy-diff.css": "policy-diff.css",
    ASSET_DIR + "dmp-shim.js": "dmp-shim.js",
    ASSET_DIR + "diff_match_patch.js": "vendor/diff-match-patch/diff_match_patch.js",
    ASSET_DIR + "diff-match-patch-LICENSE.txt": "vendor/diff-match-patch/LICENSE",
    ASSET_DIR + "policy-diff.js": "policy-diff.js",
}
EXTRA_CSS = [ASSET_DIR + "policy-diff.css"]
EXTRA_JAVASCRIPT = [ASSET_DIR + "dmp-shim.js", ASSET_DIR + "diff_match_patch.js", ASSET_DIR + "policy-diff.js"]
OVERVIEW_MARKER = "<!-- policy-diff:overview -->"


@dataclass(frozen=True)
class PolicySummary:
    slug: str
    name: str
    versions: int
    captures: int
    first_seen: datetime | None
    last_changed: datetime | None
    changes: tuple[Change, ...]


@dataclass
class RenderedPolicy:
    slug: str
    fingerprint: str
    files: dict[str, str]
    summary: PolicySummary
    changes: list[Change] = field(default_factory=list)


def policy_fingerprint(archive: Archive, slug: str) -> str:
    """A hash of every file the policy's pages are made of (declaration, exclusions,
    provenance and versions), plus the renderer's version."""
    digest = hashlib.sha256(RENDER_VERSION.encode())
    pdir = archive.policy_dir(slug)
    paths = [pdir / "policy.yml", pdir / "exclusions.json"]
    paths += sorted(archive.captures_dir(slug).glob("*.json"))
    paths += sorted(archive.versions_dir(slug).glob("v*"))
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(pdir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def render_policy(archive: Archive, slug: str, fingerprint: str | None = None) -> RenderedPolicy:
    changes = policy_changes(archive, slug)
    data = load_policy(archive, slug, changes)
    return RenderedPolicy(
        slug=slug,
        fingerprint=fingerprint or policy_fingerprint(archive, slug),
        files=policy_files(data),
        summary=summarise(data),
        changes=changes,
    )


def policy_files(data: PolicyData) -> dict[str, str]:
    slug = data.slug
    files = {src(urls.policy_page(slug)): policy_page(data)}
    files[src(urls.timeline_page(slug))] = timeline_page(data)
    files[src(urls.compare_page(slug))] = compare_page(data)
    files.update(compare_data(data))
    for version in data.versions.values():
        files[src(urls.version_page(slug, version.id))] = version_page(data, version)
    for change in data.changes:
        files[src(urls.change_page(change))] = change_page(data, change)
    for history in data.histories.values():
        files[src(urls.section_page(slug, history.lineage))] = section_page(data, history)
    for path in files:
        check_page_path(path)
    return files


def check_page_path(path: str) -> None:
    """Ids become path segments: refuse any that could leave the site directory."""
    parts = PurePosixPath(path).parts
    if path.startswith("/") or any(p in {"..", ".", ""} or "\\" in p for p in parts):
        raise ValueError(f"refusing to write page outside the site: {path!r}")


def summarise(data: PolicyData) -> PolicySummary:
    return PolicySummary(
        slug=data.slug,
        name=data.name,
        versions=len(data.versions),
        captures=sum(len(p.captures) for p in data.periods),
        first_seen=data.periods[0].start if data.periods else None,
        last_changed=data.changes[-1].published if data.changes else None,
        changes=tuple(data.changes),
    )


def asset_files() -> dict[str, bytes]:
    root = resources.files(__package__) / "assets"
    return {target: (root / source).read_bytes() for target, source in ASSETS.items()}


def render_site(archive: Archive) -> dict[str, str | bytes]:
    """Every generated file of the site: policy pages, the overview, and the assets."""
    rendered = [render_policy(archive, slug) for slug in archive.slugs()]
    files: dict[str, str | bytes] = {}
    for policy in rendered:
        files.update(policy.files)
    files[src("policies/")] = overview_page([p.summary for p in rendered])
    files.update(asset_files())
    return files


def write_site(files: dict[str, str | bytes], out: Path) -> int:
    """Write rendered files under `out`; returns how many were written."""
    for path, content in files.items():
        check_page_path(path)
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return len(files)


__all__ = [
    "ASSETS",
    "EXTRA_CSS",
    "EXTRA_JAVASCRIPT",
    "OVERVIEW_MARKER",
    "PolicySummary",
    "RenderedPolicy",
    "asset_files",
    "overview_markdown",
    "overview_page",
    "plain_title",
    "policy_fingerprint",
    "render_policy",
    "render_site",
    "src",
    "write_site",
]
