"""Main's diff against this checkout's, in one process by turns: on a shared machine two
runs of `bench/diff.py` a few minutes apart see different loads, so a ratio between them
says little. Each pair is diffed by both and by the whole-text word diff in turn, caches
cleared before each run; medians of `--repeat` runs a pair, CPU time.

    git archive main tools | tar -x -C /tmp/pd-main
    python bench/diff_ab.py --baseline /tmp/pd-main/tools [--repeat 5] [--corpus DIR]

The baseline's package is copied under another name (`pdbaseline`; its imports are
relative), so both load side by side. Prints the Markdown pairs over 1.5x the whole-text
diff for each, and the median per-pair ratio branch / baseline.

`--part markdown` (the default) takes the corpus's Markdown pairs and the derived
facebook-like ones; `--part captures` our extractions of consecutive `snapshots/*.html`
(as bench/diff.py's part 2), `--part all` both. Each part also prints, for both codes, the
ratio to the whole-text diff of the tiny Mektoube capture pairs (under 3,000 characters)
and of the derived GitHub pairs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import diff as bench  # bench/diff.py: the pairs, the whole-text diff, the caches to clear
from policydiff.diff import diff_versions

HERE = Path(__file__).resolve().parent


def load_baseline(tools: Path) -> tuple[Callable[[str, str], object], Callable[[], None]]:
    root = Path(tempfile.mkdtemp(prefix="pd-ab-"))
    shutil.copytree(tools / "policydiff", root / "pdbaseline")
    sys.path.insert(0, str(root))
    compare = importlib.import_module("pdbaseline.diff.compare")
    caches = bench.caches_of("pdbaseline")

    def cold() -> None:
        for cache in caches:
            cache.cache_clear()

    return compare.diff_versions, cold


def cpu(fn: Callable[[str, str], object], old: str, new: str, setup: Callable[[], None] | None) -> float:
    if setup is not None:
        setup()
    start = time.process_time()
    fn(old, new)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_corpus = os.environ.get("POLICY_DIFF_CORPUS", str(HERE.parent.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=Path(default_corpus))
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout's tools/ directory")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=("markdown", "captures", "all"), default="markdown")
    args = parser.parse_args()
    base_diff, base_cold = load_baseline(args.baseline)
    pairs: list[bench.Pair] = []
    if args.part in ("markdown", "all"):
        pairs += bench.corpus_pairs(args.corpus) + bench.facebook_like_pairs(args.corpus)
    if args.part in ("captures", "all"):
        for doc, a, b in bench.capture_pairs(args.corpus):
            pairs.append((doc, "capture", *bench.extract_both(a.read_bytes(), b.read_bytes())))
    over: dict[str, list[str]] = {"baseline": [], "branch": []}
    per_pair = []
    watched: list[str] = []
    for doc, kind, old, new in pairs:
        runs: dict[str, list[float]] = {"baseline": [], "branch": [], "whole": []}
        for _ in range(args.repeat):
            runs["baseline"].append(cpu(base_diff, old, new, base_cold))
            runs["branch"].append(cpu(diff_versions, old, new, bench.cold_caches))
            runs["whole"].append(cpu(bench.whole_text_word_diff, old, new, None))
        median = {name: statistics.median(values) for name, values in runs.items()}
        for name in ("baseline", "branch"):
            if median[name] > 1.5 * median["whole"]:
                over[name].append(f"{doc} ({kind}) {median[name] / median['whole']:.2f}")
        per_pair.append(median["branch"] / median["baseline"])
        tiny = "mektoube" in doc and kind == "capture" and max(len(old), len(new)) < 3000
        if tiny or "derived" in doc:
            watched.append(
                f"{doc} ({kind}, {len(old)}->{len(new)} chars): baseline "
                f"{median['baseline'] / median['whole']:.2f}, branch {median['branch'] / median['whole']:.2f}"
            )
    print(f"{len(pairs)} pairs ({args.part}), median of {args.repeat} runs each, CPU")
    for line in watched:
        print(f"- {line}")
    for name, found in over.items():
        print(f"- {name}: {len(found)} over 1.5x the whole-text word diff: {'; '.join(found) or 'none'}")
    print(f"- branch / baseline per pair: median {statistics.median(per_pair):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
