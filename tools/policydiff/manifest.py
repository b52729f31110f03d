"""`archive/<slug>/manifest.jsonl`: the policy's append-only, hash-chained history of record.

One JSON object a line, never rewritten; each names the sha256 of the line before it, so the
sha256 of the last line (the *head*) vouches for everything before it. Editing, removing or
inserting any record breaks the chain, and a copy of the archive whose chain does not contain
a head published earlier has had its history rewritten.

```json
{"seq":0,"prev":null,"kind":"captures","at":"…","captures":[{"file":"2017…-1a2b3c4d5e6f.html","provenance":{…}}]}
{"seq":1,"prev":"<sha256 of line 0>","kind":"exclusion","at":"…","file":"…","reason":"…","excluded_at":"…"}
```

Kinds: `captures` (one group commit: each capture's file name and whole provenance, its sha256
included, as `captures/<stem>.json` holds it), `exclusion`, and `seal` (the first record of a
manifest made for an archive older than manifests: the captures and exclusions it had then).
`note` (an editor's note, notes.py: `key`, `text`, `material`, `effective`). A reader that
does not know a kind checks its place in the chain and passes over it.

One write is one record, so it is committed whole or not at all: a record counts when its
line, newline included, is on disk. A writer killed in the middle of an append leaves a torn
last line, which is not a record and which the next writer removes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .storage import crash_point, fsync_dir, write_error

MANIFEST = "manifest.jsonl"
KNOWN_KINDS = frozenset({"seal", "captures", "exclusion", "note"})


def line_digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def encode_record(seq: int, prev: str | None, kind: str, payload: dict[str, Any]) -> bytes:
    body = {"seq": seq, "prev": prev, "kind": kind, **payload}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Record:
    seq: int
    kind: str
    body: dict[str, Any]
    digest: str


@dataclass
class ManifestState:
    """A manifest as read: its valid records, its head, and what is wrong with it."""

    records: list[Record] = field(default_factory=list)
    head: str | None = None
    problems: list[str] = field(default_factory=list)  # a broken chain, an invalid line
    torn: bool = False  # an incomplete last line (a killed writer's; not a record)
    size: int = 0  # bytes of the complete lines
    exists: bool = False


def read_manifest(path: Path) -> ManifestState:
    state = ManifestState()
    try:
        if path.is_symlink():
            state.exists = True
            state.problems.append("is a symbolic link, not a manifest")
            return state
        data = path.read_bytes()
    except FileNotFoundError:
        return state
    except OSError as exc:
        state.exists = True
        state.problems.append(f"unreadable ({exc.strerror})")
        return state
    state.exists = True
    complete = data.rfind(b"\n") + 1
    if complete < len(data):
        state.torn = True
    state.size = complete
    prev: str | None = None
    for number, line in enumerate(data[:complete].split(b"\n")[:-1]):
        where = f"record {number} (line {number + 1})"
        try:
            body = json.loads(line)
        except ValueError:
            state.problems.append(f"{where}: not JSON")
            return state
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            state.problems.append(f"{where}: not a record (a JSON object with a `kind`)")
            return state
        if body.get("seq") != number or type(body.get("seq")) is not int:
            state.problems.append(f"{where}: sequence number {body.get('seq')!r}, expected {number}")
            return state
        if body.get("prev") != prev:
            state.problems.append(f"{where}: chain broken (it does not name the record before it): edited or removed")
            return state
        prev = line_digest(line)
        state.records.append(Record(number, body["kind"], body, prev))
    state.head = prev
    return state


def manifest_is_torn(path: Path) -> bool:
    """Whether a killed writer left half a record (read from the end: no full read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except OSError:
        return False


def truncate_torn_tail(path: Path, state: ManifestState) -> None:
    """Drop a killed writer's incomplete last line. Only while holding the archive lock."""
    if state.torn:
        with open(path, "r+b") as handle:
            handle.truncate(state.size)
            os.fsync(handle.fileno())
        state.torn = False


def append_record(path: Path, state: ManifestState, kind: str, payload: dict[str, Any]) -> str:
    """Append one record and make it durable: the commit point of every archive write.
    Returns the new head.

    `state` must be the manifest as read under the same lock; it is updated in place."""
    if state.problems:
        raise ValueError(f"{path}: {state.problems[0]}")
    if state.exists:
        truncate_torn_tail(path, state)
    seq = len(state.records)
    line = encode_record(seq, state.head, kind, payload)
    digest = line_digest(line)
    blob = line + b"\n"
    created = not state.exists
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        half = len(blob) // 2
        os.write(fd, blob[:half])
        crash_point()  # a torn record, for the crash tests
        written = half
        while written < len(blob):
            written += os.write(fd, blob[written:])
        os.fsync(fd)
    except OSError as exc:
        os.ftruncate(fd, state.size)  # no partial record is left behind: it is not committed
        raise write_error(path, exc) from None
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
    state.exists = True
    state.records.append(Record(seq, kind, json.loads(line), digest))
    state.head = digest
    state.size += len(blob)
    return digest
