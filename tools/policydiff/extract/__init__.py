"""Extraction: a raw capture in, the canonical Markdown of the policy out.

`extract_capture` is the one entry point the archive calls. It knows nothing of the
archive or of diffs: bytes and rules in, an `Extraction` out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..declaration import ExtractionRules
from ..errors import ExtractionError
from ..normalise import normalise_markdown, visible_text

# The decoders and the HTML stack (lxml, ftfy, charset-normalizer) are imported by
# `extract_capture` when it first runs: the archive imports this package, and commands that
# never extract (`--help`, `versions`, `diff`) should not pay for them.

# Bump when a change to extraction can change the text of a version: `rebuild` records it.
EXTRACTOR_VERSION = "3"


@dataclass(frozen=True)
class Extraction:
    markdown: str
    title: str | None = None
    declared_charset: str | None = None
    detected_charset: str | None = None
    charset_mismatch: bool = False
    selector_miss: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # sha256 of the text a reader sees (`normalise.visible_text`): captures whose Markdown
    # differs only in markup (a link's target, a heading level, bold) share one version.
    text_key: str = ""
    # How the body was found: "select" (the declaration's selectors), "auto" (reader mode),
    # "text" (a Markdown or text capture).
    method: str = "text"


def extract_capture(
    data: bytes,
    media_type: str,
    rules: ExtractionRules | None = None,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
) -> Extraction:
    """Extract the policy text of one capture. Raises ExtractionError when no text is left."""
    from .encoding import decode_bytes
    from .html import html_to_markdown
    from .text import text_to_markdown

    decoded = decode_bytes(data, content_type)
    rules = rules or ExtractionRules()
    if media_type == "text/html":
        result = html_to_markdown(decoded.text, rules, base_url=base_url)
        markdown, title, miss, warnings = result.markdown, result.title, result.selector_miss, result.warnings
        method = result.method
    else:
        markdown, title = text_to_markdown(decoded.text, markdown=media_type == "text/markdown", base_url=base_url)
        miss, warnings, method = False, (), "text"
    if decoded.repaired:
        warnings = (*warnings, "mojibake repaired (text had been decoded with the wrong charset before capture)")
    markdown = apply_replacements(normalise_markdown(markdown), rules)
    if not markdown.strip():
        raise ExtractionError("no text left after extraction")
    visible = visible_text(markdown)
    if not visible:
        raise ExtractionError("no text left after extraction (only markup)")
    return Extraction(
        markdown=markdown,
        title=title,
        declared_charset=decoded.declared,
        detected_charset=decoded.detected,
        charset_mismatch=decoded.mismatch,
        selector_miss=miss,
        warnings=tuple(warnings),
        text_key=hashlib.sha256(visible.encode("utf-8")).hexdigest(),
        method=method,
    )


def apply_replacements(markdown: str, rules: ExtractionRules) -> str:
    """A declaration's `replace` rules, each over the whole text, then normalised again so
    a replacement cannot break the canonical form."""
    if not rules.replace:
        return markdown
    for rule in rules.replace:
        markdown = rule.pattern.sub(rule.replacement, markdown)
    return normalise_markdown(markdown)
