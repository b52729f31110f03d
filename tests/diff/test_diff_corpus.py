"""Corpus-wide (`make test-corpus`): every change of every document of the shared corpus,
as the sources' own Markdown versions and as our own extraction of the captures."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from diff_fixtures import check_invariants

from conftest import corpus_root
from policydiff.archive import Archive
from policydiff.diff import diff_versions
from policydiff.diff.words import new_text, old_text, word_diff
from policydiff.history import load_history


def version_folders() -> list[Path]:
    return sorted(corpus_root().glob("*/*/versions"))


def capture_folders() -> list[Path]:
    root = corpus_root()
    return sorted([*root.glob("*/*/snapshots"), *root.glob("*/*/captures")])


def changes_of(folder: Path) -> list[tuple[str, str, str]]:
    """Consecutive distinct texts of a folder of Markdown versions: (name, old, new)."""
    files = sorted(folder.glob("*.md"))
    texts = [(f.stem, f.read_text(encoding="utf-8")) for f in files]
    return [(f"{a[0]}->{b[0]}", a[1], b[1]) for a, b in pairwise(texts) if a[1] != b[1]]


@pytest.mark.corpus
@pytest.mark.parametrize("folder", version_folders(), ids=lambda p: p.parent.name)
def test_every_change_of_the_reference_versions(folder: Path, corpus: Path) -> None:
    changes = changes_of(folder)
    assert changes
    for _name, old, new in changes:
        diff = diff_versions(old, new)
        check_invariants(diff, old, new)
        assert diff.summary.changed
    # The first and the last version: the largest rewrite of the document.
    files = sorted(folder.glob("*.md"))
    first, last = files[0].read_text(encoding="utf-8"), files[-1].read_text(encoding="utf-8")
    check_invariants(diff_versions(first, last), first, last)


@pytest.mark.corpus
@pytest.mark.parametrize("folder", version_folders(), ids=lambda p: p.parent.name)
def test_both_engines_give_the_same_diffs(folder: Path, corpus: Path) -> None:
    compared = 0
    for _name, old, new in changes_of(folder):
        for change in diff_versions(old, new).sections:
            if change.status not in ("modified", "renamed"):
                continue
            a, b = old_text(change.diff), new_text(change.diff)
            if len(a) + len(b) > 20_000:
                continue  # pure Python needs seconds per rewritten 10 KB section
            assert word_diff(a, b, engine="python") == list(change.diff)
            compared += 1
    assert compared


@pytest.mark.corpus
@pytest.mark.parametrize("folder", capture_folders(), ids=lambda p: p.parent.name)
def test_every_change_of_our_own_extraction(folder: Path, corpus: Path, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    slug = folder.parent.name
    url = "https://example.org/policy"
    manifest = folder.parent / "manifest.json"
    if manifest.exists():
        urls = {e.get("source_url") for e in json.loads(manifest.read_text()).get("entries", [])} - {None}
        url = sorted(urls)[0] if urls else url
    archive.add_policy(slug, {"name": slug, "url": url})
    from policydiff.ingest import ingest_paths

    ingest_paths(archive, slug, [folder])
    texts = {v.id: archive.version_text(v) for v in archive.versions(slug)}
    changes = load_history(archive, slug).changes
    assert len(changes) == len(archive.history(slug)) - 1
    for change in changes:
        check_invariants(change.diff, texts[change.old.version], texts[change.new.version])
        # Lineage ids are unique among the sections of a version; every entry has one.
        assert len({lineage for _, lineage in change.section_lineage}) == len(change.section_lineage)
        assert len(change.lineage) == len(change.diff.sections) and all(change.lineage)
