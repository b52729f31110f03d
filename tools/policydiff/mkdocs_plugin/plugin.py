"""FIRST CUT (the site issue replaces it): current text and version list per policy."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..archive import Archive
from ..times import format_iso
from .config import PolicyDiffConfig
from .feeds import SiteFeeds

log = logging.getLogger("mkdocs.plugins.policy_diff")


class PolicyDiffPlugin(BasePlugin[PolicyDiffConfig]):
    def _archive(self, config: MkDocsConfig) -> Archive:
        return Archive(Path(config.config_file_path).parent / self.config.archive_dir)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.feeds = SiteFeeds(self.config)
        self.feeds.check_config(config)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        archive = self._archive(config)
        files = self.feeds.add_files(files, config, archive)
        for slug in archive.slugs():
            declaration = archive.declaration(slug)
            versions = archive.versions(slug)
            if not versions:
                continue
            latest = archive.version(slug)
            text = archive.version_text(latest)
            rows = "\n".join(
                f"| `{v.id}` | {format_iso(v.first_seen)} | {format_iso(v.last_seen)} | {len(v.captures)} |"
                for v in versions
            )
            content = (
                f"# {declaration.name}\n\n"
                f"Source: <{declaration.url}>\n\n"
                f"| version | first seen | last seen | captures |\n|---|---|---|---|\n{rows}\n\n"
                f"## Current text\n\n{text}"
            )
            files.append(File.generated(config, f"policies/{slug}/index.md", content=content))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.feeds.add_links(markdown, page)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return self.feeds.add_autodiscovery(output, page)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return self.feeds.add_autodiscovery(output_content, None) if template_name.endswith(".html") else output_content
