"""The plugin's options, as written under `plugins: - policy-diff:` in mkdocs.yml. MkDocs
validates them when it loads the config, with its own error wording."""

from __future__ import annotations

import os

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..watch import TermGroup


class ArchiveDir(c.Dir):
    """A directory, relative to mkdocs.yml; it may not exist yet (an empty site), but a
    file in its place is an error."""

    def run_validation(self, value: object) -> str:
        path = super().run_validation(value)
        if os.path.exists(path) and not os.path.isdir(path):
            raise base.ValidationError(f"The path '{path}' isn't an existing {self.name}.")
        return path


class PositiveInt(c.Type[int]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(int, **kwargs)  # type: ignore[arg-type]

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool):  # an int to Python, not to a reader of mkdocs.yml
            raise base.ValidationError(f"Expected type: {int} but received: {type(value)}")
        number = super().run_validation(value)
        if number < 1:
            raise base.ValidationError(f"Expected a positive integer but received: {number!r}")
        return number


SIGNIFICANCE_CHOICES = ("major", "minor", "trivial")


class WatchedTerms(c.BaseConfigOption[tuple[TermGroup, ...]]):
    """Watched-term groups, checked as a declaration's `watch:` is (RE2 patterns)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = ()

    def run_validation(self, value: object) -> tuple[TermGroup, ...]:
        if value is None or value == ():
            return ()
        from ..declaration import watched_terms
        from ..errors import DeclarationError

        try:
            return watched_terms("mkdocs.yml", "watched_terms", value)
        except DeclarationError as error:
            raise base.ValidationError(error.message) from None


class PolicyDiffConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    archive_dir = ArchiveDir(default="archive")
    """The archive to render, relative to mkdocs.yml."""
    nav_title = c.Type(str, default="Policies")
    """Title of the navigation section listing the policies (when mkdocs.yml has no `nav`)."""
    latest_changes = PositiveInt(default=15)
    """How many of the latest changes across all policies the home page lists."""
    feeds = c.Type(bool, default=True)
    """Write Atom, RSS and JSON Feed files under feeds/ (needs an absolute site_url)."""
    feeds_max_entries = PositiveInt(default=20)
    """Entries kept in each feed, newest first; the site keeps the whole history."""
    feeds_include_trivial = c.Type(bool, default=False)
    """Put trivial-only changes (whitespace, punctuation, a date) in every policy's feeds."""
    allow_unverified = c.Type(bool, default=False)
    """Build from an archive that fails `policy-diff verify --quick`, with a warning for each
    problem (by default such an archive stops the build: nothing is published)."""
    """Put trivial-only changes (whitespace, punctuation, a date) in every policy's feeds: the
    same as `feeds_min_significance: trivial` (kept as its alias)."""
    feeds_min_significance = c.Choice(SIGNIFICANCE_CHOICES, default="minor")
    """The least significant change the feeds list: `major`, `minor` or `trivial`."""
    latest_changes_min_significance = c.Choice(SIGNIFICANCE_CHOICES, default="trivial")
    """The least significant change the home page's latest changes list (`major`: only majors)."""
    watched_terms = WatchedTerms()
    """Site-wide watched-term groups, added to the defaults: `{id: [RE2 patterns]}` or
    `{id: {label: ..., patterns: [...]}}` (the shape of `policy.yml`'s `watch:`)."""
    publish_captures = c.Type(bool, default=True)
    """Publish each capture's raw file with the site (as `<name>.txt`, served as plain text: a
    capture never runs as a page), linked from the timeline, so readers can check its sha256."""
