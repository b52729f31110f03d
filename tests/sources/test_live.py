"""`capture`: the live page, stored with its headers, conditional requests, failures per policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import Result

from policydiff.archive import Archive
from policydiff.errors import PolicyDiffError
from policydiff.ingest.fetch import Fetcher
from policydiff.ingest.live import capture_all, capture_policy

from .replay import DEVIANTART, GOOGLE, FakeClock, Replay, Reply

CliRun = Callable[..., Result]
FIRST = datetime(2026, 11, 1, 6, 17, tzinfo=UTC)
SECOND = datetime(2026, 11, 2, 6, 17, tzinfo=UTC)
ETAG = '"5f2a-policy"'
MODIFIED = "Tue, 23 Oct 2012 12:17:26 GMT"


def page(body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> Reply:
    return Reply(200, [("Content-Type", content_type), *headers.items(), ("Set-Cookie", "sid=secret")], body)


@pytest.fixture
def fetcher(clock: FakeClock) -> Fetcher:
    return Fetcher(clock=clock, retries=2, backoff=1)


def test_a_capture_keeps_its_headers_and_revalidates_next_time(
    archive: Archive, replay: Replay, fetcher: Fetcher
) -> None:
    body = (GOOGLE / "20121023T121726Z.html").read_bytes()
    archive.add_policy("google", {"name": "Google", "url": replay.base + "/privacy"})
    replay.add("/privacy", page(body, ETag=ETAG, **{"Last-Modified": MODIFIED}), Reply(304, [("ETag", ETAG)]))

    first = capture_policy(archive, "google", fetcher, now=FIRST)
    assert first.status == "stored"
    capture = first.result.capture
    assert capture.ingested_via == "live" and capture.captured_at == FIRST
    assert archive.read_capture(capture) == body
    assert capture.extra["etag"] == ETAG and capture.extra["last_modified"] == MODIFIED
    assert capture.extra["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "Set-Cookie" not in capture.extra["headers"]
    assert "policy-diff/" in replay.requests[0][1]["User-Agent"]

    second = capture_policy(archive, "google", fetcher, now=SECOND)
    sent = replay.requests[1][1]
    assert sent["If-None-Match"] == ETAG and sent["If-Modified-Since"] == MODIFIED
    assert second.status == "unchanged" and second.result.capture.extra["http_status"] == 304
    assert second.result.capture.sha256 == capture.sha256
    (period,) = archive.history("google")  # seen again: the same version, now in force longer
    assert (period.start, period.end) == (FIRST, SECOND)


def test_a_changed_page_is_a_new_version(archive: Archive, replay: Replay, fetcher: Fetcher) -> None:
    archive.add_policy("google", {"name": "Google", "url": replay.base + "/privacy"})
    before, after = ((GOOGLE / f"{n}.html").read_bytes() for n in ("20121023T121726Z", "20121117T091524Z"))
    replay.add("/privacy", page(before), page(after))
    capture_policy(archive, "google", fetcher, now=FIRST)
    outcome = capture_policy(archive, "google", fetcher, now=SECOND)
    assert outcome.status == "stored" and outcome.result.new_version
    assert [p.start for p in archive.history("google")] == [FIRST, SECOND]


def test_a_redirect_chain_is_followed_and_recorded(archive: Archive, replay: Replay, fetcher: Fetcher) -> None:
    archive.add_policy("google", {"name": "Google", "url": replay.base + "/privacy"})
    replay.add("/privacy", Reply(301, [("Location", "/intl/en/privacy")]))
    replay.add("/intl/en/privacy", Reply(302, [("Location", replay.base + "/policies/privacy/")]))
    replay.add("/policies/privacy/", page((GOOGLE / "20130619T191952Z.html").read_bytes()))
    capture = capture_policy(archive, "google", fetcher, now=FIRST).result.capture
    assert capture.source_url == replay.base + "/policies/privacy/"
    assert capture.extra["redirects"] == [replay.base + "/intl/en/privacy", replay.base + "/policies/privacy/"]
    assert capture.extra["requested_url"] == replay.base + "/privacy"


def test_a_wrong_charset_header_is_recorded(archive: Archive, replay: Replay, fetcher: Fetcher) -> None:
    archive.add_policy("deviantart", {"name": "DeviantArt", "url": replay.base + "/privacy"})
    body = DEVIANTART.read_bytes()
    replay.add("/privacy", page(body, "text/html; charset=ISO-8859-1"))
    capture = capture_policy(archive, "deviantart", fetcher, now=FIRST).result.capture
    assert capture.charset_mismatch and archive.read_capture(capture) == body
    text = archive.version_text(archive.version("deviantart"))
    assert "’" in text and "â€" not in text


def test_a_soft_404_is_refused(archive: Archive, replay: Replay, fetcher: Fetcher) -> None:
    archive.add_policy("gone", {"name": "Gone", "url": replay.base + "/privacy"})
    replay.add("/privacy", page(b"<html><head><title>Page Not Found | Example</title></head><body>Sorry</body></html>"))
    expected = "soft 404: the page's title is 'Page Not Found | Example'; not stored"
    with pytest.raises(PolicyDiffError, match=re.escape(expected)):
        capture_policy(archive, "gone", fetcher, now=FIRST)
    assert archive.captures("gone") == []


def test_one_failing_policy_does_not_stop_the_others(archive: Archive, replay: Replay, cli: CliRun) -> None:
    archive.add_policy("a-ok", {"name": "OK", "url": replay.base + "/ok"})
    archive.add_policy("b-missing", {"name": "Missing", "url": replay.base + "/missing"})
    archive.add_policy("c-down", {"name": "Down", "url": replay.base + "/down"})
    replay.add("/ok", page((GOOGLE / "20121010T211801Z.html").read_bytes()))
    replay.add("/missing", Reply(404))
    replay.add("/down", Reply(503))

    result = cli("capture", "--rate", "0", "--retries", "1", "--backoff", "0", expect=1)
    assert f"b-missing: {replay.base}/missing: HTTP 404 Not Found" in result.output
    assert f"c-down: {replay.base}/down: gave up after 2 attempts; last answer: HTTP 503" in result.output
    assert "1 captured, 2 failed" in result.output
    assert len(archive.captures("a-ok")) == 1
    assert archive.captures("b-missing") == archive.captures("c-down") == []

    ok = cli("capture", "a-ok", "--rate", "0")
    assert "1 captured, 0 failed" in ok.output


def test_policies_on_one_site_are_captured_at_the_rate_limit(
    archive: Archive, replay: Replay, fetcher: Fetcher, clock: FakeClock
) -> None:
    body = (GOOGLE / "20121010T211801Z.html").read_bytes()
    for name in ("p1", "p2", "p3"):
        archive.add_policy(name, {"name": name, "url": f"{replay.base}/{name}"})
        replay.add(f"/{name}", page(body))
    outcomes = capture_all(archive, ["p1", "p2", "p3"], fetcher, rate=0.5)
    assert [o.status for o in outcomes] == ["stored"] * 3
    assert clock.sleeps == [2.0, 2.0]
