"""One feed, three documents: Atom 1.0 and RSS 2.0 through feedgen, JSON Feed 1.1 as plain
JSON (feedgen has no JSON Feed). Every date comes from the records, never the clock, so a
rebuild writes the same bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from ..escape import rss_text
from ..escape import xml_text as xml_safe
from ..times import format_iso
from .entries import FeedEntry

ATOM = "atom.xml"
RSS = "rss.xml"
JSON_FEED = "feed.json"
FORMATS = {ATOM: "application/atom+xml", RSS: "application/rss+xml", JSON_FEED: "application/feed+json"}
FORMAT_NAMES = {ATOM: "Atom", RSS: "RSS", JSON_FEED: "JSON Feed"}


@dataclass(frozen=True)
class Feed:
    dir: str  # relative to the site root, ending in "/": feeds/, feeds/<slug>/ ...
    id: str  # tag URI
    title: str
    description: str
    home_url: str  # the page the feed is about
    home_path: str  # the same, relative to the site root: "", policies/<slug>/ ...
    base_url: str  # absolute URL of `dir`
    author: str
    language: str
    updated: datetime  # the newest entry's date: no build timestamps
    entries: tuple[FeedEntry, ...]  # newest first
    manifest_head: str | None = None  # a policy's feed: the archive manifest head it was built from

    def url(self, name: str) -> str:
        return f"{self.base_url}{name}"


def _generator(feed: Feed, self_name: str) -> FeedGenerator:
    """Atom's text constructs are plain text (`type="text"`); RSS 2.0 has no type, and
    readers render its titles and descriptions as HTML: those are escaped once more."""
    text = rss_text if self_name == RSS else xml_safe
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(text(feed.title))
    fg.subtitle(text(feed.description))
    fg.author({"name": xml_safe(feed.author)})
    fg.link(href=feed.url(self_name), rel="self")
    fg.link(href=feed.home_url, rel="alternate")  # last: feedgen's RSS <link> is the last link
    fg.language(feed.language)
    fg.generator("policy-diff")  # no version: an upgrade alone must not rewrite every feed
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    for entry in feed.entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.title(text(entry.title))
        fe.link(href=entry.url, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.published)
        fe.summary(text(entry.summary))
        fe.content(entry.content_html, type="html")
        for term in entry.categories:
            fe.category(term=term)
    return fg


def atom_bytes(feed: Feed) -> bytes:
    return _generator(feed, ATOM).atom_str(pretty=True)


def rss_bytes(feed: Feed) -> bytes:
    return _generator(feed, RSS).rss_str(pretty=True)


def json_feed_bytes(feed: Feed) -> bytes:
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": xml_safe(feed.title),
        "home_page_url": feed.home_url,
        "feed_url": feed.url(JSON_FEED),
        "description": xml_safe(feed.description),
        "language": feed.language,
        "authors": [{"name": xml_safe(feed.author)}],
        "items": [
            {
                "id": entry.id,
                "url": entry.url,
                "title": entry.title,
                "summary": entry.summary,
                "content_html": entry.content_html,
                "date_published": format_iso(entry.published),
                "date_modified": format_iso(entry.published),
                **({"tags": list(entry.categories)} if entry.categories else {}),
            }
            for entry in feed.entries
        ],
    }
    if feed.manifest_head:
        data["_policy_diff"] = {"manifest_head": feed.manifest_head}  # a JSON Feed extension
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def feed_documents(feed: Feed) -> dict[str, bytes]:
    """The three files of a feed, by path relative to the site root."""
    return {
        f"{feed.dir}{ATOM}": atom_bytes(feed),
        f"{feed.dir}{RSS}": rss_bytes(feed),
        f"{feed.dir}{JSON_FEED}": json_feed_bytes(feed),
    }
