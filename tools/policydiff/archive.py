"""The archive on disk: immutable captures, their provenance, and derived versions.

```
archive/<slug>/policy.yml                         the declaration
archive/<slug>/captures/<STAMP>-<sha12>.<ext>     raw bytes, never modified
archive/<slug>/captures/<STAMP>-<sha12>.json      provenance; its presence commits the capture
archive/<slug>/exclusions.json                    captures withdrawn from the history, with reasons
archive/<slug>/versions/<id>.md                   one distinct normalised text
archive/<slug>/versions/<id>.json                 its metadata: captures, extractor version
```
Every write is atomic (storage.write_atomic) and every change happens under one lock per
archive, so concurrent ingests are serialised and a killed process leaves a valid archive.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock

from . import __version__
from .declaration import Declaration, check_slug, load_declaration, parse_declaration
from .errors import ArchiveError, ExtractionError, PolicyDiffError, UnknownPolicyError, UnknownVersionError
from .extract import EXTRACTOR_VERSION, Extraction, extract_capture
from .models import Capture, CaptureRef, Period, Version
from .storage import (
    fsync_dir,
    remove_stale_temporaries,
    write_atomic,
    write_json_atomic,
    write_text_atomic,
)
from .times import format_iso, format_stamp, now_utc, parse_time

LOCK_TIMEOUT_SECONDS = 600
EXTENSIONS = {"text/html": "html", "text/markdown": "md", "text/plain": "txt"}


def version_id(sha256: str) -> str:
    """A short id that is never mistaken for a date."""
    return "v" + sha256[:10]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class StoreResult:
    capture: Capture
    created: bool
    version: str | None = None
    new_version: bool = False
    warnings: list[str] = field(default_factory=list)


class Archive:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._held = 0
        self._recovered = False
        self._lock = filelock.FileLock(str(self.root / ".lock"), timeout=LOCK_TIMEOUT_SECONDS)

    # -- layout -----------------------------------------------------------------------
    def policy_dir(self, slug: str) -> Path:
        return self.root / check_slug(slug)

    def captures_dir(self, slug: str) -> Path:
        return self.policy_dir(slug) / "captures"

    def versions_dir(self, slug: str) -> Path:
        return self.policy_dir(slug) / "versions"

    def slugs(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/policy.yml"))

    def exists(self, slug: str) -> bool:
        return (self.policy_dir(slug) / "policy.yml").is_file()

    def require(self, slug: str) -> None:
        if not self.exists(slug):
            raise UnknownPolicyError(slug, self.root)

    # -- locking ----------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise writers. Re-entrant within one Archive object."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise ArchiveError(
                f"{self.root}: another policy-diff process holds the archive lock "
                f"({self.root / '.lock'}) for more than {LOCK_TIMEOUT_SECONDS} s"
            ) from None
        self._held += 1
        try:
            # Leftovers come from a writer killed in an earlier process: look once per
            # Archive, not at every lock (an ingest takes the lock once per capture).
            if self._held == 1 and not self._recovered:
                self._recover()
                self._recovered = True
            yield
        finally:
            self._held -= 1
            self._lock.release()

    def _recover(self) -> None:
        """Finish or undo what a killed writer left behind."""
        remove_stale_temporaries(self.root)
        for slug in self.slugs():
            pdir = self.policy_dir(slug)
            for partial in pdir.glob(".versions.new-*"):
                if not self.versions_dir(slug).exists():
                    partial.rename(self.versions_dir(slug))
                else:
                    shutil.rmtree(partial, ignore_errors=True)
            for old in pdir.glob(".versions.old-*"):
                shutil.rmtree(old, ignore_errors=True)
            # A writer killed between committing a capture and updating its version.
            try:
                self.refresh_versions(slug)
            except PolicyDiffError:
                continue  # a broken declaration or capture: `verify` reports it

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
            write_text_atomic(path, declaration.to_yaml())
            (self.policy_dir(slug) / "captures").mkdir(exist_ok=True)
        return declaration, True

    # -- captures ---------------------------------------------------------------------
    def captures(self, slug: str) -> list[Capture]:
        """Committed captures (those with provenance), oldest first."""
        self.require(slug)
        out = []
        for meta in self.captures_dir(slug).glob("*.json"):
            if meta.name.startswith("."):
                continue
            out.append(self._read_provenance(slug, meta))
        return sorted(out, key=lambda c: (c.captured_at, c.file))

    def _read_provenance(self, slug: str, meta: Path) -> Capture:
        try:
            return Capture.from_json(slug, json.loads(meta.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{meta}: unreadable provenance ({exc})") from None

    def capture(self, slug: str, name: str) -> Capture:
        """A capture by file name, stem, or unique stem prefix."""
        stem = name.rsplit("/", 1)[-1]
        matches = [c for c in self.captures(slug) if c.file == stem or c.stem.startswith(stem)]
        if len(matches) != 1:
            what = "no capture" if not matches else f"{len(matches)} captures"
            raise ArchiveError(f"{what} of {slug!r} named {name!r}")
        return matches[0]

    def capture_path(self, capture: Capture) -> Path:
        return self.captures_dir(capture.slug) / capture.file

    def read_capture(self, capture: Capture) -> bytes:
        return self.capture_path(capture).read_bytes()

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

        The text is extracted before anything is written, so a capture with no text
        leaves the archive untouched.
        """
        declaration = self.declaration(slug)
        sha = hashlib.sha256(data).hexdigest()
        stem = f"{format_stamp(captured_at)}-{sha[:12]}"
        ext = EXTENSIONS[media_type]
        raw_path = self.captures_dir(slug) / f"{stem}.{ext}"
        meta_path = raw_path.with_suffix(".json")
        if meta_path.exists():
            capture = self._read_provenance(slug, meta_path)
            return StoreResult(capture, created=False)
        extraction = extract_capture(
            data,
            media_type,
            declaration.rules_at(captured_at),
            base_url=source_url or declaration.url,
            content_type=content_type,
        )
        capture = Capture(
            slug=slug,
            file=raw_path.name,
            captured_at=captured_at,
            sha256=sha,
            size=len(data),
            media_type=media_type,
            source_url=source_url or declaration.url,
            ingested_via=ingested_via,
            ingested_at=now_utc(),
            declared_charset=extraction.declared_charset,
            detected_charset=extraction.detected_charset,
            charset_mismatch=extraction.charset_mismatch,
            original_name=original_name,
            wayback_url=wayback_url,
            extra={"policy_diff_version": __version__, **(extra or {})},
        )
        with self.locked():
            if meta_path.exists():  # another process stored it while we extracted
                return StoreResult(self._read_provenance(slug, meta_path), created=False)
            if not raw_path.exists() or hashlib.sha256(raw_path.read_bytes()).hexdigest() != sha:
                write_atomic(raw_path, data)
            write_json_atomic(meta_path, capture.to_json())
            vid, new = self._add_to_versions(capture, extraction)
        return StoreResult(capture, True, vid, new, list(extraction.warnings))

    # -- versions ---------------------------------------------------------------------
    def _version_meta_path(self, slug: str, vid: str) -> Path:
        return self.versions_dir(slug) / f"{vid}.json"

    def _add_to_versions(self, capture: Capture, extraction: Extraction, vdir: Path | None = None) -> tuple[str, bool]:
        vdir = vdir or self.versions_dir(capture.slug)
        text = extraction.markdown
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        # One version per distinct visible text: a markup-only change is not a new version.
        vid = version_id(extraction.text_key or sha)
        md_path = vdir / f"{vid}.md"
        meta_path = vdir / f"{vid}.json"
        new = not meta_path.exists()
        if not md_path.exists():
            write_text_atomic(md_path, text)
        meta: dict[str, Any]
        if new:
            meta = {
                "id": vid,
                "sha256": sha,
                "extractor_version": EXTRACTOR_VERSION,
                "policy_diff_version": __version__,
                "title": extraction.title,
                "captures": [],
            }
        else:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
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
        write_json_atomic(meta_path, meta)
        return vid, new

    def _versioned_files(self, slug: str) -> set[str]:
        files: set[str] = set()
        vdir = self.versions_dir(slug)
        for meta in vdir.glob("v*.json"):
            files.update(e["file"] for e in json.loads(meta.read_text("utf-8"))["captures"])
        return files

    def refresh_versions(self, slug: str) -> list[str]:
        """Fold captures that no version lists yet (after a crash) into the versions."""
        done = []
        with self.locked():
            known = self._versioned_files(slug)
            for capture in self.captures(slug):
                if capture.file not in known:
                    self._add_to_versions(capture, self._extract(capture))
                    done.append(capture.file)
        return done

    def _extract(self, capture: Capture) -> Extraction:
        declaration = self.declaration(capture.slug)
        return extract_capture(
            self.read_capture(capture),
            capture.media_type,
            declaration.rules_at(capture.captured_at),
            base_url=capture.source_url or declaration.url,
            content_type=capture.extra.get("content_type"),
        )

    def rebuild(self, slug: str) -> tuple[int, int]:
        """Regenerate versions/ from the captures; swapped in whole, so a crash is harmless.

        Returns (captures, versions).
        """
        with self.locked():
            pdir = self.policy_dir(slug)
            tmp = pdir / f".versions.new-{secrets.token_hex(4)}"
            tmp.mkdir()
            captures = self.captures(slug)
            try:
                for capture in captures:
                    try:
                        extraction = self._extract(capture)
                    except ExtractionError as exc:
                        raise ArchiveError(f"{self.capture_path(capture)}: {exc.message}") from None
                    self._add_to_versions(capture, extraction, tmp)
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
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
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
                    extractor_version=meta.get("extractor_version", "?"),
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
        return (self.root / version.path).read_text(encoding="utf-8")

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
        path = self.policy_dir(slug) / "exclusions.json"
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ArchiveError(f"{path}: invalid JSON ({exc})") from None
        return {item["file"]: item for item in data}

    def exclude(self, slug: str, name: str, reason: str) -> Capture:
        if not reason.strip():
            raise ArchiveError("an exclusion needs a --reason")
        with self.locked():
            capture = self.capture(slug, name)
            current = self.exclusions(slug)
            current[capture.file] = {
                "file": capture.file,
                "reason": reason.strip(),
                "excluded_at": format_iso(now_utc()),
            }
            write_json_atomic(
                self.policy_dir(slug) / "exclusions.json",
                sorted(current.values(), key=lambda item: item["file"]),
            )
        return capture

    # -- verification -----------------------------------------------------------------
    def verify(self) -> list[Problem]:
        """Re-hash every capture and check every provenance and version file."""
        problems: list[Problem] = []
        for slug in self.slugs():
            pdir = self.policy_dir(slug)
            try:
                self.declaration(slug)
            except ArchiveError as exc:
                problems.append(Problem(pdir / "policy.yml", exc.message))
            except Exception as exc:  # declaration errors are ClickExceptions too
                problems.append(Problem(pdir / "policy.yml", getattr(exc, "message", str(exc))))
            problems.extend(self._verify_captures(slug))
            problems.extend(self._verify_versions(slug))
        return problems

    def _committed_files(self, slug: str) -> list[str]:
        """Capture files whose provenance exists, without trusting the provenance's content."""
        cdir = self.captures_dir(slug)
        if not cdir.is_dir():
            return []
        return sorted(
            p.name
            for p in cdir.iterdir()
            if p.suffix != ".json" and not p.name.startswith(".") and p.with_suffix(".json").exists()
        )

    def count_captures(self) -> int:
        return sum(len(self._committed_files(slug)) for slug in self.slugs())

    def _verify_captures(self, slug: str) -> list[Problem]:
        problems = []
        cdir = self.captures_dir(slug)
        metas = {p.stem: p for p in cdir.glob("*.json") if not p.name.startswith(".")}
        for meta_path in sorted(metas.values()):
            try:
                data = json.loads(meta_path.read_text(encoding="utf-8"))
                capture = Capture.from_json(slug, data)
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(Problem(meta_path, f"invalid provenance: {exc}"))
                continue
            raw = cdir / capture.file
            if raw.stem != meta_path.stem:
                problems.append(Problem(meta_path, f"names file {capture.file!r}, not its own"))
            if not raw.is_file():
                problems.append(Problem(meta_path, f"capture file {capture.file} is missing"))
                continue
            digest = hashlib.sha256(raw.read_bytes()).hexdigest()
            if digest != capture.sha256:
                problems.append(Problem(raw, f"sha256 {digest[:12]}… != recorded {capture.sha256[:12]}…"))
            elif not raw.name.split("-", 1)[-1].startswith(digest[:12]):
                problems.append(Problem(raw, "file name does not carry its sha256"))
            if raw.stat().st_size != capture.size:
                problems.append(Problem(raw, f"size {raw.stat().st_size} != recorded {capture.size}"))
            if format_stamp(capture.captured_at) != raw.name.split("-", 1)[0]:
                problems.append(Problem(raw, "file name does not carry its capture time"))
        for raw in sorted(cdir.glob("*")):
            if raw.suffix != ".json" and not raw.name.startswith(".") and raw.stem not in metas:
                problems.append(Problem(raw, "no provenance: an ingest was interrupted; re-ingest it", False))
        return problems

    def _verify_versions(self, slug: str) -> list[Problem]:
        problems = []
        vdir = self.versions_dir(slug)
        captures = set(self._committed_files(slug))
        seen: set[str] = set()
        for meta_path in sorted(vdir.glob("v*.json")):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                vid, sha = meta["id"], meta["sha256"]
            except (ValueError, KeyError) as exc:
                problems.append(Problem(meta_path, f"invalid version metadata: {exc}"))
                continue
            md_path = vdir / f"{vid}.md"
            if not md_path.is_file():
                problems.append(Problem(meta_path, f"version text {md_path.name} is missing"))
                continue
            digest = hashlib.sha256(md_path.read_bytes()).hexdigest()
            if digest != sha:
                problems.append(Problem(md_path, "text does not match its sha256"))
            for entry in meta.get("captures", []):
                if entry["file"] not in captures:
                    problems.append(Problem(meta_path, f"lists unknown capture {entry['file']}"))
                seen.add(entry["file"])
        for missing in sorted(captures - seen):
            problems.append(
                Problem(vdir, f"capture {missing} is in no version; run `policy-diff rebuild {slug}`", False)
            )
        return problems
