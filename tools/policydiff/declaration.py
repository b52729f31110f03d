"""`archive/<slug>/policy.yml`: what a policy is and how to extract it.

```yaml
name: ZWSOFT privacy policy        # required
url: https://www.zwsoft.com/about/privacyPolicys   # required; `urls:` adds more
language: en
select: ["#content"]               # optional CSS selectors of the policy body, or OTA ranges:
                                   #   {startBefore|startAfter: CSS, endBefore|endAfter: CSS}
remove: [".cookie-banner"]         # optional CSS selectors (or ranges) dropped from it
filters:                           # optional noise rules: drop elements whose text matches
  - {selector: "p", text: "^Last updated"}   # (`selector` defaults to any element)
replace:                           # optional regex replacements, each over the whole extracted
  - {pattern: "Page generated on .*", with: ""}   # Markdown (not line by line: use (?m) for ^/$)
strip_query: [utm_source, ref]     # drop these query parameters from links (`true`: all of them)
history:                           # optional: rules of earlier page designs (OTA's validUntil);
  - valid_until: 2019-05-01        # an entry without filters/replace/strip_query inherits them
    select: [".old-body"]
feeds:
  include_trivial: false
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import cssselect
import yaml

from .errors import DeclarationError
from .frozen import freeze, thaw
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
class TextFilter:
    """Drop the elements matching `selector` whose text matches `text` (a regex, searched)."""

    text: re.Pattern[str]
    selector: str = "*"


@dataclass(frozen=True)
class Replacement:
    """A regex replacement applied to the whole extracted Markdown at once (so a pattern can
    span lines; `^` and `$` match at the ends of the text unless the pattern sets `(?m)`)."""

    pattern: re.Pattern[str]
    replacement: str = ""


@dataclass(frozen=True)
class ExtractionRules:
    """The rules for one period of a page's design."""

    select: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()
    valid_until: datetime | None = None
    filters: tuple[TextFilter, ...] = ()
    replace: tuple[Replacement, ...] = ()
    # Query parameters dropped from link URLs: None keeps them, () drops all of them.
    strip_query: tuple[str, ...] | None = None
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
        return yaml.safe_dump(thaw(self.raw), sort_keys=False, allow_unicode=True)

    def frozen(self) -> Declaration:
        """This declaration with its free-form parts read-only (for records that are shared)."""

        def rules(r: ExtractionRules) -> ExtractionRules:
            return replace(r, select=freeze(r.select), remove=freeze(r.remove), extra=freeze(r.extra))

        return replace(self, rules=rules(self.rules), history=tuple(map(rules, self.history)), raw=freeze(self.raw))


def _css(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DeclarationError(path, f"{key}: expected a CSS selector, got {value!r}")
    try:
        cssselect.GenericTranslator().css_to_xpath(value)
    except cssselect.SelectorError as exc:
        raise DeclarationError(path, f"{key}: invalid CSS selector {value!r}: {exc}") from None
    return value.strip()


def _selector_list(path: Path, key: str, value: Any) -> tuple[Selector, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[Selector] = []
    for index, item in enumerate(items):
        where = f"{key}[{index}]" if isinstance(value, list) else key
        if isinstance(item, dict) and item:
            allowed = {"startBefore", "startAfter", "endBefore", "endAfter"}
            starts = [k for k in item if k.startswith("start")]
            ends = [k for k in item if k.startswith("end")]
            if set(item) - allowed or len(starts) != 1 or len(ends) > 1:
                raise DeclarationError(
                    path,
                    f"{where}: a range selector takes one of startBefore|startAfter and at most one of "
                    f"endBefore|endAfter, got {sorted(item)}",
                )
            out.append({k: _css(path, f"{where}.{k}", v) for k, v in item.items()})
        else:
            out.append(_css(path, where, item))
    return tuple(out)


def _regex(path: Path, key: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise DeclarationError(path, f"{key}: expected a regular expression, got {value!r}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise DeclarationError(path, f"{key}: invalid regular expression {value!r}: {exc}") from None


def _filters(path: Path, key: str, value: Any) -> tuple[TextFilter, ...]:
    if not isinstance(value, list):
        raise DeclarationError(path, f"{key}: expected a list of {{selector, text}} mappings")
    out = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, dict) or "text" not in item or set(item) - {"selector", "text"}:
            raise DeclarationError(path, f"{where}: expected a mapping with `text` (a regex) and optional `selector`")
        selector = _css(path, f"{where}.selector", item["selector"]) if "selector" in item else "*"
        out.append(TextFilter(text=_regex(path, f"{where}.text", item["text"]), selector=selector))
    return tuple(out)


def _replacements(path: Path, key: str, value: Any) -> tuple[Replacement, ...]:
    if not isinstance(value, list):
        raise DeclarationError(path, f"{key}: expected a list of {{pattern, with}} mappings")
    out = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, dict) or "pattern" not in item or set(item) - {"pattern", "with"}:
            raise DeclarationError(path, f"{where}: expected a mapping with `pattern` (a regex) and optional `with`")
        replacement = item.get("with", "")
        if not isinstance(replacement, str):
            raise DeclarationError(path, f"{where}.with: expected a string, got {replacement!r}")
        pattern = _regex(path, f"{where}.pattern", item["pattern"])
        try:
            pattern.sub(replacement, "")
        except (re.error, IndexError) as exc:
            raise DeclarationError(path, f"{where}.with: invalid replacement {replacement!r}: {exc}") from None
        out.append(Replacement(pattern=pattern, replacement=replacement))
    return tuple(out)


def _strip_query(path: Path, key: str, value: Any) -> tuple[str, ...] | None:
    if value is True:
        return ()
    if value is False or value is None:
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise DeclarationError(
        path, f"{key}: expected `true` (drop every query parameter) or a list of names, got {value!r}"
    )


def _rules(path: Path, data: dict[str, Any], where: str, inherit: ExtractionRules | None = None) -> ExtractionRules:
    valid_until = None
    if "valid_until" in data:
        try:
            valid_until = parse_time(str(data["valid_until"]))
        except ValueError as exc:
            raise DeclarationError(path, f"{where}valid_until: {exc}") from None
    unknown = set(data) - RULE_KEYS - {"valid_until"}
    if unknown:
        raise DeclarationError(path, f"{where.rstrip('.') or 'rules'}: unknown field(s) {sorted(unknown)}")
    base = inherit or ExtractionRules()
    return ExtractionRules(
        select=_selector_list(path, f"{where}select", data.get("select")),
        remove=_selector_list(path, f"{where}remove", data.get("remove")),
        valid_until=valid_until,
        filters=_filters(path, f"{where}filters", data["filters"]) if "filters" in data else base.filters,
        replace=_replacements(path, f"{where}replace", data["replace"]) if "replace" in data else base.replace,
        strip_query=_strip_query(path, f"{where}strip_query", data["strip_query"])
        if "strip_query" in data
        else base.strip_query,
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
    top_rules = _rules(path, {k: v for k, v in data.items() if k in RULE_KEYS}, "")
    history = []
    for index, item in enumerate(history_data):
        if not isinstance(item, dict) or "valid_until" not in item:
            raise DeclarationError(path, f"history[{index}]: expected a mapping with `valid_until` and rules")
        history.append(_rules(path, item, f"history[{index}].", inherit=top_rules))
    feeds = data.get("feeds", {}) or {}
    if not isinstance(feeds, dict):
        raise DeclarationError(path, "field `feeds`: expected a mapping")
    language = data.get("language", "en")
    if not isinstance(language, str):
        raise DeclarationError(path, "field `language`: expected a language code like `en`")
    return Declaration(
        slug=slug,
        name=name.strip(),
        urls=tuple(dict.fromkeys(urls)),
        language=language,
        rules=top_rules,
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
