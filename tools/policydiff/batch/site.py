"""`policy-diff site`: the MkDocs site of some of a batch's policies (a site of 130k policies
is not what anyone reads; the chosen ones are copied into an archive of their own)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ..archive import Archive
from ..errors import PolicyDiffError, shown
from .inputs import matches

_INDEX = """# {name}

Policies chosen from a batch run, each with its versions, changes and captures.

## Tracked policies

<!-- policy-diff:overview -->
"""


def mkdocs_config(name: str, url: str) -> dict[str, object]:
    return {
        "site_name": name,
        "site_url": url,
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False, "features": ["navigation.sections", "navigation.top"]},
        "plugins": ["search", {"policy-diff": {"archive_dir": "archive"}}],
        "markdown_extensions": ["admonition", "attr_list", "md_in_html", "tables", {"toc": {"permalink": True}}],
    }


def build_site(batch_dir: Path, patterns: list[str], out: Path, name: str, url: str) -> tuple[Path, int]:
    """Copy the archives of the sites matching `patterns` to OUT/archive, write OUT/mkdocs.yml
    and OUT/docs/index.md (once: edit them freely), and build OUT/site strictly."""
    source = Archive(batch_dir / "archive")
    chosen = [slug for slug in source.slugs() if matches(slug, patterns)]
    if not chosen:
        raise PolicyDiffError(f"{shown(batch_dir / 'archive')}: no site matches {', '.join(map(shown, patterns))}")
    target = out / "archive"
    target.mkdir(parents=True, exist_ok=True)
    for stale in (p for p in target.iterdir() if p.is_dir() and p.name not in chosen):
        shutil.rmtree(stale)
    for slug in chosen:
        copy = target / slug
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source.policy_dir(slug), copy, symlinks=True)
    config = out / "mkdocs.yml"
    if not config.exists():
        config.write_text(yaml.safe_dump(mkdocs_config(name, url), sort_keys=False), encoding="utf-8")
    index = out / "docs" / "index.md"
    if not index.exists():
        index.parent.mkdir(parents=True, exist_ok=True)
        index.write_text(_INDEX.format(name=name), encoding="utf-8")
    built = out / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config), "-d", str(built.resolve())],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or "failed").splitlines()[-1]
        raise PolicyDiffError(f"{shown(config)}: mkdocs build failed: {last}")
    return built, len(chosen)
