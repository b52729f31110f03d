"""Is extraction byte-identical before and after a speed-up? Every corpus capture, checked.

    python bench/extraction_identity.py dump OUT.json.gz [--corpus DIR]
    python bench/extraction_identity.py compare BASE.json.gz NEW.json.gz

`dump` runs `extract_capture` on every capture of the corpus (`*/*/snapshots/*.html`,
`*/*/captures/*`, `github-site-policy/*/versions/*.md`) in several ways: without rules, with
a base URL and without one; and, for a document with a declaration (the corpus READMEs, as
bench/extraction.py reads them), with each of its rule sets (the current one and every
earlier design's of its `history`) on every capture, not only on those of its time. It keeps
every field of the `Extraction` (Markdown, title, charsets, warnings, text key, method), or
the exception's type and message. To dump with another commit's code, put that commit's
`tools/` first on PYTHONPATH (`git -C /work/main archive main tools | tar -x -C /tmp/pd-main`,
then `PYTHONPATH=/tmp/pd-main/tools`); the script prints which package it ran. `compare`
lists every extraction whose bytes differ, with the first differing line; exit status 1 if
any does.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_URL = "https://example.com/policy"


def captures(corpus: Path) -> list[tuple[Path, str]]:
    """Every capture of the corpus with the media type it is ingested as."""
    files = sorted(corpus.glob("*/*/snapshots/*.html")) + sorted(corpus.glob("*/*/captures/*"))
    files += sorted(corpus.glob("github-site-policy/*/versions/*.md"))
    return [(path, "text/html" if path.suffix in {".html", ".htm"} else "text/markdown") for path in files]


def rule_sets(corpus: Path) -> dict[Path, list[tuple[str, object]]]:
    """Each document folder's rule sets, named, from its declaration of the corpus READMEs."""
    sys.path.insert(0, str(HERE))
    import extraction
    from policydiff.declaration import parse_declaration

    out: dict[Path, list[tuple[str, object]]] = {}
    for doc in extraction.load_documents(corpus):
        if not doc.select and not doc.remove:
            continue
        data: dict = {"name": doc.name, "url": BASE_URL}
        if doc.select:
            data["select"] = list(doc.select)
        if doc.remove:
            data["remove"] = list(doc.remove)
        if doc.history:
            data["history"] = list(doc.history)
        declaration = parse_declaration(doc.name, data, doc.path / "README.txt")
        named = [("rules", declaration.rules)]
        named += [(f"history[{i}]", rules) for i, rules in enumerate(declaration.history)]
        out[doc.path] = named
    return out


def _run(data: bytes, media_type: str, rules: object, base_url: str | None) -> dict:
    from policydiff.extract import extract_capture

    try:
        result = extract_capture(data, media_type, rules, base_url=base_url)  # type: ignore[arg-type]
    except Exception as exc:  # the same failure is part of the same behaviour
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def dump(corpus: Path, out: Path) -> int:
    import policydiff
    from policydiff.declaration import ExtractionRules

    print(f"package: {os.path.dirname(policydiff.__file__)}", file=sys.stderr)
    rules_of = rule_sets(corpus)
    results: dict[str, dict] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for path, media_type in captures(corpus):
        data = path.read_bytes()
        name = str(path.relative_to(corpus))
        results[f"{name} | no rules"] = _run(data, media_type, ExtractionRules(), BASE_URL)
        results[f"{name} | no rules, no base URL"] = _run(data, media_type, None, None)
        folder = path.parent.parent
        for label, rules in rules_of.get(folder, []):
            results[f"{name} | {label}"] = _run(data, media_type, rules, BASE_URL)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{len(results)} extractions in {wall:.1f} s wall, {cpu:.1f} s CPU", file=sys.stderr)
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False, sort_keys=True)
    return 0


def _first_difference(a: dict, b: dict) -> str:
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        left, right = a.get(key), b.get(key)
        if isinstance(left, str) and isinstance(right, str):
            for number, (x, y) in enumerate(zip(left.split("\n"), right.split("\n"), strict=False), 1):
                if x != y:
                    return f"{key}, line {number}: {x[:120]!r} vs {y[:120]!r}"
            return f"{key}: {len(left)} vs {len(right)} characters"
        return f"{key}: {str(left)[:120]!r} vs {str(right)[:120]!r}"
    return "?"


def compare(base_path: Path, new_path: Path) -> int:
    with gzip.open(base_path, "rt", encoding="utf-8") as handle:
        base = json.load(handle)
    with gzip.open(new_path, "rt", encoding="utf-8") as handle:
        new = json.load(handle)
    differ = [key for key in sorted(set(base) | set(new)) if base.get(key) != new.get(key)]
    for key in differ:
        print(f"DIFFERS {key}: {_first_difference(base.get(key) or {}, new.get(key) or {})}")
    captures_seen = {key.split(" | ")[0] for key in base}
    print(f"{len(base)} extractions of {len(captures_seen)} captures compared, {len(differ)} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump")
    dumping.add_argument("out", type=Path)
    corpus = Path(os.environ.get("POLICY_DIFF_CORPUS", "/work/shared/corpus"))
    dumping.add_argument("--corpus", type=Path, default=corpus)
    comparing = sub.add_parser("compare")
    comparing.add_argument("base", type=Path)
    comparing.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.corpus, args.out)
    return compare(args.base, args.new)


if __name__ == "__main__":
    raise SystemExit(main())
