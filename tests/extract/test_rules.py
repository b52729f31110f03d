"""The declaration's extraction rules: schema errors, noise rules, selectors and their misses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from policydiff.declaration import parse_declaration
from policydiff.errors import DeclarationError

from .helpers import FIXTURES, extract_html

UPTIME = FIXTURES / "ota-demo" / "uptimerobot-privacy-policy"
LOVOO = FIXTURES / "ota-dating" / "lovoo-privacy-policy-de" / "20230126T123357Z.html"


def declare(**rules):
    return parse_declaration("doc", {"name": "Doc", "url": "https://example.com/p", **rules}, Path("a/doc/policy.yml"))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"select": ["div["]}, "select[0]: invalid CSS selector 'div['"),
        ({"remove": {"startBefore": "h1", "startAfter": "h2"}}, "remove: a range selector takes"),
        ({"filters": [{"text": "("}]}, "filters[0].text: invalid regular expression"),
        ({"filters": [{"selector": "p"}]}, "filters[0]: expected a mapping with `text`"),
        ({"replace": [{"pattern": "a", "with": 3}]}, "replace[0].with: expected a string"),
        ({"replace": [{"pattern": "a", "with": "\\9"}]}, "replace[0].with: invalid replacement"),
        ({"strip_query": "yes"}, "strip_query: expected `true`"),
        ({"history": [{"valid_until": "2020-01-01", "selct": "main"}]}, "history[0]: unknown field(s) ['selct']"),
    ],
)
def test_bad_rules_name_the_file_and_the_field(rules, message) -> None:
    with pytest.raises(DeclarationError) as caught:
        declare(**rules)
    assert "a/doc/policy.yml" in str(caught.value)
    assert message in str(caught.value)


def test_history_picks_the_rules_of_the_capture_time_and_inherits_noise_rules() -> None:
    declaration = declare(
        select=["main"],
        strip_query=["utm_source"],
        history=[{"valid_until": "2021-01-01T00:00:00Z", "select": [".old"]}],
    )
    old = declaration.rules_at(datetime(2020, 6, 1, tzinfo=UTC))
    new = declaration.rules_at(datetime(2021, 6, 1, tzinfo=UTC))
    assert old.select == (".old",) and new.select == ("main",)
    assert old.strip_query == ("utm_source",)


def test_selector_miss_falls_back_to_reader_mode_and_says_so() -> None:
    result = extract_html(LOVOO.read_bytes(), select=["#no-such-element"])
    assert result.selector_miss and result.method == "auto"
    assert any("#no-such-element" in w and "matched nothing" in w for w in result.warnings)
    assert "Privacy Policy for the Use of LOVOO" in result.markdown


def test_filters_drop_elements_by_text_and_replace_rewrites_text() -> None:
    html = LOVOO.read_bytes()
    plain = extract_html(html, select=[".wp-block-column"]).markdown
    assert "Effective: March 18, 2022" in plain
    filtered = extract_html(
        html,
        select=[".wp-block-column"],
        filters=[{"selector": "p", "text": "^Effective:"}],
        replace=[{"pattern": r"\bLOVOO\b", "with": "Lovoo"}],
    ).markdown
    assert "Effective: March 18, 2022" not in filtered
    assert "LOVOO" not in filtered and "Privacy Policy for the Use of Lovoo" in filtered


def test_strip_query_and_cache_busters() -> None:
    html = (
        '<main><p><a href="/faq?utm_source=mail&amp;id=7">FAQ</a> '
        '<a href="https://cdn.example.com/policy.pdf?1653379842366">PDF</a></p></main>'
    )
    assert "[FAQ](https://example.com/faq?utm_source=mail&id=7)" in extract_html(html).markdown
    markdown = extract_html(html, strip_query=["utm_source"]).markdown
    assert "[FAQ](https://example.com/faq?id=7)" in markdown
    assert "[PDF](https://cdn.example.com/policy.pdf)" in markdown
    assert "[FAQ](https://example.com/faq)" in extract_html(html, strip_query=True).markdown


def test_markup_only_change_keeps_the_text_key() -> None:
    """OTA recorded no text change between these two uptimerobot captures."""
    first = extract_html((UPTIME / "20241024T003012Z.html").read_bytes(), select=["main"])
    second = extract_html((UPTIME / "20250314T123011Z.html").read_bytes(), select=["main"])
    assert first.text_key == second.text_key


def test_a_word_change_changes_the_text_key() -> None:
    html = (UPTIME / "20241024T003012Z.html").read_text(encoding="utf-8")
    edited = html.replace("operates several websites", "operates many websites", 1)
    assert edited != html
    assert extract_html(html, select=["main"]).text_key != extract_html(edited, select=["main"]).text_key
