"""The significance of every change of the shared corpus: its distribution, the measures the
thresholds of `history/significance.py` were set from, and every major change with its
headline, so a reader can judge them.

Every document of the corpus (raw captures, as `make test-corpus` ingests them; French and
German ones declared in their language) is ingested once into a cache archive, then each
history is loaded and its changes counted by significance, with the silent-change flags.

    python bench/significance.py [--corpus ../shared/corpus] [--cache /tmp/policy-diff-bench-corpus]
                                 [--majors] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import Counter
from pathlib import Path

from policydiff.archive import Archive
from policydiff.history import PolicyHistory, load_history
from policydiff.history.edits import diff_edits, policy_words
from policydiff.history.significance import major_rules, measure
from policydiff.history.terms import term_changes
from policydiff.history.values import value_changes
from policydiff.ingest import ingest_paths

REPO = Path(__file__).resolve().parents[1]


def documents(corpus: Path) -> list[Path]:
    docs = [p.parent for p in corpus.glob("*/*/snapshots")] + [p.parent for p in corpus.glob("*/*/captures")]
    docs += [p.parent for p in corpus.glob("github-site-policy/*/versions")]
    return sorted(set(docs))


def language_of(slug: str) -> str:
    for suffix in ("-fr", "-de"):
        if slug.endswith(suffix):
            return suffix[1:]
    return "en"


def corpus_archive(corpus: Path, cache: Path) -> Archive:
    """The corpus ingested once (again only when a document is missing)."""
    archive = Archive(cache)
    known = set(archive.slugs())
    for document in documents(corpus):
        slug = document.name
        if slug in known:
            continue
        archive.add_policy(slug, {"name": slug, "url": "https://example.org/policy", "language": language_of(slug)})
        folder = next(p for p in (document / "snapshots", document / "captures", document / "versions") if p.is_dir())
        ingest_paths(archive, slug, [folder])
    return archive


def percentile(values: list[int | float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus"))
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/policy-diff-bench-corpus"))
    parser.add_argument("--majors", action="store_true", help="list every major change with its headline")
    parser.add_argument("--json", type=Path, help="write every change's significance, terms and headline here")
    args, _ = parser.parse_known_args()
    if not (args.corpus / "README.txt").is_file():
        parser.error(f"no corpus at {args.corpus}: pass --corpus or set POLICY_DIFF_CORPUS")
    archive = corpus_archive(args.corpus.resolve(), args.cache)
    wall, cpu = time.perf_counter(), time.process_time()
    histories: list[PolicyHistory] = [load_history(archive, slug) for slug in sorted(archive.slugs())]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total: Counter[str] = Counter()
    silent: Counter[str] = Counter()
    raw_silent = 0
    print(f"corpus {args.corpus}: {len(histories)} documents, {sum(len(h.changes) for h in histories)} changes")
    print(f"load_history (diff, lineage, significance) for all: {wall:.1f} s wall, {cpu:.1f} s CPU\n")
    print("| document | changes | major | minor | trivial | silent (major/minor) |\n|---|---|---|---|---|---|")
    shares: list[float] = []
    held: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    words: list[int] = []
    rows = []
    for history in histories:
        counts = Counter(c.significance for c in history.changes)
        total.update(counts)
        quiet = Counter(c.significance for c in history.changes if c.flags.silent_change)
        silent.update(quiet)
        raw_silent += sum(1 for c in history.changes if c.diff.summary.silent_change)
        print(
            f"| {history.slug} | {len(history.changes)} | {counts['major']} | {counts['minor']} | {counts['trivial']} "
            f"| {quiet['major']}/{quiet['minor']} |"
        )
        for change in history.changes:
            if change.significance == "trivial":
                continue
            s = change.diff.summary
            changed = max(s.words_added, s.words_removed)
            edits = diff_edits(change.diff)
            base = max(policy_words(change.diff), 1)
            matcher = history.term_matcher
            terms = term_changes(edits, matcher)
            values = value_changes(edits, lambda s, m=matcher: "consent" in m.groups_in(s) or "opt" in s.lower())
            rules = major_rules(measure(change.diff, edits, base, terms, values, matcher.labels))
            revert = change.flags.reverts_to is not None
            if not revert:
                words.append(changed)
                shares.append(changed / base)
            held.update(rules)
            if len(rules) == 1:
                alone.update(rules)
            rows.append(
                {
                    "slug": history.slug,
                    "date": change.published.date().isoformat(),
                    "significance": change.significance,
                    "silent": change.flags.silent_change,
                    "terms": list(change.terms),
                    "changed_words": changed,
                    "share": round(changed / base, 4),
                    "rules": list(rules),
                    "revert": revert,
                    "sections_edited": len(edits),
                    "headline": change.headline,
                    "reasons": list(change.reasons),
                }
            )
    n = sum(total.values())
    print(
        f"| **all** | {n} | {total['major']} ({total['major'] / n:.0%}) | {total['minor']} ({total['minor'] / n:.0%}) "
        f"| {total['trivial']} ({total['trivial'] / n:.0%}) | {silent['major']}/{silent['minor']} |"
    )
    print(
        f"\nsilent changes before calibration (stated date unchanged, any edit): {raw_silent}; "
        f"after (at least minor): {silent['major'] + silent['minor']}, of which warnings (major): {silent['major']}"
    )
    print("\nsubstantive changes (minor or major), returns to an earlier text left out of the measures:")
    print(
        f"  words changed (max of added, removed): median {statistics.median(words):.0f}, "
        f"p75 {percentile(words, 0.75):.0f}, p90 {percentile(words, 0.9):.0f}, max {max(words)}"
    )
    print(
        f"  share of the policy's words: median {statistics.median(shares):.1%}, p75 {percentile(shares, 0.75):.1%}, "
        f"p90 {percentile(shares, 0.9):.1%}"
    )
    for name in ("share", "words", "sections", "terms", "values"):
        print(f"  major rule {name}: holds for {held[name]}, the only one for {alone[name]}")
    with_terms = [r for r in rows if r["terms"]]
    print(f"  with watched terms gained or lost: {len(with_terms)} of {len(rows)}")
    if args.majors:
        print("\nmajor changes:")
        for row in rows:
            if row["significance"] == "major":
                flag = " [silent]" if row["silent"] else ""
                print(f"- {row['slug']} {row['date']}{flag}: {row['headline']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
