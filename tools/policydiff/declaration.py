"""`archive/<slug>/policy.yml`: what a policy is and how to extract it.

```yaml
name: ZWSOFT privacy policy        # required
url: https://www.zwsoft.com/about/privacyPolicys   # required; `urls:` adds more
language: en
select: ["#content"]               # optional CSS selectors of the policy body
remove: [".cookie-banner"]         # optional CSS selectors dropped from it
history:                           # optional: rules of earlier page designs
  - valid_until: 2019-05-01
    select: [".old-body"]
feeds:
  include_trivial: false
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import DeclarationError
from .times import parse_time, to_utc

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")

Selector = str | dict[str, str]


def check_slug(slug: str) -> str:
    """Slugs become directory names: refuse anything that could escape the archive."""
    if not SLUG_PATTERN.fullmatch(slug) or ".." in slug:
        raise DeclarationError(
            slug,
            "invalid policy slug: use lower-case letters, digits, '.', '_' and '-' "
            "(starting with a letter or digit, no '..', at most 100 characters)",
        )
    return slug


@dataclass(frozen=True)
class ExtractionRules:
    """The rules for one period of a page's design."""

    select: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()
    valid_until: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    slug: str
    name: str
    urls: tuple[str, ...]
    language: str = "en"
    rules: ExtractionRules = ExtractionRules()
    history: tuple[ExtractionRules, ...] = ()
    include_trivial_in_feeds: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.urls[0]

    def rules_at(self, captured_at: datetime) -> ExtractionRules:
        """The extraction rules in force when a capture was taken."""
        moment = to_utc(captured_at)
        for rules in sorted(self.history, key=lambda r: r.valid_until or moment):
            if rules.valid_until is not None and moment < rules.valid_until:
                return rules
        return self.rules

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.raw, sort_keys=False, allow_unicode=True)


def _selector_list(path: Path, key: str, value: Any) -> tuple[Selector, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[Selector] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        elif isinstance(item, dict) and item:
            allowed = {"startBefore", "startAfter", "endBefore", "endAfter"}
            unknown = set(item) - allowed
            if unknown or not any(k.startswith("start") for k in item):
                raise DeclarationError(
                    path,
                    f"{key}: a range selector takes startBefore|startAfter and endBefore|endAfter, got {sorted(item)}",
                )
            out.append({k: str(v) for k, v in item.items()})
        else:
            raise DeclarationError(path, f"{key}: expected a CSS selector or a list of them, got {item!r}")
    return tuple(out)


def _rules(path: Path, data: dict[str, Any], where: str) -> ExtractionRules:
    valid_until = None
    if "valid_until" in data:
        try:
            valid_until = parse_time(str(data["valid_until"]))
        except ValueError as exc:
            raise DeclarationError(path, f"{where}valid_until: {exc}") from None
    extra = {k: v for k, v in data.items() if k not in {"select", "remove", "valid_until"}}
    return ExtractionRules(
        select=_selector_list(path, f"{where}select", data.get("select")),
        remove=_selector_list(path, f"{where}remove", data.get("remove")),
        valid_until=valid_until,
        extra=extra,
    )


RULE_KEYS = {"select", "remove", "filters", "replace", "strip_query"}
TOP_KEYS = {"name", "url", "urls", "language", "history", "feeds", "notes", *RULE_KEYS}


def parse_declaration(slug: str, data: Any, path: Path) -> Declaration:
    if not isinstance(data, dict):
        raise DeclarationError(path, "expected a mapping with at least `name` and `url`")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise DeclarationError(path, f"unknown field(s) {sorted(unknown)}; expected some of {sorted(TOP_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DeclarationError(path, "field `name`: expected a non-empty string")
    urls: list[str] = []
    if "url" in data:
        urls.append(data["url"])
    extra_urls = data.get("urls", [])
    if not isinstance(extra_urls, list):
        raise DeclarationError(path, "field `urls`: expected a list of URLs")
    urls.extend(extra_urls)
    if not urls:
        raise DeclarationError(path, "field `url`: required (the policy's address)")
    for url in urls:
        if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
            raise DeclarationError(path, f"field `url`: expected an http(s) URL, got {url!r}")
    history_data = data.get("history", [])
    if not isinstance(history_data, list):
        raise DeclarationError(path, "field `history`: expected a list of rule sets")
    history = []
    for index, item in enumerate(history_data):
        if not isinstance(item, dict) or "valid_until" not in item:
            raise DeclarationError(path, f"history[{index}]: expected a mapping with `valid_until` and rules")
        history.append(_rules(path, item, f"history[{index}]."))
    feeds = data.get("feeds", {}) or {}
    if not isinstance(feeds, dict):
        raise DeclarationError(path, "field `feeds`: expected a mapping")
    language = data.get("language", "en")
    if not isinstance(language, str):
        raise DeclarationError(path, "field `language`: expected a language code like `en`")
    top_rules = {k: v for k, v in data.items() if k in RULE_KEYS}
    return Declaration(
        slug=slug,
        name=name.strip(),
        urls=tuple(dict.fromkeys(urls)),
        language=language,
        rules=_rules(path, top_rules, ""),
        history=tuple(history),
        include_trivial_in_feeds=bool(feeds.get("include_trivial", False)),
        raw=data,
    )


def load_declaration(slug: str, path: Path) -> Declaration:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeclarationError(path, "missing policy declaration (policy.yml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError(path, f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DeclarationError(path, f"invalid YAML: {exc}") from None
    return parse_declaration(slug, data, path)
