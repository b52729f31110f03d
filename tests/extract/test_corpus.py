"""Corpus-wide checks (`make test-corpus`): every capture extracts, and the quality bar."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from policydiff.declaration import ExtractionRules
from policydiff.extract import extract_capture

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.corpus
def test_every_corpus_capture_extracts_to_non_empty_text(corpus: Path) -> None:
    files = sorted(corpus.glob("*/*/snapshots/*.html")) + sorted(corpus.glob("*/*/captures/*"))
    files += sorted(corpus.glob("github-site-policy/*/versions/*.md"))
    assert len(files) > 200
    failures = []
    for path in files:
        media_type = "text/html" if path.suffix in {".html", ".htm"} else "text/markdown"
        try:
            result = extract_capture(path.read_bytes(), media_type, ExtractionRules(), base_url="https://example.com/")
        except Exception as exc:  # collect them all: one report for the whole corpus
            failures.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        if len(result.markdown.split()) < 20:
            failures.append(f"{path}: only {len(result.markdown.split())} words")
    # mektoube's captures of 2025-11-18/19 are a near-empty page (OTA's reference is 26 bytes too).
    assert [f for f in failures if "mektoube-privacy-policy-fr/snapshots/2025111" not in f] == []


@pytest.mark.corpus
def test_quality_bar(corpus: Path) -> None:
    """The issue's targets, as bench/extraction.py measures them. The one known shortfall is
    stated here and in bench/README.md rather than hidden."""
    sys.path.insert(0, str(REPO / "bench"))
    import extraction

    known = {
        # With the declaration of their time (#skip-nav, valid until 2023-10-23) the two first
        # npm captures extract to the same text, table of contents included; OTA's reference of
        # the first lacks that table (its own artefact), so the metric counts a missed change.
        "npm-privacy-policy [select]: 2/3 changes caught, 0 false",
    }
    failures = []
    for doc in extraction.load_documents(corpus):
        for mode, select in (("select", doc.select), ("auto", ())):
            if mode == "select" and not select:
                continue
            ids, texts, _ = extraction.versions_via_archive(doc, select, doc.remove if select else ())
            score = extraction.score(doc, ids, texts)
            if mode == "select" and (score.median < 0.98 or score.minimum < 0.90):
                failures.append(f"{doc.name} [{mode}]: similarity {score.median:.3f}/{score.minimum:.3f}")
            if mode == "auto" and score.median < 0.95:
                failures.append(f"{doc.name} [{mode}]: median similarity {score.median:.3f}")
            if score.caught < score.real or score.false - score.punctuation > 1:
                failures.append(f"{doc.name} [{mode}]: {score.caught}/{score.real} changes caught, {score.false} false")
    assert set(failures) <= known, failures
