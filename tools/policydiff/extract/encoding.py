"""Bytes to text: honour BOMs and declarations, but notice when a declaration lies."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer
import ftfy

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers treat these labels as windows-1252 (WHATWG Encoding Standard); so do we.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
}


# UTF-8 read as windows-1252 somewhere upstream: "â€™" for "’", "Ã©" for "é". Each sequence
# starts with one of the leads; most texts hold none of them, which `in` finds fastest.
_MOJIBAKE_LEADS = ("\u00c2", "\u00c3", "\u00e2")
_MOJIBAKE = re.compile("[" + "".join(_MOJIBAKE_LEADS) + "]"
                       "[\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
                       "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122"
                       "\u0161\u203a\u0153\u017e\u0178]")  # fmt: skip


@dataclass(frozen=True)
class Decoded:
    text: str
    declared: str | None
    detected: str
    mismatch: bool
    repaired: bool = False
    # The capture's bytes when they are the text's UTF-8 as it is (no BOM, no repair): the
    # HTML parser reads them instead of encoding the text again.
    utf8: bytes | None = field(default=None, repr=False)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo text that was already mis-decoded before it was captured (ftfy; only when the
    telltale sequences are there, so clean text is never touched)."""
    if not any(lead in text for lead in _MOJIBAKE_LEADS) or not _MOJIBAKE.search(text):
        return text, False
    fixed = ftfy.fix_encoding(text)
    return fixed, fixed != text


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset the server or the page claims, as written."""
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match:
            return match.group(1).lower()
    match = _META_CHARSET.search(data[:8192])
    if match:
        return match.group(1).decode("ascii", "replace").lower()
    return None


def decode_bytes(data: bytes, content_type: str | None = None) -> Decoded:
    decoded = _decode(data, content_type)
    text, repaired = repair_mojibake(decoded.text)
    if not repaired:
        return decoded
    return Decoded(text, decoded.declared, decoded.detected, decoded.mismatch, repaired=True)


def _decode(data: bytes, content_type: str | None = None) -> Decoded:
    declared = declared_charset(data, content_type)
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="replace")
            canon = codecs.lookup(name).name
            return Decoded(text, declared, canon, _canonical(declared) not in (None, canon))
    declared_codec = _canonical(declared)
    is_ascii = data.isascii()
    # Valid UTF-8 with non-ASCII bytes is almost never an accident: prefer it to a
    # single-byte declaration (the deviantart captures declare ISO-8859-1 over UTF-8).
    if not is_ascii:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            mismatch = declared_codec not in (None, "utf-8")
            return Decoded(text, declared, "utf-8", mismatch, utf8=data)
    if declared_codec and declared_codec != "utf-8":
        try:
            return Decoded(data.decode(declared_codec), declared, declared_codec, False)
        except UnicodeDecodeError:
            pass
    if is_ascii:
        return Decoded(data.decode("ascii"), declared, declared_codec or "utf-8", False, utf8=data)
    best = charset_normalizer.from_bytes(data[:262144]).best()
    detected = _canonical(best.encoding if best else None) or "cp1252"
    text = data.decode(detected, errors="replace")
    return Decoded(text, declared, detected, declared_codec not in (None, detected))
