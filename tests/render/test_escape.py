"""The escaping layer: captured text can carry no Markdown or HTML syntax into a page."""

from __future__ import annotations

import markdown
import pytest

from policydiff.escape import external_link, html_text, markdown_html, md_text, plain_title, safe_url

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "Title {: onclick=alert(1) }",
    "**bold** _em_ `code` <b>b</b>",
    "a | b | c",
    "</textarea><script>alert(1)</script> --> ]]>",
    "&lt;already&gt; &amp; &#60;",
]


def site_markdown(text: str) -> str:
    """Render as the site does (the extensions of mkdocs.yml that act on inline text)."""
    return markdown.markdown(text, extensions=["attr_list", "tables", "admonition", "md_in_html", "toc"])


@pytest.mark.parametrize("text", HOSTILE)
def test_md_text_renders_as_the_same_text_and_no_markup(text: str) -> None:
    out = site_markdown(f"# {md_text(text)}\n\n{md_text(text)}")
    assert "<script" not in out and "<b>" not in out and "<strong>" not in out and "<code>" not in out
    assert "onclick=" not in out
    # the reader sees the original characters
    from lxml import html as lxml_html

    shown = lxml_html.fromstring(f"<div>{out}</div>").text_content()
    assert " ".join(text.split()) in shown


def test_md_text_cannot_add_attributes_to_a_heading() -> None:
    out = site_markdown(f"## {md_text('Title { #evil onclick=alert(1) }')}")
    assert 'id="evil"' not in out and "onclick=" not in out


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_in_a_raw_block_stays_text(text: str) -> None:
    out = site_markdown(f'<div class="x">{html_text(text + chr(10) + "```" + chr(10) + "~~~")}</div>')
    assert "<script" not in out and "<code>" not in out and "<pre>" not in out
    assert "\n" not in html_text("a\nb")


def test_bidi_controls_are_shown_not_obeyed() -> None:
    text = "access \u202eecnatsid\u202c here\u2066x\u2069"
    for out in (md_text(text), html_text(text), markdown_html(text), plain_title(text)):
        assert not any(c in out for c in "\u202e\u202c\u2066\u2069")
    assert "⟦U+202E⟧" in html_text(text)


def test_control_characters_are_dropped() -> None:
    assert html_text("a\x02b\x03c\x00d") == "abcd"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "/relative",
        "//evil",
        "",
        " java\nscript:alert(1)",
        "https://exa mple.org/",
    ],
)
def test_unsafe_urls_are_refused(url: str) -> None:
    assert safe_url(url) is None
    assert "href" not in external_link(url, "label")


def test_safe_urls_are_kept_without_markdown_syntax() -> None:
    url = "https://example.org/a_b/[x](javascript:alert(1))?q=`1`&r=<2>'\""
    out = safe_url(url)
    assert out is not None and out.startswith("https://example.org/")
    # `_` stays (unreserved, and inert inside an HTML tag, which Markdown stashes first)
    assert not any(c in out for c in "[]()`<>'\" *")
    link = external_link(url)
    assert link.count('href="') == 1 and 'rel="nofollow noopener noreferrer"' in link


def test_markdown_html_keeps_the_text_and_structure() -> None:
    out = markdown_html(
        "Some **bold** text and a [link](https://example.org/x).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<strong>bold</strong>" in out and "<li>one</li>" in out and "<td>1</td>" in out
    assert '<a href="https://example.org/x" rel="nofollow noopener noreferrer">link</a>' in out


def test_markdown_html_removes_everything_active() -> None:
    hostile = (
        "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)></svg>"
        "<iframe src='https://evil.example/'></iframe><form action='https://evil.example/'><input></form>"
        "<style>body{}</style><p style='color:red' onclick='alert(4)'>styled</p>\n\n"
        "[md](javascript:alert(5)) [data](data:text/html,x) ![pixel](https://evil.example/p.png) "
        "<a href='javascript:alert(6)'>raw</a> <a href='/local'>rel</a>\n\n"
        "```\n<script>alert(7)</script>\n```\n"
    )
    out = markdown_html(hostile).lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "<iframe",
        "<form",
        "<input",
        "<style",
        "style=",
        "javascript:",
        "data:",
        "<img",
        "<svg",
        "evil.example",
        'href="/local"',
    ):
        assert bad not in out, bad
    assert "styled" in out and "raw" in out and "\n" not in out and "`" not in out


def test_plain_title_is_inert_in_any_template() -> None:
    title = plain_title("Evil <script>alert('x')</script> & \"policy\"")
    assert not any(c in title for c in "<>&\"'")
    assert "Evil" in title and "policy" in title
