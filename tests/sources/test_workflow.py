"""The scheduled-job example: its capture, commit and build steps, run as written against the
replay server, in a repository laid out like a user's (with a remote to push to)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policydiff.urls import policy_page

from .replay import GOOGLE, Replay, Reply

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "github-actions" / "policy-diff.yml"
JOB = "capture-and-build"


def steps() -> list[dict]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["jobs"][JOB]["steps"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    step_env = {k: re.sub(r"\$\{\{[^}]*\}\}", "example/policies", v) for k, v in step.get("env", {}).items()}
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env={**env, **step_env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_docs_show_the_example_as_it_is() -> None:
    docs = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
    block = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def site_repo(tmp_path: Path, replay: Replay) -> Path:
    """A clone of a policy-diff site repository with one policy served by the replay."""
    remote = tmp_path / "remote.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    work.mkdir()
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(REPO / "docs", work / "docs")
    cli = [sys.executable, "-m", "policydiff.cli", "--archive", str(work / "archive")]
    subprocess.run([*cli, "add", "google", "--url", replay.base + "/privacy", "--name", "Google"], check=True)
    git(work, "init", "-q", "-b", "main")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "Declare the policy")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "-u", "origin", "main")
    return work


def test_the_scheduled_job_captures_commits_and_builds(site_repo: Path, replay: Replay) -> None:
    runnable = [s for s in steps() if "run" in s and not s["run"].startswith("pip install")]
    assert [s["name"] for s in runnable] == ["Capture the live policies", "Commit the new captures", "Build the site"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("POLICY_DIFF_ARCHIVE", None)
    body = (GOOGLE / "20121023T121726Z.html").read_bytes()
    replay.add("/privacy", Reply(200, [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')], body))

    capture, commit, build = (run_step(s, site_repo, env) for s in runnable)
    assert capture.returncode == 0, capture.stderr
    assert "1 captured, 0 failed" in capture.stdout
    assert replay.requests[0][1]["User-Agent"] == "policy-diff (+https://github.com/example/policies)"
    assert commit.returncode == 0, commit.stderr
    assert build.returncode == 0, build.stderr

    pushed = git(site_repo.parent / "remote.git", "log", "--name-only", "--format=%s", "main")
    assert re.search(r"^Capture of \d{4}-\d{2}-\d{2}$", pushed, re.MULTILINE)
    assert re.search(r"^archive/google/captures/\d{8}T\d{6}Z-[0-9a-f]{12}\.html$", pushed, re.MULTILINE)
    page = (site_repo / "site" / policy_page("google") / "index.html").read_text(encoding="utf-8")
    assert "information we collect" in page.lower()  # the captured policy's text, published

    # The next day the policy has not changed: a 304, committed as one more sighting of it.
    replay.routes[replay.key("/privacy")] = [Reply(304, [("ETag", '"v1"')])]
    capture, commit, build = (run_step(s, site_repo, env) for s in runnable)
    assert replay.requests[-1][1]["If-None-Match"] == '"v1"'
    assert "not modified (304)" in capture.stdout
    assert commit.returncode == 0 and build.returncode == 0
    pushed = git(site_repo.parent / "remote.git", "log", "--format=%s", "main")
    assert len(re.findall(r"^Capture of ", pushed, re.MULTILINE)) == 2
