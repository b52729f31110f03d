"""Rendered diffs (issue 11): a diff reads like the policy, its Markdown shown as headings,
lists, tables, links and emphasis, with exactly the words `diff_versions` marks marked.

Over every change of the bundled archive, and on small texts that isolate one construct."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from policydiff.archive import Archive
from policydiff.diff import SectionChange, word_diff
from policydiff.feeds.entries import diff_html
from policydiff.history import PolicyHistory, load_history
from policydiff.render.diffhtml import FOLD_AT, inline_diff, new_side, old_side

REPO = Path(__file__).resolve().parents[2]
# Markdown syntax a reader must never see as text in a diff block.
MARKDOWN_SYNTAX = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>\s?|\|)|\*\*|\]\(")
WORD = re.compile(r"[^\W_]")  # letters and digits: `_` is also emphasis syntax


@cache
def bundled() -> tuple[PolicyHistory, ...]:
    archive = Archive(REPO / "archive")
    return tuple(load_history(archive, slug) for slug in archive.slugs())


def changed_sections() -> list[tuple[str, int, SectionChange]]:
    return [
        (h.slug, c.number, e) for h in bundled() for c in h.changes for e in c.diff.sections if e.status != "unchanged"
    ]


def tree(fragment: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(fragment or "<span></span>", create_parent="div")


def marked_words(fragment: str, tag: str) -> str:
    """The word characters the rendered HTML marks with `tag`, in order, link targets that
    are only on hover (not shown) aside."""
    return "".join(WORD.findall("".join(node.text_content() for node in tree(fragment).iter(tag))))


LINK_TARGET = re.compile(r"\]\(\s*(?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\s*(?:\)|$)")


LIST_NUMBER = re.compile(r"(?m)^\s*\d+[.)]")  # a list inserted or deleted whole is numbered by HTML


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def test_every_bundled_change_marks_exactly_the_words_of_its_diff() -> None:
    """Rendering never changes which words are marked: every word `diff_versions` inserts
    or deletes is shown marked, in order, and nothing else is, inline and on each side. The
    one thing not shown as text is the target of a link inserted or deleted whole (it is
    the link's, on hover) and the numbers of a list inserted or deleted whole (the list's
    own): so the marked words lie between the diff's words without those and all of them."""
    checked = 0
    for slug, number, entry in changed_sections():
        where = (slug, number, entry.new_id or entry.old_id)
        inline = inline_diff(entry.diff)
        for op, tag, side in ((1, "ins", new_side(entry.diff)), (-1, "del", old_side(entry.diff))):
            text = "".join(t for o, t in entry.diff if o == op)
            every = "".join(WORD.findall(text))
            pieces = (LIST_NUMBER.sub("", LINK_TARGET.sub("]", t)) for o, t in entry.diff if o == op)
            least = "".join(WORD.findall("".join(pieces)))
            for fragment in (inline, side):
                shown = marked_words(fragment, tag)
                assert is_subsequence(least, shown), where
                assert is_subsequence(shown, every), where
        checked += 1
    assert checked > 300


def test_no_diff_block_of_the_bundled_archive_shows_markdown_syntax() -> None:
    """No line of any rendered diff shows `#` headings, list markers, table pipes, `**` or
    `](` as text."""
    for slug, number, entry in changed_sections():
        for fragment in (inline_diff(entry.diff), old_side(entry.diff), new_side(entry.diff)):
            root = tree(fragment)
            for block in root.iter("p", "li", "td", "th", "h3", "h4", "h5", "h6", "blockquote"):
                own = (block.text or "") + "".join(
                    (child.text_content() if child.tag not in {"ul", "ol", "p"} else "") + (child.tail or "")
                    for child in block
                )
                for line in own.split("\n"):
                    found = MARKDOWN_SYNTAX.search(line)
                    assert not found, (slug, number, entry.new_id or entry.old_id, line[:200])


def test_github_2024_02_03_restructure_shows_its_summary_table_as_a_table() -> None:
    history = next(h for h in bundled() if h.slug == "github-privacy-policy")
    change = next(c for c in history.changes if c.published.strftime("%Y-%m-%d") == "2024-02-03")
    summary = next(e for e in change.diff.sections if e.old_title == "Summary")
    root = tree(inline_diff(summary.diff))
    (table,) = root.iter("table")
    headers = [th.text_content() for th in table.iter("th")]
    assert headers == ["Section", "What can you find there?"]
    rows = table.findall(".//tbody/tr")
    assert len(rows) >= 8
    # the section was removed: every cell is marked deleted, row by row
    for row in rows:
        assert row.get("class") == "pd-row-del"
        cells = row.findall("td")
        assert len(cells) == 2 and all(cell.find(".//del") is not None for cell in cells)
    assert "|" not in root.text_content()


def render(old: str, new: str) -> lxml.html.HtmlElement:
    return tree(inline_diff(tuple(word_diff(old, new))))


def test_a_changed_table_cell_is_marked_in_its_cell() -> None:
    old = "| Data | Kept |\n|---|---|\n| Logs | 30 days |\n| Email | 1 year |\n"
    new = "| Data | Kept |\n|---|---|\n| Logs | 90 days |\n| Email | 1 year |\n| Photos | 2 years |\n"
    root = render(old, new)
    rows = root.findall(".//tbody/tr")
    assert [td.text_content() for td in rows[0].findall("td")] == ["Logs", "3090 days"]
    assert rows[0].findall("td")[0].find(".//ins") is None
    assert rows[0].findall("td")[1].find("del").text == "30"
    assert rows[2].get("class") == "pd-row-ins"


def test_a_heading_level_and_a_paragraph_turned_list_item_are_shown() -> None:
    root = render("## Sharing\n\nWe share data.\n", "### Sharing\n\n- We share data.\n")
    assert root.find("h5").text_content().endswith("Sharing")
    assert "was a level-2 heading" in root.find("h5").text_content()
    assert "was a paragraph" in root.find(".//li").text_content()
    assert "#" not in root.text_content() and "- " not in root.text_content()


def test_a_changed_link_target_is_shown_beside_the_link_and_marked() -> None:
    old = "See [our cookies](https://example.com/old-cookies) page.\n"
    new = "See [our cookies](https://example.com/cookies) page.\n"
    root = render(old, new)
    (link,) = root.iter("a")
    assert link.get("href") == "https://example.com/cookies" and link.text_content() == "our cookies"
    target = root.find(".//span[@class='pd-target']")
    assert target is not None and target.find("del").text == "old-"
    same = render(
        "See [our cookies](https://example.com/c) page.\n", "See [our cookies](https://example.com/c) pages.\n"
    )
    assert same.find(".//span[@class='pd-target']") is None
    assert [a.get("title") for a in same.iter("a")] == ["https://example.com/c"]


def test_emphasis_renders_and_inserted_emphasis_marks_no_words() -> None:
    root = render("We **never** sell data.\n", "We **never** sell _your_ data.\n")
    assert root.find(".//strong").text_content() == "never"
    assert root.find(".//ins").text_content().strip() in {"your", "_your_"} or root.find(".//em") is not None
    assert "**" not in root.text_content() and "_" not in root.text_content()


def test_a_changed_list_number_is_shown() -> None:
    root = render("1. First\n2. Second\n", "1. First\n3. Second\n")
    items = root.findall(".//ol/li")
    assert len(items) == 2 and items[1].find("del").text == "2" and items[1].find("ins").text == "3"


def test_folds_cut_only_between_blocks() -> None:
    """A long unchanged run folds, but never inside a paragraph, a list or a table."""
    filler = " ".join(f"word{n}" for n in range(60))
    table = "| A | B |\n|---|---|\n" + "".join(f"| row {n} | {filler} |\n" for n in range(6))
    items = "".join(f"- item {n} {filler}\n" for n in range(6))
    paragraphs = "".join(f"Paragraph {n} {filler}.\n\n" for n in range(6))
    old = f"# Title\n\nStart.\n\n{paragraphs}{table}\n{items}\nEnd.\n"
    new = old.replace("Start.", "Begin.").replace("End.", "Finish.")
    assert len(old) > 3 * FOLD_AT
    root = render(old, new)
    folds = root.findall(".//details[@class='pd-fold']")
    assert folds
    tables = root.findall(".//table")
    assert len(tables) == 1 and len(tables[0].findall(".//tr")) == 7  # never split
    for fold in folds:
        for p in fold.iter("p"):
            assert p.text_content().startswith("Paragraph") and p.text_content().endswith(".")
    words = sum(int(f.find("summary").text.split()[0]) for f in folds)
    assert words > 100


@pytest.mark.parametrize(
    "hostile",
    [
        "[click](javascript:alert(1))",
        "<script>alert(1)</script>",
        "[x](data:text/html,<b>hi</b>)",
        '<img src=x onerror="alert(1)">',
        "**<b onclick=alert(1)>bold</b>**",
    ],
)
def test_captured_markup_stays_text(hostile: str) -> None:
    html = inline_diff(tuple(word_diff("Intro.\n", f"Intro.\n\n{hostile}\n")))
    root = tree(html)
    assert not root.findall(".//script") and not root.findall(".//img") and not root.findall(".//b")
    assert all(a.get("href", "").startswith(("http://", "https://")) for a in root.iter("a"))
    assert "onerror=" not in html.replace("onerror=&quot;", "") or "<img" not in html
    feed, _ = diff_html(tuple(word_diff("Intro.\n", f"Intro.\n\n{hostile}\n")))
    froot = tree(feed)
    assert not froot.findall(".//script") and not froot.findall(".//img") and not froot.findall(".//b")
    assert "class=" not in feed


def test_feed_diff_needs_no_classes_and_keeps_context_short() -> None:
    filler = "\n\n".join(f"Paragraph {n} stays the same." for n in range(40))
    old = f"# Policy\n\n{filler}\n\n- We keep logs for 30 days.\n"
    new = old.replace("30 days", "90 days")
    body, used = diff_html(tuple(word_diff(old, new)))
    root = tree(body)
    assert "class=" not in body and root.find(".//li/del").text == "30"
    assert "Paragraph 5 " not in root.text_content() and "…" in root.text_content()
    assert used == len(body)


def test_a_section_page_offers_its_feed_only_when_the_feed_has_an_entry() -> None:
    from policydiff.feeds import FeedSettings, build_feeds
    from policydiff.render.blocks import RenderSettings
    from policydiff.render.section_page import section_page

    history = next(h for h in bundled() if h.slug == "github-privacy-policy")
    feeds = build_feeds([history], FeedSettings("https://example.org/", "t", max_entries=1000))
    with_entries = {f.home_path for f in feeds if f.entries}
    offered = {True: 0, False: 0}
    for section in history.sections:
        page = section_page(history, section, RenderSettings())
        has = f"policies/{history.slug}/sections/{section.lineage}/" in with_entries
        assert ("Subscribe:" in page) == has, section.lineage
        offered[has] += 1
    assert offered[True] and offered[False]


# Lines that look like the fast path's but are not plain: syntax right after the prefix,
# markers that only count next to another character, controls, and whitespace alone.
TRICKY_LINES = (
    "# Title",
    "#",
    "## ",
    "1. ## Heading in an item",
    "> ### Quoted heading",
    "- [ ] not a link",
    "3) Numbered",
    "***",
    "- - -",
    "|a|b|",
    "|---|",
    "   indented text ",
    "\t\ttabbed",
    "text with ! and ] and ) and > and # inside",
    "a line with a control \x07 and a bidi \u202e override",
    "<https://example.org> autolink",
    "price 5 * 3",
    "snake_case",
    "escaped \\* star",
    "\u00a0led by a no-break space",
    "# \u2003title after an em space",
    "trailing em space\u2003",
    " ",
    "",
)


def test_whole_lines_render_as_read_character_by_character() -> None:
    """A line kept, inserted or deleted whole that has no inline syntax skips the reading by
    character (`_plain`'s shortcut): its HTML must be what that reading gives, on every
    line of every Markdown fixture, with each mark, for pages and for feeds."""
    from policydiff.render.diffhtml import _INLINE_SYNTAX, _plain, _read_plain, kind_of

    lines = {
        line
        for path in sorted((REPO / "tests" / "fixtures").rglob("*.md"))
        for line in path.read_text(encoding="utf-8").split("\n")
    }
    lines.update(TRICKY_LINES)
    shortcut = 0
    for line in sorted(lines):
        kind = kind_of(line)
        shortcut += kind.name not in {"row", "sep"} and _INLINE_SYNTAX.isdisjoint(line[kind.prefix :])
        for mark in (-1, 0, 1):
            for feed in (False, True):
                assert _plain.__wrapped__(line, feed, mark) == _read_plain(line, feed, mark), (line, mark, feed)
    assert shortcut > len(lines) // 3  # the shortcut is what most lines take
