"""The feeds' side of the MkDocs plugin: a thin adapter over `policydiff.feeds`.

- `on_config`: feeds need absolute URLs, so a missing `site_url` aborts the build with a message.
- `on_files`: every feed document is added as a generated file (MkDocs copies it into the
  site, and links to it from pages are validated like any other). The visible "Subscribe"
  links are the pages' own (`render`), so `policy-diff render --out` has them too.
- `on_post_page`, `on_post_template`: every page's head (404 included) gets
  `<link rel="alternate feed">` autodiscovery links, the most specific feed first (a section's
  when it has an entry, then its policy's, then the site's). "alternate feed", not the bare
  "alternate": Material reads every `link[rel=alternate]` as a language version of the site
  and fetches a `sitemap.xml` next to it (a request per feed, to `site_url`'s host, on every
  page); feed readers match the `alternate` token with the feed's type.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..errors import PolicyDiffError
from ..escape import html_attribute
from ..feeds import FORMAT_NAMES, FORMATS, Feed, FeedMemo, FeedSettings, build_feeds, feed_documents, site_url_of
from ..history import PolicyHistory
from .config import PolicyDiffConfig

log = logging.getLogger("mkdocs.plugins.policy_diff.feeds")

_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def _page_dir(page: Page) -> str:
    """A page's directory-style path whatever `use_directory_urls` says: `policies/x/`."""
    src = page.file.src_uri
    if src == "index.md" or src == "README.md":
        return ""
    for suffix in ("/index.md", "/README.md", ".md"):
        if src.endswith(suffix):
            return src[: -len(suffix)] + "/"
    return src


@dataclass
class SiteFeeds:
    """The feeds of one build, and which pages they belong to."""

    options: PolicyDiffConfig
    site_url: str = ""
    feeds: dict[str, Feed] = field(default_factory=dict)  # by feed dir
    home_pages: dict[str, str] = field(default_factory=dict)  # page dir -> feed dir
    tag_cache: dict[str, str] = field(default_factory=dict)  # this build's autodiscovery tags, by feed dir

    @property
    def enabled(self) -> bool:
        return bool(self.options.enabled and self.options.feeds)

    def check_config(self, config: MkDocsConfig) -> None:
        if not self.enabled:
            return
        try:
            self.site_url = site_url_of(config.site_url)
        except PolicyDiffError as error:
            raise PluginError(
                f"policy-diff: {error.message} (or turn the feeds off: `feeds: false` under the plugin's options)"
            ) from None

    def add_files(
        self, files: Files, config: MkDocsConfig, histories: Sequence[PolicyHistory], memo: FeedMemo | None = None
    ) -> Files:
        """`memo`: kept by the plugin across the rebuilds of `mkdocs serve` (see `FeedMemo`)."""
        if not self.enabled:
            return files
        settings = FeedSettings(
            site_url=self.site_url or site_url_of(config.site_url),
            site_name=config.site_name,
            site_description=config.site_description or "",
            max_entries=self.options.feeds_max_entries,
            include_trivial=self.options.feeds_include_trivial,
            min_significance=self.options.feeds_min_significance,
            language=config.theme.get("language") or "en",
        )
        try:
            feeds = build_feeds(histories, settings, memo)
        except PolicyDiffError as error:
            raise PluginError(f"policy-diff feeds: {error.message}") from None
        self.feeds = {feed.dir: feed for feed in feeds}
        self.tag_cache = {}
        self.home_pages = {feed.home_path: feed.dir for feed in feeds}
        for feed in feeds:
            documents = memo.feed_documents(feed) if memo is not None else feed_documents(feed)
            for path, content in documents.items():
                existing = files.get_file_from_path(path)
                if existing is not None:
                    files.remove(existing)
                files.append(File.generated(config, path, content=content))
        log.debug("wrote %d feeds", len(feeds))
        return files

    def _feeds_of(self, page: Page | None) -> list[Feed]:
        """The feeds a page is about, most specific first: a page under a section's or a
        policy's home page belongs to that feed, every page (404 included) to the site's."""
        path = _page_dir(page) if page is not None else ""
        # the home pages that are prefixes of the path, longest first: looked up by prefix, as a
        # site has a home page per section and this runs for every page
        homes = [path[:end] for end in range(len(path), -1, -1) if path[:end] in self.home_pages]
        feeds = [self.feeds[self.home_pages[home]] for home in homes]
        # a section's feed is offered only once it has an entry, as its page's links are
        return [feed for feed, home in zip(feeds, homes, strict=True) if feed.entries or "/sections/" not in home]

    def autodiscovery_tags(self, page: Page | None) -> str:
        """`page` is None for pages rendered from a bare template (404.html)."""
        if not self.enabled:
            return ""
        return "".join(self._tags(feed) for feed in self._feeds_of(page))

    def _tags(self, feed: Feed) -> str:
        tags = self.tag_cache.get(feed.dir)
        if tags is None:
            tags = self.tag_cache[feed.dir] = "".join(
                f'<link rel="alternate feed" type="{media}" '
                f'title="{html_attribute(f"{feed.title} ({FORMAT_NAMES[name]})")}" '
                f'href="{html_attribute(feed.url(name))}">'
                for name, media in FORMATS.items()
            )
        return tags

    def add_autodiscovery(self, output: str, page: Page | None, tags: str | None = None) -> str:
        """The page's feed links put in its head (`tags`: `autodiscovery_tags(page)`, when known)."""
        if not self.enabled:
            return output
        tags = self.autodiscovery_tags(page) if tags is None else tags
        return _HEAD_END.sub(lambda m: tags + m.group(), output, count=1)
