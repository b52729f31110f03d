"""Is what came back a policy page? Checks shared by the network sources."""

from __future__ import annotations

import re
from collections.abc import Mapping

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# Titles of error pages and bot walls served with a 200 ("soft 404s"), in the policies'
# usual languages.
SOFT_404_TITLES = re.compile(
    r"\b404\b|not found|page unavailable|page does not exist|no longer available|cannot be found"
    r"|can't be found|\berror\b|introuvable|nicht gefunden|no encontrad[ao]|non trovat[ao]"
    r"|access denied|just a moment\.\.\.|attention required",
    re.IGNORECASE,
)
MEDIA_TYPES = {
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "text/plain": "text/plain",
    "text/markdown": "text/markdown",
}
# Cookies are per-visitor state, not part of the page; they would only leak into a public repo.
DROPPED_HEADERS = frozenset({"set-cookie", "cookie"})


def soft_404_reason(data: bytes) -> str | None:
    """Why an HTML page answered with 200 is an error page, or None when it may be a policy."""
    match = _TITLE.search(data[:65536])
    if not match:
        return None
    title = " ".join(match.group(1).decode("utf-8", "replace").split())
    if SOFT_404_TITLES.search(title):
        return f"soft 404: the page's title is {title[:80]!r}"
    return None


def media_type_of(content_type: str | None, fallback: str) -> str | None:
    """The archive's media type for a Content-Type (or the fallback), None if not text."""
    value = (content_type or fallback or "").split(";")[0].strip().lower()
    return MEDIA_TYPES.get(value)


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Response headers worth keeping as provenance."""
    return {k: v for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}
