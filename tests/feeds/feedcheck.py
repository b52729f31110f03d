"""Helpers for the feed tests: small MkDocs projects and feed checks (histories built from
texts are in tests/history_fixtures.py)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import lxml.etree
from mkdocs.commands.build import build
from mkdocs.config import load_config

REPO = Path(__file__).resolve().parents[2]
GITHUB_STATEMENTS = REPO / "tests" / "fixtures" / "github-site-policy" / "github-privacy-statement" / "versions"
GITHUB_URL = "https://github.com/github/site-policy/blob/main/Policies/github-privacy-statement.md"
SITE_URL = "https://example.org/watch/"

# What XML 1.0 forbids (and the C1 controls it discourages): none of it may reach a feed.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
ATOM = "{http://www.w3.org/2005/Atom}"


def write_project(root: Path, *, site_url: str | None = SITE_URL, options: str = "") -> Path:
    """A minimal MkDocs project over `root/archive`; returns its mkdocs.yml."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Watched policies\n", encoding="utf-8")
    lines = ["site_name: Policy watch", "theme:", "  name: mkdocs"]
    if site_url:
        lines.append(f"site_url: {site_url}")
    lines += ["plugins:", "  - policy-diff:", "      archive_dir: archive"]
    lines += [f"      {line}" for line in options.splitlines() if line.strip()]
    config = root / "mkdocs.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def build_site(config_file: Path, site_dir: Path) -> Path:
    build(load_config(str(config_file), site_dir=str(site_dir), strict=True))
    return site_dir


def feed_files(site: Path) -> list[Path]:
    return sorted(p for p in (site / "feeds").rglob("*") if p.is_file())


def check_atom(document: bytes, url: str) -> list[str]:
    """The RFC 4287 rules that matter, as a list of problems (empty when the feed is right)."""
    problems = []
    root = lxml.etree.fromstring(document)
    if root.tag != f"{ATOM}feed":
        return [f"root is {root.tag}"]

    def one(element: lxml.etree._Element, name: str, where: str) -> str | None:
        found = element.findall(f"{ATOM}{name}")
        if len(found) != 1 or not (found[0].text or "").strip():
            problems.append(f"{where}: expected exactly one non-empty atom:{name}, found {len(found)}")
            return None
        return found[0].text

    def date(text: str | None, where: str) -> datetime | None:
        if text is None:
            return None
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text):
            problems.append(f"{where}: {text!r} is not an RFC 3339 date-time")
            return None
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    feed_id = one(root, "id", "feed")
    if feed_id and not re.match(r"^[a-z][a-z0-9+.-]*:", feed_id):
        problems.append(f"feed id {feed_id!r} is not an absolute IRI")
    one(root, "title", "feed")
    updated = date(one(root, "updated", "feed"), "feed updated")
    links = {(link.get("rel") or "alternate"): link.get("href") for link in root.findall(f"{ATOM}link")}
    if links.get("self") != url:
        problems.append(f"self link {links.get('self')!r}, expected {url!r}")
    if not (links.get("alternate") or "").startswith("http"):
        problems.append("feed has no absolute alternate link")
    entries = root.findall(f"{ATOM}entry")
    if not root.findall(f"{ATOM}author") and any(not e.findall(f"{ATOM}author") for e in entries):
        problems.append("no atom:author on the feed nor on every entry")
    ids = []
    dates = []
    for n, entry in enumerate(entries):
        where = f"entry {n}"
        entry_id = one(entry, "id", where)
        ids.append(entry_id)
        if entry_id and not entry_id.startswith("tag:"):
            problems.append(f"{where}: id {entry_id!r} is not a tag URI")
        one(entry, "title", where)
        entry_updated = date(one(entry, "updated", where), f"{where} updated")
        dates.append(entry_updated)
        alternates = [x for x in entry.findall(f"{ATOM}link") if (x.get("rel") or "alternate") == "alternate"]
        if len(alternates) != 1 or not alternates[0].get("href", "").startswith("http"):
            problems.append(f"{where}: expected one absolute alternate link")
        contents = entry.findall(f"{ATOM}content")
        if len(contents) != 1 or contents[0].get("type") != "html":
            problems.append(f"{where}: expected one atom:content of type html")
    if len(set(ids)) != len(ids):
        problems.append("entry ids are not unique")
    if dates and all(dates) and updated and updated != max(d for d in dates if d):
        problems.append(f"feed updated {updated} is not the newest entry's {max(d for d in dates if d)}")
    if all(dates) and dates != sorted(dates, reverse=True):
        problems.append("entries are not newest first")
    return problems


def check_json_feed(data: dict, url: str) -> list[str]:
    """JSON Feed 1.1: the required fields and the types the spec gives them."""
    problems = []
    if data.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {data.get('version')!r}")
    if not isinstance(data.get("title"), str) or not data["title"]:
        problems.append("no title")
    if data.get("feed_url") != url:
        problems.append(f"feed_url {data.get('feed_url')!r}, expected {url!r}")
    items = data.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    ids = [item.get("id") for item in items]
    if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
        problems.append("item ids are not unique non-empty strings")
    for item in items:
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            problems.append(f"item {item.get('id')}: neither content_html nor content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item[key]):
                problems.append(f"item {item.get('id')}: {key} {item[key]!r} is not RFC 3339")
    return problems
