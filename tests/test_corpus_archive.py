"""Corpus-wide: every document of the shared corpus ingests into a fresh archive, verifies,
and re-ingests as a no-op (`make test-corpus`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import corpus_root
from policydiff.archive import Archive
from policydiff.ingest import ingest_paths


def corpus_documents() -> list[Path]:
    root = corpus_root()
    docs = [p.parent for p in root.glob("*/*/snapshots")] + [p.parent for p in root.glob("*/*/captures")]
    docs += [p.parent for p in root.glob("github-site-policy/*/versions")]
    return sorted(docs)


@pytest.mark.corpus
@pytest.mark.parametrize("document", corpus_documents(), ids=lambda p: p.name)
def test_document_ingests_verifies_and_is_idempotent(document: Path, corpus: Path, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    slug = document.name
    manifest = document / "manifest.json"
    url = "https://example.org/policy"
    if manifest.exists():
        urls = {e.get("source_url") for e in json.loads(manifest.read_text()).get("entries", [])} - {None}
        url = sorted(urls)[0] if urls else url
    archive.add_policy(slug, {"name": slug, "url": url})
    folder = next(p for p in (document / "snapshots", document / "captures", document / "versions") if p.is_dir())
    files = sorted(p for p in folder.iterdir() if p.is_file())
    outcomes = ingest_paths(archive, slug, [folder])
    refused = [o.message for o in outcomes if o.status == "refused"]
    assert not refused
    assert len(archive.captures(slug)) == len(files)
    assert [p for p in archive.verify() if p.fatal] == []
    versions = archive.versions(slug)
    assert 1 <= len(versions) <= len(files)
    assert sum(len(v.captures) for v in versions) == len(files)
    again = ingest_paths(archive, slug, [folder])
    assert {o.status for o in again} == {"already"}
