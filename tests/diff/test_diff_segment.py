"""Segmentation: Markdown headings and the clause titles of captured policies."""

from __future__ import annotations

import importlib
from pathlib import Path

from diff_fixtures import ZWSOFT, read
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policydiff.diff import segment

# The module (the package's `segment` is the function).
segment_module = importlib.import_module("policydiff.diff.segment")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def titles(markdown: str) -> list[tuple[int, str]]:
    return [(s.level, s.title) for s in segment(markdown)]


def test_sections_partition_the_text_exactly() -> None:
    text = read(ZWSOFT)
    sections = segment(text)
    assert "".join(s.text for s in sections) == text
    assert [s.index for s in sections] == list(range(len(sections)))
    assert len({s.id for s in sections}) == len(sections)
    offsets = [s.offset for s in sections]
    assert all(text[o : o + len(s.text)] == s.text for o, s in zip(offsets, sections, strict=True))


def test_zwsoft_lettered_parts_and_plain_subheadings_with_a_table_of_contents() -> None:
    sections = segment(read(ZWSOFT))
    found = [(s.level, s.title) for s in sections]
    # The lettered parts are sections once: at their text, not in the table of contents.
    lettered = [t for _, t in found if t[:2] in ("A.", "B.", "C.", "D.", "E.")]
    assert [t[0] for t in lettered] == ["A", "B", "C", "D", "E"]
    assert (2, "D. Third Party Sites") in found
    # Plain-line subheadings sit one level below their lettered part.
    assert (3, "Information Collected from Online Visitors") in found
    assert (3, "Information Collected in Connection with Technical Support") in found
    assert (3, "Changes to this Policy") in found
    # The table of contents stays in the text before the parts.
    intro = next(s for s in sections if s.title == "Privacy Policy - ZWSOFT.com")
    assert "\nInformation Collected about Online Visitors" in intro.text
    assert "\nE. Technical Support and Privacy" in intro.text
    sub = next(s for s in sections if s.title == "Information Collected from Online Visitors")
    part_a = next(s for s in sections if s.title.startswith("A. Online Privacy"))
    assert sub.parent == part_a.id
    assert sub.path == ("Privacy Policy - ZWSOFT.com", part_a.title, sub.title)


def test_clause_numbers_are_left_out_of_ids() -> None:
    sections = segment("# Policy\n\n## 3. Data Involved\n\nWe keep data.\n\n## 4. Retention\n\nA year.\n")
    assert [s.id for s in sections] == ["policy", "data-involved", "retention"]


def test_duplicate_titles_get_their_path_then_a_counter() -> None:
    text = "# A\n\n## Purpose\n\nx\n\n# B\n\n## Purpose\n\ny\n\n## Purpose\n\nz\n"
    assert [s.id for s in segment(text)] == ["a", "purpose", "b", "b--purpose", "b--purpose-2"]


def test_bold_lines_and_section_words_are_titles() -> None:
    bold = "Intro.\n\n**Information we collect**\n\nWe collect your name and email address when you register.\n"
    assert titles(bold) == [(0, ""), (1, "Information we collect")]
    numbered = (
        "# Terms\n\nSection 4 — Retention\nWe keep your data for as long as your account is open.\n\n"
        "4.1 Backups\nBackups are kept for thirty days after your data is deleted.\n"
    )
    assert titles(numbered) == [(1, "Terms"), (2, "Section 4 — Retention"), (3, "4.1 Backups")]


def test_setext_headings() -> None:
    text = "Privacy\n=======\n\nWe care.\n\nCookies\n-------\n\nWe use cookies.\n"
    assert titles(text) == [(1, "Privacy"), (2, "Cookies")]


def test_lists_addresses_and_sentences_are_not_titles() -> None:
    text = (
        "We collect the following data:\n\n"
        "1. Your name\n2. Your email\nWe use them to run the service and nothing else, as described below.\n\n"
        "ZWCAD Software Co., Ltd\n300 Baker Ave\nGuangzhou\n\n"
        "Contact us at the address above for anything related to this policy.\n\n"
        "We collect your data.\nIt is used to run the service and to improve it over time.\n\n"
        "Last updated: May 3, 2023\n\nThis policy explains what we do.\n"
    )
    assert titles(text) == [(0, "")]


def test_a_title_with_a_full_stop_needs_a_paragraph_under_it() -> None:
    paragraph = "Entities collecting personal information.\nThe data is collected by us. Our phone number is 1.\n"
    assert titles("Intro.\n\n" + paragraph)[1] == (1, "Entities collecting personal information.")
    sentence_per_line = "Certain services include a number.\nThis number may be sent to us when you install it.\n"
    assert titles("Intro.\n\n" + sentence_per_line) == [(0, "")]


def test_fenced_code_is_never_split() -> None:
    text = "# A\n\n```\n# not a heading\n```\n\ntext\n"
    assert titles(text) == [(1, "A")]


def test_a_table_of_contents_made_of_headings_stays_text() -> None:
    # The shape the extractor gives the ZWSOFT capture: the contents' entries as headings.
    text = (
        "# Privacy Policy\n\nThe Contents of this statement are organized as follows:\n\n"
        "## A. Online Privacy\n\nInformation Collected about Online Visitors\n\nChanges to This Policy\n\n"
        "## B. Community Sites\n\n## C. Purchasing Items\n\n"
        "## A. Online Privacy\n\nInformation Collected about Online Visitors\n\n"
        "In general, you can visit the website without telling us who you are or revealing anything.\n\n"
        "B. Community Sites, including Forum\n"
        "Participation in these activities is voluntary and it is likely that information will be exposed.\n\n"
        "## C. Purchasing Items\n\nIf you wish to purchase items from the site, we require your full name.\n"
    )
    assert titles(text) == [
        (1, "Privacy Policy"),
        (2, "A. Online Privacy"),
        (3, "Information Collected about Online Visitors"),
        (2, "B. Community Sites, including Forum"),
        (2, "C. Purchasing Items"),
    ]
    sections = segment(text)
    assert "## B. Community Sites\n" in sections[0].text
    assert "".join(s.text for s in sections) == text


def test_repeated_short_sections_are_not_a_table_of_contents() -> None:
    text = "# A\n\n## Contact\n\nEmail us\n\n# B\n\n## Contact\n\nWrite to us\n"
    assert [t for _, t in titles(text)] == ["A", "Contact", "B", "Contact"]


def test_a_heading_inside_a_list_item_loses_its_markers_in_the_title() -> None:
    # As GitHub's 2026 docs page nests an <h4> in an <ol> item (bundled archive, v2b1d3687d8).
    text = (
        "You have several options to disable non-essential cookies:\n\n"
        "1. #### Specifically on GitHub Enterprise Marketing Pages\n\n"
        "    Any GitHub page that serves non-essential cookies will have a link in the page's footer.\n"
    )
    assert "1. Specifically on GitHub Enterprise Marketing Pages" in [t for _, t in titles(text)]
    assert all("#" not in s.title for s in segment(text))


def test_list_items_table_rows_and_control_labels_are_never_titles() -> None:
    # Each shape over text that would otherwise make it a title.
    body = "We collect information to provide better services to all of our users of the service.\n"
    for line in (
        "1. Information we collect",  # an ordered list item, as Markdown writes one
        "- Information we collect",
        "| The information is retained for 6 years after account deletion |",  # Bumble's table cell
        "Back to top",  # Google's labels (tosback)
        "Show examples",
        "Download PDF version",
        "Retour en haut de page",
        "Nach oben",
    ):
        assert titles(f"Intro.\n\n{line}\n\n{body}") == [(0, "")], line
    # A numbered paragraph (the HTML writer escapes its number) and a heading inside an item are.
    assert titles(f"Intro.\n\n1\\. Information we collect\n\n{body}")[1] == (1, "1. Information we collect")
    assert titles(f"Intro.\n\n1. #### Information we collect\n\n    {body}")[1][1] == "1. Information we collect"


# Lines as `splitlines(keepends=True)` gives them, made of what an ATX heading's regex
# looks at: indentation, marks, spaces and tabs, closing marks, every kind of line end.
_ATX_PIECES = st.sampled_from([" ", "  ", "\t", "#", "##", "###", "a", "Ü", "\r", "\x85", "\u2028", "*"])
_LINE_ENDS = st.sampled_from(["", "\n", "\r\n", "\r", "\u2028"])


@settings(max_examples=1500)
@given(st.lists(_ATX_PIECES, max_size=14).map("".join), _LINE_ENDS)
@example("## Title ##", "\n")
@example("# Title #", "")
@example("# #", "\n")
@example("   #\tTitle\t", "\r\n")
@example("    # Four spaces: code", "\n")
@example("####### Seven marks", "\n")
def test_the_heading_shortcut_reads_a_line_as_the_regex_does(line: str, end: str) -> None:
    assert segment_module._atx(line + end) == _regex_groups(line + end)


def test_the_heading_shortcut_on_every_heading_of_the_corpus_fixtures() -> None:
    lines = [line for path in sorted(FIXTURES.rglob("*.md")) for line in path.read_text().splitlines(keepends=True)]
    headings = [line for line in lines if line.lstrip(" ").startswith("#")]
    assert len(headings) > 500
    for text in headings:
        assert segment_module._atx(text) == _regex_groups(text), text


def _regex_groups(text: str) -> tuple[str, str | None] | None:
    match = segment_module._ATX.match(text)
    return (match.group(1), match.group(2)) if match else None
