"""Issue 15: `mkdocs build` publishes only an archive that passes `policy-diff verify --quick`
(or, with `allow_unverified: true`, warns about each problem)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from site_support import REPO, ZWSOFT_CAPTURE, cli

from policydiff.archive import Archive

SLUG = "zwsoft-privacy-policy"


def config_for(root: Path, archive: Path, options: str = "") -> Path:
    config = root / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {REPO / 'mkdocs.yml'}\ndocs_dir: {REPO / 'docs'}\nplugins:\n"
        f"  - policy-diff:\n      archive_dir: {archive}\n{options}",
        encoding="utf-8",
    )
    return config


def build_with(config_path: Path, site: Path):  # type: ignore[no-untyped-def]
    config = load_config(str(config_path), site_dir=str(site))
    build(config)
    return config.plugins["policy-diff"]


def test_a_tampered_archive_is_not_published(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "archive"
    cli(root, "add", SLUG, "--name", "ZWSOFT privacy policy", "--url", "https://www.zwsoft.com/about/privacyPolicys")
    cli(root, "ingest", SLUG, str(ZWSOFT_CAPTURE))
    config = config_for(tmp_path, root)
    site = tmp_path / "site"
    plugin = build_with(config, site)  # MkDocs keeps one plugin instance per process: count from here
    verified = plugin.verifications
    assert (site / "policies" / SLUG / "index.html").is_file()
    assert build_with(config, site).verifications == verified  # the same archive: verified once per state

    (capture,) = Archive(root).captures(SLUG)
    meta = Archive(root).captures_dir(SLUG) / f"{capture.stem}.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["source_url"] = "https://www.zwsoft.com/rewritten"  # history rewritten without the manifest
    meta.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Abort), caplog.at_level(logging.ERROR):
        build_with(config, tmp_path / "site2")
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    caplog.clear()
    assert "fails verification, nothing published" in message and meta.name in message, message
    assert "\n" not in message
    assert not (tmp_path / "site2" / "policies").exists()

    # explicitly allowed: built, with a warning naming the problem
    allowed = config_for(tmp_path, root, "      allow_unverified: true\n")
    with caplog.at_level(logging.WARNING):
        build_with(allowed, tmp_path / "site3")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("UNVERIFIED ARCHIVE" in w and meta.name in w for w in warnings), warnings
    assert (tmp_path / "site3" / "policies" / SLUG / "index.html").is_file()
