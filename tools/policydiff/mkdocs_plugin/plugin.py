"""A thin adapter from `policydiff.render` to MkDocs.

On each build it adds the rendered pages as generated files; under `mkdocs serve` it
watches the archive and re-renders only the policies whose files changed (renderings are
cached by `render.policy_fingerprint`, a content hash, across rebuilds: the plugin defines
`on_startup`, so MkDocs keeps this instance for the whole serve session).
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
from .config import PolicyDiffConfig
from .feeds import SiteFeeds

log = logging.getLogger("mkdocs.plugins.policy_diff")


class PolicyDiffPlugin(BasePlugin[PolicyDiffConfig]):
    def __init__(self) -> None:
        self.cache: dict[str, render.RenderedPolicy] = {}
        self.policies: dict[str, render.RenderedPolicy] = {}  # this build's, by slug (feeds read it)
        self.rendered_slugs: list[str] = []  # re-rendered in the last build (tests and bench read it)
        self.generate_nav = True
        self.feeds: SiteFeeds | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so MkDocs keeps this instance, and its cache, across serve rebuilds."""

    def archive_path(self, config: MkDocsConfig) -> Path:
        return (Path(config.config_file_path).parent / self.config.archive_dir).resolve()

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
        archive = Archive(self.archive_path(config))
        try:
            self.policies = self._render_policies(archive)
        except PolicyDiffError as exc:
            raise PluginError(f"policy-diff: {exc.message}") from None
        if self.feeds is not None:
            changes = {slug: policy.changes for slug, policy in self.policies.items()}
            files = self.feeds.add_files(files, config, archive, changes)
        generated: dict[str, str | bytes] = {}
        for policy in self.policies.values():
            generated.update(policy.files)
        generated["policies/index.md"] = render.overview_page([p.summary for p in self.policies.values()])
        generated.update(render.asset_files())
        for path, content in generated.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=content))
        if self.generate_nav:
            config.nav = self._navigation(files)
        return files

    def _render_policies(self, archive: Archive) -> dict[str, render.RenderedPolicy]:
        rendered, self.rendered_slugs = {}, []
        for slug in archive.slugs():
            fingerprint = render.policy_fingerprint(archive, slug)
            cached = self.cache.get(slug)
            if cached is None or cached.fingerprint != fingerprint:
                cached = self.cache[slug] = render.render_policy(archive, slug, fingerprint)
                self.rendered_slugs.append(slug)
            rendered[slug] = cached
        for gone in set(self.cache) - set(rendered):
            del self.cache[gone]
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
        for slug, policy in sorted(self.policies.items(), key=lambda item: item[1].summary.name.lower()):
            policies.append(
                {
                    render.plain_title(policy.summary.name): [
                        {"Current text": render.src(urls.policy_page(slug))},
                        {"Timeline": render.src(urls.timeline_page(slug))},
                        {"Compare versions": render.src(urls.compare_page(slug))},
                    ]
                }
            )
        return [*written, {self.config.nav_title: policies}]

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Fill the home page's overview marker with the policies and latest changes, then
        let the feeds add their subscribe links where a page has none yet."""
        if not self.config.enabled:
            return markdown
        if render.OVERVIEW_MARKER in markdown:
            overview = render.overview_markdown(
                [p.summary for p in self.policies.values()], page.file.src_uri, latest=self.config.latest_changes
            )
            markdown = markdown.replace(render.OVERVIEW_MARKER, overview)
        return self.feeds.add_links(markdown, page) if self.feeds is not None else markdown

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        """Rebuild when a capture is ingested (or versions are rebuilt) while serving."""
        if self.config.enabled:
            archive = self.archive_path(config)
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
