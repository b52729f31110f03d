"""Golden Markdown of real captures (tests/fixtures), reviewed by hand.

Regenerate after a deliberate change with `POLICY_DIFF_UPDATE_GOLDEN=1 pytest tests/extract`,
then read the diff of `tests/extract/golden/` before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from policydiff.extract import extract_capture

from .helpers import FIXTURES, rules_from

GOLDEN = Path(__file__).resolve().parent / "golden"

# case -> (fixture, media type, original URL, declaration rules)
CASES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "meetic-fragment-select": (
        "ota-dating/meetic-privacy-policy-fr/20220826T123232Z.html", "text/html",
        "https://www.meetic.fr/pages/misc/privacy", {"select": ["#article_content"]},
    ),
    "mektoube-auto": (
        "ota-dating/mektoube-privacy-policy-fr/20240613T123341Z.html", "text/html",
        "https://www.mektoube.fr/charte-vie-privee", {},
    ),
    "lovoo-select": (
        "ota-dating/lovoo-privacy-policy-de/20230126T123357Z.html", "text/html",
        "https://www.lovoo.com/legal/privacy", {"select": [".wp-block-column"]},
    ),
    "npm-range": (
        "ota-demo/npm-privacy-policy/20251212T003013Z.html", "text/html", "https://docs.npmjs.com/policies/privacy",
        {"select": [{"startBefore": "h1", "endBefore": "#toc-heading"}], "remove": ["details"]},
    ),
    "deviantart-auto": (
        "tosback/deviantart-privacy-policy-latin1-declared/20200923T123022Z.html", "text/html",
        "https://www.deviantart.com/about/policy/privacy/", {},
    ),
    "google-auto": (
        "tosback/google-privacy-policy/20200401T060604Z.html", "text/html", "https://policies.google.com/privacy", {},
    ),
    "google-2018-labels-auto": (
        "tosback/google-privacy-policy/20180420T054349Z.html", "text/html", "https://policies.google.com/privacy", {},
    ),
    "bumble-table-select": (
        "ota-dating/bumble-privacy-policy/snapshots/20260530T003054Z.html", "text/html", "https://bumble.com/en/privacy",
        {"select": [".formatted-text"]},
    ),
    "zwsoft-markdown": (
        "citp-wayback/zwsoft-privacy-policy/20171121T214541Z.md", "text/markdown",
        "https://www.zwsoft.com/about/privacyPolicys", {},
    ),
    "zwsoft-2011-markdown": (
        "citp-wayback/zwsoft-privacy-policy/captures/20110602T001447Z.md", "text/markdown",
        "https://www.zwsoft.com/about/privacyPolicys", {},
    ),
    "zwsoft-2013-auto": (
        "citp-wayback/zwsoft-privacy-policy/captures/20130522T151745Z.html", "text/html",
        "https://www.zwsoft.com/about/privacyPolicys", {},
    ),
    "zwsoft-2014-auto": (
        "citp-wayback/zwsoft-privacy-policy/captures/20140520T021055Z.html", "text/html",
        "https://www.zwsoft.com/about/privacyPolicys", {},
    ),
    "github-statement-markdown": (
        "github-site-policy/github-privacy-statement/20170609T234100Z.md", "text/markdown",
        "https://github.com/github/site-policy", {},
    ),
}  # fmt: skip


def run_case(name: str):
    fixture, media_type, url, rules = CASES[name]
    return extract_capture((FIXTURES / fixture).read_bytes(), media_type, rules_from(rules, url), base_url=url)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_markdown(name: str) -> None:
    markdown = run_case(name).markdown
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("POLICY_DIFF_UPDATE_GOLDEN"):
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def test_markdown_capture_loses_its_archive_header_and_front_matter() -> None:
    extraction = run_case("zwsoft-markdown")
    zwsoft = extraction.markdown
    assert "The following text is extracted" not in zwsoft
    # The dataset writes the page's <title> as a heading: the title, not the text.
    assert extraction.title == "Privacy Policy - ZWSOFT.com"
    assert zwsoft.startswith("ZWCAD Software Co., Ltd (ZWSOFT) would like to thank you")
    # Hard-broken lines are separate blocks; lettered clause titles are headings, but not
    # their repetition in the table of contents at the top.
    assert "\n\nInformation Collected about Online Visitors\n\nEntities Collecting Information\n\n" in zwsoft
    assert "\n## B. ZWSOFT Community Sites, including Forum, ZWCAD Club, etc.\n" in zwsoft
    assert "\n## C. Purchasing Items or Services from the ZWSOFT Site.\n" in zwsoft
    assert "\n\nB. ZWSOFT Community Sites\n\nC. Purchasing Items" in zwsoft
    github = run_case("github-statement-markdown")
    assert not github.markdown.startswith("---")
    assert github.title == "GitHub Privacy Statement"
    # Relative links point where the declared URL says the document lives.
    assert "](/" not in github.markdown
    assert "(https://github.com/articles/github-terms-of-service/)" in github.markdown


def test_deviantart_declared_latin1_over_utf8_has_no_mojibake() -> None:
    result = run_case("deviantart-auto")
    assert result.declared_charset == "iso-8859-1"
    assert result.detected_charset == "utf-8" and result.charset_mismatch
    assert "â€" not in result.markdown and "Ã" not in result.markdown
    assert "’" in result.markdown


def test_reader_mode_drops_the_cookie_banner_and_keeps_the_policy() -> None:
    markdown = run_case("mektoube-auto").markdown
    assert "Toujours actif" not in markdown and "cookieyes" not in markdown.lower()
    assert "MEKTOUBE attache une grande importance" in markdown


def test_range_selector_cuts_between_its_bounds() -> None:
    result = run_case("npm-range")
    assert result.method == "select" and not result.selector_miss
    assert result.markdown.startswith("# Privacy Questions and Answers\n")
    assert "Table of contents" not in result.markdown
    assert result.markdown.rstrip().endswith(
        "(https://github.com/npm/documentation/blob/main/content/policies/privacy.mdx)."
    )
