"""Shared fixtures. Tests run on real captures copied into tests/fixtures/ (see its README);
tests marked `corpus` run over the shared corpus ($POLICY_DIFF_CORPUS) in `make test-corpus`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policydiff.archive import Archive
from policydiff.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"

# The site tests' fixtures live in tests/site/site_support.py: a conftest.py there would
# be imported as a second module named `conftest` and shadow this one.
sys.path.insert(0, str(REPO / "tests" / "site"))
pytest_plugins = ["site_support"]


# The slowest test files, slowest first (`--durations=0` summed per file). Under
# `pytest -n 2 --dist loadfile --no-loadscope-reorder` a worker takes the next file when it
# runs dry, so starting with the long ones lets both workers finish together; xdist's own
# order (most tests first) left site builds and browser runs for the end, one worker idle.
SLOW_FIRST = (
    "tests/site/test_site_build.py",
    "tests/feeds/test_feed_site.py",
    "tests/site/test_site_plugin.py",
    "tests/site/test_site_browser.py",
    "tests/test_batch.py",
    "tests/sources/test_git.py",
    "tests/publish/test_upcoming.py",
    "tests/site/test_site_builders.py",
    "tests/site/test_site_pages_browser.py",
    "tests/history/test_parity.py",
    "tests/render/test_diff_rendered.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(REPO).as_posix(), len(rank)))


def corpus_root() -> Path:
    return Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus; a corpus test fails loudly (never skips) when it is missing."""
    root = corpus_root()
    if not (root / "README.txt").is_file():
        pytest.fail(f"corpus not found at {root}: set POLICY_DIFF_CORPUS")
    return root


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def archive(archive_dir: Path) -> Archive:
    return Archive(archive_dir)


CliRun = Callable[..., Result]


@pytest.fixture
def cli(archive_dir: Path) -> CliRun:
    """Run `policy-diff --archive <tmp> ARGS...` in-process and return click's Result."""
    runner = CliRunner()

    def run(*args: str, expect: int | None = 0) -> Result:
        result = runner.invoke(main, ["--archive", str(archive_dir), *map(str, args)], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}"
        return result

    return run
