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
watch:                             # optional watched terms (RE2 patterns, case-insensitive):
  pricing: ["\\bprice", "tarif"]     #   a new group (id: lower-case words joined by hyphens)
  ai: {patterns: ["copilot"]}      #   or more patterns for a default group (see watch.py)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import cssselect
import re2
import yaml

from .errors import DeclarationError
from .frozen import freeze, thaw
from .times import parse_time, to_utc
from .watch import TermGroup, compile_check, parse_term_groups

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
# Documented limits (README, "Limits"): a declaration is a short hand-written file.
MAX_DECLARATION_BYTES = 256 * 1024
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2048
MAX_URLS = 50
MAX_RULES = 200  # selectors, filters or replacements in one rule set
MAX_PATTERN_CHARS = 1000
MAX_HISTORY = 100
# Characters no one-line field may hold: C0/C1 controls, line and paragraph separators, bidi
# overrides (they reorder what a reader sees).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# BCP 47 (RFC 5646) language tags, well-formed: language, script, region, variants, extensions,
# private use; or a private-use tag alone.
_BCP47 = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?$"
    r"|^x(?:-[a-z\d]{1,8})+$",
    re.IGNORECASE,
)
# Declaration regexes run on RE2: linear time whatever the pattern, so `(a+)+$` cannot hang
# an ingest that holds the archive lock. RE2 has no backreferences or lookaround, and its
# `\w`, `\b` are ASCII (use `\pL` for any letter).
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 64 * 1024 * 1024


class Pattern(Protocol):
    """What a declaration regex offers (an RE2 pattern)."""

    pattern: str

    def search(self, text: str) -> Any: ...

    def sub(self, replacement: str, text: str) -> str: ...


def one_line(path: Path | str, key: str, value: Any, *, limit: int = MAX_NAME_CHARS) -> str:
    """A field shown on pages and in feeds: a non-empty string on one line, no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise DeclarationError(path, f"field `{key}`: expected a non-empty string")
    found = _CONTROL.search(value)
    if found:
        raise DeclarationError(
            path, f"field `{key}`: one line without control characters expected (found {found.group()!r})"
        )
    if len(value) > limit:
        raise DeclarationError(path, f"field `{key}`: {len(value)} characters, at most {limit}")
    return value.strip()


def check_url(path: Path | str, key: str, value: Any) -> str:
    """An absolute http(s) URL with a host, on one line."""
    if not isinstance(value, str):
        raise DeclarationError(path, f"field `{key}`: expected an http(s) URL, got {value!r}")
    text = value.strip()
    bad = f"field `{key}`: expected an http(s) URL, got {text[:100]!r}"
    if not text or len(text) > MAX_URL_CHARS or _CONTROL.search(text) or any(c.isspace() for c in text):
        raise DeclarationError(path, bad)
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise DeclarationError(path, bad) from None
    if parts.scheme.lower() not in ("http", "https") or not host or not re.fullmatch(r"[\w.-]+|\[[0-9a-f:.]+\]", host):
        raise DeclarationError(path, bad)
    return text


def check_language(path: Path | str, value: Any) -> str:
    if not isinstance(value, str) or not _BCP47.fullmatch(value) or len(value) > 64:
        shown = value[:40] if isinstance(value, str) else value
        raise DeclarationError(
            path, f"field `language`: expected a BCP 47 language tag like `en` or `pt-BR`, got {shown!r}"
        )
    return value


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

    text: Pattern
    selector: str = "*"


@dataclass(frozen=True)
class Replacement:
    """A regex replacement applied to the whole extracted Markdown at once (so a pattern can
    span lines; `^` and `$` match at the ends of the text unless the pattern sets `(?m)`)."""

    pattern: Pattern
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
    watch: tuple[TermGroup, ...] = ()  # watched-term additions (`watch:`)

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
    if len(items) > MAX_RULES:
        raise DeclarationError(path, f"{key}: {len(items)} selectors, at most {MAX_RULES}")
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


def _regex(path: Path, key: str, value: Any) -> Pattern:
    if not isinstance(value, str) or not value:
        raise DeclarationError(path, f"{key}: expected a regular expression, got {value!r}")
    if len(value) > MAX_PATTERN_CHARS:
        raise DeclarationError(path, f"{key}: {len(value)} characters, at most {MAX_PATTERN_CHARS}")
    try:
        return re2.compile(value, options=_RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise DeclarationError(
            path, f"{key}: invalid regular expression {value!r}: {reason} (RE2 syntax: no backreferences or lookaround)"
        ) from None


def _filters(path: Path, key: str, value: Any) -> tuple[TextFilter, ...]:
    if not isinstance(value, list):
        raise DeclarationError(path, f"{key}: expected a list of {{selector, text}} mappings")
    if len(value) > MAX_RULES:
        raise DeclarationError(path, f"{key}: {len(value)} filters, at most {MAX_RULES}")
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
    if len(value) > MAX_RULES:
        raise DeclarationError(path, f"{key}: {len(value)} replacements, at most {MAX_RULES}")
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
            _check_groups(pattern, replacement)
        except (re.error, re2.error, IndexError) as exc:
            raise DeclarationError(path, f"{where}.with: invalid replacement {replacement!r}: {exc}") from None
        out.append(Replacement(pattern=pattern, replacement=replacement))
    return tuple(out)


def _check_groups(pattern: Pattern, replacement: str) -> None:
    """A `with` naming a group the pattern lacks fails only on a match: check it now."""
    groups = getattr(pattern, "groups", 0)
    for match in re.finditer(r"\\(\d+)|\\g<(\d+)>", replacement):
        number = int(match.group(1) or match.group(2))
        if number > groups:
            raise IndexError(f"invalid group reference {number}")


def _strip_query(path: Path, key: str, value: Any) -> tuple[str, ...] | None:
    if value is True:
        return ()
    if value is False or value is None:
        return None
    if isinstance(value, list) and 0 < len(value) <= MAX_RULES and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise DeclarationError(
        path, f"{key}: expected `true` (drop every query parameter) or a list of names, got {value!r}"
    )


def _rules(path: Path, data: dict[str, Any], where: str, inherit: ExtractionRules | None = None) -> ExtractionRules:
    valid_until = None
    if "valid_until" in data:
        value = data["valid_until"]
        if isinstance(value, datetime | date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise DeclarationError(path, f"{where}valid_until: expected a date like 2019-05-01, got {value!r}")
        try:
            valid_until = parse_time(value)
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
TOP_KEYS = {"name", "url", "urls", "language", "history", "feeds", "notes", "watch", *RULE_KEYS}


FEED_KEYS = {"include_trivial"}


def parse_declaration(slug: str, data: Any, path: Path) -> Declaration:
    if not isinstance(data, dict):
        raise DeclarationError(path, "expected a mapping with at least `name` and `url`")
    unknown = set(data) - TOP_KEYS
    if unknown:
        shown = sorted(map(str, unknown))
        raise DeclarationError(path, f"unknown field(s) {shown}; expected some of {sorted(TOP_KEYS)}")
    name = one_line(path, "name", data.get("name"))
    urls: list[str] = []
    if "url" in data:
        urls.append(data["url"])
    extra_urls = data.get("urls", [])
    if not isinstance(extra_urls, list):
        raise DeclarationError(path, "field `urls`: expected a list of URLs")
    urls.extend(extra_urls)
    if not urls:
        raise DeclarationError(path, "field `url`: required (the policy's address)")
    if len(urls) > MAX_URLS:
        raise DeclarationError(path, f"field `urls`: {len(urls)} URLs, at most {MAX_URLS}")
    urls = [check_url(path, "url" if index == 0 and "url" in data else "urls", url) for index, url in enumerate(urls)]
    history_data = data.get("history", [])
    if not isinstance(history_data, list):
        raise DeclarationError(path, "field `history`: expected a list of rule sets")
    if len(history_data) > MAX_HISTORY:
        raise DeclarationError(path, f"field `history`: {len(history_data)} rule sets, at most {MAX_HISTORY}")
    top_rules = _rules(path, {k: v for k, v in data.items() if k in RULE_KEYS}, "")
    history = []
    for index, item in enumerate(history_data):
        if not isinstance(item, dict) or "valid_until" not in item:
            raise DeclarationError(path, f"history[{index}]: expected a mapping with `valid_until` and rules")
        history.append(_rules(path, item, f"history[{index}].", inherit=top_rules))
    feeds = data.get("feeds", {})
    feeds = {} if feeds is None else feeds
    if not isinstance(feeds, dict):
        raise DeclarationError(path, "field `feeds`: expected a mapping")
    if set(feeds) - FEED_KEYS:
        raise DeclarationError(path, f"field `feeds`: unknown field(s) {sorted(map(str, set(feeds) - FEED_KEYS))}")
    include_trivial = feeds.get("include_trivial", False)
    if not isinstance(include_trivial, bool):
        raise DeclarationError(path, f"field `feeds.include_trivial`: expected true or false, got {include_trivial!r}")
    language = check_language(path, data.get("language", "en"))
    watch = watched_terms(path, "watch", data.get("watch"))
    return Declaration(
        slug=slug,
        name=name,
        urls=tuple(dict.fromkeys(urls)),
        language=language,
        rules=top_rules,
        history=tuple(history),
        include_trivial_in_feeds=include_trivial,
        raw=data,
        watch=watch,
    )


def watched_terms(path: Path | str, key: str, value: Any) -> tuple[TermGroup, ...]:
    """Watched-term groups (`policy.yml` `watch:`, the plugin's `watched_terms`), each
    pattern compiled by RE2 as the matcher will run it."""

    def check(where: str, pattern: Any) -> None:
        if not isinstance(pattern, str) or not pattern:
            raise DeclarationError(path, f"field `{where}`: expected a regular expression, got {pattern!r}")
        if len(pattern) > MAX_PATTERN_CHARS:
            raise DeclarationError(path, f"field `{where}`: {len(pattern)} characters, at most {MAX_PATTERN_CHARS}")
        try:
            compile_check(pattern)
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise DeclarationError(
                path, f"field `{where}`: invalid regular expression {pattern!r}: {reason} (RE2 syntax)"
            ) from None

    try:
        return parse_term_groups(value, key, check)
    except ValueError as exc:
        raise DeclarationError(path, f"field {exc}") from None


def load_declaration(slug: str, path: Path) -> Declaration:
    if path.is_symlink():
        raise DeclarationError(path, "is a symbolic link: not followed")
    try:
        if path.stat().st_size > MAX_DECLARATION_BYTES:
            raise DeclarationError(path, f"larger than {MAX_DECLARATION_BYTES // 1024} KiB: not a declaration")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeclarationError(path, "missing policy declaration (policy.yml)") from None
    except UnicodeDecodeError:
        raise DeclarationError(path, "cannot read: not UTF-8 text") from None
    except OSError as exc:
        raise DeclarationError(path, f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DeclarationError(path, f"invalid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise DeclarationError(path, f"invalid YAML: {' '.join(str(exc).split())}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # A date-like value that is no date (`valid_until: 2019-02-30`), a huge number...
        raise DeclarationError(path, f"invalid value: {exc}") from None
    except RecursionError:
        raise DeclarationError(path, "invalid YAML: nested too deeply") from None
    return parse_declaration(slug, data, path)
