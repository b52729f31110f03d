"""The MkDocs plugin as `mkdocs serve` drives it: one instance across rebuilds, and only the
policies whose archive files changed are rendered again."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config
from site_support import BIN, REPO, ZWSOFT_CAPTURE, cli, make_fixture_archive, mkdocs_build, write_config

from policydiff import urls
from policydiff.archive import Archive
from policydiff.history import load_history


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
    change = load_history(Archive(archive), "zwsoft-privacy-policy").changes[0]
    page = lxml_html.fromstring((site / urls.change_page(change) / "index.html").read_bytes())
    assert "you can visit" in page.xpath("string(//div[@class='pd-old'])")
    assert "you may visit" in page.xpath("string(//div[@class='pd-new'])")
    assert page.xpath("//div[@class='pd-inline']//ins") and page.xpath("//div[@class='pd-inline']//del")


def site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


CONTENT_HOOK = """
from pathlib import Path


def on_page_markdown(markdown, *, page, config, files):
    # an attribute Material's search strips from the HTML in its `on_page_context`
    return markdown + '\\n\\n<p data-search-note="seen">Hooked.</p>\\n'


def on_post_page(output, *, page, config):
    target = Path(config.site_dir, "page-content", page.file.src_uri + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page.content or "", encoding="utf-8")
    return output
"""


def test_a_serve_rebuild_writes_unchanged_pages_from_its_cache_identical_to_a_full_build(tmp_path: Path) -> None:
    """Under serve the plugin converts and templates again only the pages whose Markdown
    changed; every file of the rebuilt site (search index included) is the same bytes as a
    full `mkdocs build` of the same archive."""
    archive = make_fixture_archive(tmp_path, with_hostile=False)
    docs = tmp_path / "docs"
    shutil.copytree(REPO / "docs", docs)
    config_path = write_config(tmp_path, archive, docs)
    # a hook writes each page's HTML as the last page event sees it into the site, so the
    # comparison below covers what other plugins see of a cached page, not only its output
    # (and adds to each page an attribute the search plugin strips from that HTML)
    (tmp_path / "content_hook.py").write_text(CONTENT_HOOK, encoding="utf-8")
    with config_path.open("a", encoding="utf-8") as out:
        out.write(f"hooks:\n  - {tmp_path / 'content_hook.py'}\n")
    site = tmp_path / "site"
    config = load_config(str(config_path), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    plugin = config.plugins["policy-diff"]
    assert plugin.page_cache.hits == [] and plugin.page_cache.pages
    assert plugin.page_cache._replay_searched, "only search reads the page context: its work is replayed"
    assert plugin.feed_memo is not None
    github_feeds = plugin.feed_memo.policies["github-privacy-statement"][3]
    zwsoft_feeds = plugin.feed_memo.policies["zwsoft-privacy-policy"][3]

    text = ZWSOFT_CAPTURE.read_text(encoding="utf-8").replace(
        "In general, you can visit the ZWSOFT website", "In general, you may visit the ZWSOFT website"
    )
    capture = tmp_path / "20180301T120000Z.md"
    capture.write_text(text, encoding="utf-8")
    cli(archive, "ingest", "zwsoft-privacy-policy", str(capture), "--captured", "2018-03-01T12:00:00Z")
    again = rebuild(config_path, site)
    assert again is plugin
    hits = set(plugin.page_cache.hits)
    github = {p for p in plugin.generated_pages if p.startswith("policies/github-privacy-statement/")}
    assert github and github <= hits, "GitHub's pages did not change: all come from the cache"
    change = load_history(Archive(archive), "zwsoft-privacy-policy").changes[0]
    assert f"{urls.change_page(change)}index.md" not in hits
    assert "policies/index.md" not in hits and "policies/zwsoft-privacy-policy/index.md" not in hits
    # the feeds' entries: GitHub's reused, ZWSOFT's made again (its feed has the new change)
    assert plugin.feed_memo.policies["github-privacy-statement"][3] is github_feeds
    assert plugin.feed_memo.policies["zwsoft-privacy-policy"][3] is not zwsoft_feeds

    full = tmp_path / "full"
    mkdocs_build(config_path, full)
    served, built = site_bytes(site), site_bytes(full)
    assert sorted(served) == sorted(built)

    def content(files: dict[str, bytes], path: str) -> bytes:
        # the sitemap's gzip header holds the time it was written
        return gzip.decompress(files[path]) if path.endswith(".gz") else files[path]

    assert [path for path in built if content(served, path) != content(built, path)] == []
    hooked = built[f"page-content/{urls.change_page(change)}index.md.html"].decode("utf-8")
    assert "Hooked." in hooked and "data-search-note" not in hooked
    # a hand-written page edited: its title is in every page's navigation, so nothing is reused
    about = docs / "about.md"
    about.write_text(about.read_text("utf-8").replace("# ", "# Edited: ", 1), encoding="utf-8")
    rebuild(config_path, site)
    assert plugin.page_cache.hits == []


def test_a_serve_rebuild_keeps_unchanged_files_and_leaves_what_a_clean_build_leaves(tmp_path: Path) -> None:
    """Under serve the previous build's files are not deleted and copied again: a copy whose
    source and bytes are unchanged stays, and afterwards the site directory holds exactly
    what a clean full build writes (a stale file goes, an altered copy is copied again)."""
    archive = make_fixture_archive(tmp_path, with_hostile=False)
    config_path = write_config(tmp_path, archive)
    site = tmp_path / "site"
    config = load_config(str(config_path), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    plugin = config.plugins["policy-diff"]
    assert plugin.kept_site.written, "what made each file is remembered"

    stale = site / "policies" / "gone" / "index.html"  # a page the next build does not make
    stale.parent.mkdir(parents=True)
    stale.write_text("<p>old</p>", encoding="utf-8")
    (altered,) = [p for p in (site / "assets" / "stylesheets").glob("main.*.min.css")]
    altered.write_bytes(altered.read_bytes() + b"/* altered */")
    (site / ".hidden").write_text("MkDocs never cleans a hidden entry", encoding="utf-8")
    github = site / "policies" / "github-privacy-statement"
    edited_page = github / "timeline" / "index.html"  # a page from the cache, but not the file it wrote
    edited_page.write_bytes(edited_page.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))
    edited_feed = site / "feeds" / "github-privacy-statement" / "atom.xml"
    edited_feed.write_bytes(edited_feed.read_bytes() + b"<!-- edited -->")
    capture = tmp_path / "20180301T120000Z.md"
    capture.write_text(
        ZWSOFT_CAPTURE.read_text(encoding="utf-8").replace("you can visit", "you may visit"), encoding="utf-8"
    )
    cli(archive, "ingest", "zwsoft-privacy-policy", str(capture), "--captured", "2018-03-01T12:00:00Z")
    again = rebuild(config_path, site)
    assert again is plugin
    kept = {Path(p).relative_to(site).as_posix() for p in plugin.kept_site.kept}
    assert "assets/javascripts/bundle." in " ".join(kept), sorted(kept)[:5]
    assert altered.relative_to(site).as_posix() not in kept
    # unchanged pages and generated files are not written again, unless their file was altered
    assert "policies/github-privacy-statement/index.html" in kept
    assert "policies/github-privacy-statement/compare/versions.json" in kept
    assert {
        "policies/github-privacy-statement/timeline/index.html",
        "feeds/github-privacy-statement/atom.xml",
    }.isdisjoint(kept)
    assert "policies/zwsoft-privacy-policy/index.html" not in kept  # its new change is listed there
    assert [Path(p).relative_to(site).as_posix() for p in plugin.kept_site.removed] == ["policies/gone/index.html"]
    assert not stale.parent.exists() and (site / ".hidden").exists()
    assert not (site / ".policy-diff-previous-build").exists()

    full = tmp_path / "full"
    mkdocs_build(config_path, full)
    served = {k: v for k, v in site_bytes(site).items() if k != ".hidden"}
    built = site_bytes(full)
    assert sorted(served) == sorted(built)
    unzip = gzip.decompress  # the sitemap's gzip header holds the time it was written
    assert [
        k
        for k in built
        if (unzip if k.endswith(".gz") else bytes)(served[k]) != (unzip if k.endswith(".gz") else bytes)(built[k])
    ] == []

    # another plugin or hook could skip writing a file it finds in place: then MkDocs cleans
    (tmp_path / "hook.py").write_text("", encoding="utf-8")
    with config_path.open("a", encoding="utf-8") as out:
        out.write(f"hooks:\n  - {tmp_path / 'hook.py'}\n")
    stale.parent.mkdir(parents=True)
    stale.write_text("<p>old</p>", encoding="utf-8")
    rebuild(config_path, site)
    assert plugin.kept_site.kept == set() and not stale.exists()


def fetch_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], what: str, limit: float = 180) -> None:
    """Poll; the limit only turns a hang into a failure, it asserts nothing about speed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def test_mkdocs_serve_shows_a_new_capture_without_restart(tmp_path: Path) -> None:
    archive = make_fixture_archive(tmp_path, with_hostile=False)
    config = write_config(tmp_path, archive)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    prefix = urlsplit(yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))["site_url"]).path
    base = f"http://127.0.0.1:{port}{prefix}"
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "mkdocs"), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )  # fmt: skip
    try:
        wait_until(lambda: fetch_ok(base), "the first build to be served")
        served = log.stat().st_size
        text = ZWSOFT_CAPTURE.read_text(encoding="utf-8").replace("you can visit", "you may visit", 1)
        capture = tmp_path / "new.md"
        capture.write_text(text, encoding="utf-8")
        cli(archive, "ingest", "zwsoft-privacy-policy", str(capture), "--captured", "2019-01-01T00:00:00Z")
        change = load_history(Archive(archive), "zwsoft-privacy-policy").changes[-1]
        wait_until(lambda: fetch_ok(base + urls.change_page(change)), "the new change page")
        rendered = re.findall(r"policy-diff: rendered (.*)", log.read_text("utf-8")[served:])
        assert rendered and set(rendered) == {"zwsoft-privacy-policy"}, rendered
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_an_empty_archive_builds_strictly(tmp_path: Path) -> None:
    """mkdocs.yml and docs/ name no policy: the site builds over any archive, even none."""
    config = write_config(tmp_path, tmp_path / "no-archive-yet")
    mkdocs_build(config, tmp_path / "site")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No policy is tracked yet" in home
    # a policy declared but not captured yet
    cli(tmp_path / "no-archive-yet", "add", "new-policy", "--url", "https://example.org/privacy")
    mkdocs_build(config, tmp_path / "site")
    page = (tmp_path / "site" / urls.policy_page("new-policy") / "index.html").read_text(encoding="utf-8")
    assert "No captures yet" in page


def config_errors(tmp_path: Path, options: str, caplog) -> str:  # type: ignore[no-untyped-def]
    """What MkDocs says when it loads a mkdocs.yml with these plugin options."""
    from mkdocs.exceptions import Abort

    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: x\nsite_url: https://example.org/\nplugins:\n  - policy-diff:\n"
        + "".join(f"      {line}\n" for line in options.splitlines()),
        encoding="utf-8",
    )
    (tmp_path / "docs").mkdir(exist_ok=True)
    with pytest.raises(Abort):
        load_config(str(config))
    return caplog.text


def test_plugin_options_are_checked_when_the_config_loads(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    prefix = "Config value 'plugins': Plugin 'policy-diff' option"
    assert f"{prefix} 'feeds_max_entries': Expected a positive integer but received: 0" in config_errors(
        tmp_path, "feeds_max_entries: 0", caplog
    )
    caplog.clear()
    assert f"{prefix} 'latest_changes': Expected type: <class 'int'> but received: <class 'str'>" in config_errors(
        tmp_path, "latest_changes: many", caplog
    )
    caplog.clear()
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    errors = config_errors(tmp_path, "archive_dir: a-file", caplog)
    assert f"{prefix} 'archive_dir': The path '{tmp_path / 'a-file'}' isn't an existing directory." in errors
    # A directory that does not exist yet is fine (an empty site), resolved next to mkdocs.yml.
    config = tmp_path / "ok.yml"
    config.write_text("site_name: x\nplugins:\n  - policy-diff:\n      archive_dir: later\n      feeds: false\n")
    loaded = load_config(str(config))
    assert loaded.plugins["policy-diff"].config.archive_dir == str(tmp_path / "later")


def test_significance_and_watched_terms_options(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    prefix = "Config value 'plugins': Plugin 'policy-diff' option"
    errors = config_errors(tmp_path, "feeds_min_significance: huge", caplog)
    assert f"{prefix} 'feeds_min_significance'" in errors and "major" in errors
    caplog.clear()
    errors = config_errors(tmp_path, "watched_terms:\n  Pricing: ['x']", caplog)
    assert f"{prefix} 'watched_terms'" in errors and "lower-case words joined by hyphens" in errors
    caplog.clear()
    errors = config_errors(tmp_path, "watched_terms:\n  pricing: ['(a']", caplog)
    assert "invalid regular expression" in errors
    config = tmp_path / "ok.yml"
    config.write_text(
        "site_name: x\nplugins:\n  - policy-diff:\n      feeds: false\n      feeds_include_trivial: true\n"
        "      latest_changes_min_significance: major\n      watched_terms:\n        pricing: ['\\bprice']\n"
    )
    options = load_config(str(config)).plugins["policy-diff"].config
    assert options.feeds_min_significance == "minor" and options.feeds_include_trivial  # the alias wins
    assert options.latest_changes_min_significance == "major"
    assert [(g.id, g.patterns) for g in options.watched_terms] == [("pricing", ("\\bprice",))]
