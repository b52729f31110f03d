"""Corpus-wide (`make test-corpus`): the feeds of every document of the shared corpus are
valid, bounded, free of XML-forbidden characters, and hold one entry per change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest
from feedcheck import SITE_URL, XML_FORBIDDEN, check_atom, check_json_feed

from policydiff.archive import Archive
from policydiff.feeds import FeedSettings, build_feeds, feed_documents
from policydiff.history import load_history
from policydiff.ingest import ingest_paths

REPO = Path(__file__).resolve().parents[2]


def _corpus_folders() -> list[Path]:
    root = Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus")).resolve()
    kinds = ("snapshots", "captures", "versions")
    return sorted(p for kind in kinds for p in root.glob(f"*/*/{kind}") if p.is_dir())


@pytest.mark.corpus
@pytest.mark.parametrize("folder", _corpus_folders(), ids=lambda p: f"{p.parent.name}-{p.name}")
def test_feeds_of_a_corpus_document(folder: Path, corpus: Path, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    slug = folder.parent.name
    archive.add_policy(slug, {"name": slug, "url": "https://example.org/policy"})
    ingest_paths(archive, slug, [folder])
    history = load_history(archive, slug)
    limit = 10
    every = build_feeds([history], FeedSettings(SITE_URL, "Corpus", max_entries=1000, include_trivial=True))
    assert len(every[1].entries) == len(history.changes) == len(archive.history(slug)) - 1
    for feed in build_feeds([history], FeedSettings(SITE_URL, "Corpus", max_entries=limit)):
        assert len(feed.entries) <= limit
        for path, content in feed_documents(feed).items():
            text = content.decode("utf-8")
            assert not XML_FORBIDDEN.search(text), path
            if path.endswith(".json"):
                data = json.loads(text)
                assert not check_json_feed(data, feed.url("feed.json")), path
                assert all(len(item["content_html"]) < 50_000 for item in data["items"]), path
                continue
            assert feedparser.parse(content).bozo == 0, path
            if path.endswith("atom.xml"):
                assert not check_atom(content, feed.url("atom.xml")), path
