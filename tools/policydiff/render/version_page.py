"""A version's page: its whole text, when it was in force, a way to compare it with the
current text, its text as a download and a line to cite it by."""

from __future__ import annotations

from .. import urls
from ..escape import html_text, md_text
from ..history import PolicyHistory, VersionText
from ..wording import cite_line, day, in_force_span
from .blocks import DEFAULT_RENDER, RenderSettings, front_matter, raw_block, rel, span, src, text_markdown


def version_page(history: PolicyHistory, version: VersionText, settings: RenderSettings = DEFAULT_RENDER) -> str:
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
        f"{day(record.last_seen)} · {len(record.captures)} capture{'' if len(record.captures) == 1 else 's'} · "
        f"in force {spans}\n\n"
    )
    latest = history.latest
    if latest is not None and version.id != latest.id:
        compare = rel(page, urls.compare_page(history.slug) + "index.html")
        # no `to`: the compare page's own default is the current version, so this page does
        # not change with each new version (nor, with it, every version page of the policy)
        out.append(raw_block(f'<p><a href="{compare}?from={version.id}">Compare with the current version</a></p>'))
    download = rel(page, urls.version_text_file(history.slug, version.id))
    out.append(
        f'[Download the text (Markdown)]({download}){{: .md-button download="{history.slug}-{version.id}.md" }}\n\n'
    )
    address = settings.site_url + urls.version_page(history.slug, version.id) if settings.site_url else None
    cite = cite_line(history.name, version.id, in_force_span(history, version.id), address, version.version.sha256)
    out.append(
        raw_block(
            '<div class="pd-cite"><p class="pd-cite-label">Cite this version</p>'
            f"<pre><code>{html_text(cite)}</code></pre></div>"
        )
    )
    out.append(text_markdown(version.sections))
    return "".join(out)
