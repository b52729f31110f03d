"""One text whatever the capture's format.

ZWSOFT's four captures (Princeton-Leuven dataset, tests/fixtures/citp-wayback): 2011 and
2017 in the dataset's Markdown, 2013 and 2014 as the raw pages, inside the site's
navigation, language menu and footer. In truth they are two versions: one change, 2011 ->
2013, in the "Web Site Analysis" and "Community Sites" paragraphs.
"""

from __future__ import annotations

import difflib
import json

import pytest

from policydiff.archive import Archive
from policydiff.extract import extract_capture
from policydiff.extract.text import text_to_markdown

from .helpers import FIXTURES, rules_from

CAPTURES = FIXTURES / "citp-wayback" / "zwsoft-privacy-policy" / "captures"
URL = "https://www.zwsoft.com/about/privacyPolicys"


def extract(name: str, **rules):  # type: ignore[no-untyped-def]
    media_type = "text/html" if name.endswith(".html") else "text/markdown"
    return extract_capture((CAPTURES / name).read_bytes(), media_type, rules_from(rules, URL), base_url=URL)


def test_the_2013_and_2014_pages_extract_to_identical_text() -> None:
    old, new = extract("20130522T151745Z.html"), extract("20140520T021055Z.html")
    assert old.markdown == new.markdown
    # What differed between the two pages is the site's chrome, and it is gone: the
    # language menu (2014 adds Русский), the footer's link list, the copyright line.
    for chrome in ("Русский", "English", "CAD Free Download", "cad download", "All rights reserved", "Buy Now",
                   "Site Map", "Facebook"):  # fmt: skip
        assert chrome not in old.markdown and chrome not in new.markdown
    assert old.markdown.startswith("ZWCAD Software Co., Ltd (ZWSOFT) would like to thank you")


def test_the_dataset_markdown_and_the_raw_page_of_the_same_text_are_one_text() -> None:
    page, markdown = extract("20140520T021055Z.html"), extract("20171121T214541Z.md")
    assert markdown.markdown == page.markdown
    assert markdown.text_key == page.text_key
    # The dataset's "# <title>" heading is the page's title, as the raw page's <title> is.
    assert markdown.title == page.title == "Privacy Policy - ZWSOFT.com"


@pytest.mark.parametrize("select", [".vision", ".aboutright"])
def test_with_a_selector_the_pages_are_still_the_markdown_s_text(select: str) -> None:
    page = extract("20130522T151745Z.html", select=[select])
    assert page.method == "select"
    assert page.text_key == extract("20171121T214541Z.md").text_key


def test_2011_differs_from_2013_in_the_two_paragraphs_only() -> None:
    old = extract("20110602T001447Z.md").markdown.splitlines()
    new = extract("20130522T151745Z.html").markdown.splitlines()
    changed = [line for line in difflib.unified_diff(old, new, lineterm="", n=0) if line[:1] in "+-"]
    changed = [line for line in changed if not line.startswith(("+++", "---"))]
    assert len(changed) == 4
    assert sum("how visitors use" in line for line in changed) == 2  # Web Site Analysis
    assert sum("see the Community page at" in line for line in changed) == 2  # Community Sites
    assert any("www.ZWCAD.org" in line for line in changed if line.startswith("-"))


def test_ingested_without_a_selector_the_four_captures_are_two_versions(cli, archive_dir) -> None:  # type: ignore[no-untyped-def]
    cli("add", "zwsoft", "--url", URL)
    cli("ingest", "zwsoft", str(CAPTURES))
    archive = Archive(archive_dir)
    versions = archive.versions("zwsoft")
    assert [len(v.captures) for v in versions] == [1, 3]
    data = json.loads(cli("diff", "zwsoft", "--json").output)
    modified = [e for e in data["sections"] if e["status"] == "modified"]
    assert [e["new_title"] for e in modified] == [
        "Web Site Analysis",
        "B. ZWSOFT Community Sites, including Forum, ZWCAD Club, etc.",
    ]
    assert "Web Site Analysis" in cli("diff", "zwsoft").output


def test_ingested_with_a_selector_for_the_pages_still_two_versions(cli, archive_dir) -> None:  # type: ignore[no-untyped-def]
    cli("add", "zwsoft", "--url", URL, "--select", ".vision")
    cli("ingest", "zwsoft", str(CAPTURES))
    assert len(Archive(archive_dir).versions("zwsoft")) == 2


# Fragments of the dataset's Markdown in html2text's marks (github.com/citp/privacy-policy-
# historical, 1/10/100/1000bulbs.com.md, capture of 2019-07-18, and l/le/lex/lexsynergy.com.md),
# with the dataset's header note of the corpus's ZWSOFT capture above them.
_NOTE = (CAPTURES / "20171121T214541Z.md").read_text(encoding="utf-8").split("\n\n", 1)[0] + "\n\n"


def test_the_dataset_title_heading_becomes_the_title() -> None:
    text, title = text_to_markdown(_NOTE + "# Privacy Policy | 1000Bulbs.com\n\n1000Bulbs.com is committed.\n",
                                   markdown=True)  # fmt: skip
    assert title == "Privacy Policy | 1000Bulbs.com"
    assert text.strip() == "1000Bulbs.com is committed."


def test_html2text_bullets_and_emphasis_are_written_as_the_html_writer_writes_them() -> None:
    fragment = (
        "We will also release personal information under the following circumstances:\n\n"
        "  * Where release is required by law (for example, a subpoena) or regulation\n"
        "  * To appropriate persons, where your communication suggests possible harm to others.\n"
        "    * _nested_ item\n\n"
        "  1. **IMPORTANT INFORMATION AND WHO WE ARE**\n"
    )
    text, _ = text_to_markdown(_NOTE + fragment, markdown=True)
    assert "\n- Where release is required by law" in text
    assert "\n- To appropriate persons," in text
    assert "\n    - *nested* item" in text
    assert "\n1. **IMPORTANT INFORMATION AND WHO WE ARE**" in text
    # Outside the dataset's note, Markdown is kept as its authors wrote it.
    plain, _ = text_to_markdown(fragment, markdown=True)
    assert "  * Where release" in plain and "_nested_" in plain


def test_html2text_tables_get_their_outer_pipes() -> None:
    text, _ = text_to_markdown(_NOTE + "Cookie | Purpose\n---|---\n_ga | Analytics\n", markdown=True)
    assert "| Cookie | Purpose |\n|---|---|\n| _ga | Analytics |" in text
