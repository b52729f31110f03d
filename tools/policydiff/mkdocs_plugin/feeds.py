"""The feeds' side of the MkDocs plugin: a thin adapter over `policydiff.feeds`.

- `on_config`: feeds need absolute URLs, so a missing `site_url` aborts the build with a message.
- `on_files`: every feed document is added as a generated file (MkDocs copies it into the
  site, and links to it from pages are validated like any other).
- `on_page_markdown`: the home page, each policy page and each section page get visible
  "Subscribe" links, unless the page already links to its feed.
- `on_post_page`, `on_post_template`: every page's head (404 included) gets
  `<link rel="alternate">` autodiscovery links, the most specific feed first (a section's,
  then its policy's, then the site's).
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..archive import Archive
from ..changes import Change
from ..errors import PolicyDiffError
from ..feeds import FORMAT_NAMES, FORMATS, Feed, FeedSettings, archive_feeds, feed_documents, site_url_of
from ..urls import feed_dir
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
        self,
        files: Files,
        config: MkDocsConfig,
        archive: Archive,
        changes: Mapping[str, Sequence[Change]] | None = None,
    ) -> Files:
        if not self.enabled:
            return files
        settings = FeedSettings(
            site_url=self.site_url or site_url_of(config.site_url),
            site_name=config.site_name,
            site_description=config.site_description or "",
            max_entries=self.options.feeds_max_entries,
            include_trivial=self.options.feeds_include_trivial,
            language=config.theme.get("language") or "en",
        )
        try:
            feeds = archive_feeds(archive, settings, changes)
        except PolicyDiffError as error:
            raise PluginError(f"policy-diff feeds: {error.message}") from None
        self.feeds = {feed.dir: feed for feed in feeds}
        self.home_pages = {feed.home_path: feed.dir for feed in feeds}
        for feed in feeds:
            for path, content in feed_documents(feed).items():
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
        homes = sorted((home for home in self.home_pages if path.startswith(home)), key=len, reverse=True)
        return [self.feeds[self.home_pages[home]] for home in homes]

    def add_links(self, markdown: str, page: Page) -> str:
        """Visible subscribe links on the pages a feed is about (home, policy, section)."""
        if not self.enabled:
            return markdown
        directory = self.home_pages.get(_page_dir(page))
        if directory is None or f"{directory}atom.xml" in markdown:
            return markdown
        feed = self.feeds[directory]
        here = posixpath.dirname(page.file.src_uri) or "."
        links = " · ".join(f"[{FORMAT_NAMES[name]}]({posixpath.relpath(directory + name, here)})" for name in FORMATS)
        name = feed.title.removesuffix(": changes")
        what = "changes" if directory == feed_dir() else f"changes to {_escape_md(name)}"
        return f"{markdown.rstrip()}\n\n**Subscribe to {what}:** {links}\n"

    def add_autodiscovery(self, output: str, page: Page | None) -> str:
        """`page` is None for pages rendered from a bare template (404.html)."""
        if not self.enabled:
            return output
        tags = "".join(
            f'<link rel="alternate" type="{media}" title="{html.escape(f"{feed.title} ({FORMAT_NAMES[name]})")}" '
            f'href="{html.escape(feed.url(name))}">'
            for feed in self._feeds_of(page)
            for name, media in FORMATS.items()
        )
        return _HEAD_END.sub(lambda m: tags + m.group(), output, count=1)


def _escape_md(text: str) -> str:
    """Text that Markdown shows as it is: HTML as entities, Markdown syntax backslashed."""
    return re.sub(r"([\\`*_\[\]#!])", r"\\\1", html.escape(text, quote=False))
