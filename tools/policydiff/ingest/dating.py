"""When was a capture taken? Read from the file itself when the caller does not say."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

# The Princeton-Leuven dataset: "<!--The following is the downloaded HTML source ...
# (https://web.archive.org/web/20140520021055id_/http%3A//www.zwsoft.com/...)" in HTML and
# "> *The following text is extracted ... (https://web.archive.org/web/2017...id_/...)" in Markdown.
_CITP_NOTE = re.compile(
    r"The following (?:is the downloaded HTML source|text is extracted).{0,600}?"
    r"https?://web\.archive\.org/web/(\d{14})[a-z_]*/([^\s)\]]+)",
    re.DOTALL,
)
# A page saved from the Wayback Machine with its toolbar.
_WOMBAT = re.compile(r"""__wm\.wombat\(\s*["']([^"']+)["']\s*,\s*["'](\d{14})["']""")
_FILE_ARCHIVED = re.compile(r"FILE ARCHIVED ON (\d{1,2}:\d{2}:\d{2} \w{3} \d{1,2}, \d{4})")


def _fourteen(digits: str) -> datetime | None:
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def wayback_origin(text: str) -> tuple[datetime, str, str] | None:
    """(capture time, original URL, Wayback URL) named inside an archived page, if any."""
    head = text[:4096]
    match = _CITP_NOTE.search(head)
    if match:
        moment = _fourteen(match.group(1))
        if moment:
            original = unquote(match.group(2))
            wayback = f"https://web.archive.org/web/{match.group(1)}id_/{original}"
            return moment, original, wayback
    match = _WOMBAT.search(text)
    if match:
        moment = _fourteen(match.group(2))
        if moment:
            wayback = f"https://web.archive.org/web/{match.group(2)}/{match.group(1)}"
            return moment, match.group(1), wayback
    match = _FILE_ARCHIVED.search(text[-8192:])
    if match:
        try:
            moment = datetime.strptime(match.group(1), "%H:%M:%S %b %d, %Y").replace(tzinfo=UTC)
        except ValueError:
            return None
        return moment, "", ""
    return None
