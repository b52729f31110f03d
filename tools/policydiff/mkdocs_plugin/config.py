"""The plugin's options, as written under `plugins: - policy-diff:` in mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class PolicyDiffConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    archive_dir = c.Type(str, default="archive")
    """The archive to render, relative to mkdocs.yml."""
