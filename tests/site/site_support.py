"""Sites built for the tests: the bundled archive, and a small one made from fixtures
(GitHub's privacy statement, ZWSOFT's single capture, and a hostile policy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import filelock
import pytest
import site_hostile as hostile  # tests/site is on sys.path (pytest's prepend import mode)
from click.testing import CliRunner

from policydiff.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
BIN = Path(sys.executable).parent
GITHUB_VERSIONS = FIXTURES / "github-site-policy" / "github-privacy-statement" / "versions"
GITHUB_PICKS = ("20231228T004138Z", "20240418T002248Z", "20260324T002736Z")  # the 2024 restructure, then small edits
ZWSOFT_CAPTURE = FIXTURES / "citp-wayback" / "zwsoft-privacy-policy" / "captures" / "20171121T214541Z.md"


COOKIE_WALL = "<html><body><h1>Before you continue</h1><p>We use cookies. Accept all?</p></body></html>"
WITHDRAWN_REASON = "cookie wall, not the policy <script>alert('reason')</script>"


@dataclass(frozen=True)
class BuiltSite:
    archive: Path
    config: Path
    site: Path
    log: str


def cli(archive: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def make_fixture_archive(root: Path, *, with_hostile: bool = True) -> Path:
    archive = root / "archive"
    cli(
        archive,
        "add",
        "github-privacy-statement",
        "--name",
        "GitHub Privacy Statement",
        "--url",
        "https://github.com/github/site-policy/blob/main/Policies/github-privacy-statement.md",
    )
    cli(archive, "ingest", "github-privacy-statement", *(str(GITHUB_VERSIONS / f"{name}.md") for name in GITHUB_PICKS))
    cli(
        archive,
        "add",
        "zwsoft-privacy-policy",
        "--name",
        "ZWSOFT privacy policy",
        "--url",
        "https://www.zwsoft.com/about/privacyPolicys",
    )
    cli(archive, "ingest", "zwsoft-privacy-policy", str(ZWSOFT_CAPTURE))
    # a later capture that caught a cookie wall, withdrawn with a reason (kept, shown, not a version)
    wall = root / "20180102T030405Z.html"
    wall.write_text(COOKIE_WALL, encoding="utf-8")
    cli(archive, "ingest", "zwsoft-privacy-policy", str(wall))
    cli(archive, "exclude", "zwsoft-privacy-policy", wall.stem, "--reason", WITHDRAWN_REASON)
    if with_hostile:
        add_hostile_policy(archive, root / "hostile-captures")
    return archive


def add_hostile_policy(archive: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    cli(archive, "add", "evil-policy", "--name", hostile.NAME, "--url", hostile.URL)
    for name, text in hostile.VERSIONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    name, text = hostile.HTML_CAPTURE
    (folder / name).write_text(text, encoding="utf-8")
    cli(archive, "ingest", "evil-policy", *(str(p) for p in sorted(folder.iterdir())))


def write_config(root: Path, archive: Path, docs: Path = REPO / "docs") -> Path:
    """A mkdocs.yml inheriting the repository's, pointed at another archive."""
    config = root / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {REPO / 'mkdocs.yml'}\n"
        f"docs_dir: {docs}\n"
        "plugins:\n  - search\n"
        f"  - policy-diff:\n      archive_dir: {archive}\n",
        encoding="utf-8",
    )
    return config


def mkdocs_build(config: Path, site: Path, *, hash_seed: str | None = None) -> str:
    """`mkdocs build --strict`; fails the test on any warning."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    proc = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    return log


def once_per_run(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], BuiltSite]) -> BuiltSite:
    """Build a site once per test run, also under pytest-xdist: the first worker that asks
    builds it, under a lock, in the folder the run's workers share; the others read it."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return make(factory.mktemp(name))
    shared = factory.getbasetemp().parent / name
    with filelock.FileLock(f"{shared}.lock"):
        record = shared / "built.json"
        if record.is_file():
            data = json.loads(record.read_text(encoding="utf-8"))
            return BuiltSite(Path(data["archive"]), Path(data["config"]), Path(data["site"]), data["log"])
        shared.mkdir()
        built = make(shared)
        fields = {"archive": str(built.archive), "config": str(built.config), "site": str(built.site)}
        record.write_text(json.dumps(fields | {"log": built.log}), encoding="utf-8")
        return built


def _build_fixture_site(root: Path) -> BuiltSite:
    archive = make_fixture_archive(root)
    config = write_config(root, archive)
    site = root / "site"
    return BuiltSite(archive, config, site, mkdocs_build(config, site))


def _build_bundled_site(root: Path) -> BuiltSite:
    site = root / "site"
    return BuiltSite(
        REPO / "archive", REPO / "mkdocs.yml", site, mkdocs_build(REPO / "mkdocs.yml", site, hash_seed="1")
    )


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return once_per_run(tmp_path_factory, "fixture-site", _build_fixture_site)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's own mkdocs.yml over the bundled archive, as `make site` builds it
    (with hash seed 1: the feeds' test builds it again with another and compares)."""
    return once_per_run(tmp_path_factory, "bundled-site", _build_bundled_site)


@pytest.fixture(scope="session")
def output_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests leave their screenshots (kept after the run, for people to look at);
    emptied once per run, by the first xdist worker that asks."""
    out = REPO / "tests" / "output" / "site"
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") is not None:
        run = run.parent
    with filelock.FileLock(f"{run / 'output-dir'}.lock"):
        emptied = run / "output-dir-emptied"
        if not emptied.exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            emptied.touch()
    return out
