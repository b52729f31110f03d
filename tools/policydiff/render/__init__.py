"""Rendering: pure functions from `PolicyHistory` records to pages (Markdown with front
matter, and static JSON), used by the MkDocs plugin and by `policy-diff render --out DIR`.
No archive, no file read: what a page shows is what the history says.

One module per kind of page: `policy_page`, `version_page`, `timeline`, `change_page`,
`section_page`, `compare` (page and JSON), `overview`; `blocks` holds what they share and
`diffhtml` the word diffs. `render_policy` renders one policy; `render_site` adds the
overview and the assets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from .. import urls
from ..escape import plain_title
from ..history import PolicyHistory
from .blocks import RenderSettings, src
from .change_page import change_page
from .compare import CONFIG_FILE, compare_config, compare_data, compare_page
from .overview import OVERVIEW_PAGE, overview_markdown, overview_page
from .policy_page import policy_page
from .section_page import section_page
from .timeline import timeline_page
from .version_page import version_page

RENDER_VERSION = "4"  # bump when the pages change shape, to invalidate cached renderings
ASSET_DIR = "assets/policy-diff/"
ASSETS = {
    ASSET_DIR + "policy-diff.css": "policy-diff.css",
    ASSET_DIR + "dmp-shim.js": "dmp-shim.js",
    ASSET_DIR + "diff_match_patch.js": "vendor/diff-match-patch/diff_match_patch.js",
    ASSET_DIR + "diff-match-patch-LICENSE.txt": "vendor/diff-match-patch/LICENSE",
    ASSET_DIR + "policy-diff.js": "policy-diff.js",
}
COMPARE_CONFIG = ASSET_DIR + CONFIG_FILE
EXTRA_CSS = [ASSET_DIR + "policy-diff.css"]
EXTRA_JAVASCRIPT = [ASSET_DIR + "dmp-shim.js", ASSET_DIR + "diff_match_patch.js", ASSET_DIR + "policy-diff.js"]
OVERVIEW_MARKER = "<!-- policy-diff:overview -->"
DEFAULT_SETTINGS = RenderSettings()


@dataclass(frozen=True)
class RenderedPolicy:
    slug: str
    key: str  # `render_key` of the history and settings it was rendered from
    files: dict[str, str]


def render_key(history: PolicyHistory, settings: RenderSettings) -> str:
    """What a rendering depends on: the history, the settings and the renderer's version."""
    return hashlib.sha256(f"{RENDER_VERSION}\0{history.fingerprint}\0{settings.key()}".encode()).hexdigest()


def render_policy(history: PolicyHistory, settings: RenderSettings = DEFAULT_SETTINGS) -> RenderedPolicy:
    """Every page of one policy (its current text, timeline, compare page and data, each
    version, each change, each section's history)."""
    slug = history.slug
    files = {src(urls.policy_page(slug)): policy_page(history, settings)}
    files[src(urls.timeline_page(slug))] = timeline_page(history)
    files[src(urls.compare_page(slug))] = compare_page(history, COMPARE_CONFIG)
    files.update(compare_data(history))
    for version in history.versions:
        files[src(urls.version_page(slug, version.id))] = version_page(history, version)
    for change in history.changes:
        files[src(urls.change_page(change))] = change_page(history, change)
    for section in history.sections:
        files[src(urls.section_page(slug, section.lineage))] = section_page(history, section, settings)
    for path in files:
        check_page_path(path)
    return RenderedPolicy(slug, render_key(history, settings), files)


def check_page_path(path: str) -> None:
    """Ids become path segments: refuse any that could leave the site directory."""
    parts = PurePosixPath(path).parts
    if path.startswith("/") or any(p in {"..", ".", ""} or "\\" in p for p in parts):
        raise ValueError(f"refusing to write page outside the site: {path!r}")


def asset_files() -> dict[str, bytes]:
    """The script, style and vendored library every builder needs, and the compare page's
    constants (written from Python, see `compare.compare_config`)."""
    root = resources.files(__package__) / "assets"
    files = {target: (root / source).read_bytes() for target, source in ASSETS.items()}
    files[COMPARE_CONFIG] = compare_config().encode("utf-8")
    return files


def site_files(
    histories: Sequence[PolicyHistory], rendered: Sequence[RenderedPolicy], settings: RenderSettings
) -> dict[str, str | bytes]:
    """Every generated file of the site from rendered policies: their pages, the overview
    and the assets. The plugin and `render_site` both go through here."""
    files: dict[str, str | bytes] = {}
    for policy in rendered:
        files.update(policy.files)
    files[src(OVERVIEW_PAGE)] = overview_page(histories, settings)
    files.update(asset_files())
    return files


def render_site(
    histories: Sequence[PolicyHistory], settings: RenderSettings = DEFAULT_SETTINGS
) -> dict[str, str | bytes]:
    """Every generated file of the site: policy pages, the overview, and the assets."""
    return site_files(histories, [render_policy(h, settings) for h in histories], settings)


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
    "RenderSettings",
    "RenderedPolicy",
    "asset_files",
    "overview_markdown",
    "overview_page",
    "plain_title",
    "render_key",
    "render_policy",
    "render_site",
    "site_files",
    "src",
    "write_site",
]
