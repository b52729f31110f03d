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
