"""Site build benchmarks (issues 5 and 17), each compared with a baseline measured in the same run.

1. The bundled site: `mkdocs build` with the policy-diff plugin, against a plain
   `mkdocs build` of the very same pages written out by `policy-diff render --out`
   (same count, same content, same navigation): the ratio is what our rendering costs.
2. Generated archives of 100, 1,000 and 5,000 versions: 50 versions per policy (so 2, 20
   and 100 policies), each policy a window of real consecutive edits of one bundled policy
   (its real versions replayed one word-level hunk at a time, a different window per
   policy). The same pair of builds at each size, `--repeat` times interleaved; medians of
   wall time, CPU time (user + system of the build process) and peak resident memory
   (the build's own rusage, through `_peak.py`'s launcher).
3. `mkdocs serve` over a copy of the generated archive of `--serve-size` versions: the time
   from ingesting a new capture of one policy to its change page being served, against full
   builds in the same serve process (the first one, and between two captures a rebuild
   caused by editing a hand-written page, which every page's navigation shows). The log
   says which policies were rendered again and how many pages came from the serve cache
   (copied to bench/output/site-serve.log).

Usage: python bench/site.py [--sizes 100,1000,5000] [--repeat 3] [--serve-size 1000]
                            [--skip-serve] [--skip-bundled]
Writes bench/output/site.json and prints each result.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import fast_diff_match_patch
import yaml

from _peak import run_measured

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run(*args: str, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def policy_diff(archive: Path, *args: str) -> None:
    run(str(BIN / "policy-diff"), "--archive", str(archive), *args)


# -- projects -----------------------------------------------------------------------------
def plugin_project(root: Path, archive: Path) -> Path:
    config = root / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {REPO / 'mkdocs.yml'}\ndocs_dir: {REPO / 'docs'}\n"
        f"plugins:\n  - search\n  - policy-diff:\n      archive_dir: {archive}\n",
        encoding="utf-8",
    )
    return config


def plain_project(root: Path, archive: Path) -> tuple[Path, int]:
    """The same pages as static files, the same navigation, no plugin."""
    from policydiff.archive import Archive
    from policydiff.history import load_history
    from policydiff.render import EXTRA_CSS, EXTRA_JAVASCRIPT, render_site, write_site

    docs = root / "docs"
    shutil.copytree(REPO / "docs", docs)
    store = Archive(archive)
    files = render_site([load_history(store, slug) for slug in store.slugs()])
    write_site(files, docs)
    pages = sum(1 for p in files if p.endswith(".md")) + sum(1 for _ in (REPO / "docs").glob("*.md"))
    slugs = sorted({p.split("/")[1] for p in files if p.startswith("policies/") and p.count("/") > 2})
    nav = [p.name for p in sorted((REPO / "docs").glob("*.md"), key=lambda p: (p.name != "index.md", p.name))]
    nav.append(
        {
            "Policies": ["policies/index.md"]
            + [
                {s: [f"policies/{s}/index.md", f"policies/{s}/timeline/index.md", f"policies/{s}/compare/index.md"]}
                for s in slugs
            ]
        }
    )
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(
        docs_dir=str(docs),
        plugins=["search"],
        nav=nav,
        extra_css=EXTRA_CSS,
        extra_javascript=EXTRA_JAVASCRIPT,
        validation={"nav": {"omitted_files": "ignore"}},
    )
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path, pages


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float  # user + system of the build process
    peak_mb: float  # its maximum resident set


def measured(*args: str) -> Sample:
    """One run of a command, with its own CPU time and peak memory: run through
    `_peak.py`'s launcher, whose `wait4` figures are the command's alone (not the sum over
    earlier children, and not this process's peak, which a child of it would carry over)."""
    start = time.perf_counter()
    status, cpu, peak_kb, errors = run_measured(list(args), env=ENV, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{errors.decode(errors='replace')}")
    return Sample(wall, cpu, peak_kb / 1024)


def mkdocs_build(config: Path, site: Path) -> Sample:
    return measured(str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(site))


def median_of(samples: list[Sample], name: str) -> float:
    return statistics.median(getattr(s, name) for s in samples)


def compare_builds(archive: Path, work: Path, repeat: int) -> dict[str, object]:
    """Builds with the plugin and plain builds of the same pages, interleaved."""
    ours: list[Sample] = []
    plain: list[Sample] = []
    work.mkdir(parents=True, exist_ok=True)
    config = plugin_project(work, archive)
    plain_config, pages = plain_project(work / "plain", archive)
    for _ in range(repeat):
        ours.append(mkdocs_build(config, work / "site-ours"))
        plain.append(mkdocs_build(plain_config, work / "site-plain"))
    result: dict[str, object] = {"pages": pages, "samples": repeat}
    for name in ("wall_s", "cpu_s", "peak_mb"):
        result[f"plugin_{name}"] = round(median_of(ours, name), 2)
        result[f"plain_{name}"] = round(median_of(plain, name), 2)
        result[f"ratio_{name.rsplit('_', 1)[0]}"] = round(median_of(ours, name) / median_of(plain, name), 3)
    result["plugin_cpu_all"] = [round(s.cpu_s, 2) for s in ours]
    result["plain_cpu_all"] = [round(s.cpu_s, 2) for s in plain]
    result["cpu_ms_per_page"] = round(1000 * median_of(ours, "cpu_s") / pages, 1)
    return result


# -- generated histories ------------------------------------------------------------------
VERSIONS_PER_POLICY = 50
MAX_STEPS = 600  # per bundled policy: windows enough for 5,000 versions, and quick to make


def real_edit_steps() -> list[list[str]]:
    """For each bundled policy, texts stepping through its real history one word-level hunk
    at a time: each consecutive pair of real versions is replayed hunk by hunk."""
    from policydiff.archive import Archive

    store = Archive(REPO / "archive")
    documents = []
    for slug in store.slugs():
        texts = [store.version_text(v) for v in store.versions(slug)]
        steps = [texts[0]]
        for old, new in itertools.pairwise(texts):
            if len(steps) >= MAX_STEPS:
                break
            ops = fast_diff_match_patch.diff(old, new, timelimit=0, cleanup="Semantic", counts_only=False)
            hunks: list[list[int]] = []
            previous_equal = True
            for index, (op, _text) in enumerate(ops):
                if op != "=":
                    if previous_equal:
                        hunks.append([])
                    hunks[-1].append(index)
                previous_equal = op == "="
            done: set[int] = set()
            for hunk in hunks:
                done.update(hunk)
                text = "".join(t for i, (op, t) in enumerate(ops) if op == "=" or (op == "+") == (i in done))
                if text != steps[-1]:
                    steps.append(text)
        if len(steps) > VERSIONS_PER_POLICY:
            documents.append(steps)
    return documents


def generated_archive(root: Path, versions: int) -> Path:
    """`versions` versions over `versions / 50` policies, each a window of 50 consecutive
    real edits of one bundled policy (a different window per policy)."""
    documents = real_edit_steps()
    archive = root / "archive"
    captures = root / "captures"
    start = datetime(2020, 1, 1, tzinfo=UTC)
    policies = max(1, versions // VERSIONS_PER_POLICY)
    for p in range(policies):
        steps = documents[p % len(documents)]
        count = versions - VERSIONS_PER_POLICY * (policies - 1) if p == policies - 1 else VERSIONS_PER_POLICY
        count = min(count, len(steps))
        offset = (p // len(documents) * 97) % (len(steps) - count + 1)
        slug = f"generated-{p:03d}"
        policy_diff(archive, "add", slug, "--name", f"Generated policy {p}", "--url", f"https://example.org/{p}")
        folder = captures / slug
        folder.mkdir(parents=True)
        for k in range(count):
            stamp = (start + timedelta(days=k)).strftime("%Y%m%dT%H%M%SZ")
            (folder / f"{stamp}.md").write_text(steps[offset + k], encoding="utf-8")
        policy_diff(archive, "ingest", slug, "--quiet", str(folder))
    return archive


# -- serve ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 3600) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {url}")


def wait_for_log(log: Path, pattern: str, after: int, timeout: float = 3600) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        text = log.read_text(encoding="utf-8", errors="replace")[after:]
        if re.search(pattern, text):
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {pattern!r} in {log}")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process so far (/proc: the serve process is
    measured while it runs, each rebuild as a difference)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def built_in(log: Path, after: int) -> float:
    return float(re.findall(r"Documentation built in ([0-9.]+) seconds", log.read_text("utf-8")[after:])[0])


def serve_bench(work: Path, archive: Path, repeat: int) -> dict[str, object]:
    """`mkdocs serve` over `archive`: `repeat` new captures of one policy, each timed from
    the ingest to its change page served, against full builds in the same process: the
    first build and, between two captures, a rebuild caused by editing a hand-written page
    (its title is in every page's navigation, so every page is converted again)."""
    from policydiff import urls
    from policydiff.archive import Archive
    from policydiff.history import load_history

    docs = work / "docs"
    shutil.copytree(REPO / "docs", docs)
    config = work / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {REPO / 'mkdocs.yml'}\ndocs_dir: {docs}\n"
        f"plugins:\n  - search\n  - policy-diff:\n      archive_dir: {archive}\n",
        encoding="utf-8",
    )
    store = Archive(archive)
    slug = store.slugs()[len(store.slugs()) // 2]
    port = free_port()
    log = work / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "mkdocs"), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, env=ENV,
        )  # fmt: skip
    docs_reloads, captures, builds_docs, builds_capture, rendered, from_cache = [], [], [], [], [], []
    cpu_docs: list[float] = []
    cpu_capture: list[float] = []
    try:
        prefix = urlsplit(yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))["site_url"]).path
        base = f"http://127.0.0.1:{port}{prefix}"
        wait_for(base)
        wait_for_log(log, r"Serving on", 0)
        first = built_in(log, 0)
        first_cpu = cpu_of(proc.pid)
        for k in range(repeat):
            if k:  # between two captures: a whole-site rebuild, the baseline
                time.sleep(1)
                size = log.stat().st_size
                start, cpu = time.perf_counter(), cpu_of(proc.pid)
                about = docs / "about.md"
                about.write_text(about.read_text("utf-8").replace("# ", f"# ({k}) ", 1), encoding="utf-8")
                wait_for_log(log, r"Documentation built in", size)
                docs_reloads.append(time.perf_counter() - start)
                builds_docs.append(built_in(log, size))
                cpu_docs.append(cpu_of(proc.pid) - cpu)
            time.sleep(1)
            size = log.stat().st_size
            latest = store.version_text(store.versions(slug)[-1])
            word = re.findall(r"\b[a-z]{6,}\b", latest)[k]
            capture = work / f"capture-{k}.md"
            capture.write_text(latest.replace(word, word.upper(), 1), encoding="utf-8")
            start, cpu = time.perf_counter(), cpu_of(proc.pid)
            policy_diff(archive, "ingest", slug, str(capture), "--captured", f"2025-06-{10 + k:02d}T00:00:00Z")
            change = load_history(Archive(archive), slug).changes[-1]
            # The log first, then the page: requests polled during the rebuild (20 a second)
            # cost the serve process CPU and slow the build they wait for (a browser has one
            # livereload connection open).
            wait_for_log(log, r"Documentation built in", size)
            wait_for(base + urls.change_page(change))
            captures.append(time.perf_counter() - start)
            builds_capture.append(built_in(log, size))
            cpu_capture.append(cpu_of(proc.pid) - cpu)
            text = log.read_text("utf-8")[size:]
            rendered += re.findall(r"policy-diff: rendered (.*)", text)
            from_cache += re.findall(r"policy-diff: (\d+ of \d+) generated pages unchanged", text)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        (REPO / "bench" / "output").mkdir(exist_ok=True)
        shutil.copy(log, REPO / "bench" / "output" / "site-serve.log")
    full = statistics.median([first, *builds_docs])
    full_cpu = statistics.median([first_cpu, *cpu_docs])
    return {
        "policy": slug,
        "first_build_s": first,
        "docs_edit_rebuild_s": [round(x, 2) for x in builds_docs],
        "new_capture_rebuild_s": [round(x, 2) for x in builds_capture],
        "capture_to_served_change_page_s": [round(x, 2) for x in captures],
        "docs_edit_to_reload_s": [round(x, 2) for x in docs_reloads],
        "ratio_capture_to_served_vs_full_build": round(statistics.median(captures) / full, 3),
        "ratio_capture_rebuild_vs_full_build": round(statistics.median(builds_capture) / full, 3),
        "first_build_cpu_s": round(first_cpu, 2),
        "docs_edit_rebuild_cpu_s": [round(x, 2) for x in cpu_docs],
        "new_capture_rebuild_cpu_s": [round(x, 2) for x in cpu_capture],
        "ratio_capture_rebuild_cpu_vs_full_build_cpu": round(statistics.median(cpu_capture) / full_cpu, 3),
        "policies_rendered_on_new_capture": rendered,
        "pages_from_the_serve_cache_on_new_capture": from_cache,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000", help="versions of the generated archives")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved builds per measurement (median)")
    parser.add_argument("--serve-size", type=int, default=1000, help="versions of the archive served")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-bundled", action="store_true")
    args = parser.parse_args()
    results: dict[str, object] = {"machine_cores": os.cpu_count(), "when": datetime.now(UTC).isoformat()}
    with tempfile.TemporaryDirectory(prefix="policy-diff-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_bundled:
            results["bundled"] = compare_builds(REPO / "archive", work / "bundled", args.repeat)
            print("bundled site:", results["bundled"], flush=True)
        sizes: dict[int, object] = {}
        archives: dict[int, Path] = {}
        for n in (int(s) for s in args.sizes.split(",") if s):
            root = work / f"gen-{n}"
            root.mkdir()
            start = time.perf_counter()
            archives[n] = generated_archive(root, n)
            ingest = time.perf_counter() - start
            sizes[n] = compare_builds(archives[n], root, args.repeat) | {"ingest_s": round(ingest, 1)}
            print(f"{n} versions:", sizes[n], flush=True)
        results["generated"] = sizes
        if not args.skip_serve:
            root = work / "serve"
            root.mkdir()
            if args.serve_size in archives:
                archive = root / "archive"
                shutil.copytree(archives[args.serve_size], archive, ignore=shutil.ignore_patterns(".lock"))
            else:
                archive = generated_archive(root, args.serve_size)
            results["serve"] = serve_bench(root, archive, args.repeat) | {"versions": args.serve_size}
            print("serve:", results["serve"], flush=True)
    out = REPO / "bench" / "output"
    out.mkdir(parents=True, exist_ok=True)
    (out / "site.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
