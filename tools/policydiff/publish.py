"""What a site publishes from the archive besides its pages: each capture's raw file, so a
reader can check the sha256 the timeline shows (plugin option `publish_captures`, and
`policy-diff render --out`). A face's helper: render stays a pure function of histories.

Raw captures are hostile (an archived page can hold any script). They are published under
`urls.capture_file`, always with `.txt` appended (`….html.txt`): static hosts and `mkdocs
serve` send `.txt` as text/plain, which browsers never run or render as HTML, so a capture
can never execute as a page of the site's origin; the bytes are the archive's, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import urls
from .archive import Archive
from .errors import ArchiveError
from .history import PolicyHistory


def published_captures(archive: Archive, histories: Sequence[PolicyHistory]) -> dict[str, Path]:
    """Site path -> archive file of every capture of these histories (withdrawn ones too:
    the timeline lists them). Only regular files inside the archive, never through a link."""
    root = archive.root.resolve()
    out: dict[str, Path] = {}
    for history in histories:
        for capture in history.captures:
            path = archive.capture_path(capture)
            if path.is_symlink() or not path.is_file():
                raise ArchiveError(f"{path}: capture file missing or not a regular file; run `policy-diff verify`")
            if not path.resolve().is_relative_to(root):
                raise ArchiveError(f"{path}: outside the archive {archive.root}: not published")
            target = urls.capture_file(history.slug, capture.file)
            if not target.endswith(".txt"):  # the one rule that keeps them inert; never relax it
                raise ValueError(f"refusing to publish a capture as {target!r}")
            out[target] = path
    return out
