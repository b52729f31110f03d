"""Advance notice on real texts: GitHub's Privacy Statement of 2024 says "Effective date:
February 1, 2024"; captured on 2024-01-02 (the day such a change is posted, 30 days ahead),
it is an upcoming change until that date, and the policy page switches by itself at the
first build after it. The build date is fixed (SOURCE_DATE_EPOCH), so nothing here depends
on the day the tests run."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest
from site_support import BIN, write_config

from policydiff.archive import Archive
from policydiff.errors import PolicyDiffError
from policydiff.feeds import FeedSettings, build_feeds, feed_documents
from policydiff.history import load_history
from policydiff.render import render_policy
from policydiff.render.blocks import src
from policydiff.times import build_date
from policydiff.urls import change_page, policy_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GITHUB = FIXTURES / "github-site-policy" / "github-privacy-statement" / "versions"
SLUG = "github-privacy-statement"
BEFORE, AFTER = date(2024, 1, 15), date(2024, 2, 2)


@pytest.fixture
def github(cli, archive_dir: Path) -> Archive:
    cli("add", SLUG, "--name", "GitHub Privacy Statement", "--url", "https://github.com/github/site-policy")
    cli("ingest", SLUG, GITHUB / "20231228T004138Z.md")
    # the 2024 text as it was posted, 30 days before it took effect (its own words: February 1, 2024)
    cli("ingest", SLUG, GITHUB / "20240418T002248Z.md", "--captured", "2024-01-02T00:00:00Z")
    return Archive(archive_dir)


def epoch(day: date) -> str:
    return str(int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()))


def test_build_date_honours_source_date_epoch() -> None:
    assert build_date({"SOURCE_DATE_EPOCH": epoch(BEFORE)}) == BEFORE
    assert build_date({}) == datetime.now(UTC).date()
    with pytest.raises(PolicyDiffError, match="SOURCE_DATE_EPOCH='soon'"):
        build_date({"SOURCE_DATE_EPOCH": "soon"})


def test_an_upcoming_change_before_and_after_its_date(github: Archive) -> None:
    before = load_history(github, SLUG, build_date=BEFORE)
    after = load_history(github, SLUG, build_date=AFTER)
    (change,) = before.changes
    assert change.effective == "2024-02-01" and change.notice_days == 30 and change.upcoming
    assert before.in_force.id == change.old.version and before.latest.id == change.new.version
    assert not after.changes[0].upcoming and after.in_force.id == change.new.version

    page = render_policy(before).files[src(policy_page(SLUG))]
    assert "## Upcoming change&#44; effective 2024&#45;02&#45;01" in page
    assert "30 days of notice" in page
    assert page.index("Upcoming change") < page.index("Current text: version")
    assert f"Current text: version [{change.old.version}]" in page
    assert page.count('class="pd-upcoming-diff"') == sum(e.status != "unchanged" for e in change.diff.sections)
    assert '<ins class="pd-ins"' in page and '<del class="pd-del"' in page  # the diff against the text in force

    switched = render_policy(after).files[src(policy_page(SLUG))]
    assert "Upcoming change" not in switched and f"Current text: version [{change.new.version}]" in switched
    assert (
        "Took effect on 2024&#45;02&#45;01&#44; 30 days after it was first captured"
        in (render_policy(after).files[src(change_page(change))])
    )

    # the feed entry is published when the text was first captured, and says the same on either day
    settings = FeedSettings(site_url="https://example.org/", site_name="Watch")
    entries = []
    for history in (before, after):
        (feed,) = [f for f in build_feeds([history], settings) if f.dir == f"feeds/{SLUG}/"]
        parsed = feedparser.parse(feed_documents(feed)[f"feeds/{SLUG}/atom.xml"])
        entries.append(parsed.entries[0])
    assert entries[0].published.startswith("2024-01-02")
    assert "Effective 2024-02-01, 30 days after it was first captured." in entries[0].content[0].value
    assert entries[0].content[0].value == entries[1].content[0].value and entries[0].id == entries[1].id


def test_a_note_gives_the_effective_date_the_text_does_not(cli, github: Archive) -> None:
    cli("ingest", SLUG, GITHUB / "20260324T002736Z.md", "--captured", "2024-03-01T00:00:00Z")
    last = load_history(github, SLUG, build_date=date(2024, 3, 2)).changes[-1]
    assert last.effective is None  # its text still says February 1, 2024: that is not notice
    cli("note", SLUG, last.new.version, "--text", "Clarifications.", "--effective", "2024-04-01")
    history = load_history(Archive(github.root), SLUG, build_date=date(2024, 3, 2))
    assert history.changes[-1].upcoming and history.changes[-1].notice_days == 31
    assert history.in_force.id == last.old.version
    assert "Upcoming change&#44; effective 2024&#45;04&#45;01" in render_policy(history).files[src(policy_page(SLUG))]


def test_the_built_site_switches_at_the_first_build_after_the_date(github: Archive, tmp_path: Path) -> None:
    config = write_config(tmp_path, github.root)
    pages = {}
    for day in (BEFORE, AFTER):
        site = tmp_path / f"site-{day}"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": epoch(day)}
        proc = subprocess.run(
            [str(BIN / "mkdocs"), "build", "--strict", "-f", str(config), "-d", str(site)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
        pages[day] = (site / policy_page(SLUG) / "index.html").read_text(encoding="utf-8")
    assert "Upcoming change, effective 2024-02-01" in pages[BEFORE]
    assert "Upcoming change" not in pages[AFTER]
