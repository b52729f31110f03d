"""Serve rebuilds that only render the pages whose Markdown changed.

Under `mkdocs serve`, MkDocs converts, templates and indexes every page again on each
rebuild, though a new capture changes the Markdown of a handful of one policy's pages. For
each page the plugin generated, this cache keeps what MkDocs made of it in the previous
build (the HTML of its Markdown, its table of contents and anchors, its search entries and
the theme's output for it), keyed by the page's final Markdown and a signature of
everything else a page's output depends on (the config files, the theme's files, the navigation and
the hand-written pages, whose titles are in every page's navigation). A page whose key is
unchanged is written from the cache: the same bytes as a full build, which the tests check
page by page.

Exactness rules, each cheap: the signature changes -> everything is rendered again; a
generated page disappears (a link to it from an unchanged page would now be broken) ->
everything again; a build that logs any warning or fails -> nothing is kept (a cached page
must not hide a warning a full build would give). Only `mkdocs serve` uses the cache:
`mkdocs build` renders each page once, and holding its output would only cost memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import lz4.frame
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

CACHED_TEMPLATE = "policy-diff-cached-page.html"
_OUTPUT_GLOBAL = "policy_diff_cached_output"
_SIGNATURE_VERSION = "1"
UNWRITTEN = "<!-- policy-diff: unchanged, not written again -->"


def _pack(text: str) -> bytes:
    # A serve session at thousands of versions keeps every page's HTML twice, and unpacks
    # nearly all of it at each rebuild: LZ4 is a quarter larger than zlib at level 1 here
    # and unpacks nine times faster (1,500 pages of a 1,000-version site: 0.10 against 0.92 s).
    return lz4.frame.compress(text.encode("utf-8"))


def _unpack(data: bytes) -> str:
    return lz4.frame.decompress(data).decode("utf-8")


@dataclass
class CachedPage:
    key: str
    content: bytes  # the HTML of the page's Markdown, packed
    toc: TableOfContents
    title: str | None
    anchors: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None  # by target's src_uri
    search: list[dict[str, Any]] | None = None
    searched: bytes | None = None  # the HTML once the search plugin's `on_page_context` ran, packed (None: unchanged)
    output: bytes | None = None  # the theme's output (before `on_post_page`), packed


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _nav_items(items: Iterable[Any]) -> Iterable[str]:
    for item in items:
        yield f"{type(item).__name__}\0{item.title}\0{getattr(item, 'url', '')}\0"
        children = getattr(item, "children", None)
        if children:
            yield "("
            yield from _nav_items(children)
            yield ")"


def _config_files(config: MkDocsConfig) -> list[Path]:
    """mkdocs.yml and the files it INHERITs from."""
    paths: list[Path] = []
    path = Path(config.config_file_path) if config.config_file_path else None
    while path is not None and path.is_file() and path not in paths:
        paths.append(path)
        parent = None
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("INHERIT:"):
                parent = (path.parent / line.split(":", 1)[1].strip().strip("'\"")).resolve()
        path = parent
    return paths


def _templates(dirs: Iterable[str]) -> list[Path]:
    """The theme's templates (its icon folders, thousands of files, are not walked)."""
    found = []
    for root in dirs:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            found += [Path(folder, name) for name in sorted(names) if name.endswith(".html")]
    return found


def _search_plugin(config: MkDocsConfig) -> Any:
    """Material's search plugin, when it is in the build."""
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.search"):
            return plugin
    return None


def _only_search_reads_context(config: MkDocsConfig) -> bool:
    """Whether every `on_page_context` handler is this plugin's or Material's search: then a
    cached page's HTML can be held back while search runs (it only strips its attributes
    from it, which the cache replays), since no other plugin sees the page in between."""
    search = _search_plugin(config)
    return search is not None and all(
        getattr(handler, "__self__", None) is search
        or type(getattr(handler, "__self__", None)).__module__.startswith(__package__ or "policydiff")
        for handler in config.plugins.events["page_context"]
    )


def _search_index(config: MkDocsConfig) -> list[dict[str, Any]] | None:
    """The entries list of Material's search index, when that is the search plugin: its
    entries of a cached page are replayed instead of parsing the page again. Any other
    search plugin indexes every page as usual."""
    entries = getattr(getattr(_search_plugin(config), "search_index", None), "entries", None)
    return entries if isinstance(entries, list) else None


class _CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates compiled once per serve session, not at every rebuild (MkDocs
    makes a new Jinja environment each time). Jinja checks each template's source checksum
    before using its cached code."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@dataclass
class PageCache:
    enabled: bool = False
    pages: dict[str, CachedPage] = field(default_factory=dict)  # by src_uri
    signature: str = ""
    hits: list[str] = field(default_factory=list)  # src_uris written from the cache in the last build
    _keys: dict[str, str] = field(default_factory=dict)  # this build's key of each cacheable page
    _hit: dict[str, CachedPage] = field(default_factory=dict)
    _search_start: dict[str, int] = field(default_factory=dict)
    _search_meta: dict[str, Any] = field(default_factory=dict)
    _before_search: dict[str, str] = field(default_factory=dict)  # a page's HTML before search's `on_page_context`
    _replay_searched: bool = False
    _unwritten: set[str] = field(default_factory=set)
    _warnings: _WarningCounter | None = None
    _generated: set[str] = field(default_factory=set)
    _templates: _CompiledTemplates = field(default_factory=_CompiledTemplates)

    # -- a build's frame ------------------------------------------------------------------
    def start_build(self) -> None:
        self.hits, self._keys, self._hit, self._unwritten = [], {}, {}, set()
        self._search_start, self._search_meta, self._before_search = {}, {}, {}
        if self.enabled:
            self._warnings = _WarningCounter()
            logging.getLogger("mkdocs").addHandler(self._warnings)

    def end_build(self, *, failed: bool) -> None:
        if self._warnings is not None:
            logging.getLogger("mkdocs").removeHandler(self._warnings)
            if failed or self._warnings.count:
                self.pages.clear()
            self._warnings = None
        self._keys, self._hit, self._before_search, self._unwritten = {}, {}, {}, set()

    def set_site(self, config: MkDocsConfig, nav: Navigation, files: Files, generated: set[str]) -> None:
        """Called once the navigation is known: drop the cache when anything besides a
        page's own Markdown that its output depends on has changed."""
        if not self.enabled:
            return
        digest = hashlib.sha256(f"policy-diff page cache {_SIGNATURE_VERSION}\0".encode())
        for path in _config_files(config):
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(f"{config.theme.name}\0{config.site_dir}\0".encode())
        for path in _templates(config.theme.dirs):  # one edited under serve's watch_theme
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
        for part in _nav_items(nav.items):
            digest.update(part.encode())
        for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
            if file.src_uri not in generated:
                digest.update(f"\0{file.src_uri}\0".encode() + file.content_bytes)
        signature = digest.hexdigest()
        if signature != self.signature or not generated.issuperset(self.pages):
            self.pages.clear()
        else:
            for src in set(self.pages) - generated:
                del self.pages[src]
        self.signature = signature
        self._generated = generated
        self._replay_searched = _only_search_reads_context(config)

    # -- page events, in MkDocs' order ------------------------------------------------------
    def page_markdown(self, page: Page, markdown: str) -> bool:
        """After every plugin's `on_page_markdown`: the final Markdown keys the page. True
        when the page will be written from the cache (its `render` replaced)."""
        src = page.file.src_uri
        if self._warnings is None or src not in self._generated:
            return False
        key = hashlib.sha256(f"{self.signature}\0{src}\0{markdown}".encode()).hexdigest()
        self._keys[src] = key
        cached = self.pages.get(src)
        if cached is None or cached.key != key:
            self.pages.pop(src, None)
            return False
        self._hit[src] = cached
        self.hits.append(src)

        def render(config: MkDocsConfig, files: Files) -> None:
            page.content = _unpack(cached.content)
            page.toc = cached.toc
            page._title_from_render = cached.title
            page.present_anchor_ids = None if cached.anchors is None else set(cached.anchors)
            if cached.links_to_anchors is not None:
                links = {}
                for target, anchors in cached.links_to_anchors.items():
                    file = files.get_file_from_path(target)
                    if file is not None:
                        links[file] = dict(anchors)
                page.links_to_anchors = links
            if cached.output is not None:
                page.meta = {**page.meta, "template": CACHED_TEMPLATE}

        page.render = render  # type: ignore[method-assign]
        return True

    def page_content(self, page: Page) -> None:
        """Before any other plugin's `on_page_content`: what Markdown made of the page."""
        src = page.file.src_uri
        key = self._keys.get(src)
        if key is None or src in self._hit or page.content is None:
            return
        links = page.links_to_anchors
        self.pages[src] = CachedPage(
            key=key,
            content=_pack(page.content),
            toc=page.toc,
            title=page._title_from_render,
            anchors=None if page.present_anchor_ids is None else set(page.present_anchor_ids),
            links_to_anchors=None if links is None else {f.src_uri: dict(a) for f, a in links.items()},
        )

    def page_context_first(self, page: Page, config: MkDocsConfig) -> None:
        src = page.file.src_uri
        if src not in self._keys:
            return
        entries = _search_index(config)
        if entries is None:
            return
        cached = self._hit.get(src)
        if cached is not None and cached.search is not None:
            self._search_meta[src] = page.meta.get("search")
            page.meta["search"] = {"exclude": True}  # the search plugin skips it; its entries are replayed
            if self._replay_searched and page.content is not None:
                # search would only strip its attributes from the HTML (a regex over all of
                # it, the largest cost of a cached page): what that gave is replayed instead
                self._before_search[src] = page.content
                page.content = ""
        else:
            self._search_start[src] = len(entries)
            if page.content is not None:
                self._before_search[src] = page.content

    def page_context_last(self, page: Page, config: MkDocsConfig) -> None:
        src = page.file.src_uri
        if src not in self._search_meta and src not in self._search_start:
            return
        entries = _search_index(config)
        if entries is None:
            return
        if src in self._search_meta:
            previous = self._search_meta.pop(src)
            if previous is None:
                page.meta.pop("search", None)
            else:
                page.meta["search"] = previous
            cached = self._hit[src]
            entries.extend(dict(entry) for entry in cached.search or ())
            before = self._before_search.pop(src, None)
            if before is not None:
                page.content = before if cached.searched is None else _unpack(cached.searched)
        elif src in self._search_start and src in self.pages:
            self.pages[src].search = [dict(entry) for entry in entries[self._search_start.pop(src) :]]
            before = self._before_search.pop(src, None)
            if before is not None and page.content is not None and page.content != before:
                self.pages[src].searched = _pack(page.content)

    def output_key(self, page: Page) -> tuple[str, bool] | None:
        """After `page_output`: the key under which the cache holds the page's output, and
        whether it was written from the cache in this build (None: not held)."""
        src = page.file.src_uri
        cached = self.pages.get(src)
        if cached is None or cached.output is None or cached.key != self._keys.get(src):
            return None
        return cached.key, src in self._hit

    def page_output(self, page: Page, output: str) -> None:
        """Before any other plugin's `on_post_page`: the theme's output for the page."""
        src = page.file.src_uri
        if src in self._keys and src not in self._hit and src in self.pages:
            self.pages[src].output = _pack(output)

    # -- the template that writes a cached page -------------------------------------------
    def install(self, env: jinja2.Environment) -> jinja2.Environment:
        if not self.enabled:
            return env
        cached = jinja2.DictLoader({CACHED_TEMPLATE: "{{ " + _OUTPUT_GLOBAL + "(page) }}"})
        env.loader = jinja2.ChoiceLoader([cached, env.loader]) if env.loader else cached
        env.globals[_OUTPUT_GLOBAL] = self._output
        env.bytecode_cache = self._templates
        return env

    def leave_unwritten(self, page: Page) -> None:
        """A page written from the cache whose file is already in place (`sitedir`): the
        theme's output for it is a placeholder, which MkDocs writes to the null device."""
        self._unwritten.add(page.file.src_uri)

    def cached_output(self, page: Page) -> str:
        cached = self._hit[page.file.src_uri]
        assert cached.output is not None
        return _unpack(cached.output)

    def _output(self, page: Page) -> Markup:
        if page.file.src_uri in self._unwritten:
            return Markup(UNWRITTEN)
        return Markup(self.cached_output(page))
