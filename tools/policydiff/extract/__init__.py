"""Extraction: a raw capture in, the canonical Markdown of the policy out.

`extract_capture` is the one entry point the archive calls. It knows nothing of the
archive or of diffs: bytes and rules in, an `Extraction` out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..declaration import ExtractionRules
from ..errors import ExtractionError
from ..normalise import normalise_markdown, visible_text

# The decoders and the HTML stack (lxml, ftfy, charset-normalizer) are imported by
# `extract_capture` when it first runs: the archive imports this package, and commands that
# never extract (`--help`, `versions`, `diff`) should not pay for them.

# Bump when a change to extraction can change the text of a version: `rebuild` records it.
EXTRACTOR_VERSION = "4"


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
        result = html_to_markdown(decoded.text, rules, base_url=base_url, utf8=decoded.utf8)
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
    keyed = _key_text(markdown, visible, title)
    return Extraction(
        markdown=markdown,
        title=title,
        declared_charset=decoded.declared,
        detected_charset=decoded.detected,
        charset_mismatch=decoded.mismatch,
        selector_miss=miss,
        warnings=tuple(warnings),
        text_key=hashlib.sha256(keyed.encode("utf-8")).hexdigest(),
        method=method,
    )


_WORDS = re.compile(r"\w+")
_TITLE_WORDS = 12


def without_page_title(markdown: str, title: str | None) -> str:
    """The text without its opening title line when that line repeats the page's title.

    The Princeton-Leuven dataset moves the page's `<title>` out of the text (`text.py`), and
    the raw page of the same capture may or may not show it as its first line ("Privacy
    Policy" under `<title>Privacy Policy - ZWSOFT.com</title>`, depending on the selector):
    that line is the page's title, which the version records, not text that tells two
    versions apart. Only a short line none of whose words is missing from the page title."""
    if not title:
        return markdown
    first, _, rest = markdown.lstrip("\n").partition("\n\n")
    if "\n" in first or not rest:
        return markdown
    words = _WORDS.findall(visible_text(first).casefold())
    if not words or len(words) > _TITLE_WORDS or first.rstrip("*_ ").endswith((".", ":", ";", "!", "?")):
        return markdown
    return rest if set(words) <= set(_WORDS.findall(title.casefold())) else markdown


def _key_text(markdown: str, visible: str, title: str | None) -> str:
    """The visible text the version key is made of: without a leading page title line."""
    rest = without_page_title(markdown, title)
    if rest is markdown:
        return visible
    # Visible text is made block by block and joined by spaces: drop the first block's part.
    head = visible_text(markdown[: len(markdown) - len(rest)])
    return visible[len(head) :].lstrip() if head and visible.startswith(head) else visible_text(rest) or visible


def apply_replacements(markdown: str, rules: ExtractionRules) -> str:
    """A declaration's `replace` rules, each over the whole text, then normalised again so
    a replacement cannot break the canonical form."""
    if not rules.replace:
        return markdown
    for rule in rules.replace:
        markdown = rule.pattern.sub(rule.replacement, markdown)
    return normalise_markdown(markdown)
