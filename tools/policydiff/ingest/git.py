"""Ingest a policy kept in a git repository: every first-parent commit that touched its file.

pygit2 (libgit2, bundled in its wheel) rather than dulwich or the git command: dulwich reads
about 155 commits a second here, too slow for the Princeton-Leuven repository's million
commits, and the git command means a process per blob. Which commits touched the file is
decided by looking its path up in each commit's tree and its first parent's (libgit2 opens
only the trees along the path), much cheaper than a diff per commit; a diff, with libgit2's
similarity search, is asked for only where the file appears, to find the path it was
renamed from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import pygit2

from ..archive import Archive
from ..errors import CaptureError, PolicyDiffError, shown
from ..times import format_iso
from .files import MAX_CAPTURE_BYTES, MEDIA_TYPES, CaptureCandidate, CaptureWindow, IngestOutcome, check_content

# A rename that rewrote most of the text is still the same policy: GitHub's privacy statement
# became the "general privacy statement" in 2024 with 18% of its lines kept. git's default
# (50%) would cut that history in two; below 10% two unrelated files are paired.
RENAME_SIMILARITY = 10


class GitError(PolicyDiffError):
    """A repository, branch or path that cannot be read."""


@dataclass(frozen=True)
class GitRevision:
    """One commit's blob of a followed file."""

    commit: str
    path: str
    blob: str
    committed_at: datetime  # the committer date, UTC: the capture time
    authored_at: datetime  # the author date, UTC


def open_repository(path: Path | str) -> pygit2.Repository:
    """The repository at `path` (a work tree, a bare repository or a .git folder)."""
    try:
        return pygit2.Repository(str(path))
    except (pygit2.GitError, KeyError, ValueError, OSError):
        raise GitError(f"{shown(path)}: not a git repository (or one that cannot be read)") from None


def _where(repo: pygit2.Repository) -> str:
    return shown((repo.workdir or repo.path).rstrip("/"))


def branch_tip(repo: pygit2.Repository, branch: str | None) -> pygit2.Commit:
    """The tip of `branch` (a local or remote-tracking branch), or of HEAD's branch."""
    try:
        if branch is None:
            return repo.head.peel(pygit2.Commit)
        found = repo.lookup_branch(branch) or repo.lookup_branch(branch, pygit2.enums.BranchType.REMOTE)
        if found is None:
            found = repo.lookup_branch(f"origin/{branch}", pygit2.enums.BranchType.REMOTE)
        if found is None:
            raise GitError(f"{_where(repo)}: no branch {shown(branch)!r}")
        return found.peel(pygit2.Commit)
    except pygit2.GitError as exc:
        raise GitError(f"{_where(repo)}: cannot read {'HEAD' if branch is None else shown(branch)}: {exc}") from None


def remote_url(repo: pygit2.Repository) -> str | None:
    """The `origin` remote's URL (else the first remote's), without credentials."""
    remotes = list(repo.remotes)
    chosen = next((r for r in remotes if r.name == "origin"), remotes[0] if remotes else None)
    if chosen is None or not chosen.url:
        return None
    url = chosen.url
    if "@" in url.split("://", 1)[-1].split("/", 1)[0] and "://" in url:  # https://user:token@host/...
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://{rest.split('@', 1)[1]}"
    return url


def git_time(seconds: int, offset_minutes: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone(timedelta(minutes=offset_minutes))).astimezone(UTC)


def blob_at(tree: pygit2.Tree, path: str) -> str | None:
    """The id of the blob at `path` in `tree`, None when there is none."""
    try:
        entry = tree[path]
    except KeyError:
        return None
    return str(entry.id) if entry.type == pygit2.enums.ObjectType.BLOB else None


def first_parent(repo: pygit2.Repository, tip: pygit2.Commit) -> Iterator[pygit2.Commit]:
    """The tip and its first parents back to the root, newest first."""
    walker = repo.walk(tip.id, pygit2.enums.SortMode.NONE)
    walker.simplify_first_parent()
    yield from walker


def renamed_from(repo: pygit2.Repository, parent: pygit2.Commit, commit: pygit2.Commit, path: str) -> str | None:
    """The path `path` had in `parent` when `commit` renamed it (None if it was created)."""
    diff = repo.diff(parent.tree, commit.tree)
    diff.find_similar(flags=pygit2.enums.DiffFind.FIND_RENAMES, rename_threshold=RENAME_SIMILARITY)
    for delta in diff.deltas:
        if delta.status == pygit2.enums.DeltaStatus.RENAMED and delta.new_file.path == path:
            return str(delta.old_file.path)
    return None


def follow(
    repo: pygit2.Repository, path: str, *, branch: str | None = None, since: datetime | None = None
) -> list[GitRevision]:
    """Every first-parent commit of the branch that touched `path`'s file, oldest first,
    following it back across renames. A commit that only renamed it is one of them (its
    blob is the previous one: another capture of the same text)."""
    current = str(PurePosixPath(path))
    found: list[GitRevision] = []
    for commit in first_parent(repo, branch_tip(repo, branch)):
        blob = blob_at(commit.tree, current)
        if blob is None:
            continue  # not there (yet): deleted later, or re-created later
        parent = commit.parents[0] if commit.parents else None
        before = blob_at(parent.tree, current) if parent is not None else None
        if before == blob:
            continue
        found.append(
            GitRevision(
                commit=str(commit.id),
                path=current,
                blob=blob,
                committed_at=git_time(commit.commit_time, commit.commit_time_offset),
                authored_at=git_time(commit.author.time, commit.author.offset),
            )
        )
        if before is None and parent is not None:
            current = renamed_from(repo, parent, commit, current) or current
    found.reverse()
    if since is not None:
        found = [r for r in found if r.committed_at >= since]
    return found


def revision_candidate(
    repo: pygit2.Repository, revision: GitRevision, *, repository: str | None, via: str = "git"
) -> CaptureCandidate:
    """A revision's blob as a capture candidate, with its git provenance (refused with the
    reason when it cannot be a capture)."""
    origin = f"{revision.commit[:12]}:{revision.path}"
    media_type = MEDIA_TYPES.get(PurePosixPath(revision.path).suffix.lower())
    if media_type is None:
        raise CaptureError(origin, "not an .html, .md or .txt file: cannot be a capture")
    blob = repo[revision.blob]
    if blob.size > MAX_CAPTURE_BYTES:
        raise CaptureError(origin, f"above the {MAX_CAPTURE_BYTES // 2**20} MiB capture limit")
    data = bytes(blob.data)
    check_content(origin, data)
    extra: dict[str, Any] = {
        "git_commit": revision.commit,
        "git_author_date": format_iso(revision.authored_at),
        "git_path": revision.path,
        "git_repository": repository,
    }
    return CaptureCandidate(
        data=data,
        media_type=media_type,
        origin=origin,
        captured_at=revision.committed_at,
        ingested_via=via,
        extra=extra,
    )


def store_revisions(
    archive: Archive,
    slug: str,
    repo: pygit2.Repository,
    revisions: Iterable[GitRevision],
    *,
    repository: str | None,
    workers: int | None = None,
    group_commit: bool = True,
    on_done: Callable[[GitRevision], None] | None = None,
) -> list[IngestOutcome]:
    """Store each revision as a capture, a window at a time (idempotent, crash-safe)."""
    from .files import date_candidate

    window = CaptureWindow(archive, slug, workers=workers, group_commit=group_commit)
    for revision in revisions:
        try:
            candidate = revision_candidate(repo, revision, repository=repository)
            date_candidate(candidate, None)  # the committer date stays; a Wayback note adds its URLs
        except PolicyDiffError as exc:
            window.refuse(f"{revision.commit[:12]}:{revision.path}", exc)
        else:
            window.add(candidate)
        if on_done:
            on_done(revision)
    window.flush()
    return window.outcomes


def repository_name(repo: pygit2.Repository, given: Path | str) -> str:
    """What `git_repository` records: the remote URL when there is one, else the path given."""
    return remote_url(repo) or str(Path(given).resolve())
