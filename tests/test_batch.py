"""`policy-diff batch` on a small repository in the Princeton-Leuven layout, made in a fixture
from real captures: ZWSOFT's four (two Markdown on the main branch, two raw HTML on
policy_html, with their real capture times), three Bumble texts (Open Terms Archive's
Markdown) and two uptimerobot pages plus one broken capture (PNG bytes, made here, labelled
as such). Run on a two-worker local Dask cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from policydiff.archive import Archive
from policydiff.batch.inputs import discover
from policydiff.batch.layout import DatasetCapture, layout_domain, layout_path, write_repository
from policydiff.batch.task import run_site
from policydiff.export import SCHEMAS, TABLES, read_table
from policydiff.times import stamp_in_name

ZWSOFT = FIXTURES / "citp-wayback" / "zwsoft-privacy-policy" / "captures"
BUMBLE = FIXTURES / "ota-dating" / "bumble-privacy-policy" / "versions"
UPTIME = FIXTURES / "ota-demo" / "uptimerobot-privacy-policy"
BROKEN_AT = datetime(2025, 6, 1, tzinfo=UTC)
SITES = ["bumble.com", "uptimerobot.com", "zwsoft.com"]


def dataset_captures() -> list[DatasetCapture]:
    out = [
        DatasetCapture("zwsoft.com", stamp_in_name(p.name), p.read_bytes(), p.suffix == ".html")
        for p in ZWSOFT.iterdir()
    ]
    out += [DatasetCapture("bumble.com", stamp_in_name(p.name), p.read_bytes(), False) for p in BUMBLE.iterdir()]
    out += [
        DatasetCapture("uptimerobot.com", stamp_in_name(p.name), p.read_bytes(), True) for p in UPTIME.glob("*.html")
    ]
    # not a capture: a PNG image where a page should be, as a broken dataset entry would be
    out.append(DatasetCapture("uptimerobot.com", BROKEN_AT, b"\x89PNG\r\n\x1a\n" + bytes(64), True))
    return out


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "policydiff.cli", *args], capture_output=True, text=True, timeout=600, cwd=cwd
    )
    return proc.returncode, proc.stdout + proc.stderr


def batch(repo: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "policydiff.cli", "batch", str(repo), "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the run and its workers are killed together
    )


def export_rows(out: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_table(out / "export", name).to_pylist() for name in TABLES}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("dataset") / "privacy-policy-historical"
    write_repository(repo, dataset_captures())
    return repo


@pytest.fixture(scope="module")
def batch_run(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    out = tmp_path_factory.mktemp("batch") / "out"
    proc = batch(dataset, out)
    output, _ = proc.communicate(timeout=600)
    return out, output, proc.returncode


def _report_workers(queue: Any) -> None:
    from policydiff.workers import default_workers

    queue.put(default_workers())


def test_no_process_pool_inside_a_daemonic_worker() -> None:
    """Dask's worker processes are daemonic: an archive recovering a killed site's work there
    must extract in the process, not start a pool (which would fail)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_report_workers, args=(queue,), daemon=True)
    worker.start()
    assert queue.get(timeout=60) == 1
    worker.join(timeout=60)


def test_layout_paths() -> None:
    assert layout_path("zwsoft.com", ".md") == "z/zw/zws/zwsoft.com.md"
    assert layout_domain("z/zw/zws/zwsoft.com.md") == "zwsoft.com"
    assert layout_domain("zwsoft.com.html") == "zwsoft.com"
    assert layout_domain("z/zw/zwx/zwsoft.com.md") is None
    assert layout_domain("README.md") is None


def test_sites_found_in_both_branches(dataset: Path) -> None:
    sites = {s.site: s for s in discover(dataset)}
    assert sorted(sites) == SITES
    zwsoft = sites["zwsoft.com"].revisions
    assert [r.path for r in zwsoft] == [
        "z/zw/zws/zwsoft.com.md",
        "z/zw/zws/zwsoft.com.html",
        "z/zw/zws/zwsoft.com.html",
        "z/zw/zws/zwsoft.com.md",
    ]
    assert [s.site for s in discover(dataset, ["zw*"])] == ["zwsoft.com"]


def test_batch_run_and_its_export(batch_run: tuple[Path, str, int]) -> None:
    out, output, code = batch_run
    assert code == 2, output  # the broken capture
    stored = len(dataset_captures()) - 1  # all but the broken one
    assert f"3 sites: 3 done, 0 already done, 0 failed; {stored} captures" in output
    rows = export_rows(out)
    for name in TABLES:
        assert read_table(out / "export", name).schema == SCHEMAS[name]
    # ZWSOFT: four captures in two formats, two texts (2011, then 2013-2017), one change
    zwsoft = [r for r in rows["captures"] if r["site"] == "zwsoft.com"]
    assert [(r["captured_at"].isoformat(), r["format"]) for r in zwsoft] == [
        ("2011-06-02T00:14:47+00:00", "markdown"),
        ("2013-05-22T15:17:45+00:00", "html"),
        ("2014-05-20T02:10:55+00:00", "html"),
        ("2017-11-21T21:45:41+00:00", "markdown"),
    ]
    assert zwsoft[3]["wayback_url"] == (
        "https://web.archive.org/web/20171121214541id_/https://www.zwsoft.com/about/privacyPolicys"
    )
    versions = [r for r in rows["versions"] if r["site"] == "zwsoft.com"]
    assert [v["captures"] for v in versions] == [1, 3]
    changes = [r for r in rows["changes"] if r["site"] == "zwsoft.com"]
    assert len(changes) == 1 and changes[0]["date"].isoformat() == "2013-05-22T15:17:45+00:00"
    assert changes[0]["sections_modified"] >= 1 and changes[0]["words_added"] > 0
    # the broken capture is in errors, named; its site's other captures were done
    assert rows["errors"] == [
        {
            "site": "uptimerobot.com",
            "input": rows["errors"][0]["input"],
            "stage": "ingest",
            "message": f"{rows['errors'][0]['input']}: binary content (a PNG image), not an HTML, Markdown or text"
            " capture",
        }
    ]
    assert rows["errors"][0]["input"].endswith(":u/up/upt/uptimerobot.com.html")
    assert sum(r["site"] == "uptimerobot.com" for r in rows["captures"]) == 2
    assert [str(p) for p in Archive(out / "archive").verify() if p.fatal] == []


def single_policy(dataset: Path, tmp_path: Path, site: str, url: str) -> Path:
    """The same site made with the single-policy commands: add, then ingest-git of its
    Markdown and of its HTML branch."""
    archive_dir = tmp_path / site
    assert cli("--archive", str(archive_dir), "add", site, "--url", url)[0] == 0
    for suffix, branch in ((".md", []), (".html", ["--branch", "policy_html"])):
        code, output = cli(
            "--archive", str(archive_dir), "ingest-git", site, str(dataset), layout_path(site, suffix), *branch
        )
        assert code in (0, 2), output
    return archive_dir


def test_export_rows_equal_the_single_policy_commands(
    batch_run: tuple[Path, str, int], dataset: Path, tmp_path: Path
) -> None:
    out, _, _ = batch_run
    rows = export_rows(out)
    for site in SITES:
        url = Archive(out / "archive").declaration(site).url
        archive_dir = single_policy(dataset, tmp_path, site, url)
        captures = Archive(archive_dir).captures(site)
        assert [(r["captured_at"], r["sha256"], r["file"]) for r in rows["captures"] if r["site"] == site] == [
            (c.captured_at, c.sha256, c.file) for c in captures
        ]
        versions = json.loads(cli("--archive", str(archive_dir), "versions", site, "--json")[1])
        assert [
            (r["version"], r["first_seen"].strftime("%Y-%m-%dT%H:%M:%SZ"), r["captures"])
            for r in rows["versions"]
            if r["site"] == site
        ] == [(v["id"], v["first_seen"], len(v["captures"])) for v in versions]
        periods = json.loads(cli("--archive", str(archive_dir), "history", site, "--json")[1])
        changes = [r for r in rows["changes"] if r["site"] == site]
        assert len(changes) == len(periods) - 1
        for row, before, after in zip(changes, periods, periods[1:], strict=False):
            assert (row["from_version"], row["to_version"]) == (before["version"], after["version"])
            assert row["date"].strftime("%Y-%m-%dT%H:%M:%SZ") == after["from"]
            assert row["flags"] == after["change"]["flags"]
            summary = json.loads(
                cli("--archive", str(archive_dir), "diff", site, before["version"], after["version"], "--json")[1]
            )["summary"]
            assert (row["words_added"], row["words_removed"]) == (summary["words_added"], summary["words_removed"])
            assert (row["sections_modified"], row["sections_added"], row["sections_removed"]) == (
                summary["modified"],
                summary["added"],
                summary["removed"],
            )
            assert (row["significance"], row["headline"], row["terms"]) == (
                summary["significance"],
                summary["headline"],
                summary["terms"],
            )
            assert row["significance"] in {"major", "minor", "trivial"} and row["headline"]


def test_killed_mid_run_then_rerun_gives_the_same_export(
    batch_run: tuple[Path, str, int], dataset: Path, tmp_path: Path
) -> None:
    reference, _, _ = batch_run
    out = tmp_path / "out"
    proc = batch(dataset, out)
    states = out / "batch" / "sites"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (states.is_dir() and any(states.glob("*.json"))):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # every worker of the killed run is gone
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    done_at_kill = len(list(states.glob("*.json")))  # counted once nothing of the run is left
    assert 1 <= done_at_kill < 3, "the run was not killed mid-run"
    rerun = batch(dataset, out)
    output, _ = rerun.communicate(timeout=600)
    assert f"{done_at_kill} already done" in output, output
    assert export_rows(out) == export_rows(reference)
    assert [str(p) for p in Archive(out / "archive").verify() if p.fatal] == []
    # and a third run has nothing left to do
    again = batch(dataset, out)
    output, _ = again.communicate(timeout=600)
    assert "3 sites: 0 done, 3 already done, 0 failed" in output, output


def test_folder_form_gives_the_same_rows(batch_run: tuple[Path, str, int], tmp_path: Path) -> None:
    """The folder form: per-capture files named by their capture time, one folder per site
    (run in this process, without a cluster: the task is the same)."""
    reference, _, _ = batch_run
    tree = tmp_path / "tree" / "z" / "zw" / "zws" / "zwsoft.com"
    tree.mkdir(parents=True)
    for path in ZWSOFT.iterdir():
        (tree / path.name).write_bytes(path.read_bytes())
    (site,) = discover(tmp_path / "tree")
    assert site.site == "zwsoft.com" and len(site.files) == 4
    out = tmp_path / "out"
    result = run_site(site, str(out))
    assert (result.status, result.captures, result.versions, result.changes) == ("done", 4, 2, 1)
    ours, theirs = export_rows(out), export_rows(reference)
    keep = ("captured_at", "sha256", "format", "wayback_url", "version")
    assert [{k: r[k] for k in keep} for r in ours["captures"]] == [
        {k: r[k] for k in keep} for r in theirs["captures"] if r["site"] == "zwsoft.com"
    ]
    assert ours["versions"] == [r for r in theirs["versions"] if r["site"] == "zwsoft.com"]
    assert ours["changes"] == [r for r in theirs["changes"] if r["site"] == "zwsoft.com"]
    assert run_site(site, str(out)).status == "skipped"


def test_site_builds_a_chosen_subset(batch_run: tuple[Path, str, int]) -> None:
    out, _, _ = batch_run
    code, output = cli("site", str(out), "--sites", "zw*")
    assert code == 0, output
    assert output.strip() == f"1 policies built into {out / 'site' / 'site'}"
    built = out / "site" / "site"
    assert (built / "index.html").is_file()
    assert "zwsoft.com" in (built / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "site" / "archive").iterdir()) == ["zwsoft.com"]
    code, output = cli("site", str(out), "--sites", "nothing*")
    assert code != 0 and output.strip() == f"Error: {out / 'archive'}: no site matches nothing*"


def _run_site_in_daemon(site: Any, out: str, queue: Any) -> None:
    queue.put(run_site(site, out).status)


def test_a_site_killed_mid_commit_is_finished_inside_a_dask_like_worker(
    batch_run: tuple[Path, str, int], tmp_path: Path
) -> None:
    """A task killed inside its archive's group commit (at a seeded write), then redone in a
    daemonic process as Dask's workers are: it recovers and gives the same rows."""
    import multiprocessing

    reference, _, _ = batch_run
    tree = tmp_path / "tree" / "zwsoft.com"
    tree.mkdir(parents=True)
    for path in ZWSOFT.iterdir():
        (tree / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    script = (
        "import sys; from pathlib import Path; from policydiff.batch.inputs import discover; "
        "from policydiff.batch.task import run_site; "
        "run_site(discover(Path(sys.argv[1]))[0], sys.argv[2])"
    )
    env = {**os.environ, "POLICY_DIFF_CRASH_AT_WRITE": "12"}  # the manifest record of the 4 captures: committed
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "tree"), str(out)], env=env, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert (out / "batch" / "work" / "zwsoft.com").is_dir() and not (out / "archive" / "zwsoft.com").exists()
    (site,) = discover(tmp_path / "tree")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_run_site_in_daemon, args=(site, str(out), queue), daemon=True)
    worker.start()
    assert queue.get(timeout=300) == "done"
    worker.join(timeout=60)
    rows, theirs = export_rows(out), export_rows(reference)
    assert rows["versions"] == [r for r in theirs["versions"] if r["site"] == "zwsoft.com"]
    assert rows["changes"] == [r for r in theirs["changes"] if r["site"] == "zwsoft.com"]
    assert rows["errors"] == []
    assert [str(p) for p in Archive(out / "archive").verify() if p.fatal] == []


def test_scheduler_address_runs_on_an_existing_cluster(
    batch_run: tuple[Path, str, int], dataset: Path, tmp_path: Path
) -> None:
    """`--scheduler`: the same tasks sent to a cluster that is already running (one started
    here), for the sites chosen by pattern."""
    import logging

    from distributed import LocalCluster

    from policydiff.batch.run import run_batch

    reference, _, _ = batch_run
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        report = run_batch(dataset, tmp_path / "out", patterns=["zw*"], scheduler=cluster.scheduler_address)
    assert [(r.site, r.status, r.captures) for r in report.results] == [("zwsoft.com", "done", 4)]
    rows, theirs = export_rows(tmp_path / "out"), export_rows(reference)
    assert rows["changes"] == [r for r in theirs["changes"] if r["site"] == "zwsoft.com"]
