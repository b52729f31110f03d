"""Shared helpers for the extraction tests: declarations built through the real schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policydiff.declaration import parse_declaration
from policydiff.extract import Extraction, extract_capture

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def rules_from(data: dict[str, Any], url: str = "https://example.com/privacy"):
    return parse_declaration("doc", {"name": "doc", "url": url, **data}, Path("policy.yml")).rules


def extract_html(html: str | bytes, url: str = "https://example.com/privacy", **rules: Any) -> Extraction:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return extract_capture(data, "text/html", rules_from(rules, url), base_url=url)
