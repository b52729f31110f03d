"""OTA range selectors cut the document like a DOM Range; `remove` takes ranges too."""

from __future__ import annotations

import pytest

from .helpers import extract_html

PAGE = """<html><body><nav>Menu</nav>
<div class="doc"><h1>Privacy</h1><p>Intro.</p>
  <section><h2>Data</h2><p>We collect.</p><p id="stop">Stop here.</p><p>Hidden tail.</p></section>
  <h2 id="toc">Contents</h2><ul><li>Data</li></ul></div>
<footer>Footer</footer></body></html>"""


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (
            {"startBefore": "h1", "endBefore": "#toc"},
            "# Privacy\n\nIntro.\n\n## Data\n\nWe collect.\n\nStop here.\n\nHidden tail.\n",
        ),
        ({"startAfter": "h1", "endBefore": "#stop"}, "Intro.\n\n# Data\n\nWe collect.\n"),
        ({"startBefore": "section h2", "endAfter": "#stop"}, "# Data\n\nWe collect.\n\nStop here.\n"),
        ({"startAfter": "#stop"}, "Hidden tail.\n\n# Contents\n\n- Data\n\nFooter\n"),
    ],
)
def test_range_select(selector: dict[str, str], expected: str) -> None:
    result = extract_html(PAGE, select=[selector])
    assert not result.selector_miss
    assert result.markdown == expected


def test_range_with_missing_end_is_a_miss() -> None:
    result = extract_html(PAGE, select=[{"startBefore": "h1", "endBefore": "#nowhere"}])
    assert result.selector_miss and result.method == "auto"


def test_remove_range_and_several_selects_in_order() -> None:
    markdown = extract_html(
        PAGE, select=["section", "h1"], remove=[{"startAfter": "#stop", "endBefore": "#never"}, "#stop"]
    ).markdown
    assert markdown == "## Data\n\nWe collect.\n\n# Privacy\n"
