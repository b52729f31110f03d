"""Ingest throughput: captures a second and CPU per capture, against main's one-by-one ingest.

Every configuration ingests the same real captures into a fresh archive, in a fresh process
(imports are done before the clock starts; the figures are the `ingest_paths` call alone),
and reports wall time and CPU time of the process and of its extraction workers together:

- **baseline**: the code of `--baseline REF` (default `main`; checked out into a temporary
  folder with `git archive`) with its default options;
- **one-by-one**: this branch with `--workers 1 --no-group-commit`;
- **group, 1 worker** and **group, 2 workers**: this branch's group commit, extraction in
  one process or spread over two (one pool kept for the run; its workers' CPU is counted
  once they exit, after the clock stops);
- **extraction alone**: `extract_capture` over the same captures in one process, to give its
  share of the ingest's CPU time.

`--imports-first` imports the extraction stack before the clock in every configuration (a
process pays that 0.2 s once: a long back-fill's steady state; without it, the timed region
of a 171-capture run holds it).

Configurations are interleaved within each repeat (the machine is shared) and medians over
the repeats are reported, with each one's ratio to main in the same run.

`--commit-only` measures the write path alone: each capture's extraction is made before the
clock starts and handed over when asked, so the figures are reading, hashing, writing,
fsyncing and the manifest: what the group commit changes.

The archives are written in a temporary folder inside `--work-dir` (default: this
repository, on the disk where a project's `archive/` lives). Where matters: on this machine
creating a file under /tmp costs 0.22 ms of CPU against 0.034 ms in the repository's folder,
on the same ext4 disk, and an ingest creates several files per capture.

    python bench/ingest.py [--corpus ../shared/corpus] [--set bumble|dating] [--repeat 5] [--no-main]
                           [--baseline REF] [--commit-only] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETS = {
    # The measurement: OTA's 33 bumble snapshots (median 88 KB).
    "bumble": ["ota-dating/bumble-privacy-policy"],
    # Every OTA HTML snapshot of the corpus, one policy each (171 captures).
    "dating": [
        "ota-dating/bumble-privacy-policy",
        "ota-dating/finya-privacy-policy-de",
        "ota-dating/lovoo-privacy-policy-de",
        "ota-dating/meetic-privacy-policy-fr",
        "ota-dating/mektoube-privacy-policy-fr",
        "ota-demo/github-privacy-policy",
        "ota-demo/npm-privacy-policy",
        "ota-demo/uptimerobot-privacy-policy",
    ],
}

# Runs in the measured process: import first, then time ingest_paths over every document.
_HARNESS = r"""
import json, resource, sys, time
from pathlib import Path
from policydiff.archive import Archive
from policydiff.ingest import ingest_paths
mode, commit_only, imports_first, archive_dir, *docs = sys.argv[1:]
if imports_first == "1":  # the one-time import a long back-fill pays once, left out of the clock
    import policydiff.extract.encoding, policydiff.extract.html, policydiff.extract.text  # noqa: E401, F401
if commit_only == "1":
    # The write path alone: every extraction made before the clock starts, then served.
    import hashlib
    import policydiff.archive as archive_module
    from policydiff.extract import extract_capture
    done = {}
    for doc in docs:
        for path in (Path(doc) / "snapshots").iterdir():
            data = path.read_bytes()
            done[hashlib.sha256(data).digest()] = extract_capture(data, "text/html", base_url="https://example.org/policy")
    served = lambda data, *args, **kwargs: done[hashlib.sha256(data).digest()]
    import policydiff.extract as extract_module  # workers import it from there at each job
    extract_module.extract_capture = served
    if hasattr(archive_module, "extract_capture"):  # a baseline that extracts in the archive
        archive_module.extract_capture = served
archive = Archive(archive_dir)
for doc in docs:
    archive.add_policy(Path(doc).name, {"name": Path(doc).name, "url": "https://example.org/policy"})
kwargs = {} if mode == "main" else json.loads(mode)
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
wall0, cpu0 = time.perf_counter(), cpu()
stored = 0
for doc in docs:
    outcomes = ingest_paths(archive, Path(doc).name, [Path(doc) / "snapshots"], **kwargs)
    stored += sum(o.status == "stored" for o in outcomes)
wall = time.perf_counter() - wall0
import policydiff.workers as workers_module
if hasattr(workers_module, "close_pool"):  # kept pool: its workers' CPU counts once they exit
    workers_module.close_pool()
print(json.dumps({"wall": wall, "cpu": cpu() - cpu0, "stored": stored}))
"""

_EXTRACT_ONLY = r"""
import json, resource, sys, time
from pathlib import Path
from policydiff.extract import extract_capture
files = sorted(p for doc in sys.argv[1:] for p in (Path(doc) / "snapshots").glob("*.html"))
data = [p.read_bytes() for p in files]
extract_capture(b"<html><body><p>warm-up</p></body></html>", "text/html")  # its lazy imports, off the clock
t0 = time.process_time()
for blob in data:
    extract_capture(blob, "text/html", base_url="https://example.org/policy")
sizes = sorted(map(len, data))
print(json.dumps({"cpu": time.process_time() - t0, "count": len(data), "median_bytes": sizes[len(sizes) // 2]}))
"""

CONFIGS = {
    "one-by-one (--workers 1 --no-group-commit)": {"workers": 1, "group_commit": False},
    "group commit, 1 worker": {"workers": 1, "group_commit": True},
    "group commit, 2 workers": {"workers": 2, "group_commit": True},
}


def main_checkout(into: Path, ref: str = "main") -> Path | None:
    """The baseline's package: `git archive REF tools` unpacked into `into`."""
    try:
        blob = subprocess.run(["git", "-C", str(REPO), "archive", ref, "tools"], capture_output=True, check=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"no baseline from main: {exc}", file=sys.stderr)
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=blob.stdout, check=True)
    return into / "tools"


def run(code: str, args: list[str], pythonpath: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"benchmark process failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus"))
    )
    parser.add_argument("--set", choices=sorted(SETS), default="bumble")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-main", action="store_true", help="Skip the baseline from the main branch.")
    parser.add_argument(
        "--baseline",
        default="main",
        metavar="REF",
        help="The git revision measured as the baseline (default main; e.g. the commit before issue 17).",
    )
    parser.add_argument("--commit-only", action="store_true", help="Extractions made before the clock: the write path.")
    parser.add_argument(
        "--imports-first",
        action="store_true",
        help="Import the extraction stack (ftfy, charset-normalizer, lxml: about 0.2 s, once a process) before "
        "the clock, in every configuration: the steady state of a long back-fill.",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=REPO,
        help="Where the temporary archives are written (default: this repository's folder, as a project's archive/).",
    )
    args = parser.parse_args()
    docs = [str(args.corpus / d) for d in SETS[args.set]]
    missing = [d for d in docs if not Path(d, "snapshots").is_dir()]
    if missing:
        raise SystemExit(f"corpus documents missing: {', '.join(missing)} (set --corpus)")
    branch = REPO / "tools"
    samples: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix=".bench-ingest-", dir=args.work_dir) as tmp:
        main_tools = None if args.no_main else main_checkout(Path(tmp), args.baseline)
        configs: list[tuple[str, str, Path]] = []
        if main_tools:
            configs.append((f"{args.baseline} (its defaults)", "main", main_tools))
        configs += [(name, json.dumps(kwargs), branch) for name, kwargs in CONFIGS.items()]
        extraction = []
        for repeat in range(args.repeat):
            for number, (name, mode, path) in enumerate(configs):
                archive_dir = Path(tmp) / f"archive-{repeat}-{number}"
                flag = "1" if args.commit_only else "0"
                first = "1" if args.imports_first else "0"
                samples.setdefault(name, []).append(run(_HARNESS, [mode, flag, first, str(archive_dir), *docs], path))
                shutil.rmtree(archive_dir, ignore_errors=True)
            if not args.commit_only:
                extraction.append(run(_EXTRACT_ONLY, docs, branch))
            print(f"repeat {repeat + 1}/{args.repeat} done", file=sys.stderr, flush=True)
    count = samples[configs[0][0]][0]["stored"]
    what = "write path only (extractions made beforehand)" if args.commit_only else "end to end"
    what += ", extraction stack imported before the clock" if args.imports_first else ""
    print(f"{count} captures ({args.set}), {what}, median of {args.repeat} runs, {os.cpu_count()} cores")
    print()
    print("| configuration | wall | captures/s | CPU | CPU ms/capture | captures/s vs baseline |")
    print("|---|---|---|---|---|---|")
    base = statistics.median(s["wall"] for s in samples[configs[0][0]])
    for name, _, _ in configs:
        wall = statistics.median(s["wall"] for s in samples[name])
        cpu = statistics.median(s["cpu"] for s in samples[name])
        stored = {s["stored"] for s in samples[name]}
        assert stored == {count}, f"{name} stored {stored}, expected {count}"
        rate, per = count / wall, cpu / count * 1000
        print(f"| {name} | {wall:.2f} s | {rate:.1f} | {cpu:.2f} s | {per:.1f} | {base / wall:.2f}x |")
    if extraction:
        ext = statistics.median(e["cpu"] for e in extraction)
        print(f"| extraction alone (extract_capture, 1 process) | | | {ext:.2f} s | {ext / count * 1000:.1f} | |")
        one = statistics.median(s["cpu"] for s in samples["group commit, 1 worker"])
        print()
        print(f"median capture {extraction[0]['median_bytes'] / 1024:.0f} KB; extraction is {ext / one:.0%} of the CPU")
        print("time of a group-commit ingest on one worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
