"""One exception tree for the whole tool.

Every error is a `click.ClickException`, so the CLI and `mkdocs build` abort with a
one-line message instead of a traceback. Messages name the file and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def one_line(text: str) -> str:
    """Control characters, line breaks and undecodable bytes shown escaped: a message stays
    one line, and a file name cannot spoof a second `error:` line."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def shown(path: Path | str) -> str:
    """A path as a message shows it (a name with `\\xff` or a newline, escaped)."""
    return one_line(str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


class PolicyDiffError(click.ClickException):
    """Base of every error policy-diff raises on purpose."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class DeclarationError(PolicyDiffError):
    """A policy.yml that is missing, unreadable or invalid."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{shown(path)}: {message}")
        self.path = Path(path)


class CaptureError(PolicyDiffError):
    """A capture that cannot be ingested (empty, binary, too large, undated...)."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{shown(path)}: {message}")
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
