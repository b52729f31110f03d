"""Generated pages converted with their raw HTML blocks swapped out (`mkdocs_plugin.rawblocks`)
give exactly what MkDocs' own conversion gives, HTML and anchors, for blocks that pass
through verbatim and for lines that only look like them."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from site_support import REPO

from policydiff.mkdocs_plugin.rawblocks import RawBlocks

LONG = "word " * 80
PAGES = {
    "verbatim blocks": (
        f'# Title\n\nSome text.\n\n<div class="pd-text"><p id="a1">{LONG}</p><h3 id="h">x</h3></div>\n\n'
        f'## Next {{ #next }}\n\n<details class="pd-fold"><summary>s</summary><p>{LONG}<br>b</p></details>\n\n'
        "Tail [link](#h).\n"
    ),
    "anchors spelled every way": (
        f"Intro.\n\n<div class=\"pd-text\"><p ID='a2'>{LONG}</p><a NAME=n2>x</a><b/id=slash>y</b>"
        f'<span data-id="no" title="id">id name=</span><i\tid="tab">z</i><u id>v</u></div>\n\n'
        f'<div class="pd-text"><p>{LONG} id="not-a-tag"</p></div>\n\nMore.\n'
    ),
    "inline HTML, not a block": f"Intro.\n\n<small>{LONG}</small>\n\nMore.\n",
    "a tab, expanded by Markdown": f'Intro.\n\n<div class="pd-text">\t{LONG}</div>\n\nMore.\n',
    "two blocks on one line": f"Intro.\n\n<div>{LONG}</div><div>{LONG}</div>\n\nMore.\n",
    "unclosed block": f"Intro.\n\n<div><p>{LONG}</p>\n\nMore *text*.\n\n</div>\n",
    "Markdown inside": f'Intro.\n\n<div markdown="1">*{LONG}*</div>\n\nMore.\n',
    "inside a fence": f"Intro.\n\n```\n\n<div>{LONG}</div>\n\n```\n\nMore.\n",
}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("rawblocks")
    (root / "docs").mkdir()
    path = root / "mkdocs.yml"
    path.write_text(f"INHERIT: {REPO / 'mkdocs.yml'}\ndocs_dir: {root / 'docs'}\nplugins: []\n", encoding="utf-8")
    config = load_config(str(path))
    config.plugins._current_plugin = None  # set by MkDocs while a plugin runs; File.generated reads it
    return config


def converted(config, markdown: str, raw: RawBlocks | None) -> Page:  # type: ignore[no-untyped-def]
    file = File.generated(config, "page/index.md", content=markdown)
    page = Page(None, file, config)
    page.markdown = markdown
    files = Files([file])
    if raw is None:
        page.render(config, files)
    else:
        raw.render(page, config, files)
        assert page.markdown == markdown
    return page


@pytest.mark.parametrize("name", list(PAGES))
def test_swapped_conversion_is_identical(config, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = RawBlocks()
    raw.start_build(config)
    markdown = PAGES[name]
    usual = converted(config, markdown, None)
    for _ in range(2):  # the second time from the verdicts kept
        fast = converted(config, markdown, raw)
        assert fast.content == usual.content
        assert fast.present_anchor_ids == usual.present_anchor_ids
        assert fast.toc.items == usual.toc.items or str(fast.toc) == str(usual.toc)
    if name == "verbatim blocks":
        assert raw.swapped == 4  # both blocks, twice


def test_the_bundled_site_pages_convert_identically(config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every generated page of the bundled archive, both ways."""
    from policydiff.archive import Archive
    from policydiff.history import load_history
    from policydiff.render import render_site

    store = Archive(REPO / "archive")
    files = render_site([load_history(store, slug) for slug in store.slugs()])
    raw = RawBlocks()
    raw.start_build(config)
    pages = [path for path in files if path.endswith(".md")]
    for path in pages[:: max(1, len(pages) // 60)]:  # a spread of every kind of page
        text = files[path]
        assert isinstance(text, str)
        body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
        assert converted(config, body, raw).content == converted(config, body, None).content, path
    assert raw.swapped > 0


SHAPES = [
    '<div class="pd-text"><p>plain &amp; &#x27;escaped&#39; text</p></div>',
    "<div><p>unclosed inside</div>",
    '<div class="pd-sbs" data-search-exclude><br><hr><img src="x.png"></div>',
    '<details class="pd-fold"><summary>s</summary><table><tr><td>| a |</td></tr></table></details>',
    "<p>a paragraph of its own</p>",
    '<div><a href="https://example.org/?a=1&amp;b=2" title="x &gt; y">x</a></div>',
    "<div>a</div>b",
    "<div>a</div><div>b</div>",
    "<div></span></div>",
    "<div>a > b</div>",
    "<div>&amp no semicolon</div>",
    "<div>&#xZZ;</div>",
    "<DIV>upper case</DIV>",
    "<div title='single'>x</div>",
    '<div\ttitle="tab">x</div>',
    "<div>\u2028</div>",
    "<div>\x02amp\x03</div>",
    "<div><!-- comment --></div>",
    "<div><script>x</script></div>",
    "<div><title>x</title></div>",
    '<div markdown="1">*x*</div>',
    '<div><p markdown="1">*x*</p></div>',
    "<hr>",
    "<hr><div>x</div>",
    "<span>inline</span>",
    "text <div>x</div>",
    "<div>x</div >",
    '<div class="a"/>',
    "<div><div>x</div>",
    "<div>x</div></div>",
]


def test_a_line_shown_to_pass_through_converts_to_itself(config) -> None:  # type: ignore[no-untyped-def]
    """The shape check never says yes where Python-Markdown's own conversion says no."""
    from policydiff.mkdocs_plugin.rawblocks import _passes_through

    raw = RawBlocks()
    raw.start_build(config)
    raw._anchors("<div>x</div>", config)  # makes the site's Markdown
    assert raw._md is not None and raw._known_processors
    proved = [line for line in SHAPES if _passes_through(line, raw._md)]
    assert len(proved) == 6  # the first six
    for line in SHAPES:
        converts = raw._converts_to_itself(line)
        assert converts or line not in proved, line
