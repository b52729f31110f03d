"""A thin adapter from `policydiff.history`, `render` and `feeds` to MkDocs.

On each build it loads each policy's history, hands the histories to `render` and to the
feeds, and adds what they return as generated files, plus the navigation and the feeds'
`<head>` links. Under `mkdocs serve` it watches the archive; histories are cached by a
hash of their archive files and renderings by `render.render_key`, so only the policies
whose files changed are loaded and rendered again (the plugin defines `on_startup`, so
MkDocs keeps this instance for the whole serve session). Under serve, `pagecache` also
keeps what MkDocs made of each generated page, so a rebuild converts and templates only the
pages whose Markdown changed. Generated pages are converted with their big raw HTML blocks
swapped out (`rawblocks`); a one-shot `mkdocs build` spools the generated files to disk and
gives back the memory rendering used (`memory`) before MkDocs' own peak.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Literal

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .. import render, urls
from ..archive import Archive
from ..errors import PolicyDiffError
from ..feeds import FeedMemo
from ..history import PolicyHistory, archive_fingerprint, load_history
from ..publish import published_captures
from ..times import build_date
from ..verify import QuickVerification
from .config import PolicyDiffConfig
from .feeds import SiteFeeds
from .memory import release_memory
from .pagecache import UNWRITTEN, PageCache
from .rawblocks import RawBlocks
from .sitedir import KeptSite
from .spool import Spool

log = logging.getLogger("mkdocs.plugins.policy_diff")


class PolicyDiffPlugin(BasePlugin[PolicyDiffConfig]):
    def __init__(self) -> None:
        self.history_cache: dict[str, tuple[str, PolicyHistory]] = {}  # slug -> (archive files' hash, history)
        self.render_cache: dict[str, render.RenderedPolicy] = {}
        self.histories: list[PolicyHistory] = []  # this build's, by slug
        self.rendered_slugs: list[str] = []  # re-rendered in the last build (tests and bench read it)
        self.generate_nav = True
        self.feeds: SiteFeeds | None = None
        self.verification = QuickVerification()  # kept by each policy folder's state, for `mkdocs serve`
        self.verifications = 0  # how many builds verified a policy folder again (tests and bench read it)
        self.verify_notices: set[str] = set()  # the last build's verification warnings, already logged
        self.site_url = ""
        self.page_cache = PageCache()
        self.feed_memo: FeedMemo | None = None  # `mkdocs serve`: the feeds of the previous build
        self.raw_blocks = RawBlocks()
        self.kept_site = KeptSite()  # `mkdocs serve`: the site directory's unchanged files kept
        self.generated_pages: set[str] = set()  # src_uris of this build's generated pages
        self.overviews: dict[str, str] = {}  # src_uri of a hand-written page -> its overview marker's filling
        self.one_shot = False  # `mkdocs build`: nothing is kept past `on_files`
        self.spool = Spool()  # `mkdocs build`: where the generated files wait, not in memory

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so MkDocs keeps this instance, and its caches, across serve rebuilds."""
        self.page_cache.enabled = command == "serve"
        self.kept_site.enabled = command == "serve" and not dirty
        self.feed_memo = FeedMemo() if command == "serve" else None
        self.one_shot = command in ("build", "gh-deploy")

    def archive_path(self) -> Path:
        return Path(self.config.archive_dir)

    def settings(self) -> render.RenderSettings:
        return render.RenderSettings(
            feeds=self.feeds is not None and self.feeds.enabled,
            latest_changes=self.config.latest_changes,
            latest_min_significance=self.config.latest_changes_min_significance,
            captures=self.config.publish_captures,
            site_url=self.site_url,
            feeds_floor="trivial" if self.config.feeds_include_trivial else self.config.feeds_min_significance,
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.feeds = SiteFeeds(self.config)
        self.feeds.check_config(config)
        url = config.site_url or ""
        self.site_url = url if not url or url.endswith("/") else url + "/"
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

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.page_cache.start_build()
        self.raw_blocks.start_build(config)
        self.kept_site.set_aside(config)

    @event_priority(-100)  # after every other plugin's: all of this build's files are written
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.kept_site.clear_stale(config)
        if self.page_cache.enabled:
            log.info(
                "policy-diff: %d of %d generated pages unchanged, written from the serve cache",
                len(self.page_cache.hits),
                len(self.generated_pages),
            )
        self.page_cache.end_build(failed=False)
        self.spool.drop()
        if self.kept_site.enabled:
            log.info(
                "policy-diff: %d files of the last build kept in place, %d stale files removed",
                len(self.kept_site.kept),
                len(self.kept_site.removed),
            )

    def on_build_error(self, *, error: Exception) -> None:
        self.page_cache.end_build(failed=True)
        self.spool.drop()

    def _generated_file(self, config: MkDocsConfig, path: str, content: str | bytes) -> File:
        """A generated file: in memory under `mkdocs serve` (its caches hold the pages anyway),
        else written to the spool directory and read back by MkDocs when it needs it, as a
        plain build reads its pages, so a build does not hold every page's Markdown and data
        beside what MkDocs makes of them (its peak memory)."""
        if not self.one_shot:
            return File.generated(config, path, content=content)
        render.check_page_path(path)  # a path from a term or an id must not leave the spool
        target = self.spool.write(path, content if isinstance(content, bytes) else content.encode("utf-8"))
        return File.generated(config, path, abs_src_path=str(target))

    @event_priority(100)  # before every other plugin's: the site directory as it was
    def _put_back(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.kept_site.put_back(config)
        return files

    def _add_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        try:
            archive = Archive(self.archive_path())
            fingerprints = {slug: archive_fingerprint(archive, slug) for slug in archive.slugs()}
            self._verify_archive(archive, fingerprints)
            self.histories = self._load_histories(archive, fingerprints)
            captures = published_captures(archive, self.histories) if self.config.publish_captures else {}
        except PolicyDiffError as exc:
            raise PluginError(f"policy-diff: {exc.message}") from None
        settings = self.settings()
        rendered = self._render_policies(settings)
        if self.feeds is not None:
            files = self.feeds.add_files(files, config, self.histories, self.feed_memo)
        self.generated_pages = set()
        generated = render.site_files(self.histories, rendered, settings)
        del rendered
        if self.one_shot:
            self.render_cache = {}
        for path in list(generated):  # in order (it is the pages' build order), each released once added
            content = generated.pop(path)
            if files.get_file_from_path(path) is None:
                files.append(self._generated_file(config, path, content))
                if path.endswith(".md"):
                    self.generated_pages.add(path)
            del content
        for path, source in captures.items():  # copied by MkDocs from the archive, bytes unchanged
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, abs_src_path=str(source)))
        if self.generate_nav:
            config.nav = self._navigation(files)
        self.overviews = {
            f.src_uri: render.overview_markdown(self.histories, f.src_uri, settings)
            for f in files.documentation_pages()
            if f.src_uri not in self.generated_pages and render.OVERVIEW_MARKER in f.content_string
        }
        if self.one_shot:
            # A single build renders each page once: release the histories and renderings
            # before MkDocs converts the pages (its peak), rather than holding both.
            self.histories, self.history_cache, self.render_cache = [], {}, {}
            release_memory()
        return files

    on_files = CombinedEvent(_put_back, _add_files)

    def _verify_archive(self, archive: Archive, fingerprints: dict[str, str]) -> None:
        """`policy-diff verify --quick` before anything is published: a site must not present
        a history its archive cannot vouch for (a rewritten manifest, an edited capture or
        provenance, a file nothing records). Under `mkdocs serve`, a policy folder whose state
        is unchanged since the last build is not checked again."""
        problems = self.verification.run(archive, fingerprints)
        self.verifications += bool(self.verification.checked)
        notices = [str(p) for p in problems if not p.fatal]
        for notice in notices:
            if notice not in self.verify_notices:  # each once while it lasts, not at every rebuild
                log.info("policy-diff: verify: %s", notice)
        self.verify_notices = set(notices)
        fatal = [str(p) for p in problems if p.fatal]
        if fatal and not self.config.allow_unverified:
            more = f" (and {len(fatal) - 1} more problem(s))" if len(fatal) > 1 else ""
            raise PluginError(
                f"policy-diff: the archive {archive.root} fails verification, nothing published: {fatal[0]}{more}; "
                "run `policy-diff verify --quick` to see every problem (or set `allow_unverified: true` under "
                "the plugin's options to build anyway, with warnings)"
            )
        for problem in fatal:
            log.warning("policy-diff: UNVERIFIED ARCHIVE, published anyway (allow_unverified): %s", problem)

    def _load_histories(self, archive: Archive, fingerprints: dict[str, str]) -> list[PolicyHistory]:
        built_for = build_date()  # SOURCE_DATE_EPOCH, else today: a serve session crosses midnight
        histories = []
        site_terms = tuple(self.config.watched_terms)
        for slug in archive.slugs():
            fingerprint = fingerprints.get(slug) or archive_fingerprint(archive, slug)
            key = f"{fingerprint} {built_for.isoformat()} {site_terms!r}"
            cached = self.history_cache.get(slug)
            if cached is None or cached[0] != key:
                cached = self.history_cache[slug] = (
                    key,
                    load_history(archive, slug, site_terms, build_date=built_for),
                )
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
            (
                f.src_uri
                for f in files.documentation_pages()
                if not f.src_uri.startswith(("policies/", urls.terms_page()))
            ),
            key=lambda uri: (uri != "index.md", uri),
        )
        policies: list[Any] = [{"All policies": "policies/index.md"}]
        if files.get_file_from_path(render.src(urls.terms_page())) is not None:
            policies.append({"Watched terms": render.src(urls.terms_page())})
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

    @event_priority(-100)  # after every other plugin's: the navigation is final
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.config.enabled:
            self.page_cache.set_site(config, nav, files, self.generated_pages)
        return nav

    def _fill_overview(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Fill a hand-written page's overview marker (the home page's) with the policies and
        the latest changes, made in `on_files` for each page whose file holds the marker."""
        if not self.config.enabled or render.OVERVIEW_MARKER not in markdown:
            return markdown
        overview = self.overviews.get(page.file.src_uri)
        if overview is None:  # the marker was not in the page's file (another plugin wrote it)
            return markdown
        return markdown.replace(render.OVERVIEW_MARKER, overview)

    @event_priority(-100)  # after every other plugin's: the Markdown is final
    def _cache_lookup(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        cached = self.page_cache.page_markdown(page, markdown)
        if cached:
            held = self.page_cache.output_key(page)
            if held is not None and self.kept_site.in_place(page.file, self._output_token(held[0], page)):
                self.page_cache.leave_unwritten(page)  # MkDocs writes it to the null device
        elif page.file.src_uri in self.generated_pages and self.raw_blocks.enabled():
            page.render = functools.partial(self.raw_blocks.render, page)  # type: ignore[method-assign]
        return markdown

    def _feed_tags(self, page: Page) -> str:
        return self.feeds.autodiscovery_tags(page) if self.feeds is not None else ""

    def _output_token(self, key: str, page: Page) -> str:
        """What a generated page's file is made of: its cached output and its feed links."""
        return f"{key}\0{self._feed_tags(page)}"

    on_page_markdown = CombinedEvent(_fill_overview, _cache_lookup)

    @event_priority(100)  # before every other plugin's: the HTML as Markdown made it
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.page_cache.page_content(page)
        return html

    @event_priority(100)
    def _search_first(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Navigation) -> None:
        self.page_cache.page_context_first(page, config)

    @event_priority(-100)
    def _search_last(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Navigation) -> None:
        self.page_cache.page_context_last(page, config)

    on_page_context = CombinedEvent(_search_first, _search_last)

    def _install_templates(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        return self.page_cache.install(env)

    @event_priority(-100)  # after every other plugin's: the files are final
    def _keep_copies(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.kept_site.keep_copies(files)
        return env

    on_env = CombinedEvent(_install_templates, _keep_copies)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        """Rebuild when a capture is ingested (or versions are rebuilt) while serving."""
        if self.config.enabled:
            archive = self.archive_path()
            archive.mkdir(parents=True, exist_ok=True)
            server.watch(str(archive))
        return server

    @event_priority(100)  # before every other plugin's: the theme's output
    def _cache_output(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self.page_cache.page_output(page, output)
        return output

    def _autodiscovery(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Feed autodiscovery links in every page's head."""
        held = self.page_cache.output_key(page)
        if held is not None:
            token = self._output_token(held[0], page)
            if self.kept_site.page_written(page.file, token, reused=held[1]):
                return output  # the placeholder, to the null device: the file is in place
            if output == UNWRITTEN:  # not in place after all: never published
                output = self.page_cache.cached_output(page)
        if self.feeds is None:
            return output
        return self.feeds.add_autodiscovery(output, page, self._feed_tags(page))

    on_post_page = CombinedEvent(_cache_output, _autodiscovery)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        if self.feeds is None or not template_name.endswith(".html"):
            return output_content
        return self.feeds.add_autodiscovery(output_content, None)
