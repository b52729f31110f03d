"""The CDX listing and memento download against replays of real Wayback Machine exchanges."""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime

import pytest

from policydiff.ingest.fetch import Fetcher
from policydiff.ingest.pages import soft_404_reason
from policydiff.ingest.wayback import (
    CdxRecord,
    Skip,
    WaybackClient,
    WaybackError,
    collapse_runs,
    parse_cdx,
)

from .replay import DEVIANTART, GOOGLE, FakeClock, Replay, load_cassette


def recorded_cdx_lines(name: str) -> list[str]:
    lines = []
    for interaction in load_cassette(name):
        body = interaction["response"]["body"]["string"]
        text = gzip.decompress(body).decode() if isinstance(body, bytes) else body
        lines.extend(line for line in text.split("\n") if len(line.split(" ")) == 7)
    return lines


def list_all(client: WaybackClient, url: str, since: str, until: str) -> tuple[list[CdxRecord], int]:
    records, key, pages = [], None, 0
    while True:
        page, key = client.cdx_page(url, since, until, key)
        records.extend(page)
        pages += 1
        if key is None:
            return records, pages


def test_cdx_pages_are_followed_through_their_resume_keys(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_search_multipage.yaml")
    records, pages = list_all(client, "cnn.com", "20010410000000", "20010510000000")
    recorded = load_cassette("test_search_multipage.yaml")
    assert pages == len(recorded)
    assert replay.count("cdx cnn.com") == len(recorded)
    # Every capture line of every recorded page, in order, and nothing else.
    expected = [line.split(" ")[1] for line in recorded_cdx_lines("test_search_multipage.yaml")]
    assert [r.timestamp for r in records] == expected
    assert all(r.original.startswith(("http://www.cnn.com", "http://cnn.com")) for r in records)
    assert {r.status for r in records} >= {"200", "302"}


def test_cdx_page_without_resume_key_is_the_last() -> None:
    records, key = parse_cdx("com,x)/ 20200101000000 https://x.com/ text/html 200 ABC 12\n")
    assert key is None and records == [CdxRecord("20200101000000", "https://x.com/", "text/html", "200", "ABC", "12")]


def test_collapse_keeps_the_first_and_last_of_each_run(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_search_multipage.yaml")
    records, _ = list_all(client, "cnn.com", "20010410000000", "20010510000000")
    kept, collapsed = collapse_runs(records)
    unique = sorted({r.key: r for r in records}.values(), key=lambda r: (r.timestamp, r.original))
    assert len(unique) < len(records)  # the real listing repeats lines across pages
    expected = []
    for _, sightings in itertools.groupby(sorted(unique, key=lambda r: r.original), key=lambda r: r.original):
        runs = [list(run) for _, run in itertools.groupby(sightings, key=lambda r: r.digest)]
        expected += [r for run in runs for r in ([run[0], run[-1]] if len(run) > 1 else run)]
    assert len(expected) < len(unique)  # real runs of unchanged captures were collapsed
    assert kept == sorted(expected, key=lambda r: (r.timestamp, r.original))
    assert collapsed == len(unique) - len(kept)


def test_a_blocked_url_is_refused_with_a_clear_message(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_search_raises_for_blocked_urls.yaml")
    with pytest.raises(WaybackError, match=r"refuses to list this URL \(blocked"):
        client.cdx_page("https://nationalpost.com/health", "20191001000000", "20191002000000", None)


def test_historical_redirects_are_followed_to_the_final_memento(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_with_redirects.yaml")
    record = CdxRecord(
        "20180808094144", "https://www.epa.gov/ghgreporting/san5779-factsheet", "text/html", "301", "X", "-"
    )
    memento = client.fetch(record)
    target = (
        "https://www.epa.gov/ghgreporting/proposed-rule-fact-sheet-greenhouse-gas-reporting-program-addition-global-"
        "warming"
    )
    assert memento.original_url.startswith(target)
    assert memento.redirects == [memento.original_url]  # one redirect by the site; the other was the archive's
    assert memento.captured_at == datetime(2018, 8, 8, 10, 45, tzinfo=UTC)  # the final memento's own time
    assert memento.wayback_url == f"{replay.base}/web/20180808104500id_/{memento.original_url}"
    assert b"Greenhouse Gas Reporting Program" in memento.data
    assert replay.count("/web/") == 3


def test_a_redirect_chain_across_hosts_and_times(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_follows_historical_redirects.yaml")
    record = CdxRecord("20200201020357", "http://epa.gov/climatechange", "text/html", "301", "X", "-")
    memento = client.fetch(record)
    assert memento.redirects == [
        "https://www.epa.gov/climatechange",
        "https://www.epa.gov/sites/production/files/signpost/cc.html",
    ]
    assert memento.captured_at == datetime(2020, 2, 1, 2, 44, 5, tzinfo=UTC)
    assert len(memento.data) > 10_000


def test_a_redirect_loop_is_skipped(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_raises_for_mementos_that_redirect_in_a_loop.yaml")
    record = CdxRecord(
        "20200925075402", "https://link.springer.com/article/10.1007/s00382-012-1331-2", "text/html", "303", "X"
    )
    with pytest.raises(Skip, match="redirect loop"):
        client.fetch(record)


def test_an_archived_429_is_history_not_throttling(replay: Replay, client: WaybackClient, clock: FakeClock) -> None:
    replay.add_cassette("test_get_memento_works_on_archived_rate_limit_responses.yaml")
    record = CdxRecord("20150129034904", "http://www.reddit.com/r/PokemonGiveaway", "text/html", "429", "X")
    with pytest.raises(Skip, match="the site answered HTTP 429 when captured"):
        client.fetch(record)
    assert replay.count("/web/") == 1  # not retried
    assert clock.sleeps == []


def test_a_blocked_memento_is_not_playable(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_raises_blocked_error.yaml")
    record = CdxRecord("20170929002712", "https://nationalpost.com/health/", "text/html", "200", "X")
    with pytest.raises(Skip, match="not playable: the Wayback Machine answered HTTP 200 without a memento"):
        client.fetch(record)


def test_listing_stays_under_the_archive_limit_whatever_the_rate(replay: Replay, clock: FakeClock) -> None:
    replay.add_cassette("test_search_multipage.yaml")
    fast = WaybackClient(Fetcher(clock=clock), replay.base, rate=100.0)
    list_all(fast, "cnn.com", "20010410000000", "20010510000000")
    assert clock.sleeps and set(clock.sleeps) == {2.5}  # 0.4 pages a second


def test_a_relative_redirect_chain_that_ends_in_a_404_is_skipped(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_with_path_based_redirects.yaml")
    url = "https://www.whitehouse.gov/administration/eop/ostp/about/student/faqs"
    with pytest.raises(Skip, match="the site answered HTTP 404 when captured"):
        client.fetch(CdxRecord("20201027215555", url, "text/html", "301", "X"))
    assert replay.count("/web/") == 3  # relative Location followed, then the archive's own redirect


def test_a_capture_the_archive_cannot_find_is_skipped(replay: Replay, client: WaybackClient) -> None:
    replay.add_cassette("test_get_memento_raises_no_memento_error.yaml")
    record = CdxRecord("20170929002712", "https://this-is-not-real-url.whatever/", "text/html", "200", "X")
    with pytest.raises(Skip, match="not playable: the Wayback Machine answered HTTP 404 without a memento"):
        client.fetch(record)


@pytest.mark.parametrize(
    "title",
    ["404 Not Found", "Page Not Found | Example", "Seite nicht gefunden", "Page introuvable", "Just a moment..."],
)
def test_error_page_titles_are_soft_404s(title: str) -> None:
    assert soft_404_reason(f"<html><head><title>{title}</title></head></html>".encode()) is not None


def test_real_policy_pages_are_not_soft_404s() -> None:
    pages = [*GOOGLE.glob("*.html"), DEVIANTART]
    assert len(pages) == 5
    for page in pages:
        assert soft_404_reason(page.read_bytes()) is None, page.name


def test_memento_urls_of_the_archive_are_recognised_in_either_scheme() -> None:
    client = WaybackClient(Fetcher())
    assert client._parse_memento("http://web.archive.org/web/20200101000000/https://x.com/p?q=1") == (
        "20200101000000",
        "https://x.com/p?q=1",
    )
    assert client._parse_memento("https://web.archive.org/web/20200101000000id_/http://x.com/") == (
        "20200101000000",
        "http://x.com/",
    )
    assert client._parse_memento("https://x.com/web/20200101000000/https://x.com/") is None
