"""The MkDocs plugin as `mkdocs serve` drives it: one instance across rebuilds, and only the
policies whose archive files changed are rendered again."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ZWSOFT_CAPTURE, cli, make_fixture_archive, write_config
from policydiff import urls
from policydiff.archive import Archive
from policydiff.changes import policy_changes


def rebuild(config_path: Path, site: Path):  # type: ignore[no-untyped-def]
    config = load_config(str(config_path), site_dir=str(site))
    build(config)
    return config.plugins["policy-diff"]


def test_only_changed_policies_are_rendered_again(tmp_path: Path) -> None:
    archive = make_fixture_archive(tmp_path, with_hostile=False)
    config_path = write_config(tmp_path, archive)
    site = tmp_path / "site"
    plugin = rebuild(config_path, site)
    assert sorted(plugin.rendered_slugs) == ["github-privacy-statement", "zwsoft-privacy-policy"]

    again = rebuild(config_path, site)
    assert again is plugin, "MkDocs must keep the plugin (and its cache) across rebuilds"
    assert again.rendered_slugs == []

    # a new ZWSOFT capture with a real edit: its first change appears, GitHub's pages are reused
    text = ZWSOFT_CAPTURE.read_text(encoding="utf-8").replace(
        "In general, you can visit the ZWSOFT website", "In general, you may visit the ZWSOFT website"
    )
    capture = tmp_path / "20180301T120000Z.md"
    capture.write_text(text, encoding="utf-8")
    cli(archive, "ingest", "zwsoft-privacy-policy", str(capture), "--captured", "2018-03-01T12:00:00Z")
    third = rebuild(config_path, site)
    assert third.rendered_slugs == ["zwsoft-privacy-policy"]
    change = policy_changes(Archive(archive), "zwsoft-privacy-policy")[0]
    page = lxml_html.fromstring((site / urls.change_page(change) / "index.html").read_bytes())
    assert "you can visit" in page.xpath("string(//div[@class='pd-old'])")
    assert "you may visit" in page.xpath("string(//div[@class='pd-new'])")
    assert page.xpath("//div[@class='pd-inline']//ins") and page.xpath("//div[@class='pd-inline']//del")
