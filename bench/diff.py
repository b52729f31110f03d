"""Section diff speed against whole-text differs, in the same run (`make bench`).

Pairs: every change of the corpus (consecutive distinct Markdown versions of each document,
as its source published them) and one rewrite pair per document (first vs last version).
For each pair, the median of `--repeat` runs of:

- ours: `diff_versions` (segmentation, alignment, word diffs, classification, dates), with
  the segmentation and alignment caches cleared so each run pays for both texts;
- fast-diff-match-patch in word mode over the whole text (tokens mapped to characters,
  semantic cleanup, `timelimit=0`): the whole-text diff our section diff must not lose to;
- difflib's SequenceMatcher on the word lists;
- EDGI web-monitoring-diff's `html_text_diff` on the same texts as HTML paragraphs, when
  its side venv exists (`--wmd-python`, default /work/venv-wmd/bin/python; see README).

Usage: python bench/diff.py [--corpus DIR] [--repeat N] [--limit N] [--wmd-python PATH]
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import fast_diff_match_patch

from policydiff.diff import diff_versions
from policydiff.diff.align import _profile
from policydiff.diff.segment import _segment

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def corpus_pairs(root: Path) -> list[tuple[str, str, str, str]]:
    """(document, kind, old, new) for every change and every first-vs-last rewrite."""
    pairs = []
    for folder in sorted(root.glob("*/*/versions")):
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
        doc = folder.parent.name
        pairs += [(doc, "change", a, b) for a, b in pairwise(texts) if a != b]
        if len(texts) > 1 and texts[0] != texts[-1]:
            pairs.append((doc, "rewrite", texts[0], texts[-1]))
    return pairs


def whole_text_word_diff(old: str, new: str) -> object:
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    codes: dict[str, str] = {}
    for token in old_tokens + new_tokens:
        if token not in codes:
            n = 0x100 + len(codes)
            codes[token] = chr(n + 0x800 if n >= 0xD800 else n)
    a = "".join(codes[t] for t in old_tokens)
    b = "".join(codes[t] for t in new_tokens)
    return fast_diff_match_patch.diff(a, b, timelimit=0, cleanup="Semantic", counts_only=False)


def difflib_words(old: str, new: str) -> object:
    return difflib.SequenceMatcher(None, old.split(), new.split()).get_opcodes()


def ours(old: str, new: str) -> object:
    return diff_versions(old, new)


def cold_caches() -> None:
    """Before each run of ours, outside the clock: nothing segmented or profiled yet."""
    _segment.cache_clear()
    _profile.cache_clear()


def timed(
    fn: Callable[[str, str], object], old: str, new: str, repeat: int, setup: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn(old, new)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def as_html(markdown: str) -> str:
    paragraphs = (f"<p>{html.escape(p)}</p>" for p in markdown.split("\n\n") if p.strip())
    return "<!doctype html><html><body>" + "".join(paragraphs) + "</body></html>"


def wmd_times(python: Path, pairs: list[tuple[str, str, str, str]], repeat: int) -> list[float] | None:
    if not python.exists():
        return None
    request = {"repeat": repeat, "pairs": [[as_html(old), as_html(new)] for _, _, old, new in pairs]}
    result = subprocess.run(
        [str(python), str(HERE / "_wmd_runner.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def cli_times(archive: Path, repeat: int) -> list[tuple[float, str]]:
    """Wall time of `policy-diff diff SLUG FROM TO --json` in a new process (start-up
    included) for the slowest change (in process) of each bundled policy."""
    from policydiff.archive import Archive

    store = Archive(archive)
    exe = Path(sys.executable).with_name("policy-diff")
    out = []
    for slug in store.slugs():
        periods = store.history(slug)
        if len(periods) < 2:
            continue
        texts = {v.id: store.version_text(v) for v in store.versions(slug)}
        old, new = max(
            pairwise(periods), key=lambda p: timed(ours, texts[p[0].version], texts[p[1].version], 1, cold_caches)
        )
        command = [str(exe), "--archive", str(archive), "diff", slug, old.version, new.version, "--json"]
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        out.append((statistics.median(runs), f"{slug} {old.version}..{new.version}"))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_corpus = os.environ.get("POLICY_DIFF_CORPUS", str(HERE.parent.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=Path(default_corpus))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs (0: all)")
    parser.add_argument("--wmd-python", type=Path, default=Path("/work/venv-wmd/bin/python"))
    args = parser.parse_args()
    pairs = corpus_pairs(args.corpus)
    if args.limit:
        pairs = pairs[: args.limit]
    if not pairs:
        print(f"no Markdown versions under {args.corpus}", file=sys.stderr)
        return 1
    columns: dict[str, list[float]] = {"ours (section diff)": [], "fast-dmp words, whole text": [], "difflib words": []}
    for _doc, _kind, old, new in pairs:
        columns["ours (section diff)"].append(timed(ours, old, new, args.repeat, cold_caches))
        columns["fast-dmp words, whole text"].append(timed(whole_text_word_diff, old, new, args.repeat))
        columns["difflib words"].append(timed(difflib_words, old, new, args.repeat))
    wmd = wmd_times(args.wmd_python, pairs, 1)
    if wmd is not None:
        columns["web-monitoring-diff html_text_diff"] = wmd
    changes = sum(1 for p in pairs if p[1] == "change")
    rewrites = len(pairs) - changes
    print(f"{len(pairs)} pairs ({changes} changes, {rewrites} first-vs-last rewrites), median of {args.repeat} runs")
    print()
    print("| differ | median | p90 | max | total |")
    print("|---|---|---|---|---|")
    for name, values in columns.items():
        print(f"| {name} | {ms(statistics.median(values))} | {ms(quantile(values, 0.9))} | {ms(max(values))} "
              f"| {sum(values):.2f} s |")  # fmt: skip
    if wmd is None:
        print(f"| web-monitoring-diff | (no side venv at {args.wmd_python}: see bench/README.md) | | | |")
    our, whole = columns["ours (section diff)"], columns["fast-dmp words, whole text"]
    slowest = max(range(len(pairs)), key=our.__getitem__)
    doc, kind, _, _ = pairs[slowest]
    ratios = [o / w for o, w in zip(our, whole, strict=True) if w > 0]
    print()
    print(f"slowest pair for ours: {doc} ({kind}): {ms(our[slowest])}, whole-text word diff {ms(whole[slowest])}, "
          f"ratio {our[slowest] / whole[slowest]:.2f}")  # fmt: skip
    print(f"ours / whole-text word diff, per pair: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    fast_changes = sum(t < 0.020 for t, p in zip(our, pairs, strict=True) if p[1] == "change")
    print(f"pairs under 20 ms: ours {sum(t < 0.020 for t in our)}/{len(our)}, changes only {fast_changes}/{changes}")
    for i in sorted((i for i, t in enumerate(our) if t >= 0.020), key=our.__getitem__, reverse=True):
        print(f"  over 20 ms: {pairs[i][0]} ({pairs[i][1]} {i}): {ms(our[i])}, whole-text word diff {ms(whole[i])}")
    if wmd is not None:
        wmd_ratio = statistics.median(w / o for w, o in zip(wmd, our, strict=True))
        print(f"web-monitoring-diff / ours, per pair: median {wmd_ratio:.1f}")
    print()
    print("`policy-diff diff --json` in a new process, the slowest change of each bundled policy:")
    for seconds, what in cli_times(HERE.parent / "archive", args.repeat):
        print(f"  {ms(seconds)}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
