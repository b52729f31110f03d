"""What every surface says about each change of a history, read back from what it shows: the
change page and the timeline (HTML), the feed entry, the CLI's JSON (`diff --json`,
`history --json`) and the compare page's JSON. The parity tests assert they all agree."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from click.testing import CliRunner

from policydiff import urls
from policydiff.cli import main
from policydiff.feeds import FeedSettings, build_feeds
from policydiff.history import FLAG_NAMES, PolicyHistory
from policydiff.times import format_iso
from policydiff.wording import FLAG_TITLES

SITE_URL = "https://example.org/parity/"
TITLE_TO_FLAG = {title: name for name, title in FLAG_TITLES.items()}


@dataclass(frozen=True)
class Said:
    """What one surface says about one change (None where it does not say)."""

    flags: tuple[str, ...] | None = None  # every flag set, the contract's names
    reverts_to: str | bool | None = False  # False: not said
    shown: tuple[str, ...] | None = None  # the flags a reader is shown, by title
    labels: tuple[str, ...] | None = None  # each changed section's label, in order
    significance: str | None = None  # major | minor | trivial
    headline: str | None = None


def _texts(nodes: list) -> tuple[str, ...]:  # type: ignore[type-arg]
    return tuple(" ".join(n.text_content().split()) for n in nodes)


def change_page(html: bytes) -> Said:
    tree = lxml.html.fromstring(html)
    titles = _texts(tree.xpath("//article//div[contains(@class, 'admonition')]/p[@class='admonition-title']"))
    shown = tuple(title for title in titles if not title.startswith("Why it is"))
    labels = _texts(tree.xpath("//article//span[contains(@class, 'pd-badge')]"))
    (level,) = tree.xpath("//article//p[contains(@class, 'pd-headline')]/span[contains(@class, 'pd-sig')]/@class")
    return Said(shown=shown, labels=labels, significance=level.rsplit("pd-sig-", 1)[1])


def timeline_row(html: bytes, number: int) -> Said:
    """The timeline's row of change `number` (the period it led to)."""
    tree = lxml.html.fromstring(html)
    rows = tree.xpath("(//article//table)[1]/tbody/tr")
    cells = rows[number].xpath("td")
    (level,) = cells[4].xpath(".//span[contains(@class, 'pd-sig')]/@class")
    return Said(shown=_texts(cells[6].xpath(".//strong")), significance=level.rsplit("pd-sig-", 1)[1])


def feed_entries(history: PolicyHistory) -> dict[str, Said]:
    """Change key -> what its entry in the policy's feed says (every change, trivial ones too)."""
    settings = FeedSettings(SITE_URL, "parity", max_entries=100_000, include_trivial=True)
    policy_feed = build_feeds([history], settings)[1]
    out = {}
    for entry in policy_feed.entries:
        tree = lxml.html.fragment_fromstring(entry.content_html, create_parent="div")
        lines = [" ".join(p.text_content().split()) for p in tree.xpath("./p[strong]")]
        shown = tuple(title for line in lines for title in FLAG_TITLES.values() if line.startswith(f"{title}. "))
        labels = _texts(tree.xpath("(//table)[1]/tbody/tr/td[2]"))  # the summary (diffs may hold tables)
        flags = tuple(sorted(c.replace(" ", "_") for c in entry.categories if c.replace(" ", "_") in FLAG_NAMES))
        level = next(c for c in reversed(entry.categories) if c in ("major", "minor", "trivial"))
        key = entry.url.rstrip("/").rsplit("/", 1)[1]
        out[key] = Said(
            flags=flags,
            shown=shown,
            labels=tuple(label for label in labels if label),
            significance=level,
            headline=entry.title.split(": ", 1)[1],
        )
    return out


def cli_json(archive: Path, slug: str) -> tuple[Callable[[str, str], Said], list[Said]]:
    """`diff --json` of a pair, and `history --json`'s change objects, in order."""
    runner = CliRunner()

    def run(*args: str) -> object:
        result = runner.invoke(main, ["--archive", str(archive), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def diff(old: str, new: str) -> Said:
        """FROM and TO as the times the two periods start: the very change, even when the
        history has the same pair of versions more than once (A -> B -> A -> B)."""
        summary = run("diff", slug, old, new, "--json")["summary"]  # type: ignore[index]
        return Said(
            flags=tuple(summary["flags"]),
            reverts_to=summary["reverts_to"],
            significance=summary["significance"],
            headline=summary["headline"],
        )

    periods = run("history", slug, "--json")
    listed = [
        Said(
            flags=tuple(p["change"]["flags"]),  # type: ignore[index]
            reverts_to=p["change"]["reverts_to"],  # type: ignore[index]
            significance=p["change"]["significance"],  # type: ignore[index]
            headline=p["change"]["headline"],  # type: ignore[index]
        )
        for p in periods[1:]  # type: ignore[index]
    ]
    return diff, listed


def compare_json(changes_json: Mapping[str, object]) -> list[Said]:
    out = []
    for change in changes_json["changes"]:  # type: ignore[attr-defined]
        labels = tuple(s["label"] for s in change["sections"] if s["status"] != "unchanged")
        shown = tuple(flag["title"] for flag in change["shown"])
        out.append(
            Said(
                flags=tuple(change["flags"]),
                reverts_to=change["reverts_to"],
                shown=shown,
                labels=labels,
                significance=change["significance"],
                headline=change["headline"],
            )
        )
    return out


def check_history(history: PolicyHistory, archive: Path, page: Callable[[str], bytes]) -> int:
    """Every surface agrees on every change of `history`; `page(path)` is a built page's
    HTML by its site path (`urls`). Returns how many changes were checked."""
    timeline = page(urls.timeline_page(history.slug))
    feeds = feed_entries(history)
    diff, listed = cli_json(archive, history.slug)
    compared = compare_json(json.loads(page(urls.compare_page(history.slug) + "changes.json")))
    assert len(listed) == len(compared) == len(history.changes) == len(feeds)
    for change in history.changes:
        where = (history.slug, change.number, change.key)
        flags = change.flags.names
        shown_page = change_page(page(urls.change_page(change)))
        row = timeline_row(timeline, change.number)
        entry = feeds[change.key]
        cli = diff(format_iso(change.old.start), format_iso(change.new.start))
        record = compared[change.number - 1]
        # the flags set: the contract's names and the version returned to
        for said in (entry, cli, listed[change.number - 1], record):
            assert said.flags == flags, (where, said)
        for said in (cli, listed[change.number - 1], record):
            assert said.reverts_to == change.flags.reverts_to, (where, said)
        # its significance and headline
        for said in (entry, cli, listed[change.number - 1], record, shown_page, row):
            assert said.significance == change.significance, (where, said)
        for said in (cli, listed[change.number - 1], record):
            assert said.headline == change.headline, (where, said)
        assert entry.headline and change.headline.startswith(entry.headline.split(" (back to")[0].rstrip("…")), where
        # the flags shown, by their titles
        titles = shown_page.shown
        assert all(title in TITLE_TO_FLAG for title in titles or ()), (where, titles)
        assert set(TITLE_TO_FLAG[t] for t in titles or ()) <= set(flags), where
        for said in (row, entry, record):
            assert said.shown == titles, (where, said, titles)
        # each changed section's label
        assert record.labels == shown_page.labels, where
        assert entry.labels == shown_page.labels[: len(entry.labels or ())] and entry.labels, where
    return len(history.changes)
