"""A thin adapter from `policydiff.history`, `render` and `feeds` to MkDocs.

On each build it loads each policy's history, hands the histories to `render` and to the
feeds, and adds what they return as generated files, plus the navigation and the feeds'
`<head>` links. Under `mkdocs serve` it watches the archive; histories are cached by a
hash of their archive files and renderings by `render.render_key`, so only the policies
whose files changed are loaded and rendered again (the plugin defines `on_startup`, so
MkDocs keeps this instance for the whole serve session).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .. import render, urls
from ..archive import Archive
from ..errors import PolicyDiffError
from ..history import PolicyHistory, archive_fingerprint, load_history
from .config import PolicyDiffConfig
from .feeds import SiteFeeds

log = logging.getLogger("mkdocs.plugins.policy_diff")


class PolicyDiffPlugin(BasePlugin[PolicyDiffConfig]):
    def __init__(self) -> None:
        self.history_cache: dict[str, tuple[str, PolicyHistory]] = {}  # slug -> (archive files' hash, history)
        self.render_cache: dict[str, render.RenderedPolicy] = {}
        self.histories: list[PolicyHistory] = []  # this build's, by slug
        self.rendered_slugs: list[str] = []  # re-rendered in the last build (tests and bench read it)
        self.generate_nav = True
        self.feeds: SiteFeeds | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so MkDocs keeps this instance, and its caches, across serve rebuilds."""

    def archive_path(self) -> Path:
        return Path(self.config.archive_dir)

    def settings(self) -> render.RenderSettings:
        return render.RenderSettings(
            feeds=self.feeds is not None and self.feeds.enabled,
            latest_changes=self.config.latest_changes,
            feeds_include_trivial=self.config.feeds_include_trivial,
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.feeds = SiteFeeds(self.config)
        self.feeds.check_config(config)
        if not self.config.enabled:
            return config
        for path in render.EXTRA_CSS:
            if path not in config.extra_css:
                config.extra_css.append(path)
        for path in render.EXTRA_JAVASCRIPT:
            if path not in [str(p) for p in config.extra_javascript]:
                config.extra_javascript.append(path)
        self.generate_nav = config.nav is None
        if self.generate_nav:
            # The generated navigation leaves out change, version and section pages on
            # purpose (see _navigation): do not list them all at every build.
            config.validation.nav.omitted_files = logging.DEBUG
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        try:
            self.histories = self._load_histories(Archive(self.archive_path()))
        except PolicyDiffError as exc:
            raise PluginError(f"policy-diff: {exc.message}") from None
        settings = self.settings()
        rendered = self._render_policies(settings)
        if self.feeds is not None:
            files = self.feeds.add_files(files, config, self.histories)
        for path, content in render.site_files(self.histories, rendered, settings).items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=content))
        if self.generate_nav:
            config.nav = self._navigation(files)
        return files

    def _load_histories(self, archive: Archive) -> list[PolicyHistory]:
        histories = []
        for slug in archive.slugs():
            key = archive_fingerprint(archive, slug)
            cached = self.history_cache.get(slug)
            if cached is None or cached[0] != key:
                cached = self.history_cache[slug] = (key, load_history(archive, slug))
            histories.append(cached[1])
        for gone in set(self.history_cache) - {h.slug for h in histories}:
            del self.history_cache[gone]
        return histories

    def _render_policies(self, settings: render.RenderSettings) -> list[render.RenderedPolicy]:
        rendered, self.rendered_slugs = [], []
        for history in self.histories:
            cached = self.render_cache.get(history.slug)
            if cached is None or cached.key != render.render_key(history, settings):
                cached = self.render_cache[history.slug] = render.render_policy(history, settings)
                self.rendered_slugs.append(history.slug)
            rendered.append(cached)
        for gone in set(self.render_cache) - {h.slug for h in self.histories}:
            del self.render_cache[gone]
        if self.rendered_slugs:
            log.info("policy-diff: rendered %s", ", ".join(self.rendered_slugs))
        return rendered

    def _navigation(self, files: Files) -> list[Any]:
        """The hand-written pages, then one entry per policy: its current text, timeline and
        compare page. Change, version and section pages are reached from those (listing
        thousands of them in the navigation would make every page's build cost grow with
        the history)."""
        written = sorted(
            (f.src_uri for f in files.documentation_pages() if not f.src_uri.startswith("policies/")),
            key=lambda uri: (uri != "index.md", uri),
        )
        policies: list[Any] = [{"All policies": "policies/index.md"}]
        for history in sorted(self.histories, key=lambda h: h.name.lower()):
            slug = history.slug
            policies.append(
                {
                    render.plain_title(history.name): [
                        {"Current text": render.src(urls.policy_page(slug))},
                        {"Timeline": render.src(urls.timeline_page(slug))},
                        {"Compare versions": render.src(urls.compare_page(slug))},
                    ]
                }
            )
        return [*written, {self.config.nav_title: policies}]

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Fill a hand-written page's overview marker (the home page's) with the policies and
        the latest changes."""
        if not self.config.enabled or render.OVERVIEW_MARKER not in markdown:
            return markdown
        overview = render.overview_markdown(self.histories, page.file.src_uri, self.settings())
        return markdown.replace(render.OVERVIEW_MARKER, overview)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        """Rebuild when a capture is ingested (or versions are rebuilt) while serving."""
        if self.config.enabled:
            archive = self.archive_path()
            archive.mkdir(parents=True, exist_ok=True)
            server.watch(str(archive))
        return server

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Feed autodiscovery links in every page's head."""
        if self.feeds is None:
            return output
        return self.feeds.add_autodiscovery(output, page)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        if self.feeds is None or not template_name.endswith(".html"):
            return output_content
        return self.feeds.add_autodiscovery(output_content, None)
