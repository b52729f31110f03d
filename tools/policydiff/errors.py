"""One exception tree for the whole tool.

Every error is a `click.ClickException`, so the CLI and `mkdocs build` abort with a
one-line message instead of a traceback. Messages name the file and the problem.
"""

from __future__ import annotations

from pathlib import Path

import click


class PolicyDiffError(click.ClickException):
    """Base of every error policy-diff raises on purpose."""

    exit_code = 2


class DeclarationError(PolicyDiffError):
    """A policy.yml that is missing, unreadable or invalid."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)


class CaptureError(PolicyDiffError):
    """A capture that cannot be ingested (empty, binary, too large, undated...)."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path) if not isinstance(path, Path) else path


class ArchiveError(PolicyDiffError):
    """The archive on disk is inconsistent or a lookup in it failed."""


class UnknownPolicyError(ArchiveError):
    def __init__(self, slug: str, archive_dir: Path) -> None:
        super().__init__(f"no policy {slug!r} in {archive_dir} (add it with `policy-diff add {slug} --url URL`)")


class UnknownVersionError(ArchiveError):
    pass


class ExtractionError(PolicyDiffError):
    """A capture whose text cannot be extracted at all."""
