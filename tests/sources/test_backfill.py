"""`backfill`: listing, collapsing, downloading, skipping, resuming, against the replay server.

The policy's history is made of real Google privacy policy captures (tosback) served as
mementos with the headers of a real recorded memento; the listing is in the CDX format of the
recorded cassettes, with digests computed from the bytes as the archive does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import filelock
import pytest
from click.testing import Result

from policydiff.archive import Archive
from policydiff.ingest.fetch import FetchError
from policydiff.ingest.wayback import RUN_LOCK, WaybackClient, WaybackError, backfill, payload_digest

from .replay import DEVIANTART, GOOGLE, FakeClock, Replay, Reply, load_cassette, memento

CliRun = Callable[..., Result]
SLUG = "google"
URL = "https://www.google.com/policies/privacy/"
APACHE_404 = (
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n'
    b"</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
)


def google(name: str) -> bytes:
    return (GOOGLE / f"{name}.html").read_bytes()


@dataclass
class Row:
    timestamp: str
    body: bytes | None  # None: never served (a CDX status that is not fetched)
    status: str = "200"
    kind: str = "page"  # page | home-redirect

    @property
    def digest(self) -> str:
        return payload_digest(self.body if self.body is not None else self.timestamp.encode())


def history_rows() -> list[Row]:
    a, b, c, f = (google(n) for n in ("20121010T211801Z", "20121023T121726Z", "20121117T091524Z", "20130619T191952Z"))
    return [
        Row("20121010211801", a),
        Row("20121015000000", a),  # the middle of a run: never downloaded
        Row("20121020000000", a),  # the end of the run: same bytes as the first, reused
        Row("20121023121726", b),
        Row("20121101000000", None, status="404"),
        Row("20121117091524", c),
        Row("20121201000000", APACHE_404),  # a soft 404
        Row("20121215000000", b"redirect", status="302", kind="home-redirect"),
        Row("20130619191952", f),
    ]


def cdx_text(rows: list[Row], url: str = URL) -> str:
    lines = [f"com,google)/policies/privacy {r.timestamp} {url} text/html {r.status} {r.digest} 1234" for r in rows]
    return "\n".join(lines) + "\n"


def moment(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def serve(replay: Replay, rows: list[Row], url: str = URL) -> None:
    replay.add_cdx(url, cdx_text(rows, url))
    for row in rows:
        key = replay.memento_key(row.timestamp, url)
        if row.kind == "home-redirect":
            home = replay.memento_key(row.timestamp, "https://www.google.com/")
            redirect = memento(b"", moment(row.timestamp))
            redirect.status, redirect.headers = 302, [*redirect.headers, ("Location", replay.base + home)]
            replay.add(key, redirect)
            replay.add(home, memento(b"<html><title>Google</title><body>Search</body></html>", moment(row.timestamp)))
        elif row.body is not None:
            replay.add(key, memento(row.body, moment(row.timestamp)))


@pytest.fixture
def policy(archive: Archive) -> Archive:
    archive.add_policy(SLUG, {"name": "Google Privacy Policy", "url": URL})
    return archive


def test_backfill_stores_dated_captures_and_skips_with_reasons(
    policy: Archive, replay: Replay, client: WaybackClient
) -> None:
    rows = history_rows()
    serve(replay, rows)
    summary = backfill(policy, SLUG, client)

    captures = policy.captures(SLUG)
    stored = ["20121010211801", "20121020000000", "20121023121726", "20121117091524", "20130619191952"]
    assert [c.extra["cdx_timestamp"] for c in captures] == stored
    assert [c.captured_at for c in captures] == [moment(t) for t in stored]
    assert all(c.ingested_via == "wayback" and c.source_url == URL for c in captures)
    assert captures[0].wayback_url == f"{replay.base}/web/20121010211801id_/{URL}"
    by_time = {r.timestamp: r for r in rows}
    assert all(c.extra["cdx_digest"] == by_time[c.extra["cdx_timestamp"]].digest for c in captures)
    assert captures[0].sha256 == captures[1].sha256  # the end of the run, from the bytes already archived

    # Downloads: one per distinct page; the middle of the run and the 404 never requested.
    assert replay.count(replay.memento_key("20121015000000", URL)) == 0
    assert replay.count(replay.memento_key("20121020000000", URL)) == 0
    assert replay.count(replay.memento_key("20121101000000", URL)) == 0
    requested = {key.split("id_/")[0].rsplit("/", 1)[-1] for key, _ in replay.sent if key.startswith("/web/")}
    assert requested == {
        "20121010211801",
        "20121023121726",
        "20121117091524",
        "20121201000000",
        "20121215000000",
        "20130619191952",
    }
    assert len(replay.sent) == 1 + 6 + 0  # the listing, six mementos (the redirect home is not followed)
    assert summary.reused == 1 and summary.collapsed == 1

    reasons = {e["timestamp"]: e["reason"] for e in summary.skipped}
    assert reasons == {
        "20121101000000": "the site answered HTTP 404 when captured",
        "20121201000000": "soft 404: the page's title is '404 Not Found'",
        "20121215000000": "soft 404: redirects to the home page https://www.google.com/",
    }
    state = json.loads((policy.policy_dir(SLUG) / "wayback.json").read_text())
    assert state["listing"] is None
    assert {e["timestamp"]: e["reason"] for e in state["skipped"]} == reasons

    history = policy.history(SLUG)
    assert history[0].start == moment("20121010211801") and history[0].end == moment("20121020000000")
    assert len(history) == len({c.sha256 for c in captures})  # each page here is a new text
    assert policy.verify() == []


def test_rerun_downloads_nothing_and_reuses_known_digests(
    policy: Archive, replay: Replay, client: WaybackClient
) -> None:
    rows = history_rows()
    serve(replay, rows)
    backfill(policy, SLUG, client)
    downloads = replay.count("/web/")

    again = backfill(policy, SLUG, client)
    assert replay.count("/web/") == downloads
    assert again.fetched == again.reused == again.stored == 0
    assert again.already == again.listed - again.collapsed

    # The policy went back to its first text: listed with a digest the archive holds.
    reverted = Row("20140101000000", google("20121010T211801Z"))
    replay.add_cdx(URL, cdx_text([*rows, reverted]))
    third = backfill(policy, SLUG, client)
    assert replay.count("/web/") == downloads
    assert (third.reused, third.stored, third.fetched) == (1, 1, 0)
    assert policy.history(SLUG)[-1].version == policy.history(SLUG)[0].version


def test_a_429_is_retried_after_the_delay_the_archive_asks(
    policy: Archive, replay: Replay, client: WaybackClient, clock: FakeClock
) -> None:
    rows = history_rows()[:1]
    # The real "Too Many Requests" page, answered by the archive itself (no memento headers).
    recorded = load_cassette("test_get_memento_works_on_archived_rate_limit_responses.yaml")[0]["response"]
    throttled = replay.reply_from(recorded)
    throttled.headers = [(k, v) for k, v in throttled.headers if k.lower() not in ("memento-datetime", "link")]
    throttled.headers.append(("Retry-After", "7"))
    replay.add(replay.memento_key(rows[0].timestamp, URL), throttled)
    serve(replay, rows)

    summary = backfill(policy, SLUG, client)
    assert summary.stored == 1
    assert [status for key, status in replay.sent if key.startswith("/web/")] == [429, 200]
    assert 7 in clock.sleeps  # Retry-After beats the first backoff (2 s)


def test_a_5xx_storm_gives_up_clearly_and_resumes_later(
    policy: Archive, replay: Replay, client: WaybackClient, clock: FakeClock
) -> None:
    rows = history_rows()
    storm = Reply(503, [("Content-Type", "text/html")], b"<html><title>Service Unavailable</title></html>")
    serve(replay, rows)
    calm = dict(replay.routes)
    for row in rows[3:]:  # from the fourth capture on, the archive answers 503 to everything
        replay.routes[replay.key(replay.memento_key(row.timestamp, URL))] = [storm]

    with pytest.raises(FetchError) as raised:
        backfill(policy, SLUG, client)
    message = raised.value.message
    assert message.startswith("3 captures in a row failed, the last one: ")
    assert f"/web/20121215000000id_/{URL}: gave up after 4 attempts; last answer: HTTP 503" in message
    assert message.endswith("2 captures stored so far, re-run `policy-diff wayback google` to resume")
    assert clock.sleeps[-3:] == [2.0, 4.0, 8.0]  # the backoff doubles; before it, the rate limit spaced requests
    assert len(policy.captures(SLUG)) == 2  # what came before the storm is kept

    replay.routes = calm
    cdx_before = replay.count("cdx")
    summary = backfill(policy, SLUG, client)
    assert summary.resumed and replay.count("cdx") == cdx_before  # the saved listing, not a new one
    assert replay.served[replay.key(replay.memento_key("20121010211801", URL))] == 1
    assert len(policy.captures(SLUG)) == 5 and summary.failed == []


def test_one_broken_capture_does_not_block_the_others(policy: Archive, replay: Replay, cli: CliRun) -> None:
    rows = history_rows()
    serve(replay, rows)
    broken = replay.key(replay.memento_key("20121023121726", URL))
    calm = replay.routes[broken]
    replay.routes[broken] = [Reply(502, [], b"Bad Gateway")]
    quick = ["--wayback-url", replay.base, "--rate", "0", "--retries", "1", "--backoff", "0"]

    result = cli("wayback", SLUG, *quick, expect=1)
    assert f"error: {replay.base}/web/20121023121726id_/{URL}: gave up after 2 attempts; last answer: HTTP 502" in (
        result.output
    )
    assert "4 stored (3 new versions), 3 skipped, 1 failed" in result.output
    assert "re-run `policy-diff wayback google` to retry the failed captures" in result.output

    replay.routes[broken] = calm
    again = cli("wayback", SLUG, *quick)
    assert "resumed an interrupted back-fill" in again.output and "1 stored" in again.output
    assert replay.count("cdx") == 1  # the kept listing: only the failed capture was asked again
    assert len(Archive(policy.root).captures(SLUG)) == 5


def test_a_wrong_charset_header_is_recorded_and_the_text_decoded(
    archive: Archive, replay: Replay, client: WaybackClient
) -> None:
    url = "https://about.deviantart.com/policy/privacy/"
    archive.add_policy("deviantart", {"name": "DeviantArt", "url": url})
    body = DEVIANTART.read_bytes()  # UTF-8 bytes, ISO-8859-1 declared in the page and the header
    row = Row("20201006130358", body)
    replay.add_cdx(url, cdx_text([row], url))
    replay.add(
        replay.memento_key(row.timestamp, url), memento(body, moment(row.timestamp), "text/html; charset=ISO-8859-1")
    )

    backfill(archive, "deviantart", client)
    (capture,) = archive.captures("deviantart")
    assert capture.charset_mismatch
    assert capture.extra["content_type"] == "text/html; charset=ISO-8859-1"
    assert archive.read_capture(capture) == body  # kept as captured
    text = archive.version_text(archive.version("deviantart"))
    assert "’" in text and "â€" not in text


def test_a_killed_backfill_resumes_without_fetching_anything_twice(
    policy: Archive, archive_dir: Path, replay: Replay, cli: CliRun
) -> None:
    rows = history_rows()
    hang_at = replay.memento_key("20121117091524", URL)
    replay.add(hang_at, Reply(0, hang=True))
    serve(replay, rows)

    args = ["--archive", str(archive_dir), "wayback", SLUG, "--wayback-url", replay.base, "--rate", "0"]
    process = subprocess.Popen([sys.executable, "-m", "policydiff.cli", *args], stdout=subprocess.DEVNULL)
    try:
        assert replay.hanging.wait(60), "the back-fill never reached the capture it is killed at"
    finally:
        process.kill()
        process.wait()
    assert cli("verify").exit_code == 0
    assert len(Archive(archive_dir).captures(SLUG)) == 3

    result = cli("wayback", SLUG, "--wayback-url", replay.base, "--rate", "0")
    assert "resumed an interrupted back-fill" in result.output
    assert "2 skipped" in result.output  # the third was logged before the kill
    state = json.loads((archive_dir / SLUG / "wayback.json").read_text())
    assert len(state["skipped"]) == 3
    assert replay.count("cdx") == 1
    answered = [key for key, status in replay.sent if key.startswith("/web/")]
    assert len(answered) == len(set(answered))  # nothing downloaded twice
    assert len(Archive(archive_dir).captures(SLUG)) == 5
    assert cli("verify").exit_code == 0


def test_cli_refuses_a_malformed_date(policy: Archive, cli: CliRun) -> None:
    result = cli("wayback", SLUG, "--from", "2012-10", expect=2)
    assert "--from '2012-10': expected YYYY, YYYYMM, YYYYMMDD" in result.output


def test_a_non_text_capture_is_skipped_without_a_download(
    policy: Archive, replay: Replay, client: WaybackClient
) -> None:
    row = Row("20121010211801", google("20121010T211801Z"))
    pdf = f"com,google)/policies/privacy 20121011000000 {URL} application/pdf 200 PDFDIGEST 99\n"
    replay.add_cdx(URL, cdx_text([row]) + pdf)
    serve_row = memento(row.body, moment(row.timestamp))
    replay.add(replay.memento_key(row.timestamp, URL), serve_row)
    summary = backfill(policy, SLUG, client)
    assert [e["reason"] for e in summary.skipped] == ["not a text page (application/pdf)"]
    assert replay.count(replay.memento_key("20121011000000", URL)) == 0


def test_two_backfills_of_one_policy_do_not_run_at_once(policy: Archive, replay: Replay, client: WaybackClient) -> None:
    with filelock.FileLock(str(policy.policy_dir(SLUG) / RUN_LOCK)), pytest.raises(WaybackError, match="is running"):
        backfill(policy, SLUG, client)
    assert replay.sent == []


def test_the_listing_is_paged_and_an_interrupted_listing_resumes_at_its_resume_key(
    policy: Archive, replay: Replay, client: WaybackClient
) -> None:
    rows = history_rows()
    serve(replay, rows)
    text = cdx_text(rows).splitlines(keepends=True)
    key = "com%2Cgoogle%29%2Fpolicies%2Fprivacy+20121101000000"  # the archive's own spelling
    replay.add_cdx(URL, "".join(text[:4]) + "\n" + key + "\n")
    replay.routes[f"cdx {URL} {key}"] = [Reply(503)]
    with pytest.raises(FetchError, match="to resume"):
        backfill(policy, SLUG, client)

    replay.add_cdx(URL, "".join(text[4:]), resume_key=key)
    summary = backfill(policy, SLUG, client)
    assert summary.resumed and summary.listed == len(rows)
    assert replay.served[f"cdx {URL}"] == 1  # the first page was not listed again
    assert len(policy.captures(SLUG)) == 5


def test_two_listed_captures_served_by_one_memento_are_stored_once(
    policy: Archive, replay: Replay, client: WaybackClient
) -> None:
    body = google("20121010T211801Z")
    first = Row("20121010211801", body)
    # Listed later, but the archive sends it to the earlier capture (its own redirect: no
    # Memento-Datetime), as it does for captures it cannot play back.
    later = Row("20121011000000", b"revisit", status="302")
    replay.add_cdx(URL, cdx_text([first, later]))
    replay.add(replay.memento_key(first.timestamp, URL), memento(body, moment(first.timestamp)))
    to_first = Reply(302, [("Location", replay.base + replay.memento_key(first.timestamp, URL))])
    replay.add(replay.memento_key(later.timestamp, URL), to_first)

    summary = backfill(policy, SLUG, client)
    assert summary.stored == 1 and len(policy.captures(SLUG)) == 1
    assert [e["reason"] for e in summary.skipped] == [
        f"served the capture already stored as {policy.captures(SLUG)[0].file}"
    ]
    requests_before = len(replay.sent)
    backfill(policy, SLUG, client)
    assert len(replay.sent) == requests_before + 1  # the listing only


def test_cli_stops_on_a_storm_with_exit_status_2(policy: Archive, replay: Replay, cli: CliRun) -> None:
    replay.add_cdx(URL, cdx_text(history_rows()))
    for row in history_rows():
        replay.add(replay.memento_key(row.timestamp, URL), Reply(502, [], b"Bad Gateway"))
    quick = ["--wayback-url", replay.base, "--rate", "0", "--retries", "1", "--backoff", "0"]
    result = cli("wayback", SLUG, *quick, expect=2)
    assert "3 captures in a row failed" in result.output and "to resume" in result.output
    assert replay.count("/web/") == 3 * 2


def test_captures_ingested_from_files_are_not_downloaded_again(
    policy: Archive, replay: Replay, client: WaybackClient, cli: CliRun
) -> None:
    cli("ingest", SLUG, GOOGLE / "20121010T211801Z.html", "--captured", "2012-10-10T21:18:01Z")
    rows = history_rows()[:4]  # the ingested capture, the middle and end of its run, the next page
    serve(replay, rows)
    summary = backfill(policy, SLUG, client)
    assert summary.already == 1 and summary.reused == 1 and summary.fetched == 1
    requested = [key for key, _ in replay.sent if key.startswith("/web/")]
    assert requested == [replay.memento_key("20121023121726", URL)]
    assert len(policy.captures(SLUG)) == 3
