"""Every change of the bundled archive reads the same on every surface: the flags and labels
on its change page, its timeline row, its feed entry, the CLI's JSON (`diff --json`,
`history --json`) and the compare page's JSON."""

from __future__ import annotations

from pathlib import Path

from parity import check_history
from site_support import BuiltSite

from policydiff.archive import Archive
from policydiff.history import load_history


def test_every_surface_says_the_same_of_every_bundled_change(bundled_site: BuiltSite) -> None:
    archive = Archive(bundled_site.archive)

    def page(path: str) -> bytes:
        target = bundled_site.site / path
        return (target / "index.html" if path.endswith("/") else target).read_bytes()

    checked = 0
    flagged: set[str] = set()
    for slug in archive.slugs():
        history = load_history(archive, slug)
        checked += check_history(history, Path(bundled_site.archive), page)
        flagged.update(name for change in history.changes for name in change.flags.names)
    assert checked >= 60
    assert {"silent_change", "revert"} <= flagged  # the archive has both kinds to compare
