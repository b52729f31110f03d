"""The Markdown writer and the canonical form, on fragments cut from real captures."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from policydiff import normalise
from policydiff.extract.markdown import collapse_whitespace
from policydiff.normalise import normalise_markdown, visible_text

from .helpers import extract_html


def md(html: str, **rules) -> str:
    return extract_html(html, **rules).markdown


def test_heading_levels_stay_relative() -> None:
    # GitHub docs: the page's title is an h1 outside the article, sections are h2, h3.
    html = "<main><h2>The short version</h2><p>We use it.</p><h3>Who is responsible?</h3><p>GitHub.</p></main>"
    assert md(html) == "# The short version\n\nWe use it.\n\n## Who is responsible?\n\nGitHub.\n"


def test_lists_nested_and_ordered() -> None:
    html = "<main><ol start='3'><li>Access<ul><li>a copy</li><li>corrections</li></ul></li><li>Erasure</li></ol></main>"
    assert md(html) == "3. Access\n    - a copy\n    - corrections\n4. Erasure\n"


def test_tables_are_pipe_tables_and_layout_tables_are_not() -> None:
    data = "<table><tr><th>Cookie</th><th>Purpose</th></tr><tr><td>auth</td><td>Identify | users</td></tr></table>"
    assert md(data) == "| Cookie | Purpose |\n|---|---|\n| auth | Identify \\| users |\n"
    layout = "<table><tr><td><h1>Privacy</h1><p>Intro.</p></td><td><p>More.</p></td></tr></table>"
    assert md(layout) == "# Privacy\n\nIntro.\n\nMore.\n"


def test_br_lines_are_separate_blocks() -> None:
    # meetic/lovoo: addresses written as <br>-separated lines.
    html = "<main><p>Sächsische Datenschutzbeauftragte<br>Devrientstraße 5<br/>01067 Dresden</p></main>"
    assert md(html) == "Sächsische Datenschutzbeauftragte\n\nDevrientstraße 5\n\n01067 Dresden\n"


def test_bold_only_short_paragraph_becomes_a_heading_below_the_last_one() -> None:
    html = "<main><h2>Rights</h2><p><strong>Access</strong></p><p>You may ask <b>us</b>.</p></main>"
    assert md(html) == "# Rights\n\n## Access\n\nYou may ask **us**.\n"


def test_text_that_looks_like_markup_is_escaped() -> None:
    html = "<main><p>&lt;script&gt;alert(1)&lt;/script&gt; costs 5 * 3 [sic]</p><p>1. not a list</p></main>"
    markdown = md(html)
    assert "<script" not in markdown
    assert "&lt;script>alert(1)&lt;/script> costs 5 \\* 3 \\[sic\\]" in markdown
    assert "1\\. not a list" in markdown


def test_unsafe_links_keep_their_text_only() -> None:
    html = "<main><p><a href='javascript:alert(1)'>Click</a> or <a href='data:text/html,x'>this</a>.</p></main>"
    assert md(html) == "Click or this.\n"


def test_canonical_form_spaces_invisibles_nfc() -> None:
    raw = "Caf\u0065\u0301\u00a0au\u200b lait  \t \n\n\n\nnext\u2003line  \n"
    assert normalise_markdown(raw) == "Café au lait\n\nnext line\n"


def test_canonical_form_line_ends_and_code_blocks() -> None:
    assert normalise_markdown("One\r\ntwo\rthree\n") == "One\ntwo\nthree\n"
    # A code block keeps its spaces: what is inside a fence is not prose.
    for fence in ("```", "~~~"):
        block = f"Intro\n\n{fence}\nkey  =  value\n{fence}\n"
        assert normalise_markdown(block) == block
    assert normalise_markdown("Not  code: `x`  ~y~\n") == "Not code: `x` ~y~\n"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_markdown(text)
    assert normalise_markdown(once) == once


# Spaces a browser collapses and spaces it keeps (no-break, ideographic, next line, the
# C0 separators `str.split` takes for spaces), and lone surrogates.
_AWKWARD = st.sampled_from([" ", "  ", "\t", "\n", "\r", "\f", "\x0b", "\xa0", "\u3000", "\x85", "\x1c", "\x1f",
                            "\ud800", "a", "é", "中", "😀"])  # fmt: skip


@given(st.lists(_AWKWARD, max_size=30).map("".join))
def test_collapse_whitespace_is_a_browsers_collapsing_then_strip(text: str) -> None:
    # Its fast paths (no run to collapse; the UTF-8 split) give what the definition does.
    assert collapse_whitespace(text) == re.sub(r"[ \t\n\r\f]+", " ", text).strip()


def test_visible_text_knows_every_space_str_split_splits_at() -> None:
    # Its fast path collapses spaces and line ends only, after a search for every other
    # character `str.split` takes for a space: one missing from that search is caught here.
    for code in range(0x110000):
        if chr(code).isspace():
            text = f"a{chr(code)}{chr(code)} b\n\n c "
            assert normalise._one_line(text) == " ".join(text.split()), hex(code)


@given(st.lists(_AWKWARD, max_size=30).map("".join))
def test_visible_text_lines_are_joined_as_split_joins_them(text: str) -> None:
    assert normalise._one_line(text) == " ".join(text.split())


def test_visible_text_ignores_markup() -> None:
    a = "# Title\n\n- See [our FAQ](https://a.example/faq?x=1) **now**.\n"
    b = "## Title\n\n1. See [our FAQ](https://b.example/help) now.\n"
    assert visible_text(a) == visible_text(b) == "Title See our FAQ now."
    assert visible_text(a) != visible_text(a.replace("now", "later"))
