"""Hostile input: every case runs in a subprocess under an address-space limit (RLIMIT_AS)
with a generous hang guard, and must end in Markdown or in a clear ExtractionError."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

MEMORY_LIMIT = 2 * 1024**3
HANG_GUARD_SECONDS = 240

CASES = {
    "deep-nesting": "b'<html><body>' + b'<div>' * 10000 + b'deep' + b'</div>' * 10000 + b'</body></html>'",
    "deep-inline-nesting": "b'<p>' + b'<b><i><span>' * 10000 + b'deep' + b'</span></i></b>' * 10000",
    "deep-lists": "b'<ul><li>' * 5000 + b'item' + b'</li></ul>' * 5000",
    # Each level's text is 5 MB of spaces and one letter: short by its words, too long for a
    # label, and not to be kept once for each level.
    "spaces-in-nested-elements": (
        "b'<html><body>' + b'<div>' * 600 + b' ' * 5_000_000 + b'x' + b'</div>' * 600"
        " + b'<p>' + b'Policy text here. ' * 50 + b'</p></body></html>'"
    ),
    # 50 MB: a script and a style blob around 4 MB of policy paragraphs.
    "fifty-megabytes": (
        "b'<html><head><style>' + b'.a{color:red}' * 1500000 + b'</style></head><body><script>'"
        " + b'var x=1;' * 2500000 + b'</script><main>'"
        " + b'<p>We collect your <b>data</b> and <a href=\"/x\">share</a> it.</p>' * 62000 + b'</main></body></html>'"
    ),
    "nul-bytes": "b'<p>before\\x00after</p>\\x00\\x00<p>\\x00more</p>'",
    "broken-markup": "b'<html><body><p>Unclosed <b>bold <table><tr><td>cell</p></li></ul><div>x</b</i><<<>>>&&;'",
    "only-a-script": "b'<html><head><script>document.write(1)</script></head><body><script>1</script></body></html>'",
    "binary-garbage": "bytes(range(256)) * 4000",
    "empty": "b''",
}

RUNNER = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from policydiff.errors import ExtractionError
    from policydiff.extract import extract_capture
    data = {expr}
    try:
        result = extract_capture(data, "text/html")
    except ExtractionError as exc:
        print(json.dumps({{"error": str(exc)}}))
    else:
        print(json.dumps({{"markdown": result.markdown[:2000], "size": len(result.markdown)}}))
    """
)


_OUTCOMES: dict[str, dict] = {}


def run(expr: str) -> dict:
    if expr in _OUTCOMES:
        return _OUTCOMES[expr]
    code = RUNNER.format(limit=MEMORY_LIMIT, expr=expr)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    _OUTCOMES[expr] = json.loads(done.stdout)
    return _OUTCOMES[expr]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_ends_cleanly(name: str) -> None:
    outcome = run(CASES[name])
    assert "markdown" in outcome or outcome["error"].startswith("no text left")


def test_hostile_results_are_sensible() -> None:
    assert run(CASES["nul-bytes"])["markdown"] == "beforeafter\n\nmore\n"
    assert "cell" in run(CASES["broken-markup"])["markdown"]
    assert run(CASES["only-a-script"]) == {"error": "no text left after extraction"}
    big = run(CASES["fifty-megabytes"])
    assert big["markdown"].startswith("We collect your **data** and [share](")
    assert "var x" not in big["markdown"] and big["size"] > 62000 * 30
    # libxml2 stops nesting at depth 255 and drops what lies deeper: the text is gone, which
    # must be said, not crash.
    assert run(CASES["deep-nesting"]) == {"error": "no text left after extraction"}


def test_control_characters_between_dropped_blocks() -> None:
    """Found by the corpus fuzz run: C0 controls in a text next to an edge block the
    extraction drops crashed it (lxml refuses them when two texts are joined)."""
    from policydiff.extract import extract_capture

    page = (
        b'<main>\n\n</main>\n\n</main>\n\n<a href="javascript:x()">a</a>\n\n<script>x()</script>\n\n'
        b'`code`\n\n\x00\x01\x0b\x1f\n\n</main>\n\n<a href="javascript:x()">a</a>\n\n'
        b"<p>Paragraph of policy text that is long enough to be kept as body text.</p>\n\n"
        b"<h2>Heading</h2>\n"
    )
    text = extract_capture(page, "text/html").markdown
    assert "Paragraph of policy text that is long enough" in text
    assert not any(ch in text for ch in "\x00\x01\x0b\x1f")


def test_long_link_targets_are_not_kept_after_the_page() -> None:
    """Link targets are memoised across pages (a worker extracts many captures of a site);
    a hostile page's huge hrefs are resolved the same but not kept."""
    from policydiff.extract import extract_capture
    from policydiff.extract.html import _resolve

    long_target = "https://example.org/" + "a" * 5000
    links = f'Read <a href="{long_target}">this</a> and <a href="/short">that</a>.'
    page = f"<html><body><main><p>{links}</p></main></body></html>"
    _resolve.cache_clear()
    result = extract_capture(page.encode(), "text/html", base_url="https://example.org/policy")
    assert f"]({long_target})" in result.markdown and "](https://example.org/short)" in result.markdown
    assert _resolve.cache_info().currsize == 1


def test_long_class_names_are_not_kept_after_the_page() -> None:
    """Class and id values are matched once per distinct value across pages; a hostile
    page's huge ones are matched the same (the banner still dropped) but not kept."""
    from policydiff.extract import extract_capture
    from policydiff.extract.clean import _match_classes

    long_class = "cookie-banner " + "x" * 5000
    page = (
        f'<html><body><div class="{long_class}"><p>We use cookies. Accept all cookies to continue.</p></div>'
        "<main><p>Paragraph of policy text that is long enough to be kept as body text.</p></main>"
        "</body></html>"
    )
    _match_classes.cache_clear()
    text = extract_capture(page.encode(), "text/html").markdown
    assert "Paragraph of policy text" in text and "cookies" not in text
    assert _match_classes.cache_info().currsize == 0  # the page's only names: too long to keep
