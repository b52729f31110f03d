"""Diff speed against whole-text differs and against EDGI's web-monitoring-diff, in the same
run (`make bench`). Every figure is a median of `--repeat` runs per pair (more for a pair
under 2 ms: see `SHORT`), CPU time beside wall time (the machine is shared); ratios are per
pair, then their median.

1. Markdown pairs, diff only. Every change of the corpus' reference versions (consecutive
   distinct Markdown versions of each document, as its source published them), each
   document's first-vs-last rewrite, and the Facebook-like cases (below):
   - ours: `diff_versions` (segmentation, alignment, word diffs, classification, dates),
     segmentation and alignment caches cleared before each run, outside the clock;
   - fast-diff-match-patch in word mode over the whole text (tokens mapped to characters,
     semantic cleanup, `timelimit=0`): the whole-text diff no pair of ours may be 1.5x
     slower than;
   - difflib's SequenceMatcher on the word lists.
2. Capture pairs, from the raw HTML: every pair of consecutive captures (`snapshots/*.html`)
   of each corpus document whose bytes differ, the pairs web-monitoring-diff is fed:
   - peer: `html_text_diff(old_html, new_html)` on the raw captures (decoded as UTF-8,
     outside the clock), in its side venv (`--wmd-python`, default /work/venv-wmd/bin/python;
     see README), `--peer-repeat` runs;
   - ours, diff only: `diff_versions` on our extraction of both captures;
   - ours, end to end: `extract_capture` of both captures (decoding, cleaning, reader mode,
     Markdown, normalising; no selectors, the heaviest path) plus `diff_versions`;
   - ours, in a history: the pair as ingest meets it, where each capture is extracted once
     when it comes in: `extract_capture` of the new capture plus `diff_versions` (the peer,
     which keeps nothing, parses both captures of every pair).
   Peak memory: this process's and the peer's (max resident set size).

Facebook-like cases (issue 17: one section cut into many under new headings, long runs of
identical text): Lovoo's real change of 2023-01-26 (four headings taken away, the same
words), and GitHub's Privacy Statement of 2024-04-18 against itself with its heading lines
taken out (a derived pair, built here from the real file), both ways.

Usage: python bench/diff.py [--corpus DIR] [--repeat N] [--peer-repeat N] [--limit N]
       [--wmd-python PATH] [--json OUT] [--part all|markdown|captures]
"""

from __future__ import annotations

import argparse
import difflib
import importlib
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
from typing import Any

import fast_diff_match_patch

from _peak import own_peak_kb
from policydiff.diff import diff_versions
from policydiff.extract import extract_capture

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
HEADING_LINE = re.compile(r"(?m)^#{1,6} .*\n(?:\n)?")
Pair = tuple[str, str, str, str]  # (document, kind, old, new)
Timing = tuple[float, float]  # (wall, cpu) seconds


def corpus_pairs(root: Path) -> list[Pair]:
    """(document, kind, old, new) for every change and every first-vs-last rewrite."""
    pairs = []
    for folder in sorted(root.glob("*/*/versions")):
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
        doc = folder.parent.name
        pairs += [(doc, "change", a, b) for a, b in pairwise(texts) if a != b]
        if len(texts) > 1 and texts[0] != texts[-1]:
            pairs.append((doc, "rewrite", texts[0], texts[-1]))
    return pairs


def facebook_like_pairs(root: Path) -> list[Pair]:
    lovoo = root / "ota-dating/lovoo-privacy-policy-de/versions"
    github = root / "github-site-policy/github-privacy-statement/versions/20240418T002248Z.md"
    pairs = []
    if lovoo.is_dir():
        old, new = (lovoo / f"{stamp}.md" for stamp in ("20230124T114022Z", "20230126T123357Z"))
        name = "lovoo 2023-01-26 (real: 4 headings taken away)"
        pairs.append((name, "facebook-like", old.read_text(encoding="utf-8"), new.read_text(encoding="utf-8")))
    if github.is_file():
        real = github.read_text(encoding="utf-8")
        real = real[real.index("## GitHub Privacy Statement") :]
        flat = HEADING_LINE.sub("", real)
        pairs.append(("github statement, headings added (derived)", "facebook-like", flat, real))
        pairs.append(("github statement, headings taken away (derived)", "facebook-like", real, flat))
    return pairs


def capture_pairs(root: Path) -> list[tuple[str, Path, Path]]:
    pairs = []
    for folder in sorted(root.glob("*/*/snapshots")):
        files = sorted(folder.glob("*.html"))
        pairs += [(folder.parent.name, a, b) for a, b in pairwise(files) if a.read_bytes() != b.read_bytes()]
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


# The segmentation's and the alignment's caches, by module (by name: the package's
# `segment` is the function).
CACHES = {
    "segment": ("_segment", "_candidate_kind", "_clean_title"),
    "align": ("_profile", "_paragraph", "_body_shingles"),
}


def caches_of(package: str) -> list[Any]:
    """The caches of `CACHES` that a package's diff has: the script also runs with another
    commit's tools on PYTHONPATH (and diff_ab.py beside them), which may have fewer."""
    found = []
    for module_name, names in CACHES.items():
        module = importlib.import_module(f"{package}.diff.{module_name}")
        found += [getattr(module, name) for name in names if hasattr(module, name)]
    return found


_CACHES = caches_of("policydiff")


def cold_caches() -> None:
    """Before each run of ours, outside the clock: nothing segmented or profiled yet."""
    for cache in _CACHES:
        cache.cache_clear()


# A run of a few microseconds is within the clock's own noise (a timer interrupt, a page
# fault): a pair whose median is under SHORT gets more runs, until they add up to ENOUGH of
# CPU time or MAX_RUNS, for every differ alike, so that its ratio is the code's, not the
# clock's.
SHORT = 0.002
ENOUGH = 0.05
MAX_RUNS = 301


def timed(
    fn: Callable[[Any, Any], object], old: Any, new: Any, repeat: int, setup: Callable[[], None] | None = None
) -> Timing:
    walls: list[float] = []
    cpus: list[float] = []
    while len(cpus) < repeat or (statistics.median(cpus) < SHORT and sum(cpus) < ENOUGH and len(cpus) < MAX_RUNS):
        if setup is not None:
            setup()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        fn(old, new)
        walls.append(time.perf_counter() - start_wall)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus)


def extract_both(old: bytes, new: bytes) -> tuple[str, str]:
    return extract_capture(old, "text/html").markdown, extract_capture(new, "text/html").markdown


def end_to_end(old: bytes, new: bytes) -> object:
    cold_caches()
    a, b = extract_both(old, new)
    return diff_versions(a, b)


def in_a_history(old_markdown: str, new: bytes) -> object:
    """A pair as `ingest` meets it: the earlier capture was extracted when it came in, so
    only the new one is, then the diff."""
    cold_caches()
    return diff_versions(old_markdown, extract_capture(new, "text/html").markdown)


def peer_times(python: Path, pairs: list[tuple[str, Path, Path]], repeat: int) -> dict | None:
    if not python.exists():
        return None
    html = [[a.read_bytes().decode("utf-8", "replace"), b.read_bytes().decode("utf-8", "replace")] for _, a, b in pairs]
    result = subprocess.run(
        [str(python), str(HERE / "_wmd_runner.py")],
        input=json.dumps({"repeat": repeat, "pairs": html}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(columns: dict[str, list[Timing]]) -> None:
    print("| differ | median wall ms | median CPU ms | p90 CPU ms | max CPU ms | total CPU s |")
    print("|---|---|---|---|---|---|")
    for name, values in columns.items():
        cpu = [c for _, c in values]
        wall = [w for w, _ in values]
        print(f"| {name} | {ms(statistics.median(wall))} | {ms(statistics.median(cpu))} | {ms(quantile(cpu, 0.9))} "
              f"| {ms(max(cpu))} | {sum(cpu):.2f} |")  # fmt: skip


def ratios(a: list[Timing], b: list[Timing], which: int = 1) -> list[float]:
    """Per pair, b / a (how many times faster a is), on CPU (which=1) or wall (0)."""
    return [y[which] / x[which] for x, y in zip(a, b, strict=True) if x[which] > 0]


def spread(values: list[float]) -> str:
    return (f"median {statistics.median(values):.1f}x, p10 {quantile(values, 0.1):.1f}x, "
            f"p90 {quantile(values, 0.9):.1f}x, min {min(values):.2f}x")  # fmt: skip


def markdown_section(pairs: list[Pair], repeat: int) -> dict:
    names = ("ours (section diff)", "fast-dmp words, whole text", "difflib words")
    columns: dict[str, list[Timing]] = {name: [] for name in names}
    for _doc, _kind, old, new in pairs:
        columns["ours (section diff)"].append(timed(ours, old, new, repeat, cold_caches))
        columns["fast-dmp words, whole text"].append(timed(whole_text_word_diff, old, new, repeat))
        columns["difflib words"].append(timed(difflib_words, old, new, repeat))
    changes = sum(1 for p in pairs if p[1] == "change")
    rewrites = sum(1 for p in pairs if p[1] == "rewrite")
    print(f"## 1. Markdown pairs, diff only: {len(pairs)} pairs ({changes} changes, {rewrites} first-vs-last "
          f"rewrites, {len(pairs) - changes - rewrites} Facebook-like), median of {repeat} runs")  # fmt: skip
    print()
    table(columns)
    our, whole = columns["ours (section diff)"], columns["fast-dmp words, whole text"]
    per_pair = [o[1] / w[1] for o, w in zip(our, whole, strict=True)]
    worst = max(range(len(pairs)), key=per_pair.__getitem__)
    slowest = max(range(len(pairs)), key=lambda i: our[i][1])
    print()
    print(f"- ours / whole-text word diff per pair (CPU): median {statistics.median(per_pair):.2f}, "
          f"max {per_pair[worst]:.2f} ({pairs[worst][0]} {pairs[worst][1]}: {ms(our[worst][1])} ms against "
          f"{ms(whole[worst][1])} ms); over 1.5: {sum(r > 1.5 for r in per_pair)} of {len(pairs)}")  # fmt: skip
    print(f"- slowest pair for ours: {pairs[slowest][0]} ({pairs[slowest][1]}): {ms(our[slowest][1])} ms CPU, "
          f"whole-text word diff {ms(whole[slowest][1])} ms")  # fmt: skip
    for i, (doc, kind, _, _) in enumerate(pairs):
        if kind == "facebook-like":
            print(f"- {doc}: ours {ms(our[i][1])} ms CPU, whole-text {ms(whole[i][1])} ms, ratio {per_pair[i]:.2f}")
    return {"pairs": len(pairs), "ratio_median": statistics.median(per_pair), "ratio_max": per_pair[worst]}


def capture_section(pairs: list[tuple[str, Path, Path]], repeat: int, peer: dict | None) -> dict:
    extract_t, diff_t, e2e_t, whole_t, history_t = [], [], [], [], []
    for _doc, a, b in pairs:
        old, new = a.read_bytes(), b.read_bytes()
        extract_t.append(timed(extract_both, old, new, repeat))
        md_old, md_new = extract_both(old, new)
        diff_t.append(timed(ours, md_old, md_new, repeat, cold_caches))
        whole_t.append(timed(whole_text_word_diff, md_old, md_new, repeat))
        e2e_t.append(timed(end_to_end, old, new, repeat))
        history_t.append(timed(in_a_history, md_old, new, repeat))
    print(f"## 2. Capture pairs from the raw HTML: {len(pairs)} pairs of consecutive captures, "
          f"median of {repeat} runs (peer: {peer and peer.get('repeat')})")  # fmt: skip
    print()
    columns = {
        "ours: extraction of both captures": extract_t,
        "ours: section diff of the two extractions": diff_t,
        "ours: end to end (extract both + diff)": e2e_t,
        "ours: in a history (extract the new capture + diff)": history_t,
        "fast-dmp words, whole text (our extractions)": whole_t,
    }
    peer_t: list[Timing] = []
    if peer is not None:
        peer_t = list(zip(peer["wall"], peer["cpu"], strict=True))
        columns["web-monitoring-diff html_text_diff (raw HTML)"] = peer_t
    table(columns)
    print()
    per_pair = [d[1] / w[1] for d, w in zip(diff_t, whole_t, strict=True)]
    worst = max(range(len(pairs)), key=per_pair.__getitem__)
    print(f"- ours (diff) / whole-text word diff per pair (CPU): median {statistics.median(per_pair):.2f}, "
          f"max {per_pair[worst]:.2f} ({pairs[worst][0]} {pairs[worst][1].name} -> {pairs[worst][2].name}: "
          f"{diff_t[worst][1] * 1000:.3f} ms against {whole_t[worst][1] * 1000:.3f} ms); "
          f"over 1.5: {sum(r > 1.5 for r in per_pair)} of {len(pairs)}")  # fmt: skip
    share = [d[1] / e[1] for d, e in zip(diff_t, e2e_t, strict=True)]
    print(
        f"- end to end, the diff's share of CPU per pair: median {statistics.median(share):.0%} "
        f"(extraction the rest: {ms(statistics.median(c for _, c in extract_t))} ms median for both captures)"
    )
    out: dict = {"pairs": len(pairs)}
    if peer is not None:
        for label, mine in (("diff only", diff_t), ("end to end", e2e_t), ("in a history", history_t)):
            cpu, wall = ratios(mine, peer_t, 1), ratios(mine, peer_t, 0)
            print(f"- peer / ours, {label}, CPU: {spread(cpu)}; wall: median {statistics.median(wall):.1f}x")
            out[label] = {"cpu_median": statistics.median(cpu), "cpu_p90": quantile(cpu, 0.9)}
        # What extraction speed would make end to end 2x: per pair, the peer's time / 2 minus our diff.
        budget = [p[1] / 2 - d[1] for p, d in zip(peer_t, diff_t, strict=True)]
        current = [c for _, c in extract_t]
        needed = [c / b if b > 0 else float("inf") for c, b in zip(current, budget, strict=True)]
        met = sum(e[1] * 2 <= p[1] for e, p in zip(e2e_t, peer_t, strict=True))
        print(f"- end to end at least 2x faster than the peer: {met} of {len(pairs)} pairs")
        e2e_ratio = [p[1] / e[1] if e[1] > 0 else float("inf") for e, p in zip(e2e_t, peer_t, strict=True)]
        by_doc: dict[str, list[int]] = {}
        for i, (doc, _, _) in enumerate(pairs):
            by_doc.setdefault(doc, []).append(i)
        print("- end to end by document (peer / ours, median CPU; pairs at 2x; our extraction of both, median): "
              + "; ".join(f"{doc} {statistics.median(e2e_ratio[i] for i in at):.1f}x "
                          f"({sum(e2e_ratio[i] >= 2 for i in at)} of {len(at)}; "
                          f"{ms(statistics.median(current[i] for i in at))} ms)"
                          for doc, at in sorted(by_doc.items())))  # fmt: skip
        print(f"- extraction speed-up needed for 2x on the median pair: {statistics.median(needed):.1f}x "
              f"(our extraction of both captures {ms(statistics.median(current))} ms CPU; budget per pair: "
              f"half the peer's time less our diff, median {ms(statistics.median(budget))} ms)")  # fmt: skip
        print(f"- peak memory: peer process {peer['max_rss_kb'] / 1024:.0f} MB")
    rss = own_peak_kb() / 1024
    print(f"- peak memory: this process (ours, all pairs, extraction included) {rss:.0f} MB")
    return out


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
            pairwise(periods), key=lambda p: timed(ours, texts[p[0].version], texts[p[1].version], 1, cold_caches)[1]
        )
        command = [str(exe), "--archive", str(archive), "diff", slug, old.version, new.version, "--json"]
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        out.append((statistics.median(runs), f"{slug} {old.version}..{new.version}"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_corpus = os.environ.get("POLICY_DIFF_CORPUS", str(HERE.parent.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=Path(default_corpus))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs of each kind (0: all)")
    parser.add_argument("--wmd-python", type=Path, default=Path("/work/venv-wmd/bin/python"))
    parser.add_argument("--json", type=Path, help="also write the summary figures here")
    parser.add_argument(
        "--part",
        choices=("all", "markdown", "captures"),
        default="all",
        help="markdown: section 1 only; captures: section 2 only (the CLI timings come with all)",
    )
    args = parser.parse_args()
    pairs = corpus_pairs(args.corpus)
    captures = capture_pairs(args.corpus)
    if args.limit:
        pairs, captures = pairs[: args.limit], captures[: args.limit]
    if not pairs:
        print(f"no Markdown versions under {args.corpus}", file=sys.stderr)
        return 1
    summary: dict[str, dict] = {}
    if args.part in ("all", "markdown"):
        summary["markdown"] = markdown_section(pairs + facebook_like_pairs(args.corpus), args.repeat)
        print()
    if args.part in ("all", "captures"):
        peer = peer_times(args.wmd_python, captures, args.peer_repeat)
        if peer is None:
            print(f"(no web-monitoring-diff side venv at {args.wmd_python}: see bench/README.md)")
        else:
            peer["repeat"] = args.peer_repeat
        summary["captures"] = capture_section(captures, args.repeat, peer)
        print()
    if args.part == "all":
        print("`policy-diff diff --json` in a new process, the slowest change of each bundled policy:")
        for seconds, what in cli_times(HERE.parent / "archive", args.repeat):
            print(f"  {ms(seconds)} ms  {what}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
