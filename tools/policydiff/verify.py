"""`policy-diff verify`: is the archive what its manifests say, and nothing else?

Errors: a broken manifest chain; a capture whose bytes, name or provenance file differ from
its record; a file the manifest does not know (captures, versions, anything unexpected in a
policy folder); a version whose text is not the extraction of its captures; a policy folder
without its policy.yml (its captures would vanish from the site); symbolic links.
Warnings: what a killed writer leaves and the next writer completes, folders that are not
policies (an invalid slug: every command skips them), versions made by an older extractor.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .archive import (
    POLICY_FILES,
    ROOT_FILES,
    VERSION_FILE,
    Archive,
    Problem,
    read_regular,
    recorded_captures,
    recorded_exclusions,
    version_id,
)
from .declaration import check_slug
from .errors import ExtractionError, PolicyDiffError
from .extract import EXTRACTOR_VERSION
from .manifest import KNOWN_KINDS, MANIFEST, read_manifest
from .models import CAPTURE_FILE, Capture
from .notes import NOTES_FILE, parse_notes_yaml
from .storage import TMP_MARK, final_name
from .times import format_iso, format_stamp


def _message(exc: PolicyDiffError, path: Path) -> str:
    prefix = f"{path}: "
    return exc.message[len(prefix) :] if exc.message.startswith(prefix) else exc.message


def _is_temporary(path: Path) -> bool:
    return final_name(path) is not None


@dataclass
class QuickVerification:
    """`verify --quick` for a session that verifies one archive again and again (`mkdocs
    serve`): each policy folder's problems, kept by the folder's state (the name, type, size,
    modification and change times and inode of every entry under it, read without following
    a link, and the policy's archive fingerprint), so a folder is checked again only when
    something in it changed. The archive's top level is checked at every run."""

    policies: dict[str, tuple[str, list[Problem]]] = field(default_factory=dict)  # slug -> (state, problems)
    checked: list[str] = field(default_factory=list)  # the slugs checked again in the last run

    def run(self, archive: Archive, fingerprints: Mapping[str, str] | None = None) -> list[Problem]:
        """`fingerprints`: the policies' archive fingerprints, when the caller has them."""
        self.checked = []
        problems = verify_archive(archive, rederive=False, memo=self, fingerprints=fingerprints)
        for gone in set(self.policies) - set(archive.slugs()):
            del self.policies[gone]
        return problems

    def policy(self, archive: Archive, slug: str, fingerprint: str | None) -> list[Problem]:
        from .history import archive_fingerprint

        state = _folder_state(archive.policy_dir(slug), fingerprint or archive_fingerprint(archive, slug))
        kept = self.policies.get(slug)
        if kept is None or kept[0] != state:
            self.checked.append(slug)
            kept = self.policies[slug] = (state, _verify_policy(archive, slug, False, None))
        return list(kept[1])


def _folder_state(folder: Path, fingerprint: str) -> str:
    digest = hashlib.sha256(f"policy-diff quick verification\0{fingerprint}\0".encode())
    for directory, dirs, files in os.walk(folder):  # os.walk never descends into a linked folder
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(directory) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(folder).as_posix()}\0{info.st_mode}\0{info.st_size}\0".encode())
            digest.update(f"{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\n".encode())
    return digest.hexdigest()


def verify_archive(
    archive: Archive,
    *,
    rederive: bool = True,
    workers: int | None = None,
    memo: QuickVerification | None = None,
    fingerprints: Mapping[str, str] | None = None,
) -> list[Problem]:
    """`memo` (quick runs only): a session's `QuickVerification`, which calls this."""
    if memo is not None and rederive:
        raise ValueError("a kept verification is only for `verify --quick` (rederive=False)")
    problems: list[Problem] = []
    root = archive.root
    if not root.is_dir():
        return problems
    for entry in sorted(root.iterdir()):
        if entry.is_symlink():
            problems.append(Problem(entry, "a symbolic link in the archive: never followed; remove it"))
        elif entry.is_dir():
            try:
                check_slug(entry.name)
            except PolicyDiffError:
                if not entry.name.startswith("."):
                    problems.append(Problem(entry, "not a policy folder (invalid slug name): ignored", False))
                continue
            if not (entry / "policy.yml").is_file():
                held = sum(1 for p in entry.rglob("*") if p.is_file())
                if held:
                    problems.append(
                        Problem(
                            entry / "policy.yml",
                            f"missing: this folder holds {held} file(s) (captures, manifest) that no command "
                            "would show; restore its policy.yml",
                        )
                    )
                continue
            if memo is not None:
                problems.extend(memo.policy(archive, entry.name, (fingerprints or {}).get(entry.name)))
            else:
                problems.extend(_verify_policy(archive, entry.name, rederive, workers))
        elif entry.name not in ROOT_FILES and not entry.name.lower().startswith("readme") and not _is_temporary(entry):
            problems.append(Problem(entry, "unexpected file in the archive folder", False))
    return problems


def _verify_policy(archive: Archive, slug: str, rederive: bool, workers: int | None) -> list[Problem]:
    problems: list[Problem] = []
    pdir = archive.policy_dir(slug)
    cdir, vdir = archive.captures_dir(slug), archive.versions_dir(slug)
    try:
        archive.declaration(slug)
    except PolicyDiffError as exc:
        problems.append(Problem(pdir / "policy.yml", _message(exc, pdir / "policy.yml")))
    problems.extend(_verify_layout(pdir))
    interrupted = any(_is_temporary(p) for p in pdir.rglob(".*"))

    # -- the manifest and the captures it records ---------------------------------------
    state = read_manifest(pdir / MANIFEST)
    committed: dict[str, Capture] = {}
    recorded: dict[str, dict] = {}
    if not state.exists:
        legacy = archive._legacy_captures(slug)
        if legacy:
            problems.append(
                Problem(
                    pdir / MANIFEST,
                    f"missing: {len(legacy)} capture(s) are recorded nowhere (archived before manifests existed, or "
                    f"the manifest was deleted); check them, then run `policy-diff seal {slug}`",
                )
            )
        for meta in legacy:
            try:
                capture = archive._read_provenance(slug, meta)
            except PolicyDiffError as exc:
                problems.append(Problem(meta, _message(exc, meta)))
                continue
            committed[capture.file] = capture
            recorded[capture.file] = capture.to_json()
    else:
        for problem in state.problems:
            problems.append(Problem(pdir / MANIFEST, problem))
        if state.torn:
            problems.append(
                Problem(
                    pdir / MANIFEST, "an incomplete last line (a killed writer's): the next writer removes it", False
                )
            )
        for record in state.records:
            where = f"record {record.seq}"
            if record.kind == "seal" and record.seq != 0:
                problems.append(Problem(pdir / MANIFEST, f"{where}: a seal can only be the first record"))
            if record.kind not in KNOWN_KINDS:
                problems.append(
                    Problem(
                        pdir / MANIFEST, f"{where}: kind {record.kind!r} unknown to this version: not checked", False
                    )
                )
            for entry in recorded_captures(record):
                try:
                    capture = Capture.from_json(slug, entry.get("provenance") if isinstance(entry, dict) else None)
                except ValueError as exc:
                    problems.append(Problem(pdir / MANIFEST, f"{where}: invalid provenance: {exc}"))
                    continue
                if entry.get("file") != capture.file:
                    problems.append(Problem(pdir / MANIFEST, f"{where}: names {entry.get('file')!r}, not its own"))
                if capture.file in committed:
                    problems.append(Problem(pdir / MANIFEST, f"{where}: {capture.file} is recorded twice"))
                committed[capture.file] = capture
                recorded[capture.file] = entry["provenance"]
            for item in recorded_exclusions(record):
                if not isinstance(item, dict) or item.get("file") not in committed:
                    problems.append(Problem(pdir / MANIFEST, f"{where}: excludes a capture it does not record"))
    temporaries = {final_name(t) for t in cdir.glob(f".*{TMP_MARK}*")} if cdir.is_dir() else set()
    for name, capture in sorted(committed.items()):
        raw = cdir / name
        if not raw.exists() and not raw.is_symlink():
            if name in temporaries:
                problems.append(
                    Problem(raw, "committed, not yet in place (a killed writer's): the next writer does it", False)
                )
            else:
                problems.append(Problem(raw, "capture file is missing"))
            continue
        try:
            data = read_regular(raw)
        except PolicyDiffError as exc:
            problems.append(Problem(raw, _message(exc, raw)))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != capture.sha256:
            problems.append(Problem(raw, f"sha256 {digest[:12]}… != recorded {capture.sha256[:12]}…"))
        elif not name.split("-", 1)[-1].startswith(digest[:12]):
            problems.append(Problem(raw, "file name does not carry its sha256"))
        if len(data) != capture.size:
            problems.append(Problem(raw, f"size {len(data)} != recorded {capture.size}"))
        if format_stamp(capture.captured_at) != name.split("-", 1)[0]:
            problems.append(Problem(raw, "file name does not carry its capture time"))
        meta = cdir / f"{capture.stem}.json"
        if not meta.exists() and not meta.is_symlink():
            problems.append(
                Problem(meta, "provenance file missing: the next writer rewrites it from the manifest", False)
            )
            continue
        if state.exists:
            try:
                on_disk = json.loads(read_regular(meta).decode("utf-8"))
            except (PolicyDiffError, ValueError, UnicodeDecodeError) as exc:
                problems.append(Problem(meta, f"invalid provenance: {getattr(exc, 'message', exc)}"))
                continue
            if on_disk != recorded[name]:
                problems.append(
                    Problem(meta, f"provenance differs from its manifest record: {_differing(on_disk, recorded[name])}")
                )
    if cdir.is_dir():
        for path in sorted(cdir.iterdir()):
            if _is_temporary(path) or path.is_symlink() or not path.is_file():
                continue
            stem_file = path.name if path.suffix != ".json" else None
            if stem_file and stem_file not in committed:
                if state.exists:
                    problems.append(Problem(path, "a capture the manifest does not record (added by hand?)"))
                else:
                    problems.append(Problem(path, "no provenance: an ingest was interrupted; re-ingest it", False))
            elif state.exists and path.suffix == ".json" and not any(c.stem == path.stem for c in committed.values()):
                problems.append(Problem(path, "provenance of a capture the manifest does not record"))

    # -- exclusions ----------------------------------------------------------------------
    if state.exists and not state.problems:
        try:
            expected = archive.exclusions(slug)
            path = pdir / "exclusions.json"
            on_disk = archive._legacy_exclusions(slug) if path.exists() else {}
            if on_disk != expected:
                problems.append(
                    Problem(
                        path,
                        "differs from the manifest's exclusions" + (" (an interrupted write)" if interrupted else ""),
                        not interrupted,
                    )
                )
        except PolicyDiffError as exc:
            problems.append(Problem(pdir / "exclusions.json", exc.message))
    elif not state.exists:
        try:
            archive._legacy_exclusions(slug)
        except PolicyDiffError as exc:
            problems.append(Problem(pdir / "exclusions.json", exc.message))

    # -- editor's notes: notes.yml is the manifest's notes as a file ------------------------
    if state.exists and not state.problems:
        problems.extend(_verify_notes(archive, slug, interrupted))

    # -- versions ------------------------------------------------------------------------
    metas: dict[str, dict] = {}
    listed: dict[str, str] = {}
    for meta_path in sorted(vdir.glob("v*.json")) if vdir.is_dir() else ():
        try:
            meta = archive._load_version_meta(meta_path)
        except PolicyDiffError as exc:
            problems.append(Problem(meta_path, _message(exc, meta_path)))
            continue
        vid = meta["id"]
        md_path = vdir / f"{vid}.md"
        if not md_path.is_file() or md_path.is_symlink():
            problems.append(Problem(meta_path, f"version text {md_path.name} is missing"))
            continue
        if hashlib.sha256(read_regular(md_path)).hexdigest() != meta["sha256"]:
            problems.append(Problem(md_path, "text does not match its sha256"))
        metas[vid] = meta
        for entry in meta["captures"]:
            file = entry["file"]
            if file not in committed:
                problems.append(Problem(meta_path, f"lists unknown capture {file}"))
            elif file in listed:
                problems.append(Problem(meta_path, f"lists {file}, which {listed[file]} lists too"))
            listed.setdefault(file, vid)
    for text in sorted(vdir.glob("v*.md")) if vdir.is_dir() else ():
        if not text.with_suffix(".json").exists():
            problems.append(Problem(text, "a version text without metadata (a killed writer's?): not used", False))
    for missing in sorted(set(committed) - set(listed)):
        problems.append(Problem(vdir, f"capture {missing} is in no version; run `policy-diff rebuild {slug}`", False))
    if rederive and metas:
        problems.extend(_rederive(archive, slug, committed, metas, workers))
    return problems


def _verify_notes(archive: Archive, slug: str, interrupted: bool) -> list[Problem]:
    path = archive.policy_dir(slug) / NOTES_FILE
    try:
        expected = archive.notes(slug)
    except PolicyDiffError as exc:
        return [Problem(archive.manifest_path(slug), _message(exc, archive.manifest_path(slug)))]
    if not path.exists() and not path.is_symlink():
        if expected:
            why = " (an interrupted write: the next writer rewrites it)" if interrupted else ""
            return [
                Problem(
                    path,
                    f"missing: the manifest records {len(expected)} note(s){why}; `policy-diff note` rewrites it",
                    not interrupted,
                )
            ]
        return []
    try:
        on_disk = parse_notes_yaml(read_regular(path))
    except PolicyDiffError as exc:
        return [Problem(path, _message(exc, path))]
    except ValueError as exc:
        return [Problem(path, f"invalid: {exc}")]
    if on_disk == expected:
        return []
    changed = sorted(k for k in set(on_disk) | set(expected) if on_disk.get(k) != expected.get(k))
    what = ", ".join(changed[:5]) + ("…" if len(changed) > 5 else "")
    return [
        Problem(
            path,
            f"differs from the manifest's notes ({what}): edited by hand? set notes with `policy-diff note`"
            + (" (or an interrupted write)" if interrupted else ""),
            not interrupted,
        )
    ]


def _differing(on_disk: object, recorded: dict) -> str:
    if not isinstance(on_disk, dict):
        return "not a JSON object"
    return ", ".join(sorted(k for k in set(on_disk) | set(recorded) if on_disk.get(k) != recorded.get(k)))


def _verify_layout(pdir: Path) -> list[Problem]:
    problems = []
    for path in sorted(pdir.iterdir()):
        name = path.name
        if path.is_symlink():
            problems.append(Problem(path, "a symbolic link in the archive: never followed; remove it"))
        elif _is_temporary(path) or name.startswith((".versions.new-", ".versions.old-")):
            continue
        elif name in ("captures", "versions") and path.is_dir():
            pattern = CAPTURE_FILE if name == "captures" else VERSION_FILE
            for inner in sorted(path.iterdir()):
                ok = pattern.fullmatch(inner.name) or (
                    name == "captures"
                    and inner.suffix == ".json"
                    and any(CAPTURE_FILE.fullmatch(inner.stem + ext) for ext in (".html", ".md", ".txt"))
                )
                if inner.is_symlink():
                    problems.append(Problem(inner, "a symbolic link in the archive: never followed; remove it"))
                elif _is_temporary(inner):
                    continue
                elif not ok or not inner.is_file():
                    problems.append(Problem(inner, f"unexpected in {name}/: not written by policy-diff"))
        elif name not in POLICY_FILES or not path.is_file():
            problems.append(Problem(path, "unexpected in a policy folder: not written by policy-diff"))
    return problems


def _rederive(
    archive: Archive, slug: str, committed: dict[str, Capture], metas: dict[str, dict], workers: int | None
) -> list[Problem]:
    """Each version must be what extracting its captures gives now."""
    problems: list[Problem] = []
    vdir = archive.versions_dir(slug)
    current = [vid for vid, meta in metas.items() if str(meta.get("extractor_version")) == EXTRACTOR_VERSION]
    older = sorted(set(metas) - set(current))
    if older:
        problems.append(
            Problem(
                vdir,
                f"{len(older)} version(s) made by an older extractor: not re-derived; "
                f"`policy-diff rebuild {slug}` re-derives them",
                False,
            )
        )
    wanted = sorted({e["file"] for vid in current for e in metas[vid]["captures"] if e["file"] in committed})
    readable = [committed[f] for f in wanted if (archive.captures_dir(slug) / f).is_file()]
    try:
        extractions = dict(
            zip((c.file for c in readable), archive._extract_stored(slug, readable, workers), strict=True)
        )
    except PolicyDiffError as exc:
        return [*problems, Problem(vdir, f"cannot re-derive the versions: {exc.message}")]
    for vid in sorted(current):
        meta = metas[vid]
        texts = set()
        for entry in meta["captures"]:
            extraction = extractions.get(entry["file"])
            if extraction is None:
                continue
            if isinstance(extraction, ExtractionError):
                problems.append(
                    Problem(vdir / f"{vid}.json", f"{entry['file']} no longer extracts: {extraction.message}")
                )
                continue
            sha = hashlib.sha256(extraction.markdown.encode("utf-8")).hexdigest()
            expected = version_id(extraction.text_key or sha)
            if expected != vid:
                problems.append(
                    Problem(
                        vdir / f"{vid}.json",
                        f"lists {entry['file']}, whose text is version {expected}: re-derive "
                        f"with `policy-diff rebuild {slug}`",
                    )
                )
                continue
            texts.add(sha)
            capture = committed[entry["file"]]
            if (
                entry["captured_at"] != format_iso(capture.captured_at)
                or entry.get("selector_miss") != extraction.selector_miss
            ):
                problems.append(Problem(vdir / f"{vid}.json", f"the entry of {entry['file']} differs from its capture"))
        if texts and meta["sha256"] not in texts:
            problems.append(Problem(vdir / f"{vid}.md", "text is not the extraction of any of its captures (edited?)"))
    return problems
