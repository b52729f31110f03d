"""`policy-diff render --out DIR` pages build with MkDocs and with Zensical (Material's
successor, reading the same mkdocs.yml), both strictly, and are the plugin's pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html
from site_support import BIN, REPO, BuiltSite, cli, mkdocs_build

from policydiff import render, urls
from policydiff.archive import Archive
from policydiff.history import load_history


def standalone_project(root: Path, archive: Path) -> Path:
    """docs/ = the hand-written pages + `render --out`; mkdocs.yml = the repository's,
    without our plugin, with the assets listed as any other builder needs them."""
    docs = root / "docs"
    shutil.copytree(REPO / "docs", docs)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    # the site's address, as the plugin reads it from mkdocs.yml (versions are cited by it)
    output = cli(archive, "render", "--out", str(docs), "--site-url", config["site_url"])
    assert output.strip().endswith(f"files written to {docs}")
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "policy-diff" in p)]
    config["docs_dir"] = "docs"
    config["extra_css"] = list(render.EXTRA_CSS)
    config["extra_javascript"] = list(render.EXTRA_JAVASCRIPT)
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def check_output(site: Path, archive: Path) -> None:
    slug = "github-privacy-statement"
    change = load_history(Archive(archive), slug).changes[-1]
    page = lxml_html.fromstring((site / urls.change_page(change) / "index.html").read_bytes())
    assert page.xpath("//div[@class='pd-diff']//ins"), "no word diff on the change page"
    # Links in a diff are the renderer's own (a captured link, its target checked): one the
    # builder made of captured text would not carry their rel and title.
    links = page.xpath("//div[@class='pd-diff']//a")
    assert links, "the rendered diff shows the policy's links"
    for link in links:
        href = link.get("href", "")
        assert href.startswith(("https://", "http://")), "captured text turned into a link"
        assert link.get("title") == href, "captured text turned into a link"
        assert link.get("rel") == "nofollow noopener noreferrer"
    assert (site / urls.compare_page(slug) / "versions.json").is_file()
    assert (site / "assets/policy-diff/diff_match_patch.js").is_file()
    evil = (site / urls.policy_page("evil-policy") / "index.html").read_text(encoding="utf-8")
    assert "alert(" not in "".join(lxml_html.fromstring(evil).xpath("//script/text()"))
    assert "onerror=" not in evil and "javascript:" not in evil


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, fixture_site: BuiltSite) -> tuple[Path, Path]:
    """The archive the plugin's fixture site is built from, rendered by `render --out`."""
    root = tmp_path_factory.mktemp("standalone")
    return standalone_project(root / "project", fixture_site.archive), fixture_site.archive


def test_render_out_builds_with_mkdocs_into_the_plugins_pages(
    project: tuple[Path, Path], fixture_site: BuiltSite
) -> None:
    config, archive = project
    site = config.parent / "site-mkdocs"
    mkdocs_build(config, site)
    check_output(site, archive)
    # Every generated page reads the same as the plugin's (its article; the navigation and
    # the <head> feed links are the plugin's own), subscribe links included.
    pages = sorted(p.relative_to(fixture_site.site) for p in (fixture_site.site / "policies").rglob("index.html"))
    assert len(pages) > 30
    assert any("/sections/" in p.as_posix() for p in pages)
    for page in pages:
        ours = lxml_html.fromstring((site / page).read_bytes()).xpath("//article")[0]
        plugin = lxml_html.fromstring((fixture_site.site / page).read_bytes()).xpath("//article")[0]
        assert lxml_html.tostring(ours) == lxml_html.tostring(plugin), page
    section = next(p for p in pages if "/sections/" in p.as_posix())
    assert "Subscribe:" in lxml_html.fromstring((site / section).read_bytes()).text_content()


def test_render_out_builds_with_zensical(project: tuple[Path, Path]) -> None:
    config, archive = project
    proc = subprocess.run(
        [str(BIN / "zensical"), "build", "--strict", "--clean", "-f", str(config)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "No issues found" in log, log
    check_output(config.parent / "site", archive)
