"""The Princeton-Leuven dataset's repository layout, read (`layout_domain`) and written
(`write_repository`, for tests and the bench: a repository shaped like the dataset, made from
real captures)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import pygit2

HTML_BRANCH = "policy_html"
_CAPTURE_SUFFIXES = (".md", ".html")


def layout_path(domain: str, suffix: str) -> str:
    """`zwsoft.com`, `.md` -> `z/zw/zws/zwsoft.com.md`."""
    return f"{domain[:1]}/{domain[:2]}/{domain[:3]}/{domain}{suffix}"


def layout_domain(path: str) -> str | None:
    """The domain a dataset path is a capture of: `z/zw/zws/zwsoft.com.md` -> `zwsoft.com`
    (the HTML branch's `zwsoft.com.html` at the top too)."""
    parts = PurePosixPath(path).parts
    name = parts[-1]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in _CAPTURE_SUFFIXES:
        return None
    domain = name[: -len(suffix)]
    prefixes = parts[:-1]
    if len(prefixes) == 3 and all(
        domain.startswith(p) and len(p) == n for p, n in zip(prefixes, (1, 2, 3), strict=True)
    ):
        return domain
    if not prefixes and suffix == ".html":
        return domain
    return None


@dataclass(frozen=True)
class DatasetCapture:
    domain: str
    captured_at: datetime
    data: bytes
    html: bool  # the raw HTML (policy_html branch) rather than the Markdown (HEAD branch)


def write_repository(path: Path, captures: Iterable[DatasetCapture]) -> pygit2.Repository:
    """A repository in the dataset's layout: one commit per capture, in time order, dated
    at the capture time; Markdown on `main`, HTML on `policy_html`."""
    repo = pygit2.init_repository(str(path), initial_head="main")
    ordered = sorted(captures, key=lambda c: (c.captured_at, c.domain, c.html))
    for html in (False, True):
        ref = f"refs/heads/{HTML_BRANCH if html else 'main'}"
        parents: list[pygit2.Oid] = []
        index = pygit2.Index()
        for capture in (c for c in ordered if c.html == html):
            blob = repo.create_blob(capture.data)
            index.add(
                pygit2.IndexEntry(
                    layout_path(capture.domain, ".html" if html else ".md"), blob, pygit2.enums.FileMode.BLOB
                )
            )
            tree = index.write_tree(repo)
            when = int(capture.captured_at.timestamp())
            signature = pygit2.Signature("dataset", "dataset@example.org", when, 0)
            message = f"{capture.domain} captured {capture.captured_at:%Y-%m-%dT%H:%M:%SZ}\n"
            commit = repo.create_commit(ref, signature, signature, message, tree, parents)
            parents = [commit]
    return repo
