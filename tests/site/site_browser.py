"""Headless Chromium from Debian, driven by Playwright (no browser download), over a local
HTTP server of a built site. Every request that would leave the server is blocked and
recorded; every dialog is recorded and dismissed."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "the browser tests need Debian's chromium at /usr/bin/chromium: "
    "run `apt-get update && apt-get install -y chromium` (as .ci/run does)"
)


def require_chromium() -> Path:
    """Fail (never skip) with how to install it when the browser is missing."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return CHROMIUM


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Watch:
    """What a page tried to do that it must not. A request to any host but the one serving
    the page is recorded and refused, the site's own `site_url` included: served from a
    mirror or by `mkdocs serve`, that is another host (Material once fetched a sitemap next
    to every feed link there). `site` and `site_url` are kept for the callers' sake."""

    origin: str
    site: Path | None = None
    site_url: str | None = None
    dialogs: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_route(route) -> None:  # type: ignore[no-untyped-def]
            url = route.request.url
            if url.startswith(self.origin) or (url.startswith("data:") and route.request.resource_type == "image"):
                # Material inlines its own icons as data: images
                route.continue_()
            else:
                self.outside_requests.append(url)
                route.abort()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", on_route)
