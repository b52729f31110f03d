"""Undo what the Wayback Machine and Cloudflare did to a page before it was archived.

The Wayback Machine inserts a toolbar and its scripts, and rewrites every link to
`/web/<timestamp><flag>/<original>`; Cloudflare hides e-mail addresses behind
`/cdn-cgi/l/email-protection#<hex>` links and `data-cfemail` spans. None of it is policy text.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->",
    re.DOTALL | re.IGNORECASE,
)
# Scripts and styles the playback injects in <head>, each announced by a comment pair.
_PLAYBACK_HEAD = re.compile(
    r"<script[^>]*(?:/_static/js/|web-static\.archive\.org|archive\.org/includes/)[^>]*>\s*</script>"
    r"|<link[^>]*(?:/_static/css/|web-static\.archive\.org)[^>]*>"
    r"|<!--\s*End Wayback Rewrite JS Include\s*-->",
    re.IGNORECASE,
)
# Any timestamp (1-14 digits: Wayback accepts partial ones) and any playback flag (id_, im_, js_...).
_REWRITTEN = re.compile(
    r"^(?:(?:https?:)?//(?:web\.)?archive\.org)?/web/\d{1,14}(?:[a-z]{2}_)?/+(?P<url>.*)$", re.IGNORECASE | re.DOTALL
)
_SCHEME_SLASH = re.compile(r"^(https?):/(?!/)", re.IGNORECASE)
_CF_EMAIL_PATH = "/cdn-cgi/l/email-protection#"
_CF_EMAIL_HREF = re.compile(re.escape(_CF_EMAIL_PATH) + "(?P<hex>[0-9a-fA-F]+)")
# The owners of the attribute (the attribute axis is faster in libxml2 than a predicate).
_CF_EMAIL_SPANS = etree.XPath("//@data-cfemail/..")
_WAYBACK_IDS = re.compile(r"^(?:wm-ipp|wm-capinfo|wm-toolbar|donato|playback)", re.IGNORECASE)


def strip_toolbar(html: str, utf8: bytes | None = None) -> str:
    """Remove the toolbar insert and the playback's own scripts and styles from the source
    (`utf8`: its UTF-8, when at hand, where the two ASCII words are found faster)."""
    if utf8 is None:
        marked = "WAYBACK" in html or "archive.org" in html
    else:
        marked = b"WAYBACK" in utf8 or b"archive.org" in utf8
    if marked:
        html = TOOLBAR.sub("", html)
        html = _PLAYBACK_HEAD.sub("", html)
    return html


def unwayback(url: str) -> str:
    """`https://web.archive.org/web/20171121214541id_/http://x.org/a` -> `http://x.org/a`."""
    url = url.strip()
    match = _REWRITTEN.match(url)
    if not match:
        return url
    original = match.group("url")
    # Wayback collapses `//` in paths: `http:/x.org` means `http://x.org`.
    original = _SCHEME_SLASH.sub(r"\1://", original)
    if not re.match(r"^[a-z][a-z0-9+.-]*:", original, re.IGNORECASE):
        original = "http://" + original
    return original


def decode_cfemail(hex_string: str) -> str | None:
    """Cloudflare's obfuscation: the first byte is a key XORed with every following byte."""
    try:
        data = bytes.fromhex(hex_string)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def remove_wayback_elements(root: HtmlElement) -> None:
    """The toolbar when it survived as elements (`#wm-ipp-base`, `#wm-ipp`, ...)."""
    for element in list(root.iter("div", "span", "table", "section")):
        ident = element.get("id")
        if ident and _WAYBACK_IDS.match(ident) and element.getparent() is not None:
            element.drop_tree()


def decode_cloudflare_emails(root: HtmlElement) -> None:
    for element in _CF_EMAIL_SPANS(root):
        email = decode_cfemail(element.get("data-cfemail", ""))
        if email is None:
            continue
        tail = element.tail
        for child in list(element):
            element.remove(child)
        element.text = email
        element.attrib.pop("data-cfemail", None)
        element.tail = tail
    for anchor in root.iter("a"):
        href = anchor.get("href")
        match = _CF_EMAIL_HREF.search(href) if href and _CF_EMAIL_PATH in href else None
        if match:
            email = decode_cfemail(match.group("hex"))
            if email is not None:
                anchor.set("href", "mailto:" + email)
