"""Is `diff --json` byte-identical before and after a speed-up? Every corpus pair, checked.

    python bench/diff_identity.py collect PAIRS.json.gz   # the pairs' texts, once
    python bench/diff_identity.py dump PAIRS.json.gz OUT.json.gz   # each pair's JSON, this code
    python bench/diff_identity.py compare BASE.json.gz NEW.json.gz

`collect` gathers the texts once, so that later runs diff the very same texts whatever the
extraction code of the day:

- every document's reference Markdown versions (`<source>/<doc>/versions/*.md`): each
  consecutive change, each version against the ones two to five steps later, first vs last;
- our own extraction of every capture folder (`snapshots/`, `captures/`), ingested into a
  temporary archive: each change of its history (the pairs `make test-corpus` diffs);
- every change of the bundled archive (`archive/`).

`dump` runs `diff_versions` on each pair and keeps the JSON exactly as `policy-diff diff
--json` prints it (`json.dumps(..., indent=2, ensure_ascii=False)`). To dump with another
commit's code, put that commit's `tools/` first on PYTHONPATH (`git archive main tools | tar
-x -C /tmp/pd-main`, then `PYTHONPATH=/tmp/pd-main/tools`); the script prints which package
it ran. `compare` lists every pair whose bytes differ; exit status 1 if any does.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = (2, 3, 4, 5)


def reference_pairs(root: Path) -> list[dict[str, str]]:
    pairs = []
    for folder in sorted(root.glob("*/*/versions")):
        files = sorted(folder.glob("*.md"))
        texts = [(f.stem, f.read_text(encoding="utf-8")) for f in files]
        doc = folder.parent.name
        seen: set[tuple[str, str]] = set()

        def add(kind: str, a: tuple[str, str], b: tuple[str, str], doc: str = doc, seen: set = seen) -> None:
            if a[1] == b[1] or (a[0], b[0]) in seen:
                return
            seen.add((a[0], b[0]))
            pairs.append({"name": f"ref {doc} {kind} {a[0]}..{b[0]}", "old": a[1], "new": b[1]})

        for a, b in pairwise(texts):
            add("change", a, b)
        for step in STEPS:
            for i in range(len(texts) - step):
                add(f"step{step}", texts[i], texts[i + step])
        if len(texts) > 1:
            add("first-last", texts[0], texts[-1])
    return pairs


def extraction_pairs(root: Path) -> list[dict[str, str]]:
    from policydiff.archive import Archive
    from policydiff.ingest import ingest_paths

    pairs = []
    folders = sorted([*root.glob("*/*/snapshots"), *root.glob("*/*/captures")])
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "archive")
        for folder in folders:
            slug = folder.parent.name
            url = "https://example.org/policy"
            manifest = folder.parent / "manifest.json"
            if manifest.exists():
                urls = {e.get("source_url") for e in json.loads(manifest.read_text()).get("entries", [])} - {None}
                url = sorted(urls)[0] if urls else url
            archive.add_policy(slug, {"name": slug, "url": url})
            ingest_paths(archive, slug, [folder])
            pairs += history_pairs(archive, slug, "ours")
    return pairs


def history_pairs(archive: object, slug: str, label: str) -> list[dict[str, str]]:
    texts = {v.id: archive.version_text(v) for v in archive.versions(slug)}  # type: ignore[attr-defined]
    periods = archive.history(slug)  # type: ignore[attr-defined]
    return [
        {"name": f"{label} {slug} {a.version}..{b.version}", "old": texts[a.version], "new": texts[b.version]}
        for a, b in pairwise(periods)
    ]


def bundled_pairs() -> list[dict[str, str]]:
    from policydiff.archive import Archive

    archive = Archive(HERE.parent / "archive")
    return [p for slug in archive.slugs() for p in history_pairs(archive, slug, "bundled")]


def collect(root: Path, out: Path) -> None:
    if not (root / "README.txt").is_file():
        raise SystemExit(f"corpus not found at {root}: give --corpus or set POLICY_DIFF_CORPUS")
    pairs = list({p["name"]: p for p in reference_pairs(root) + extraction_pairs(root) + bundled_pairs()}.values())
    with gzip.open(out, "wt", encoding="utf-8") as f:
        json.dump(pairs, f, ensure_ascii=False)
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p["name"].split()[0]] = kinds.get(p["name"].split()[0], 0) + 1
    print(f"{len(pairs)} pairs ({', '.join(f'{k} {v}' for k, v in kinds.items())}) -> {out}")


def load(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def dump(pairs_path: Path, out: Path) -> None:
    import policydiff
    from policydiff.diff import diff_versions

    print(f"package: {Path(policydiff.__file__).parent}")
    results = {}
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    for p in load(pairs_path):
        diff = diff_versions(p["old"], p["new"], old_id="old", new_id="new")
        results[p["name"]] = json.dumps(diff.to_json(), indent=2, ensure_ascii=False)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    with gzip.open(out, "wt", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)
    digest = hashlib.sha256("".join(results.values()).encode()).hexdigest()[:16]
    print(f"{len(results)} diffs in {wall:.1f} s wall, {cpu:.1f} s CPU; digest {digest} -> {out}")


def compare(base_path: Path, new_path: Path) -> int:
    base, new = load(base_path), load(new_path)
    differ = [name for name in base if new.get(name) != base[name]]
    missing = [name for name in base if name not in new]
    print(f"{len(base) - len(differ)} of {len(base)} pairs byte-identical")
    for name in differ:
        print(f"  differs: {name}{' (missing)' if name in missing else ''}")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("collect")
    c.add_argument("out", type=Path)
    default_corpus = os.environ.get("POLICY_DIFF_CORPUS", str(HERE.parent.parent / "shared" / "corpus"))
    c.add_argument("--corpus", type=Path, default=Path(default_corpus))
    d = sub.add_parser("dump")
    d.add_argument("pairs", type=Path)
    d.add_argument("out", type=Path)
    k = sub.add_parser("compare")
    k.add_argument("base", type=Path)
    k.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command is None:  # `make bench` runs every script: this one is a checker, not a benchmark
        print("a checker, not a benchmark: see `python bench/diff_identity.py --help`")
        return 0
    if args.command == "collect":
        collect(args.corpus, args.out)
    elif args.command == "dump":
        dump(args.pairs, args.out)
    else:
        return compare(args.base, args.new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
