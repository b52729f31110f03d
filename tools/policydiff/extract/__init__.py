"""Extraction: a raw capture in, the canonical Markdown of the policy out.

`extract_capture` is the one entry point the archive calls. It knows nothing of the
archive or of diffs: bytes and rules in, an `Extraction` out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..declaration import ExtractionRules
from ..errors import ExtractionError
from ..normalise import normalise_markdown
from .encoding import decode_bytes
from .html import html_to_markdown
from .text import text_to_markdown

# Bump when a change to extraction can change the text of a version: `rebuild` records it.
EXTRACTOR_VERSION = "1"


@dataclass(frozen=True)
class Extraction:
    markdown: str
    title: str | None = None
    declared_charset: str | None = None
    detected_charset: str | None = None
    charset_mismatch: bool = False
    selector_miss: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)


def extract_capture(
    data: bytes,
    media_type: str,
    rules: ExtractionRules | None = None,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
) -> Extraction:
    """Extract the policy text of one capture. Raises ExtractionError when no text is left."""
    decoded = decode_bytes(data, content_type)
    rules = rules or ExtractionRules()
    if media_type == "text/html":
        result = html_to_markdown(decoded.text, rules, base_url=base_url)
        markdown, title, miss, warnings = result.markdown, result.title, result.selector_miss, result.warnings
    else:
        markdown, title = text_to_markdown(decoded.text, markdown=media_type == "text/markdown")
        miss, warnings = False, ()
    markdown = normalise_markdown(markdown)
    if not markdown.strip():
        raise ExtractionError("no text left after extraction")
    return Extraction(
        markdown=markdown,
        title=title,
        declared_charset=decoded.declared,
        detected_charset=decoded.detected,
        charset_mismatch=decoded.mismatch,
        selector_miss=miss,
        warnings=tuple(warnings),
    )
