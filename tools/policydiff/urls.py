"""Where each page of a policy lives in the built site (paths relative to the site root).

A contract shared by the site, the feeds and the tests: keep these stable so that links and
feed entries survive rebuilds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history import Change


def policy_page(slug: str) -> str:
    return f"policies/{slug}/"


def timeline_page(slug: str) -> str:
    return f"policies/{slug}/timeline/"


def change_page(change: Change) -> str:
    """A change is named by the first capture of its new period (`Change.key`): stable when
    earlier captures are ingested later (change numbers are not)."""
    return f"policies/{change.slug}/changes/{change.key}/"


def version_page(slug: str, version_id: str) -> str:
    return f"policies/{slug}/versions/{version_id}/"


def version_text_file(slug: str, version_id: str) -> str:
    """A version's text as a download: Markdown, served as plain text (`.txt`)."""
    return f"policies/{slug}/versions/{version_id}/{version_id}.md.txt"


def capture_file(slug: str, file: str) -> str:
    """A capture's raw bytes as published with the site (plugin option `publish_captures`).
    Always `.txt`: every static host serves it as text/plain, so a hostile capture can never
    run as a page of the site's origin; its bytes, and so its sha256, are the archive's."""
    return f"policies/{slug}/captures/{file}.txt"


def section_page(slug: str, lineage_id: str) -> str:
    return f"policies/{slug}/sections/{lineage_id}/"


def compare_page(slug: str) -> str:
    return f"policies/{slug}/compare/"


def feed_dir(slug: str | None = None, section: str | None = None) -> str:
    """`feeds/`, `feeds/<slug>/` or `feeds/<slug>/sections/<lineage id>/`; each holds
    atom.xml, rss.xml and feed.json."""
    if slug is None:
        return "feeds/"
    if section is None:
        return f"feeds/{slug}/"
    return f"feeds/{slug}/sections/{section}/"


def term_feed_dir(group: str) -> str:
    """`feeds/terms/<group id>/`: the changes that gained or lost a watched term group."""
    return f"feeds/terms/{group}/"


def terms_page(group: str | None = None) -> str:
    """`watched-terms/`: the watched term groups; `watched-terms/<group id>/`: the changes
    that gained or lost one of a group's terms."""
    return "watched-terms/" if group is None else f"watched-terms/{group}/"
