"""Chrome inside and around the body (extract/chrome.py, clean.py), one test per rule, on
fragments copied from real captures (each says which; tests/fixtures/README.md has the
sources and licences). A fragment is put in a minimal page only where the rule needs one.
"""

from __future__ import annotations

import lxml.html

from policydiff.diff import segment
from policydiff.extract.chrome import _cut_labels
from policydiff.normalise import visible_text

from .helpers import FIXTURES, extract_html

# A paragraph of policy text to stand beside the chrome (ZWSOFT 2014, tests/fixtures).
PROSE = (
    "<p>In general, you can visit the ZWSOFT website without telling us who you are or revealing any personal "
    "information about yourself, such as your name, phone number, postal or email address.</p>"
)


def page(body: str) -> str:
    return f"<html><head><title>Privacy</title></head><body>{body}</body></html>"


# -- screen-reader-only text: never what the page shows, with selectors too ------------------


def test_visually_hidden_text_is_not_policy_text_in_either_mode() -> None:
    # GitHub's docs page, 2026-04-28 (ota-demo github-privacy-policy).
    skip = (
        '<a href="#main-content" class="visually-hidden skip-button color-bg-accent-emphasis '
        'color-fg-on-emphasis">Skip to main content</a>'
    )
    html = page(f"<main>{skip}<h1>GitHub General Privacy Statement</h1>{PROSE}</main>")
    for rules in ({}, {"select": ["main"]}):
        markdown = extract_html(html, **rules).markdown
        assert "Skip to main content" not in markdown
        assert "GitHub General Privacy Statement" in markdown


def test_a_class_the_page_s_own_style_sheet_clips_is_hidden() -> None:
    # npm's docs page, 2025-12-12: a generated class name, clipped by the page's style sheet.
    style = (
        "<style>.prc-VisuallyHidden-VisuallyHidden-UNWQp:not(:focus):not(:active):not(:focus-within)"
        "{clip-path:inset(50%);height:1px;overflow:hidden;position:absolute;white-space:nowrap;width:1px}</style>"
    )
    label = '<span class="prc-VisuallyHidden-VisuallyHidden-UNWQp">Site navigation</span>'
    body = f"<main><h1>Privacy Questions and Answers</h1>{label}{PROSE}</main>"
    html = f"<html><head>{style}</head><body>{body}</body></html>"
    assert "Site navigation" not in extract_html(html, select=["main"]).markdown
    # A generated name that says what it is, with no style sheet at hand (npm, 2025-12-12).
    named = '<h3 class="visually-hidden__VisuallyHidden-sc-71v4sl-0 iKepoC">Site navigation</h3>'
    assert "Site navigation" not in extract_html(page(f"<main>{named}{PROSE}</main>")).markdown


def test_a_hiding_class_token_with_a_quote_in_it_is_hidden() -> None:
    # Made up: class tokens are matched as strings, never written into an XPath (an
    # apostrophe there made the expression invalid, and the extraction fail).
    hidden = '<span class="x\'_sr-only">Opens in a new window</span>'
    markdown = extract_html(page(f"<main>{PROSE}{hidden}</main>")).markdown
    assert "Opens in a new window" not in markdown
    assert "ZWSOFT website" in markdown


# -- controls ------------------------------------------------------------------------------------


GOOGLE_2017 = (
    # tosback google-privacy-policy 20170104T055228Z.html (pre-cleaned: the labels are loose lines).
    "\n Welcome to the Google Privacy Policy\n<p>When you use Google services, you trust us with your "
    "information.\nThis Privacy Policy is meant to help you understand what data we collect, why we collect it, "
    "and what we do with it.</p> Privacy Policy Hide examples\nShow examples\nHide examples\n"
    "<p>Last modified: August 29, 2016 (view archived versions) (The hyperlinked examples are available at the "
    "end of this document.)</p>\n<p>Download PDF version</p>\n"
    "<p>There are many different ways you can use our services – to search for and share information, to "
    "communicate with other people or to create new content.\n</p>\nBack to top\nInformation we collect\n"
    "<p>We collect information to provide better services to all of our users – from figuring out basic stuff "
    "like which language you speak, to more complex things like which ads you’ll find most useful.\n</p>"
)


def test_google_s_labels_are_gone_and_its_titles_are_titles() -> None:
    markdown = extract_html(f"<!DOCTYPE html><html><head></head><body>{GOOGLE_2017}</body></html>").markdown
    for label in ("Hide examples", "Show examples", "Download PDF version", "Back to top"):
        assert label not in markdown
    blocks = markdown.split("\n\n")
    assert "Privacy Policy" in blocks and "Information we collect" in blocks
    titles = [s.title for s in segment(markdown)]
    assert "Information we collect" in titles and not any("Back to top" in t for t in titles)


def test_labels_glued_into_text_by_a_tag_stripping_crawler_are_cut_out() -> None:
    # tosback google-privacy-policy 20180420T054349Z.html: the tags went, no space was left.
    html = (
        "<!DOCTYPE html><html><head></head><body><p>And remember, you can find controls at My Account.</p>"
        "Privacy PolicyHide examplesLast modified: December 18, 2017 (view archived versions)Download PDF version"
        "<p>There are many different ways you can use our services.</p>Back to topInformation we collect"
        "<p>We collect information to provide better services to all of our users.</p></body></html>"
    )
    blocks = extract_html(html).markdown.strip().split("\n\n")
    assert blocks[1:4] == ["Privacy Policy", "Last modified: December 18, 2017 (view archived versions)",
                           "There are many different ways you can use our services."]  # fmt: skip
    assert "Information we collect" in blocks
    # tosback google-privacy-policy 20200401T060604Z.html: a label between separators.
    assert _cut_labels("Effective March 31, 2020 | Archived versions | Download PDFContentsIntroduction") == [
        "Effective March 31, 2020 | Archived versions",
        "ContentsIntroduction",
    ]


def test_a_label_s_words_inside_a_sentence_are_text() -> None:
    for sentence in ("you can show more of your profile", "To print, click Print this page.", "Hide examples of"):
        assert _cut_labels(sentence) is None
    # A control word inside a sentence stays: npm's "download" and ZWSOFT's "Print".
    html = page(f"<main>{PROSE}<p>You can <a href='/data'>download</a> a copy of your data.</p></main>")
    assert "[download](https://example.com/data) a copy" in extract_html(html).markdown


def test_a_details_box_emptied_of_its_menu_and_the_heading_of_a_dropped_menu_go() -> None:
    # npm's docs page, 2024-12-03 (details/summary) and 2024-01-12 (<nav aria-labelledby>).
    details = (
        '<details open=""><summary data-default-summary="true">See Details</summary><summary type="button">'
        '<span data-component="text">Table of contents</span></summary><nav><ul><li><a href="#whats-most-important">'
        "What's most important?</a></li></ul></nav></details>"
    )
    nav = (
        '<h3 id="toc-heading">Table of contents</h3><div><nav aria-labelledby="toc-heading"><ul><li>'
        '<a href="#whats-most-important">What\'s most important?</a></li></ul></nav></div>'
    )
    for chrome in (details, nav):
        markdown = extract_html(page(f"<main><h1>Privacy Questions and Answers</h1>{chrome}{PROSE}</main>")).markdown
        assert "Table of contents" not in markdown and "See Details" not in markdown
        assert markdown.startswith("# Privacy Questions and Answers\n\nIn general")


def test_a_form_to_fill_in_is_not_text() -> None:
    # uptimerobot, ota-demo 20241024T003012Z.html: the pricing quote form beside the policy.
    form = (
        '<form id="quote-form" class="flex flex-col" novalidate><div><label for="monitor-slider">Number of monitors'
        '</label><p class="text-sm mb-4">Use the slider to estimate the number of monitors.</p><input type="range" '
        'id="monitor-slider" min="1" max="4" value="1" step="1"></div><div class="mb-12"><label for="quote-email">'
        'Email</label><input id="quote-email" type="email"></div></form>'
    )
    markdown = extract_html(page(f"<div><h1>Privacy Policy</h1>{PROSE}{PROSE}</div>{form}")).markdown
    assert "monitors" not in markdown and "Privacy Policy" in markdown


# -- language pickers, footers, link lists at the edges ----------------------------------------------


ZWSOFT_2014 = FIXTURES / "citp-wayback" / "zwsoft-privacy-policy" / "captures" / "20140520T021055Z.html"


def zwsoft_fragment(xpath: str) -> str:
    """An element of ZWSOFT's 2014 page, as the page has it."""
    root = lxml.html.fromstring(ZWSOFT_2014.read_bytes())
    return lxml.html.tostring(root.xpath(xpath)[0], encoding="unicode")


def test_a_language_picker_goes_with_its_current_language() -> None:
    # The header's menu: "English" (not a link) over a drop-down of the other languages.
    picker = zwsoft_fragment("//li[@id='dh2']")
    markdown = extract_html(page(f"<div><ul>{picker}</ul><h1>Privacy Policy</h1>{PROSE}</div>")).markdown
    for name in ("English", "Deutsch", "Español", "Русский", "简体中文"):
        assert name not in markdown
    assert markdown.startswith("# Privacy Policy\n")


def test_a_footer_link_list_and_copyright_at_the_end_go_e_mail_and_contents_links_stay() -> None:
    # The footer (div.foot > div.footl), whose link list changed from 2013 to 2014.
    footer = zwsoft_fragment("//div[@class='footl']")
    contact = '<p><a href="mailto:sales@zwsoft.com">sales@zwsoft.com</a></p>'
    contents = '<ul><li><a href="#online">A. Online Privacy</a></li><li><a href="#community">B. Community</a></li></ul>'
    markdown = extract_html(page(f"<div class='box'>{contents}{PROSE}{contact}{footer}</div>")).markdown
    for chrome in ("[CAD Software]", "cad download", "All rights reserved", "respective owners", "Site Map"):
        assert chrome not in markdown
    assert "sales@zwsoft.com" in markdown and "A. Online Privacy" in markdown
    # The whole page, where 2013 and 2014 differ only in such chrome (tests/extract/test_formats.py).
    assert "cad download" not in extract_html(ZWSOFT_2014.read_bytes()).markdown


def test_a_page_of_nothing_but_links_keeps_them() -> None:
    html = '<main><p><a href="/faq">FAQ</a> <a href="https://cdn.example.com/policy.pdf">Policy</a></p></main>'
    assert "[FAQ](https://example.com/faq)" in extract_html(html).markdown


# -- tables ----------------------------------------------------------------------------------------


# Bumble's privacy policy, ota-dating 20260530T003054Z.html (.formatted-text): a header row,
# then cells with a list, <br> lines, bold paragraphs and an <h5> label.
BUMBLE_TABLE = (
    '<table class="table"><thead><tr><th><p>Why we use your information</p></th><th><p>What information we use</p>'
    "</th><th><p>Our legal basis under the GDPR and retention period</p></th></tr></thead><tbody><tr><td><div>"
    "To facilitate networking opportunities on the App by enabling you to create your profile.</div></td><td><div>"
    "<ul><li>dating intention</li> <li>gender preference</li></ul><br></div></td><td><div><p><b>Contractual "
    "necessity</b></p><p><b>Your consent</b> for special category data.</p><p>Almost all profile data is deleted "
    "28 days after account deletion/erasure</p></div></td></tr><tr><td><div><h5>Students</h5>To understand which "
    "of our users might be in college or university.</div></td><td><div>Historic location data</div></td><td><div>"
    "<b>Contractual necessity</b> to connect you<br>The information is retained for 6 years after account deletion"
    "</div></td></tr></tbody></table>"
)


def test_a_table_stays_a_table_with_each_cell_in_its_row() -> None:
    markdown = extract_html(page(f"<div class='formatted-text'>{BUMBLE_TABLE}</div>"), select=[".formatted-text"])
    rows = markdown.markdown.strip().split("\n")
    header = ("Why we use your information", "What information we use", "Our legal basis under the GDPR and "
              "retention period")  # fmt: skip
    assert rows[0] == "| " + " | ".join(header) + " |"
    assert rows[1] == "|---|---|---|"
    assert len(rows) == 4 and all(row.startswith("|") and row.endswith("|") for row in rows)
    # Paragraphs, lines and list items of a cell kept apart; a bold paragraph or an <h5> in a
    # cell is bold text, never a heading.
    assert "| - dating intention<br>- gender preference |" in rows[2]
    assert "**Contractual necessity**<br>**Your consent** for special category data.<br>Almost all" in rows[2]
    assert rows[3].startswith("| **Students**<br>To understand which") and "#" not in markdown.markdown


def test_a_table_cell_is_never_a_section_title() -> None:
    markdown = extract_html(page(f"<div class='formatted-text'>{BUMBLE_TABLE}</div>"), select=[".formatted-text"])
    assert [s.title for s in segment(markdown.markdown)] == [""]


# -- lists -------------------------------------------------------------------------------------------


# Bumble's privacy policy, ota-dating 20220624T123136Z.html: a <p> directly inside the <ul>.
BUMBLE_LIST = (
    "<ul><li>age and gender</li> \n<li>a hashed* version of your email address (to create ‘custom audiences’).</li>"
    "\n<br><p>*Hashing is a way of encrypting information by turning it into a combination of random numbers and "
    "letters - this code cannot be traced back to the email address.</p></ul>"
)


def test_a_paragraph_directly_inside_a_list_is_a_paragraph_not_an_item() -> None:
    markdown = extract_html(page(f"<main>{PROSE}{BUMBLE_LIST}</main>")).markdown
    item = "- a hashed\\* version of your email address (to create ‘custom audiences’)."
    assert item + "\n\n\\*Hashing is a way" in markdown


def test_text_directly_inside_a_list_is_kept_in_order_and_its_inline_children_are_not_items() -> None:
    # The same Bumble fragment as markup the issue found elsewhere writes it: the note as bare
    # text and inline elements in the <ul>, outside any <li>.
    bare = BUMBLE_LIST.replace("<p>", "").replace("</p>", "").replace("*Hashing is", "<b>*Hashing</b> is")
    markdown = extract_html(page(f"<main>{PROSE}{bare}</main>")).markdown
    assert "- age and gender\n- a hashed" in markdown
    assert "\n\n**\\*Hashing** is a way of encrypting" in markdown
    assert "- **\\*Hashing**" not in markdown and "- is a way" not in markdown


# -- text that looks like markup ------------------------------------------------------------------------


def test_an_escaped_tag_in_text_reads_as_text_and_stays_inert() -> None:
    # Bumble's privacy policy, ota-dating 20250327T003217Z.html: escaped HTML shown as text.
    html = page(
        "<main><p>ID verification to enforce our &lt;a href=&quot;https://bumble.com/guidelines&quot;&gt;Community "
        "Guidelines&lt;/a&gt;. Members under 18 (&lt;18) are not allowed.</p></main>"
    )
    markdown = extract_html(html).markdown
    # Escaped where Markdown could read a tag from it; a lone "<" stays "<".
    assert '&lt;a href="https://bumble.com/guidelines">Community Guidelines&lt;/a>' in markdown
    assert "(<18)" in markdown
    assert '<a href="https://bumble.com/guidelines">Community Guidelines</a>' in visible_text(markdown)


def test_labels_in_the_corpus_languages_and_generic_words_only_as_controls() -> None:
    from policydiff.labels import is_control_label, is_ui_phrase

    labels = ("↑ Back to top", "Retour en haut de page", "Nach oben", "Sprache wählen", "Select language",
              "(opens in a new window)", "Masquer les exemples", "PDF herunterladen", "Télécharger le PDF")  # fmt: skip
    for label in labels:
        assert is_ui_phrase(label), label
    # "Language" is a clause title of many terms of service: a label only on a control.
    assert not is_ui_phrase("Language") and is_control_label("Language")
    html = page(f"<main><h2>Language</h2>{PROSE}<p><button>Print</button></p><p><a href='/fr'>Langue</a></p></main>")
    markdown = extract_html(html).markdown
    assert "# Language\n" in markdown and "Print" not in markdown and "Langue" not in markdown


# -- the measures the rules share -------------------------------------------------------------


def test_text_lengths_gives_the_text_of_every_short_element_as_text_content() -> None:
    # Nested, with tails, a comment (its text is not the element's, its tail is), an element
    # whose children are short while it is not, and one longer than a label.
    # One short by its words but too long to be a label is left out.
    from policydiff.extract.chrome import _MAX_LABEL, text_lengths
    from policydiff.labels import MAX_LABEL_TEXT

    root = lxml.html.fromstring(
        "<div><ul><li><a href='/top'>Back <!-- a note --> to <b>top</b></a> ↑</li><li>\n</li></ul>"
        f"<p><span>{'word ' * 10}</span><span>{'word ' * 10}</span></p>{PROSE}"
        f"<section><em>{' ' * 300}x</em></section></div>"
    )
    texts: dict = {}
    total, _ = text_lengths(root, texts)
    assert text_lengths(root)[0] == total
    labels = [e for e, size in total.items() if size <= _MAX_LABEL and len(e.text_content()) <= MAX_LABEL_TEXT]
    assert list(texts) == labels and all(texts[element] == element.text_content() for element in labels)
    assert {"p", "em", "section"} <= {element.tag for element in total if element not in texts}
