"""Where significance, headlines, watched terms and charts show: the change page opens with
them, the timeline starts with its chart, the home page has its calendar and can list only
major changes, feeds follow `feeds_min_significance` (and its alias), watched terms are
marked in diffs and have feeds of their own."""

from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest

from history_fixtures import history_of
from policydiff.feeds import FeedSettings, build_feeds
from policydiff.render.blocks import RenderSettings
from policydiff.render.change_page import change_page
from policydiff.render.overview import overview_markdown
from policydiff.render.terms import highlight_terms
from policydiff.render.timeline import timeline_page
from policydiff.watch import matcher_for

POLICY = """# Privacy policy

Last updated: January 1, 2020

## Information we collect

We collect your name and email address when you register.

## Data sharing

We do not share your data with anyone.

## Retention

We keep your data for 30 days.
"""
# Three reviewed edits of the same text: a new AI sentence (major), a word (minor), a comma.
AI = POLICY.replace(
    "when you register.", "when you register. We use your messages to train machine learning models."
).replace("January 1, 2020", "March 1, 2020")
WORD = AI.replace("your name", "your full name")
COMMA = WORD.replace("We keep your data", "We keep, your data")
SETTINGS = FeedSettings("https://example.org/site/", "Site")


def history():  # type: ignore[no-untyped-def]
    return history_of("acme", [POLICY, AI, WORD, COMMA], name="Acme <b>Corp</b>")


def test_change_page_opens_with_headline_significance_and_reasons() -> None:
    h = history()
    ai, word, comma = h.changes
    assert [c.significance for c in h.changes] == ["major", "minor", "trivial"]
    page = change_page(h, ai)
    body = page.split(" · change 1 · ", 1)[1].split("\n", 1)[1]  # after the breadcrumb line
    first = body.lstrip().splitlines()[0]
    assert first.startswith('<span class="pd-sig pd-sig-major">Major</span> Adds text about AI')
    assert '!!! warning "Why it is a major change"' in page
    # watched terms are marked in its diff, not by colour alone (a title and a class)
    assert '<mark class="pd-term" data-term="ai" title="watched term: AI and machine learning">' in page
    assert "Minor</span>" in change_page(h, word) and "Trivial</span>" in change_page(h, comma)


def test_timeline_starts_with_its_chart_and_lists_headlines() -> None:
    h = history()
    page = timeline_page(h)
    after_intro = page.split("captures.\n\n", 1)[1]
    assert after_intro.lstrip().startswith('<figure class="pd-chart" id="pd-timeline-chart">')
    figure = lxml.html.fragment_fromstring(after_intro.split("</figure>")[0] + "</figure>")
    svg = figure.find(".//svg")
    assert svg.get("role") == "img" and svg.find("title").text.startswith("Changes of the Acme")
    assert "1 major, 1 minor, 1 trivial" in svg.find("desc").text
    assert len(svg.findall(".//g")) == 3 and svg.find(".//path") is not None  # one mark each; a triangle
    assert "<b>" not in after_intro.split("</figure>")[0]  # the policy's name is text
    assert "Adds text about AI and machine learning" in page.split("</figure>")[1]


def test_home_calendar_and_majors_only() -> None:
    h = history()
    every = overview_markdown([h], "index.md", RenderSettings())
    assert '<figure class="pd-chart" id="pd-calendar-chart">' in every
    assert "| 2020-01 | 3 | 1 |" in every  # the calendar's numbers, as a table
    majors = overview_markdown([h], "index.md", RenderSettings(latest_min_significance="major"))
    latest = majors.split("Latest major changes", 1)[1]
    assert "pd-sig-major" in latest and "pd-sig-minor" not in latest and "pd-sig-trivial" not in latest


def test_feeds_follow_min_significance_and_the_trivial_alias() -> None:
    h = history()

    def titles(settings: FeedSettings) -> list[str]:
        return [e.title for e in build_feeds([h], settings)[1].entries]

    assert len(titles(SETTINGS)) == 2  # minor by default
    assert len(titles(replace(SETTINGS, min_significance="major"))) == 1
    assert len(titles(replace(SETTINGS, include_trivial=True))) == 3
    assert titles(replace(SETTINGS, min_significance="trivial")) == titles(replace(SETTINGS, include_trivial=True))
    (entry,) = build_feeds([h], replace(SETTINGS, min_significance="major"))[1].entries
    assert entry.title.startswith("Acme <b>Corp</b>: Adds text about AI and machine learning")


def test_term_feeds_list_the_changes_of_their_group() -> None:
    feeds = {f.dir: f for f in build_feeds([history()], SETTINGS)}
    assert {"feeds/terms/ai/", "feeds/terms/sale/", "feeds/terms/third-parties/"} <= set(feeds)
    (entry,) = feeds["feeds/terms/ai/"].entries
    assert "machine learning" in entry.title and not feeds["feeds/terms/sale/"].entries
    assert feeds["feeds/terms/ai/"].home_path == "watched-terms/ai/"


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_highlight_marks_text_nodes_only(language: str) -> None:
    word = {"en": "artificial intelligence", "fr": "intelligence artificielle", "de": "Künstliche Intelligenz"}[
        language
    ]
    html = (
        f'<div class="pd-inline" title="ai sell">Our {word} &amp; <ins class="pd-ins">more</ins>'
        f"<details><summary>12 unchanged words about {word}</summary>{word}</details></div>"
    )
    out = highlight_terms(html, matcher_for(language))
    assert out.count('<mark class="pd-term" data-term="ai"') == 2  # the text and the folded text, not the label
    assert 'title="ai sell"' in out and f"<summary>12 unchanged words about {word}</summary>" in out
    assert lxml.html.fragment_fromstring(out).text_content() == lxml.html.fragment_fromstring(html).text_content()
