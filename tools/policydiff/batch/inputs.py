"""What a batch reads: the sites of an input in the Princeton-Leuven dataset's layout, each
with the list of its captures (never their bytes: a task reads those itself).

Two forms of INPUT:

- a git repository, one commit per capture: Markdown at `<a>/<ab>/<abc>/<domain>.md` on the
  HEAD branch, the raw HTML of the same capture at `<a>/<ab>/<abc>/<domain>.html` (or
  `<domain>.html` at the top) on the `policy_html` branch when there is one. Every
  first-parent commit that added or changed such a file is a capture of its domain.
- a folder tree of per-capture files named by their capture time (`20171121T214541Z.md` or
  Wayback's 14 digits, `.md`, `.html`, `.htm` or `.txt`): the folder holding a file names its
  site (a folder named `captures` or `snapshots` defers to its parent).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..declaration import check_slug
from ..errors import PolicyDiffError, shown
from ..extract import EXTRACTOR_VERSION
from ..ingest.files import MEDIA_TYPES
from ..ingest.git import GitRevision, branch_tip, first_parent, git_time, open_repository
from ..times import stamp_in_name
from .layout import HTML_BRANCH, layout_domain

# Bumped when what a task makes of the same inputs changes: every site is redone.
BATCH_FORMAT = "1"
_GENERIC_FOLDERS = {"captures", "snapshots"}


@dataclass(frozen=True)
class SiteInput:
    """One site of a batch: its captures in a repository, or its capture files."""

    site: str
    repository: str | None = None
    revisions: tuple[GitRevision, ...] = ()
    files: tuple[str, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())  # (input, message) found while listing

    def digest(self) -> str:
        """A hash of everything the site's results are made from: the blob ids of its
        revisions (git) or the bytes of its files, the extractor and the batch format."""
        digest = hashlib.sha256(f"policy-diff batch {BATCH_FORMAT} {EXTRACTOR_VERSION}\0{self.site}\0".encode())
        for r in self.revisions:
            digest.update(f"{r.commit} {r.path} {r.blob} {r.committed_at.isoformat()}\0".encode())
        for name in self.files:
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(name, "rb") as handle:
                    digest.update(hashlib.file_digest(handle, "sha256").digest())
            except OSError as exc:
                digest.update(f"unreadable {exc.errno}".encode())
        return digest.hexdigest()

    @property
    def size(self) -> int:
        return len(self.revisions) + len(self.files)


def matches(site: str, patterns: Iterable[str]) -> bool:
    patterns = list(patterns)
    return not patterns or any(fnmatch.fnmatchcase(site, p) for p in patterns)


def _slug(domain: str) -> str | None:
    try:
        return check_slug(domain.lower())
    except PolicyDiffError:
        return None


def git_sites(path: Path, patterns: Iterable[str] = ()) -> list[SiteInput]:
    """The sites of a dataset repository, each with its revisions oldest first."""
    patterns = list(patterns)
    repo = open_repository(path)
    found: dict[str, list[GitRevision]] = {}
    refused: dict[str, list[tuple[str, str]]] = {}
    branches: list[str | None] = [None]
    if HTML_BRANCH in set(repo.branches.local) | {b.split("/", 1)[-1] for b in repo.branches.remote}:
        branches.append(HTML_BRANCH)
    for branch in branches:
        for commit in first_parent(repo, branch_tip(repo, branch)):
            parent = commit.parents[0] if commit.parents else None
            diff = commit.tree.diff_to_tree(swap=True) if parent is None else repo.diff(parent.tree, commit.tree)
            for delta in diff.deltas:
                if delta.new_file.id.raw == b"\0" * 20:  # deleted: not a capture
                    continue
                file_path = delta.new_file.path
                domain = layout_domain(file_path)
                if domain is None or not matches(domain.lower(), patterns):
                    continue
                slug = _slug(domain)
                if slug is None:
                    refused.setdefault(domain.lower(), []).append((file_path, "not a usable site name"))
                    continue
                found.setdefault(slug, []).append(
                    GitRevision(
                        commit=str(commit.id),
                        path=file_path,
                        blob=str(delta.new_file.id),
                        committed_at=git_time(commit.commit_time, commit.commit_time_offset),
                        authored_at=git_time(commit.author.time, commit.author.offset),
                    )
                )
    where = str(Path(path).resolve())
    sites = [
        SiteInput(site, repository=where, revisions=tuple(sorted(revs, key=lambda r: (r.committed_at, r.path))))
        for site, revs in found.items()
    ]
    sites += [SiteInput(site, problems=tuple(problems)) for site, problems in refused.items() if site not in found]
    return sorted(sites, key=lambda s: s.site)


def folder_sites(root: Path, patterns: Iterable[str] = ()) -> list[SiteInput]:
    """The sites of a folder tree of per-capture files named by their capture time."""
    patterns = list(patterns)
    found: dict[str, list[str]] = {}
    refused: dict[str, list[tuple[str, str]]] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in MEDIA_TYPES or stamp_in_name(name) is None:
                continue
            holder = base.name if base.name.lower() not in _GENERIC_FOLDERS else base.parent.name
            if base == root:
                continue
            if not matches(holder.lower(), patterns):
                continue
            slug = _slug(holder)
            if slug is None:
                refused.setdefault(holder, []).append((str(base / name), "the folder's name is not a usable site name"))
                continue
            found.setdefault(slug, []).append(str(base / name))
    sites = [SiteInput(site, files=tuple(sorted(names))) for site, names in found.items()]
    sites += [SiteInput(shown(site), problems=tuple(p)) for site, p in refused.items()]
    return sorted(sites, key=lambda s: s.site)


def discover(input_path: Path, patterns: Iterable[str] = ()) -> list[SiteInput]:
    """The sites of INPUT, a dataset repository or a folder tree (see the module docstring)."""
    if not input_path.exists():
        raise PolicyDiffError(f"{shown(input_path)}: no such file or directory")
    if (input_path / ".git").exists() or (input_path / "HEAD").is_file():
        return git_sites(input_path, patterns)
    if not input_path.is_dir():
        raise PolicyDiffError(f"{shown(input_path)}: expected a git repository or a folder of captures")
    return folder_sites(input_path, patterns)
