"""A replay of the Wayback Machine (and of live sites) on 127.0.0.1 for the source tests.

Answers come from EDGI's recorded cassettes (real exchanges with web.archive.org, parsed
with PyYAML) and from corpus captures served in the archive's memento format. Every answer
given is logged, so tests can say what was downloaded and how often.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASSETTES = FIXTURES / "wayback-cassettes"
GOOGLE = FIXTURES / "tosback" / "google-privacy-policy" / "snapshots"
DEVIANTART = FIXTURES / "tosback" / "deviantart-privacy-policy-latin1-declared" / "snapshots" / "20201006T130358Z.html"
ARCHIVE_HOST = "https://web.archive.org"
# Headers that describe the recorded transfer, not the answer; the replay sets its own.
TRANSFER_HEADERS = {"transfer-encoding", "content-length", "connection"}


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    hang: bool = False  # never answer: the client is killed while it waits

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class FakeClock:
    """Time that passes only when someone sleeps: retries and rate limits without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Replay:
    """Routes: a request key -> answers given in turn (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.served: Counter[str] = Counter()  # key -> answers given
        self.sent: list[tuple[str, int]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def key(path_and_query: str) -> str:
        parts = urlsplit(path_and_query)
        if parts.path == "/cdx/search/cdx":
            query = parse_qs(parts.query)
            return f"cdx {query['url'][0]} {query.get('resumeKey', [''])[0]}".rstrip()
        return path_and_query

    def add(self, path_and_query: str, *replies: Reply) -> None:
        self.routes.setdefault(self.key(path_and_query), []).extend(replies)

    def add_cdx(self, url: str, text: str, resume_key: str = "") -> None:
        reply = Reply(200, [("Content-Type", "text/plain;charset=UTF-8")], text.encode())
        self.routes[f"cdx {url} {resume_key}".rstrip()] = [reply]

    def add_cassette(self, name: str) -> None:
        """Every interaction of a recorded cassette, under the replay's own host."""
        for interaction in load_cassette(name):
            uri = interaction["request"]["uri"]
            assert uri.startswith(ARCHIVE_HOST), uri
            self.add(uri[len(ARCHIVE_HOST) :], self.reply_from(interaction["response"]))

    def reply_from(self, response: dict[str, Any]) -> Reply:
        headers = []
        for name, values in response["headers"].items():
            if name.lower() in TRANSFER_HEADERS:
                continue
            for value in values:
                headers.append((name, value.replace(ARCHIVE_HOST, self.base)))
        body = response["body"]["string"]
        return Reply(response["status"]["code"], headers, body.encode() if isinstance(body, str) else body)

    def memento_key(self, timestamp: str, url: str) -> str:
        return f"/web/{timestamp}id_/{url}"

    def count(self, prefix: str) -> int:
        return sum(n for key, n in self.served.items() if key.startswith(prefix))

    def _answer(self, key: str) -> Reply:
        with self.lock:
            replies = self.routes.get(key)
            if not replies:
                return Reply(404, [("Content-Type", "text/plain")], f"no route for {key}".encode())
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                key = replay.key(self.path)
                replay.requests.append((key, dict(self.headers)))
                reply = replay._answer(key)
                if reply.hang:
                    replay.hanging.set()
                    replay.release.wait(30)
                    return
                with replay.lock:  # counted before sending, so a client never sees an answer not yet counted
                    replay.served[key] += 1
                    replay.sent.append((key, reply.status))
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def load_cassette(name: str) -> list[dict[str, Any]]:
    with open(CASSETTES / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.SafeLoader)["interactions"]


@functools.cache
def recorded_memento_headers() -> list[tuple[str, str]]:
    """The headers of a real `id_` memento (nasa.gov, 1996), to dress corpus captures with."""
    for interaction in load_cassette("test_get_memento.yaml"):
        response = interaction["response"]
        if response["status"]["code"] == 200 and "memento-datetime" in {k.lower() for k in response["headers"]}:
            return [
                (k, v)
                for k, values in response["headers"].items()
                if k.lower() not in TRANSFER_HEADERS | {"content-encoding", "content-type", "memento-datetime", "link"}
                for v in values
            ]
    raise AssertionError("test_get_memento.yaml has no memento")


def memento(body: bytes, captured: datetime, content_type: str = "text/html; charset=utf-8") -> Reply:
    headers = [
        *recorded_memento_headers(),
        ("Content-Type", content_type),
        ("Memento-Datetime", format_datetime(captured, usegmt=True)),
    ]
    return Reply(200, headers, body)
