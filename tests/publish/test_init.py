"""`policy-diff init`: a new site that builds strictly as written, empty and then with a
policy, its captures and a note; an existing site is never overwritten."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner
from site_support import BIN

from policydiff.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GITHUB = FIXTURES / "github-site-policy" / "github-privacy-statement" / "versions"


def run(*args: str, cwd: Path, expect: int = 0) -> str:
    old = Path.cwd()
    os.chdir(cwd)  # as a user runs it: from the site's directory, default --archive ./archive
    try:
        result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == expect, result.output
    return result.output


def strict_build(site_dir: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict"], cwd=site_dir, capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    return site_dir / "site"


def test_init_then_a_strict_build_then_a_policy(tmp_path: Path) -> None:
    name = 'Acme: "privacy" #1'
    out = run("init", "acme", "--name", name, "--site-url", "https://policies.acme.example", cwd=tmp_path)
    site_dir = tmp_path / "acme"
    assert "wrote" in out and (site_dir / "archive").is_dir() and not any((site_dir / "archive").iterdir())
    config = yaml.safe_load((site_dir / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == name and config["site_url"] == "https://policies.acme.example/"
    built = strict_build(site_dir)
    assert "No policy is tracked yet" in (built / "index.html").read_text(encoding="utf-8")

    slug = "github-privacy-statement"
    run(
        "add",
        slug,
        "--name",
        "GitHub Privacy Statement",
        "--url",
        "https://github.com/github/site-policy",
        cwd=site_dir,
    )
    run("ingest", slug, GITHUB / "20231228T004138Z.md", GITHUB / "20240418T002248Z.md", cwd=site_dir)
    run("note", slug, "2024-04-18", "--text", "Rewritten from the ground up.", "--material", cwd=site_dir)
    built = strict_build(site_dir)
    home = (built / "index.html").read_text(encoding="utf-8")
    assert "GitHub Privacy Statement" in home
    assert "Rewritten from the ground up." in (built / "feeds" / slug / "atom.xml").read_text(encoding="utf-8")
    assert len(list((built / "policies" / slug / "captures").glob("*.md.txt"))) == 2

    # never over an existing site
    before = (site_dir / "mkdocs.yml").read_bytes()
    assert "already exists" in run("init", "acme", cwd=tmp_path, expect=2)
    assert (site_dir / "mkdocs.yml").read_bytes() == before
    assert "absolute" in run("init", "other", "--site-url", "policies.example", cwd=tmp_path, expect=2)
    assert not (tmp_path / "other" / "mkdocs.yml").exists()
