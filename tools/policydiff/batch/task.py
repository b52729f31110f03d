"""One site of a batch, start to end, in one process: ingest its captures, build its history
(versions, every change diffed), write its export rows and publish its archive.

```
DIR/archive/<site>/          the site's archive, as `policy-diff` makes it (published whole)
DIR/export/<table>/<site>.parquet
DIR/batch/sites/<site>.json  the digest of the inputs the site was last done from, and how it went
DIR/batch/work/<site>/       the archive being built (an archive root of its own), while in flight
```

A site is skipped when its state file holds the digest of its inputs now. Its archive is
built under `work/` (extending the published one when inputs grew) and moved into place
after its export rows are written, then the state file is written: a task killed anywhere
is redone whole by the next run, from what it had committed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..archive import Archive
from ..errors import CaptureError, PolicyDiffError
from ..export import TABLES, remove_parts, site_tables, table, write_part
from ..ingest.files import CaptureCandidate, CaptureWindow, date_candidate, read_file_capture
from ..storage import write_atomic
from .inputs import SiteInput


@dataclass(frozen=True)
class SiteResult:
    site: str
    status: str  # done | skipped | failed
    captures: int = 0
    versions: int = 0
    changes: int = 0
    errors: int = 0
    message: str = ""


def state_path(out: Path, site: str) -> Path:
    return out / "batch" / "sites" / f"{site}.json"


def read_state(out: Path, site: str) -> dict[str, Any] | None:
    try:
        data = json.loads(state_path(out, site).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def already_done(out: Path, site: SiteInput, digest: str | None = None) -> SiteResult | None:
    """The site's last result when it was done from the same inputs (None: do it)."""
    state = read_state(out, site.site)
    if state is None or state.get("digest") != (digest or site.digest()):
        return None
    if state.get("status") != "failed" and not (out / "archive" / site.site).is_dir():
        return None
    counts = {k: v if isinstance(v := state.get(k), int) else 0 for k in ("captures", "versions", "changes", "errors")}
    return SiteResult(site.site, "skipped", message=str(state.get("message", "")), **counts)


def _candidates(site: SiteInput) -> Iterator[tuple[str, CaptureCandidate | PolicyDiffError]]:
    """Each capture of the site, dated, or the error that refused it (the rest go on)."""
    if site.revisions:
        from ..ingest.git import open_repository, revision_candidate

        repo = open_repository(site.repository or "")
        for revision in site.revisions:
            origin = f"{revision.commit[:12]}:{revision.path}"
            try:
                candidate = revision_candidate(repo, revision, repository=site.repository, via="git")
                # The dataset's note says when the Wayback Machine captured the page; the
                # commit date is only when the dataset recorded it.
                candidate.captured_at = None
                try:
                    date_candidate(candidate, None)
                except CaptureError:
                    candidate.captured_at = revision.committed_at
                yield origin, candidate
            except PolicyDiffError as exc:
                yield origin, exc
    for name in site.files:
        try:
            candidate = read_file_capture(Path(name))
            date_candidate(candidate, None)
            yield name, candidate
        except PolicyDiffError as exc:
            yield name, exc


def _error_row(site: str, source: str | None, stage: str, message: str) -> dict[str, Any]:
    return {"site": site, "input": source, "stage": stage, "message": message.splitlines()[0] if message else ""}


def _publish(out: Path, work_root: Path, site: str) -> None:
    """Move the built archive into DIR/archive/<site>: the old one aside, the new one in."""
    target = out / "archive" / site
    target.parent.mkdir(parents=True, exist_ok=True)
    trash = out / "batch" / "trash" / site
    if target.exists():
        shutil.rmtree(trash, ignore_errors=True)
        trash.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, trash)
    os.replace(work_root / site, target)
    shutil.rmtree(trash, ignore_errors=True)


def run_site(site: SiteInput, out_dir: str) -> SiteResult:
    """Do one site (see the module docstring); never raises for the site's own problems."""
    out = Path(out_dir)
    export_dir = out / "export"
    digest = site.digest()
    skipped = already_done(out, site, digest)
    if skipped is not None:
        return skipped
    errors = [_error_row(site.site, source, "input", message) for source, message in site.problems]
    try:
        result = _build(site, out, errors)
        status, message = "done", ""
    except Exception as exc:  # a site's failure is recorded and never stops the run
        message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, PolicyDiffError) else str(exc)
        errors.append(_error_row(site.site, None, "task", message))
        remove_parts(export_dir, site.site, ("captures", "versions", "changes"))
        result = SiteResult(site.site, "failed", message=message)
        status = "failed"
    write_part(export_dir, "errors", site.site, table("errors", errors))
    record = {"digest": digest, "status": status, "captures": result.captures, "versions": result.versions}
    record |= {"changes": result.changes, "errors": len(errors), "message": message}
    path = state_path(out, site.site)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(record, sort_keys=True).encode() + b"\n")
    return SiteResult(site.site, status, result.captures, result.versions, result.changes, len(errors), message)


def _build(site: SiteInput, out: Path, errors: list[dict[str, Any]]) -> SiteResult:
    from ..history import load_history

    work_root = out / "batch" / "work" / site.site
    published = out / "archive" / site.site
    if not (work_root / site.site).exists() and published.is_dir():
        shutil.copytree(published, work_root / site.site, symlinks=True)  # extended, never rebuilt
    archive = Archive(work_root)
    window: CaptureWindow | None = None
    for source, item in _candidates(site):
        if isinstance(item, PolicyDiffError):
            errors.append(_error_row(site.site, source, "ingest", item.message))
            continue
        if window is None:
            if not archive.exists(site.site):
                url = item.source_url or f"https://{site.site}/"
                archive.add_policy(site.site, {"name": site.site, "url": url})
            window = CaptureWindow(archive, site.site, workers=1)
        window.add(item)
    if window is None:
        raise PolicyDiffError(f"{site.site}: no capture could be read")
    window.flush()
    for outcome in window.outcomes:
        if outcome.status == "refused":
            errors.append(_error_row(site.site, outcome.origin, "ingest", outcome.message))
    history = load_history(archive, site.site)
    tables = site_tables(history)
    for name in TABLES[:3]:
        write_part(out / "export", name, site.site, tables[name])
    _publish(out, work_root, site.site)
    shutil.rmtree(work_root, ignore_errors=True)
    return SiteResult(site.site, "done", len(history.captures), len(history.versions), len(history.changes))
