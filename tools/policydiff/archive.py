"""The archive on disk: immutable captures, their provenance, and derived versions.

```
archive/<slug>/policy.yml                         the declaration
archive/<slug>/manifest.jsonl                     append-only, hash-chained record (manifest.py):
                                                  every capture's sha256 and provenance, every
                                                  exclusion; a record there commits a write
archive/<slug>/captures/<STAMP>-<sha12>.<ext>     raw bytes, never modified
archive/<slug>/captures/<STAMP>-<sha12>.json      provenance (the manifest record's, as a file)
archive/<slug>/exclusions.json                    captures withdrawn from the history, with reasons
archive/<slug>/notes.yml                          editor's notes (notes.py): the manifest's `note` records
archive/<slug>/versions/<id>.md                   one distinct normalised text
archive/<slug>/versions/<id>.json                 its metadata: captures, extractor version
```

Writes are group commits under one lock per archive: the new files of a batch of captures
are staged under temporary names and synced in one pass, then their manifest records are
appended (the commit point), then the files are renamed into place and each directory is
synced once, then the versions are updated the same way. A writer killed anywhere leaves
either no record (its temporary files are removed by the next writer) or a record whose
files the next writer puts in place from its temporaries, then folds into the versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import filelock

from . import __version__
from .declaration import Declaration, check_slug, load_declaration, parse_declaration
from .errors import ArchiveError, ExtractionError, PolicyDiffError, UnknownPolicyError, UnknownVersionError
from .extract import EXTRACTOR_VERSION, Extraction
from .manifest import (
    MANIFEST,
    ManifestState,
    Record,
    append_record,
    manifest_is_torn,
    read_manifest,
    truncate_torn_tail,
)
from .models import CAPTURE_FILE, MEDIA_TYPES, Capture, CaptureRef, Period, Version
from .notes import NOTE_KIND, NOTES_FILE, Note, notes_yaml
from .storage import (
    TMP_MARK,
    Staging,
    final_name,
    fsync_dir,
    json_bytes,
    remove_stale_temporaries,
    temporary_name,
    write_atomic,
    write_error,
    write_json_atomic,
    write_text_atomic,
)
from .times import format_iso, format_stamp, now_utc, parse_time, to_utc
from .workers import ExtractJob, extract_all, extract_batches

LOCK_TIMEOUT_SECONDS = 600
EXTENSIONS = MEDIA_TYPES
# Captures committed together. Large enough that the fsyncs are shared, small enough that a
# batch's bytes stay a few hundred MB at most.
COMMIT_GROUP = 256
# Beside the extraction workers, a commit waits for this share of the captures still to come:
# a commit has a fixed cost (its marker, the lock, the versions it touches rewritten), and
# committing the two or three captures ready at a time took CPU the workers needed; the early
# commits are large and the last one, which no extraction overlaps, small.
COMMIT_SHARE = 0.5
# Clocks differ a little between the machine that captured and this one.
FUTURE_TOLERANCE = timedelta(minutes=5)
VERSION_FILE = re.compile(r"v[0-9a-f]{10}\.(?:md|json)")
# What a policy folder may hold besides captures/ and versions/ (notes.yml: issue 13).
POLICY_FILES = frozenset({"policy.yml", MANIFEST, "exclusions.json", "wayback.json", "notes.yml", ".wayback.lock"})
ROOT_FILES = frozenset({".lock", ".gitignore", ".gitattributes"})


def version_id(sha256: str) -> str:
    """A short id that is never mistaken for a date."""
    return "v" + sha256[:10]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        from .errors import shown

        return f"{shown(self.path)}: {self.message}"


@dataclass
class StoreResult:
    capture: Capture
    created: bool
    version: str | None = None
    new_version: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewCapture:
    """Bytes a source hands to the archive, with what it knows of them (`store_captures`)."""

    data: bytes
    captured_at: datetime
    media_type: str
    source_url: str | None = None
    ingested_via: str = "file"
    original_name: str | None = None
    content_type: str | None = None
    wayback_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _http_url(url: str | None) -> str | None:
    """Only an http(s) URL is provenance worth keeping (never `javascript:` from a page)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE) or any(ord(c) < 32 or c.isspace() for c in url):
        return None
    return url


def read_regular(path: Path) -> bytes:
    """A file's bytes, never through a symbolic link nor from a device or a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if path.is_symlink():
            raise ArchiveError(f"{path}: is a symbolic link: not followed") from None
        raise ArchiveError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ArchiveError(f"{path}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


class _Versions:
    """The versions of one policy being updated in memory, written in one staged pass."""

    def __init__(self, archive: Archive, slug: str, vdir: Path) -> None:
        self.archive, self.slug, self.vdir = archive, slug, vdir
        self.metas: dict[str, dict[str, Any] | None] = {}
        self.texts: dict[str, str] = {}  # new version texts to write
        self.changed: list[str] = []

    def meta(self, vid: str) -> dict[str, Any] | None:
        if vid not in self.metas:
            path = self.vdir / f"{vid}.json"
            self.metas[vid] = self.archive._load_version_meta(path) if path.exists() else None
        return self.metas[vid]

    def add(self, capture: Capture, extraction: Extraction) -> tuple[str, bool]:
        text = extraction.markdown
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        # One version per distinct visible text: a markup-only change is not a new version.
        vid = version_id(extraction.text_key or sha)
        meta = self.meta(vid)
        new = meta is None
        if meta is None:
            meta = {
                "id": vid,
                "sha256": sha,
                "extractor_version": EXTRACTOR_VERSION,
                "policy_diff_version": __version__,
                "title": extraction.title,
                "captures": [],
            }
            self.metas[vid] = meta
            if not (self.vdir / f"{vid}.md").exists():
                self.texts[vid] = text
        entries = [e for e in meta["captures"] if e["file"] != capture.file]
        entries.append(
            {
                "captured_at": format_iso(capture.captured_at),
                "file": capture.file,
                "selector_miss": extraction.selector_miss,
                "charset_mismatch": extraction.charset_mismatch,
                "warnings": list(extraction.warnings),
            }
        )
        meta["captures"] = sorted(entries, key=lambda e: (e["captured_at"], e["file"]))
        meta["selector_miss"] = any(e["selector_miss"] for e in meta["captures"])
        if vid not in self.changed:
            self.changed.append(vid)
        return vid, new

    def stage(self, staging: Staging) -> None:
        # Texts first: a version's metadata never names a text that is not there.
        for vid, text in self.texts.items():
            staging.stage(self.vdir / f"{vid}.md", text.encode("utf-8"))
        for vid in self.changed:
            staging.stage(self.vdir / f"{vid}.json", json_bytes(self.metas[vid]))  # changed: never None

    def write(self) -> None:
        staging = Staging()
        self.stage(staging)
        if staging.files:
            staging.sync()
            staging.publish()
        self.texts, self.changed = {}, []


class Archive:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._held = 0
        self._recovered = False
        self._lock = filelock.FileLock(str(self.root / ".lock"), timeout=LOCK_TIMEOUT_SECONDS)
        self._manifests: dict[str, tuple[tuple[int, int, int], ManifestState]] = {}
        # per policy: the manifest state read, how many of its records, their captures by file
        self._captures: dict[str, tuple[ManifestState, int, dict[str, Capture]]] = {}

    # -- layout -----------------------------------------------------------------------
    def policy_dir(self, slug: str) -> Path:
        return self.root / check_slug(slug)

    def captures_dir(self, slug: str) -> Path:
        return self.policy_dir(slug) / "captures"

    def versions_dir(self, slug: str) -> Path:
        return self.policy_dir(slug) / "versions"

    def manifest_path(self, slug: str) -> Path:
        return self.policy_dir(slug) / MANIFEST

    def slugs(self) -> list[str]:
        """Policies: folders with a valid slug name and a policy.yml (a stray folder is skipped;
        `verify` reports it)."""
        if not self.root.is_dir():
            return []
        out = []
        for path in self.root.glob("*/policy.yml"):
            folder = path.parent
            try:
                check_slug(folder.name)
            except PolicyDiffError:
                continue
            if not folder.is_symlink():
                out.append(folder.name)
        return sorted(out)

    def exists(self, slug: str) -> bool:
        return (self.policy_dir(slug) / "policy.yml").is_file()

    def require(self, slug: str) -> None:
        if not self.exists(slug):
            raise UnknownPolicyError(slug, self.root)

    # -- locking ----------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise writers. Re-entrant within one Archive object."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except filelock.Timeout:
            raise ArchiveError(
                f"{self.root}: another policy-diff process holds the archive lock "
                f"({self.root / '.lock'}) for more than {LOCK_TIMEOUT_SECONDS} s"
            ) from None
        except OSError as exc:
            raise write_error(self.root / ".lock", exc) from None
        self._held += 1
        try:
            # Leftovers come from a writer killed in an earlier process: look once per
            # Archive, not at every lock (an ingest takes the lock once per batch).
            if self._held == 1 and not self._recovered:
                self._recovered = True
                self._recover()
            yield
        finally:
            self._held -= 1
            self._lock.release()

    def _recover(self) -> None:
        """Finish or undo what a killed writer left behind, in the policies it touched."""
        touched: set[str] = set()
        temporaries = [t for t in self.root.rglob(f".*{TMP_MARK}*") if t.is_file() and not t.is_symlink()]
        for tmp in temporaries:
            parts = tmp.relative_to(self.root).parts
            if len(parts) > 1:
                touched.add(parts[0])
        for slug in self.slugs():
            pdir = self.policy_dir(slug)
            if any(pdir.glob(".versions.*-*")) or manifest_is_torn(self.manifest_path(slug)):
                touched.add(slug)
        for slug in sorted(touched & set(self.slugs())):
            self._recover_policy(slug)
        remove_stale_temporaries(self.root)

    def _recover_policy(self, slug: str) -> None:
        pdir = self.policy_dir(slug)
        path = self.manifest_path(slug)
        state = read_manifest(path)
        if state.problems:
            return  # `verify` reports it; nothing is written over a broken record
        truncate_torn_tail(path, state)
        self._manifests.pop(slug, None)
        cdir = self.captures_dir(slug)
        leftovers: dict[str, list[Path]] = {}
        for tmp in cdir.glob(f".*{TMP_MARK}*") if cdir.is_dir() else ():
            name = final_name(tmp)
            if name:
                leftovers.setdefault(name, []).append(tmp)
        # Committed captures whose files were not yet in place: put them there.
        for entry in (e for record in state.records for e in recorded_captures(record)):
            try:
                capture = Capture.from_json(slug, entry.get("provenance") if isinstance(entry, dict) else None)
            except ValueError:
                continue
            raw = cdir / capture.file
            if not raw.exists():
                for tmp in leftovers.get(capture.file, []):
                    if hashlib.sha256(tmp.read_bytes()).hexdigest() == capture.sha256:
                        os.replace(tmp, raw)
                        break
            meta = raw.with_suffix(".json")
            if not meta.exists():
                write_atomic(meta, json_bytes(capture.to_json()))
        fsync_dir(cdir)
        for tmp in pdir.rglob(f".*{TMP_MARK}*"):
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink(missing_ok=True)
        # exclusions.json and notes.yml are the manifest's exclusions and notes as files
        if state.exists and any(recorded_exclusions(r) for r in state.records):
            self._write_exclusions(slug, self.exclusions(slug))
        if state.exists and any(r.kind == NOTE_KIND for r in state.records):
            with suppress(PolicyDiffError):  # an invalid note record: `verify` reports it
                self._write_notes(slug, self.notes(slug))
        for partial in pdir.glob(".versions.new-*"):
            if not self.versions_dir(slug).exists():
                partial.rename(self.versions_dir(slug))
            else:
                shutil.rmtree(partial, ignore_errors=True)
        for old in pdir.glob(".versions.old-*"):
            shutil.rmtree(old, ignore_errors=True)
        vdir = self.versions_dir(slug)
        for text in vdir.glob("v*.md") if vdir.is_dir() else ():
            if not text.with_suffix(".json").exists():
                text.unlink()  # written before its metadata: derived, made again below
        with suppress(PolicyDiffError):  # a broken declaration or capture: `verify` reports it
            self.refresh_versions(slug)

    # -- declarations -----------------------------------------------------------------
    def declaration(self, slug: str) -> Declaration:
        self.require(slug)
        return load_declaration(slug, self.policy_dir(slug) / "policy.yml")

    def add_policy(self, slug: str, data: dict[str, Any]) -> tuple[Declaration, bool]:
        """Write policy.yml; an existing declaration is kept unless it is identical."""
        path = self.policy_dir(slug) / "policy.yml"
        declaration = parse_declaration(slug, data, path)
        with self.locked():
            if path.exists():
                return self.declaration(slug), False
            (self.policy_dir(slug) / "captures").mkdir(parents=True, exist_ok=True)
            manifest = self.manifest_path(slug)
            if not manifest.exists():
                write_atomic(manifest, b"")  # a manifest from the start: no capture is ever unrecorded
            write_text_atomic(path, declaration.to_yaml())
        return declaration, True

    # -- the manifest -----------------------------------------------------------------
    def manifest(self, slug: str) -> ManifestState:
        """The policy's manifest as on disk now (cached while the file is unchanged)."""
        path = self.manifest_path(slug)
        try:
            info = path.lstat()
            key = (info.st_size, info.st_mtime_ns, info.st_ino)
        except FileNotFoundError:
            self._manifests.pop(slug, None)
            return ManifestState()
        cached = self._manifests.get(slug)
        if cached and cached[0] == key:
            return cached[1]
        state = read_manifest(path)
        self._manifests[slug] = (key, state)
        return state

    def manifest_head(self, slug: str) -> str | None:
        """The sha256 of the policy's last manifest record: what a mirror compares."""
        return self.manifest(slug).head

    def append_record(self, slug: str, kind: str, payload: dict[str, Any]) -> str:
        """Append one record of another kind to the policy's manifest (issue 13's `note`
        records, say) and return the new head. The payload is JSON; `seq`, `prev`, `kind`
        and `at` are the manifest's own keys."""
        if kind in ("captures", "seal", "exclusion", NOTE_KIND) or set(payload) & {"seq", "prev", "kind", "at"}:
            raise ArchiveError(f"{kind!r} records are written by the archive itself")
        with self.locked():
            self.require(slug)
            return self._commit_record(slug, kind, payload)

    def _commit_record(self, slug: str, kind: str, payload: dict[str, Any]) -> str:
        """Append one manifest record: the commit point of a write. Hold the lock.
        Returns the new head."""
        state = self.manifest(slug)
        if not state.exists and self._legacy_captures(slug):
            raise ArchiveError(
                f"{self.policy_dir(slug)}: its captures were archived before manifests existed: check them with "
                f"`policy-diff verify`, then run `policy-diff seal {slug}` once"
            )
        if state.problems:
            raise ArchiveError(f"{self.manifest_path(slug)}: {state.problems[0]}; nothing is written over it")
        path = self.manifest_path(slug)
        head = append_record(path, state, kind, {"at": format_iso(now_utc()), **payload})
        info = path.lstat()
        self._manifests[slug] = ((info.st_size, info.st_mtime_ns, info.st_ino), state)
        return head

    def _legacy_captures(self, slug: str) -> list[Path]:
        cdir = self.captures_dir(slug)
        if not cdir.is_dir():
            return []
        return sorted(p for p in cdir.glob("*.json") if not p.name.startswith("."))

    def seal(self, slug: str) -> int:
        """Create the manifest of a policy archived before manifests existed, from its
        captures and exclusions as they are now. Returns the captures sealed (0 when the
        policy already has a manifest)."""
        with self.locked():
            self.require(slug)
            if self.manifest(slug).exists:
                return 0
            captures = self._legacy_read_captures(slug)
            for capture in captures:
                digest = hashlib.sha256(read_regular(self.capture_path(capture))).hexdigest()
                if digest != capture.sha256:
                    raise ArchiveError(
                        f"{self.capture_path(capture)}: sha256 does not match its provenance; not sealed"
                    )
            files = {c.file for c in captures}
            exclusions = [dict(item) for name, item in sorted(self._legacy_exclusions(slug).items()) if name in files]
            payload = {
                "at": format_iso(now_utc()),
                "by": f"policy-diff {__version__}",
                "captures": [{"file": c.file, "provenance": c.to_json()} for c in captures],
                "exclusions": exclusions,
            }
            append_record(self.manifest_path(slug), ManifestState(), "seal", payload)
            self._manifests.pop(slug, None)
            return len(captures)

    # -- captures ---------------------------------------------------------------------
    def captures(self, slug: str) -> list[Capture]:
        """Committed captures (those the manifest records), oldest first."""
        self.require(slug)
        state = self.manifest(slug)
        if not state.exists:
            return self._legacy_read_captures(slug)
        if state.problems:
            raise ArchiveError(f"{self.manifest_path(slug)}: {state.problems[0]}; run `policy-diff verify`")
        # Records are only ever appended to a state read once: an ingest asks at every group
        # commit, and reading every record again made a back-fill quadratic.
        cached = self._captures.get(slug)
        if cached is None or cached[0] is not state or cached[1] > len(state.records):
            cached = (state, 0, {})
        _, read, out = cached
        for record in state.records[read:]:
            for entry in recorded_captures(record):
                try:
                    capture = Capture.from_json(slug, entry.get("provenance") if isinstance(entry, dict) else None)
                except ValueError as exc:
                    raise ArchiveError(f"{self.manifest_path(slug)}: record {record.seq}: {exc}") from None
                out.setdefault(capture.file, capture)
        self._captures[slug] = (state, len(state.records), out)
        return sorted(out.values(), key=lambda c: (c.captured_at, c.file))

    def _legacy_read_captures(self, slug: str) -> list[Capture]:
        out = []
        for meta in self._legacy_captures(slug):
            out.append(self._read_provenance(slug, meta))
        return sorted(out, key=lambda c: (c.captured_at, c.file))

    def _read_provenance(self, slug: str, meta: Path) -> Capture:
        try:
            return Capture.from_json(slug, json.loads(read_regular(meta).decode("utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{meta}: unreadable provenance ({exc})") from None

    def _committed(self, slug: str) -> dict[str, Capture]:
        """Stored captures by stem (time and sha256): a capture's identity, whatever its
        extension, so the same bytes at the same time given as .html and as .md are one
        capture (and never two files sharing one provenance file)."""
        return {c.stem: c for c in self.captures(slug)}

    def capture(self, slug: str, name: str) -> Capture:
        """A capture by file name, stem, or unique stem prefix."""
        stem = name.rsplit("/", 1)[-1]
        matches = [c for c in self.captures(slug) if c.file == stem or c.stem.startswith(stem)]
        if len(matches) != 1 or not stem:
            what = "no capture" if not matches else f"{len(matches)} captures"
            raise ArchiveError(f"{what} of {slug!r} named {name!r}")
        return matches[0]

    def capture_path(self, capture: Capture) -> Path:
        if not CAPTURE_FILE.fullmatch(capture.file):  # never a path out of captures/
            raise ArchiveError(f"{capture.slug}: {capture.file!r} is not a capture file name")
        return self.captures_dir(capture.slug) / capture.file

    def read_capture(self, capture: Capture) -> bytes:
        return read_regular(self.capture_path(capture))

    def store_capture(
        self,
        slug: str,
        data: bytes,
        *,
        captured_at: datetime,
        media_type: str,
        source_url: str | None,
        ingested_via: str,
        original_name: str | None = None,
        content_type: str | None = None,
        wayback_url: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoreResult:
        """Store one capture and fold it into the versions. Idempotent on (time, sha256).

        Raises the capture's error (no text, a time in the future...) with nothing written."""
        item = NewCapture(
            data,
            captured_at,
            media_type,
            source_url,
            ingested_via,
            original_name,
            content_type,
            wayback_url,
            dict(extra or {}),
        )
        (result,) = self.store_captures(slug, [item], workers=1)
        if isinstance(result, PolicyDiffError):
            raise result
        return result

    def store_captures(
        self,
        slug: str,
        items: Sequence[NewCapture],
        *,
        workers: int | None = None,
        group_commit: bool = True,
    ) -> list[StoreResult | PolicyDiffError]:
        """Store many captures: extracted in parallel (`workers` processes, default one per
        core), committed in groups (one durable commit per group; `group_commit=False`
        commits each capture on its own). A group is what the workers have finished when
        the previous commit ends, so commits overlap extraction; groups commit in order.
        Each item gets its StoreResult, or the error that refused it (nothing of it
        written), in the order given. Idempotent on (time, sha256).
        """
        declaration = self.declaration(slug)
        if not self._recovered:
            with self.locked():  # a killed writer's committed captures are put in place first
                pass
        now = now_utc()
        results: list[StoreResult | PolicyDiffError | None] = [None] * len(items)
        committed = self._committed(slug)
        todo: list[tuple[int, NewCapture, str, str]] = []  # (index, item, sha256, file)
        first_of: dict[str, int] = {}
        duplicates: list[tuple[int, int]] = []
        for index, item in enumerate(items):
            problem = self._check_new(item, now)
            if problem:
                results[index] = ArchiveError(problem)
                continue
            sha = hashlib.sha256(item.data).hexdigest()
            stem = f"{format_stamp(item.captured_at)}-{sha[:12]}"
            file = f"{stem}.{EXTENSIONS[item.media_type]}"
            if stem in committed:
                results[index] = StoreResult(committed[stem], created=False)
            elif stem in first_of:
                duplicates.append((index, first_of[stem]))
            else:
                first_of[stem] = index
                todo.append((index, item, sha, file))
        group = COMMIT_GROUP if group_commit else 1
        done = 0
        # Each batch of extractions is committed while the workers extract the next ones.
        for extractions in self._extract_new(declaration, [(item, sha) for _, item, sha, _ in todo], workers):
            for start in range(0, len(extractions), group):
                part = extractions[start : start + group]
                chunk = todo[done : done + len(part)]
                stored = self._commit_captures(slug, declaration, chunk, part)
                for (index, *_), result in zip(chunk, stored, strict=True):
                    results[index] = result
                done += len(part)
        for index, first in duplicates:
            earlier = results[first]
            results[index] = (
                StoreResult(earlier.capture, created=False) if isinstance(earlier, StoreResult) else earlier
            )
        return [r for r in results if r is not None]

    def _check_new(self, item: NewCapture, now: datetime) -> str | None:
        if item.media_type not in EXTENSIONS:
            return f"unsupported media type {item.media_type!r}"
        if to_utc(item.captured_at) > now + FUTURE_TOLERANCE:
            return f"capture time {format_iso(item.captured_at)} is in the future: refused"
        return None

    def _extract_new(
        self, declaration: Declaration, items: list[tuple[NewCapture, str]], workers: int | None
    ) -> Iterator[list[Extraction | ExtractionError]]:
        """Extractions in order, in the batches the workers finish them (`extract_batches`);
        the same bytes under the same rules are extracted once."""
        jobs: dict[tuple[Any, ...], tuple[int, ExtractJob]] = {}  # key -> (its index, the job)
        job_of: list[int] = []  # per item: the index of the job whose result it takes
        for item, sha in items:
            rules = declaration.rules_at(item.captured_at)
            base = _http_url(item.source_url) or declaration.url
            key = (sha, item.media_type, id(rules), base, item.content_type)
            if key not in jobs:
                job = ExtractJob(item.data, item.media_type, item.captured_at, base, item.content_type)
                jobs[key] = (len(jobs), job)
            job_of.append(jobs[key][0])
        done: list[Extraction | ExtractionError] = []
        given = 0
        for batch in extract_batches(declaration, [job for _, job in jobs.values()], workers, share=COMMIT_SHARE):
            done += batch
            ready = given
            # jobs are numbered in their first item's order, so the items ready form a prefix
            while ready < len(items) and job_of[ready] < len(done):
                ready += 1
            if ready > given:
                yield [done[job] for job in job_of[given:ready]]
                given = ready

    def _commit_captures(
        self,
        slug: str,
        declaration: Declaration,
        chunk: list[tuple[int, NewCapture, str, str]],
        extractions: list[Extraction | ExtractionError],
    ) -> list[StoreResult | PolicyDiffError]:
        """One group commit. See the module docstring for the order of the steps."""
        out: list[StoreResult | PolicyDiffError] = []
        new: list[tuple[Capture, Extraction, bytes, int]] = []
        ingested_at = now_utc()
        with self.locked():
            committed = self._committed(slug)  # another process may have stored some meanwhile
            for position, ((_, item, sha, file), extraction) in enumerate(zip(chunk, extractions, strict=True)):
                if isinstance(extraction, ExtractionError):
                    out.append(extraction)
                    continue
                if file.rsplit(".", 1)[0] in committed:
                    out.append(StoreResult(committed[file.rsplit(".", 1)[0]], created=False))
                    continue
                capture = Capture(
                    slug=slug,
                    file=file,
                    captured_at=item.captured_at,
                    sha256=sha,
                    size=len(item.data),
                    media_type=item.media_type,
                    source_url=_http_url(item.source_url) or declaration.url,
                    ingested_via=item.ingested_via,
                    ingested_at=ingested_at,
                    declared_charset=extraction.declared_charset,
                    detected_charset=extraction.detected_charset,
                    charset_mismatch=extraction.charset_mismatch,
                    original_name=item.original_name,
                    wayback_url=_http_url(item.wayback_url),
                    extra={"policy_diff_version": __version__, **item.extra},
                )
                new.append((capture, extraction, item.data, position))
                out.append(StoreResult(capture, True, warnings=list(extraction.warnings)))
            if not new:
                return out
            cdir = self.captures_dir(slug)
            # A marker of the commit in progress: the next writer finishes what it names.
            marker = temporary_name(self.policy_dir(slug) / ".commit")
            staging = Staging()
            try:
                cdir.mkdir(parents=True, exist_ok=True)
                marker.write_bytes(b"")
                fsync_dir(marker.parent)
                provenances = [capture.to_json() for capture, _, _, _ in new]
                for (capture, _, data, _), provenance in zip(new, provenances, strict=True):
                    staging.stage(cdir / capture.file, data)
                    staging.stage(cdir / f"{capture.stem}.json", json_bytes(provenance))
                staging.sync()
                self._commit_record(
                    slug,
                    "captures",
                    {
                        "captures": [
                            {"file": c.file, "provenance": provenance}
                            for (c, _, _, _), provenance in zip(new, provenances, strict=True)
                        ]
                    },
                )
            except BaseException:
                staging.discard()
                marker.unlink(missing_ok=True)
                raise
            try:
                staging.publish()
                versions = _Versions(self, slug, self.versions_dir(slug))
                for capture, extraction, _, position in new:
                    vid, created = versions.add(capture, extraction)
                    result = out[position]
                    assert isinstance(result, StoreResult)
                    result.version, result.new_version = vid, created
                versions.write()
            except OSError as exc:
                # Committed: the next writer puts the files in place and folds them in.
                raise write_error(cdir, exc) from None
            marker.unlink(missing_ok=True)
        return out

    # -- versions ---------------------------------------------------------------------
    def _load_version_meta(self, path: Path) -> dict[str, Any]:
        """A version's metadata, checked: a wrong type is a one-line error, never a crash."""
        try:
            meta = json.loads(read_regular(path).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{path}: invalid version metadata ({exc})") from None
        problem = _version_meta_problem(meta, path.stem)
        if problem:
            raise ArchiveError(f"{path}: invalid version metadata: {problem}")
        return meta

    def _versioned_files(self, slug: str) -> set[str]:
        files: set[str] = set()
        vdir = self.versions_dir(slug)
        for meta in vdir.glob("v*.json"):
            files.update(e["file"] for e in self._load_version_meta(meta)["captures"])
        return files

    def refresh_versions(self, slug: str) -> list[str]:
        """Fold captures that no version lists yet (after a crash) into the versions."""
        done = []
        with self.locked():
            known = self._versioned_files(slug)
            missing = [c for c in self.captures(slug) if c.file not in known]
            if not missing:
                return []
            versions = _Versions(self, slug, self.versions_dir(slug))
            for capture, extraction in zip(missing, self._extract_stored(slug, missing), strict=True):
                if isinstance(extraction, ExtractionError):
                    raise ArchiveError(f"{self.capture_path(capture)}: {extraction.message}")
                versions.add(capture, extraction)
                done.append(capture.file)
            versions.write()
        return done

    def _extract_stored(
        self, slug: str, captures: Sequence[Capture], workers: int | None = None
    ) -> list[Extraction | ExtractionError]:
        declaration = self.declaration(slug)
        jobs = [
            ExtractJob(
                self.read_capture(c),
                c.media_type,
                c.captured_at,
                c.source_url or declaration.url,
                c.extra.get("content_type") if isinstance(c.extra.get("content_type"), str) else None,
            )
            for c in captures
        ]
        return extract_all(declaration, jobs, workers)

    def rebuild(self, slug: str, *, workers: int | None = None) -> tuple[int, int]:
        """Regenerate versions/ from the captures; swapped in whole, so a crash is harmless.

        Returns (captures, versions).
        """
        with self.locked():
            pdir = self.policy_dir(slug)
            captures = self.captures(slug)
            extractions = self._extract_stored(slug, captures, workers)
            tmp = pdir / f".versions.new-{secrets.token_hex(4)}"
            tmp.mkdir()
            try:
                versions = _Versions(self, slug, tmp)
                for capture, extraction in zip(captures, extractions, strict=True):
                    if isinstance(extraction, ExtractionError):
                        raise ArchiveError(f"{self.capture_path(capture)}: {extraction.message}")
                    versions.add(capture, extraction)
                versions.write()
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            current = self.versions_dir(slug)
            old = pdir / f".versions.old-{secrets.token_hex(4)}"
            if current.exists():
                current.rename(old)
            tmp.rename(current)
            fsync_dir(pdir)
            shutil.rmtree(old, ignore_errors=True)
            return len(captures), len(list(current.glob("v*.md")))

    def versions(self, slug: str, *, include_excluded: bool = False) -> list[Version]:
        """Distinct versions ordered by first capture. Excluded captures are left out."""
        self.require(slug)
        excluded = set() if include_excluded else set(self.exclusions(slug))
        out = []
        for meta_path in self.versions_dir(slug).glob("v*.json"):
            meta = self._load_version_meta(meta_path)
            refs = tuple(
                CaptureRef(parse_time(e["captured_at"]), e["file"])
                for e in meta["captures"]
                if e["file"] not in excluded
            )
            if not refs:
                continue
            out.append(
                Version(
                    slug=slug,
                    id=meta["id"],
                    sha256=meta["sha256"],
                    path=f"{slug}/versions/{meta['id']}.md",
                    captures=refs,
                    extractor_version=str(meta.get("extractor_version", "?")),
                    meta=meta,
                )
            )
        return sorted(out, key=lambda v: (v.first_seen, v.id))

    def version(self, slug: str, ref: str | None = None) -> Version:
        """A version by id (or unique prefix), by a date (the version in force then),
        or the latest when ref is None."""
        versions = self.versions(slug)
        if not versions:
            raise UnknownVersionError(f"policy {slug!r} has no versions yet")
        if ref is None:
            return self.version(slug, self.history(slug)[-1].version)
        hits = [v for v in versions if v.id == ref] or [
            v for v in versions if v.id.startswith(ref) or v.sha256.startswith(ref)
        ]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UnknownVersionError(f"{ref!r} is ambiguous: {', '.join(v.id for v in hits)}")
        try:
            moment = parse_time(ref)
        except ValueError:
            raise UnknownVersionError(f"no version {ref!r} of {slug!r} (see `policy-diff versions {slug}`)") from None
        in_force = [p for p in self.history(slug) if p.start <= moment]
        if not in_force:
            raise UnknownVersionError(f"no version of {slug!r} was captured by {ref}")
        return self.version(slug, in_force[-1].version)

    def version_text(self, version: Version) -> str:
        if not re.fullmatch(r"v[0-9a-f]{10}", version.id):
            raise ArchiveError(f"{version.slug}: {version.id!r} is not a version id")
        path = self.versions_dir(version.slug) / f"{version.id}.md"
        try:
            return read_regular(path).decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"{path}: not UTF-8 text") from None

    def history(self, slug: str) -> list[Period]:
        """Periods in order: each a version in force from one capture to the last
        consecutive capture with the same text. A -> B -> A is three periods."""
        refs = sorted(
            ((ref, v.id) for v in self.versions(slug) for ref in v.captures),
            key=lambda item: (item[0].captured_at, item[0].file),
        )
        periods: list[Period] = []
        run: list[CaptureRef] = []
        current = None
        for ref, vid in refs:
            if vid != current and run:
                periods.append(Period(current, run[0].captured_at, run[-1].captured_at, tuple(run)))
                run = []
            current = vid
            run.append(ref)
        if run and current is not None:
            periods.append(Period(current, run[0].captured_at, run[-1].captured_at, tuple(run)))
        return periods

    # -- exclusions -------------------------------------------------------------------
    def exclusions(self, slug: str) -> dict[str, dict[str, str]]:
        state = self.manifest(slug)
        if not state.exists:
            return self._legacy_exclusions(slug)
        out: dict[str, dict[str, str]] = {}
        for record in state.records:
            for item in recorded_exclusions(record):
                problem = _exclusion_problem(item)
                if problem:
                    raise ArchiveError(f"{self.manifest_path(slug)}: record {record.seq}: {problem}")
                out[item["file"]] = {k: item[k] for k in ("file", "reason", "excluded_at")}
        return out

    def _legacy_exclusions(self, slug: str) -> dict[str, dict[str, str]]:
        path = self.policy_dir(slug) / "exclusions.json"
        if not path.exists():
            return {}
        try:
            data = json.loads(read_regular(path).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{path}: invalid JSON ({exc})") from None
        if not isinstance(data, list):
            raise ArchiveError(f"{path}: expected a list of exclusions")
        out = {}
        for index, item in enumerate(data):
            problem = _exclusion_problem(item)
            if problem:
                raise ArchiveError(f"{path}: exclusion {index}: {problem}")
            out[item["file"]] = item
        return out

    def _write_exclusions(self, slug: str, exclusions: dict[str, dict[str, str]]) -> None:
        path = self.policy_dir(slug) / "exclusions.json"
        data = sorted(exclusions.values(), key=lambda item: item["file"])
        if not path.exists() or path.read_bytes() != json_bytes(data):
            write_json_atomic(path, data)

    def exclude(self, slug: str, name: str, reason: str) -> Capture:
        if not reason.strip():
            raise ArchiveError("an exclusion needs a --reason")
        with self.locked():
            capture = self.capture(slug, name)
            item = {"file": capture.file, "reason": reason.strip(), "excluded_at": format_iso(now_utc())}
            # exclusions.json follows the record; a writer killed in between leaves the marker,
            # and the next one rewrites the file from the manifest.
            marker = temporary_name(self.policy_dir(slug) / ".commit")
            marker.write_bytes(b"")
            try:
                self._commit_record(slug, "exclusion", item)
            except BaseException:
                marker.unlink(missing_ok=True)
                raise
            self._write_exclusions(slug, self.exclusions(slug))
            marker.unlink(missing_ok=True)
        return capture

    # -- editor's notes ---------------------------------------------------------------
    def notes(self, slug: str) -> dict[str, Note]:
        """The policy's editor's notes by key, as its manifest records them (the last note
        of each key wins)."""
        state = self.manifest(slug)
        out: dict[str, Note] = {}
        for record in state.records:
            if record.kind != NOTE_KIND:
                continue
            try:
                note = Note.from_json({k: v for k, v in record.body.items() if k not in ("seq", "prev", "kind", "at")})
            except ValueError as exc:
                raise ArchiveError(f"{self.manifest_path(slug)}: record {record.seq}: {exc}") from None
            out[note.key] = note
        return out

    def _write_notes(self, slug: str, notes: dict[str, Note]) -> None:
        path = self.policy_dir(slug) / NOTES_FILE
        data = notes_yaml(notes).encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            write_atomic(path, data)

    def set_note(self, slug: str, note: Note) -> str:
        """Record an editor's note in the manifest, then rewrite notes.yml from it. Returns
        the manifest's new head. Captures and versions are not touched."""
        with self.locked():
            self.require(slug)
            # notes.yml follows the record; a writer killed in between leaves the marker, and
            # the next one rewrites the file from the manifest.
            marker = temporary_name(self.policy_dir(slug) / ".commit")
            marker.write_bytes(b"")
            try:
                head = self._commit_record(slug, NOTE_KIND, note.to_json())
            except BaseException:
                marker.unlink(missing_ok=True)
                raise
            self._write_notes(slug, self.notes(slug))
            marker.unlink(missing_ok=True)
        return head

    # -- verification -----------------------------------------------------------------
    def verify(self, *, rederive: bool = True, workers: int | None = None) -> list[Problem]:
        """Check the whole archive against its manifests: every capture re-hashed, every
        provenance compared with its record, every exclusion, no unexpected file, and (with
        `rederive`) every version re-derived from its captures."""
        from .verify import verify_archive

        return verify_archive(self, rederive=rederive, workers=workers)

    def _committed_files(self, slug: str) -> list[str]:
        try:
            return sorted(c.file for c in self.captures(slug))
        except PolicyDiffError:
            return []

    def count_captures(self) -> int:
        return sum(len(self._committed_files(slug)) for slug in self.slugs())


def recorded_captures(record: Record) -> list[Any]:
    """The captures a manifest record commits (a group commit's, or a seal's)."""
    if record.kind in ("captures", "seal"):
        entries = record.body.get("captures")
        return entries if isinstance(entries, list) else [None]
    return []


def recorded_exclusions(record: Record) -> list[Any]:
    if record.kind == "exclusion":
        return [record.body]
    if record.kind == "seal":
        items = record.body.get("exclusions", [])
        return items if isinstance(items, list) else [None]
    return []


def _exclusion_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "expected an object with `file` and `reason`"
    for key in ("file", "reason", "excluded_at"):
        if not isinstance(item.get(key), str) or not item.get(key):
            return f"field `{key}`: expected a non-empty string"
    if not CAPTURE_FILE.fullmatch(item["file"]):
        return f"field `file`: {item['file'][:80]!r} is not a capture file name"
    return None


def _version_meta_problem(meta: Any, stem: str) -> str | None:
    if not isinstance(meta, dict):
        return "expected a JSON object"
    if meta.get("id") != stem or not isinstance(meta.get("id"), str):
        return f"field `id`: expected {stem!r}"
    if not isinstance(meta.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", meta["sha256"]):
        return "field `sha256`: expected 64 hex digits"
    entries = meta.get("captures")
    if not isinstance(entries, list):
        return "field `captures`: expected a list"
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return f"captures[{index}]: expected an object"
        if not isinstance(entry.get("file"), str) or not CAPTURE_FILE.fullmatch(entry["file"]):
            return f"captures[{index}].file: not a capture file name"
        if not isinstance(entry.get("captured_at"), str):
            return f"captures[{index}].captured_at: expected a time"
        try:
            parse_time(entry["captured_at"])
        except ValueError:
            return f"captures[{index}].captured_at: {entry['captured_at'][:40]!r} is not a time"
        for flag in ("selector_miss", "charset_mismatch"):
            if not isinstance(entry.get(flag, False), bool):
                return f"captures[{index}].{flag}: expected true or false"
        if not isinstance(entry.get("warnings", []), list):
            return f"captures[{index}].warnings: expected a list"
    return None
