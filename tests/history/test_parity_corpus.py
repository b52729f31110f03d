"""Corpus-wide (`make test-corpus`): every change of every corpus document reads the same on
every surface (change page, timeline, feed entry, CLI JSON, compare JSON). Pages are our
rendered Markdown turned into HTML by Python-Markdown with the site's extensions."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from parity import check_history

from conftest import corpus_root
from policydiff.archive import Archive
from policydiff.history import load_history
from policydiff.ingest import ingest_paths
from policydiff.render import RenderSettings, render_policy
from policydiff.render.blocks import src

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.details", "pymdownx.superfences"]


def _folders() -> list[Path]:
    root = corpus_root()
    return sorted(p for kind in ("snapshots", "captures", "versions") for p in root.glob(f"*/*/{kind}") if p.is_dir())


@pytest.mark.corpus
@pytest.mark.parametrize("folder", _folders(), ids=lambda p: f"{p.parent.name}-{p.name}")
def test_every_surface_says_the_same_of_every_change(folder: Path, corpus: Path, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    slug = folder.parent.name
    archive.add_policy(slug, {"name": slug, "url": "https://example.org/policy"})
    ingest_paths(archive, slug, [folder])
    history = load_history(archive, slug)
    files = render_policy(history, RenderSettings()).files

    def page(path: str) -> bytes:
        if not path.endswith("/"):
            return files[path].encode("utf-8")
        body = files[src(path)].split("---\n", 2)[2]  # front matter off
        html = markdown.markdown(body, extensions=EXTENSIONS)
        return f'<html><head><meta charset="utf-8"></head><body><article>{html}</article></body></html>'.encode()

    assert check_history(history, archive.root, page) == len(archive.history(slug)) - 1
