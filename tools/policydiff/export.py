"""The research export: a policy's history as rows of four Parquet tables (pyarrow).

```
DIR/export/captures/<site>.parquet   one row per capture
DIR/export/versions/<site>.parquet   one row per distinct text
DIR/export/changes/<site>.parquet    one row per change (transition between periods)
DIR/export/errors/<site>.parquet     one row per capture or site that failed (absent when none)
```

One file per site and table, written atomically, so a batch killed mid-run leaves every table
a consistent union of whole sites and a re-run rewrites only the sites it redoes; a table is
read as one dataset (`read_parquet('DIR/export/changes/*.parquet')` in DuckDB). The schemas
below are the contract (README, "Research export"): columns are added, never renamed. Times
are UTC, to the second.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .diff.words import count_words
from .history import Change, PolicyHistory

TABLES = ("captures", "versions", "changes", "errors")
_TIME = pa.timestamp("s", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "captures": pa.schema(
        [
            ("site", pa.string()),
            ("captured_at", _TIME),
            ("sha256", pa.string()),
            ("format", pa.string()),  # html | markdown | text
            ("wayback_url", pa.string()),
            ("file", pa.string()),  # the capture's file name in archive/<site>/captures/
            ("version", pa.string()),  # the version its text is (null when withdrawn)
            ("source_url", pa.string()),
            ("git_commit", pa.string()),  # when it came from a git repository
        ]
    ),
    "versions": pa.schema(
        [
            ("site", pa.string()),
            ("version", pa.string()),
            ("first_seen", _TIME),
            ("last_seen", _TIME),
            ("captures", pa.int32()),
            ("words", pa.int32()),
            ("sections", pa.int32()),
        ]
    ),
    "changes": pa.schema(
        [
            ("site", pa.string()),
            ("date", _TIME),  # when the new text was first captured
            ("from_version", pa.string()),
            ("to_version", pa.string()),
            ("words_added", pa.int32()),
            ("words_removed", pa.int32()),
            ("sections_modified", pa.int32()),
            ("sections_added", pa.int32()),
            ("sections_removed", pa.int32()),
            ("flags", pa.list_(pa.string())),  # sorted: date_only, revert, silent_change, trivial
            ("significance", pa.string()),  # major | minor | trivial, as the site shows it
            ("headline", pa.string()),
            ("terms", pa.list_(pa.string())),  # watched term groups gained or lost
            ("number", pa.int32()),  # the change's position in the site's history, from 1
            ("key", pa.string()),  # its stable name: the first capture of the new text
        ]
    ),
    "errors": pa.schema(
        [
            ("site", pa.string()),
            ("input", pa.string()),  # the capture that failed (commit:path or file), null for the site
            ("stage", pa.string()),  # input | ingest | history | export | task
            ("message", pa.string()),
        ]
    ),
}

_FORMATS = {"text/html": "html", "text/markdown": "markdown", "text/plain": "text"}


def what_matters(change: Change) -> tuple[str, str, list[str]]:
    """(significance, headline, terms) of a change as `diff --json` gives them (the automatic
    rules; an editor's note is the publisher's, not the data's): the only place the export
    reads them."""
    return change.significance, change.headline, sorted(change.terms)


def capture_rows(history: PolicyHistory) -> list[dict[str, Any]]:
    version_of = {ref.file: v.id for v in history.versions for ref in v.version.captures}
    return [
        {
            "site": history.slug,
            "captured_at": c.captured_at,
            "sha256": c.sha256,
            "format": _FORMATS.get(c.media_type, c.media_type),
            "wayback_url": c.wayback_url,
            "file": c.file,
            "version": version_of.get(c.file),
            "source_url": c.source_url,
            "git_commit": c.extra.get("git_commit"),
        }
        for c in history.captures
    ]


def version_rows(history: PolicyHistory) -> list[dict[str, Any]]:
    return [
        {
            "site": history.slug,
            "version": v.id,
            "first_seen": v.version.first_seen,
            "last_seen": v.version.last_seen,
            "captures": len(v.version.captures),
            "words": count_words(v.text),
            "sections": len(v.sections),
        }
        for v in history.versions
    ]


def change_rows(history: PolicyHistory) -> list[dict[str, Any]]:
    rows = []
    for change in history.changes:
        summary = change.diff.summary
        significance, headline, terms = what_matters(change)
        rows.append(
            {
                "site": history.slug,
                "date": change.published,
                "from_version": change.old.version,
                "to_version": change.new.version,
                "words_added": summary.words_added,
                "words_removed": summary.words_removed,
                "sections_modified": summary.modified,
                "sections_added": summary.added,
                "sections_removed": summary.removed,
                "flags": list(change.flags.names),
                "significance": significance,
                "headline": headline,
                "terms": terms,
                "number": change.number,
                "key": change.key,
            }
        )
    return rows


def site_tables(history: PolicyHistory) -> dict[str, pa.Table]:
    """The captures, versions and changes tables of one policy."""
    return {
        "captures": table("captures", capture_rows(history)),
        "versions": table("versions", version_rows(history)),
        "changes": table("changes", change_rows(history)),
    }


def table(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMAS[name])


def part_path(export_dir: Path, name: str, site: str) -> Path:
    return export_dir / name / f"{site}.parquet"


def write_part(export_dir: Path, name: str, site: str, data: pa.Table) -> Path:
    """Write one site's rows of a table atomically (a table with no rows removes the file)."""
    path = part_path(export_dir, name, site)
    if data.num_rows == 0:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    try:
        pq.write_table(data, tmp, compression="zstd")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def remove_parts(export_dir: Path, site: str, names: Iterable[str] = TABLES) -> None:
    for name in names:
        part_path(export_dir, name, site).unlink(missing_ok=True)


def read_table(export_dir: Path, name: str) -> pa.Table:
    """A whole table (every site's part), sorted by site then its natural order."""
    parts = sorted(p for p in (export_dir / name).glob("*.parquet") if not p.name.startswith("."))
    if not parts:
        return SCHEMAS[name].empty_table()
    return pa.concat_tables([pq.read_table(p, schema=SCHEMAS[name]) for p in parts])
