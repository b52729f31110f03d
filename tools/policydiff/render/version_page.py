"""A version's page: its whole text, when it was in force, and a way to compare it with the
current text."""

from __future__ import annotations

from .. import urls
from ..escape import md_text
from ..history import PolicyHistory, VersionText
from ..wording import day
from .blocks import front_matter, raw_block, rel, span, src, text_markdown


def version_page(history: PolicyHistory, version: VersionText) -> str:
    page = src(urls.version_page(history.slug, version.id))
    # indexed: a reader searches every version of the text (change pages, excerpts, are not)
    out = [front_matter(f"Version {version.id} of {history.name}")]
    out.append(f"# Version {version.id} {{ #pd--top }}\n\n")
    policy = rel(page, src(urls.policy_page(history.slug)))
    record = version.version
    in_force = [p for p in history.periods if p.version == version.id]
    spans = ", ".join(span(p.start, p.end) for p in in_force) or "withdrawn captures only"
    out.append(
        f"[{md_text(history.name)}]({policy}) · first seen {day(record.first_seen)} · last seen "
        f"{day(record.last_seen)} · {len(record.captures)} captures · in force {spans}\n\n"
    )
    latest = history.latest
    if latest is not None and version.id != latest.id:
        compare = rel(page, urls.compare_page(history.slug) + "index.html")
        query = f"?from={version.id}&amp;to={latest.id}"
        out.append(raw_block(f'<p><a href="{compare}{query}">Compare with the current version</a></p>'))
    out.append(text_markdown(version.sections))
    return "".join(out)
