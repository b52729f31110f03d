"""The plugin's options, as written under `plugins: - policy-diff:` in mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class PolicyDiffConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    archive_dir = c.Type(str, default="archive")
    """The archive to render, relative to mkdocs.yml."""
    nav_title = c.Type(str, default="Policies")
    """Title of the navigation section listing the policies (when mkdocs.yml has no `nav`)."""
    latest_changes = c.Type(int, default=15)
    """How many of the latest changes across all policies the home page lists."""
    feeds = c.Type(bool, default=True)
    """Write Atom, RSS and JSON Feed files under feeds/ (needs an absolute site_url)."""
    feeds_max_entries = c.Type(int, default=20)
    """Entries kept in each feed, newest first; the site keeps the whole history."""
    feeds_include_trivial = c.Type(bool, default=False)
    """Put trivial-only changes (whitespace, punctuation, a date) in every policy's feeds."""
