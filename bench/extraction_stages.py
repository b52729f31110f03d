"""Where an extraction's time goes, stage by stage, without a profiler.

cProfile charges every Python call, so it inflates the stages written as many small calls
(the Markdown writer) against those that run in C (lxml's parse, the regex passes): its
shares mislead about what a speed-up could win. Here each stage that `html_to_markdown`
and `extract_capture` call is wrapped, by its name in the module that calls it, in a
wrapper that adds its CPU and wall time; then `extract_capture` runs as it always does, over
every HTML capture of the corpus. The same passes run first without the wrappers, and the
ratio of the two totals says what the wrappers' clock reads cost. A stage renamed or moved
makes the script fail: it does not time a pipeline that no longer exists. Time outside
every stage is reported as "rest".

The run is repeated `--repeat` times (each stage's median over the repeats); shares are of
the summed CPU time, figures are milliseconds a page (the mean over the pages: a long page
weighs more, as it does in an ingest). For scale, the script also times one bare walk of
each parsed page's elements: what merging passes into one walk could save at most.

    python bench/extraction_stages.py [--corpus ../shared/corpus] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# (module, name) of every stage, in pipeline order: each is looked up where it is called.
STAGES = (
    ("policydiff.extract.encoding", "decode_bytes"),
    ("policydiff.extract.html", "strip_toolbar"),
    ("policydiff.extract.html", "parse_html"),
    ("policydiff.extract.html", "_page_title"),
    ("policydiff.extract.clean", "forms_with_fields"),
    ("policydiff.extract.chrome", "hidden_markers"),
    ("policydiff.extract.chrome", "hidden_classes"),
    ("policydiff.extract.clean", "drop_never_text"),
    ("policydiff.extract.clean", "drop_decorations"),
    ("policydiff.extract.chrome", "drop_visually_hidden"),
    ("policydiff.extract.html", "remove_wayback_elements"),
    ("policydiff.extract.html", "decode_cloudflare_emails"),
    ("policydiff.extract.clean", "drop_hidden"),
    ("policydiff.extract.clean", "drop_boilerplate"),
    ("policydiff.extract.chrome", "text_lengths"),
    ("policydiff.extract.chrome", "drop_controls"),
    ("policydiff.extract.chrome", "cut_loose_labels"),
    ("policydiff.extract.readable", "find_main"),
    ("policydiff.extract.chrome", "trim_edges"),
    ("policydiff.extract.html", "render"),
    ("policydiff.extract", "normalise_markdown"),
    ("policydiff.extract", "visible_text"),
    ("policydiff.extract", "_key_text"),
)
# A stage's inner calls to another stage (`_key_text` reads `visible_text` of the title
# line) are timed by both: the inner time is taken out of the outer stage.


class Clock:
    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.inner: list[list[float]] = [[0.0, 0.0]]  # (CPU, wall) of nested stages, per open stage

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.inner.append([0.0, 0.0])
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent_cpu = time.process_time() - cpu
                spent_wall = time.perf_counter() - wall
                nested_cpu, nested_wall = self.inner.pop()
                self.inner[-1][0] += spent_cpu
                self.inner[-1][1] += spent_wall
                self.cpu[name] = self.cpu.get(name, 0.0) + spent_cpu - nested_cpu
                self.wall[name] = self.wall.get(name, 0.0) + spent_wall - nested_wall

        return timed


def install(clock: Clock) -> Callable[[], None]:
    """Wrap every stage; returns what puts the originals back."""
    originals: list[tuple[Any, str, Any]] = []
    for module_name, name in STAGES:
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            raise SystemExit(f"bench/extraction_stages.py: {module_name}.{name} is gone: update STAGES")
        originals.append((module, name, getattr(module, name)))
        setattr(module, name, clock.wrap(name, getattr(module, name)))

    def restore() -> None:
        for module, name, original in originals:
            setattr(module, name, original)

    return restore


def walk_floor(pages: list[bytes], repeat: int) -> tuple[float, float, float]:
    """(elements a page, CPU ms a page to iterate them all, and to read each one's tag and
    two attributes): what one walk of the parsed tree costs in Python, for scale."""
    from policydiff.extract.encoding import decode_bytes
    from policydiff.extract.html import parse_page

    roots = []
    for data in pages:
        decoded = decode_bytes(data, None)
        root = parse_page(decoded.text, decoded.utf8)
        if root is not None:
            roots.append(root)

    def best(visit: Callable[[Any], object]) -> float:
        runs = []
        for _ in range(repeat):
            cpu = time.process_time()
            for root in roots:
                for element in root.iter():
                    visit(element)
            runs.append(time.process_time() - cpu)
        return min(runs) / len(roots) * 1e3

    elements = sum(sum(1 for _ in root.iter()) for root in roots) / len(roots)
    return elements, best(lambda e: None), best(lambda e: (e.tag, e.get("id"), e.get("class")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_corpus = Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = [p.read_bytes() for p in sorted(args.corpus.glob("*/*/snapshots/*.html"))]
    if not pages:
        print(f"bench/extraction_stages.py: no snapshots/*.html under {args.corpus}", file=sys.stderr)
        return 1
    from policydiff.errors import ExtractionError
    from policydiff.extract import extract_capture

    def extract_all(some: list[bytes]) -> None:
        for data in some:
            with contextlib.suppress(ExtractionError):
                extract_capture(data, "text/html")

    extract_all(pages[:20])  # imports, compiled patterns, first-use caches: outside the clock
    floor = walk_floor(pages, args.repeat)
    plain: list[float] = []  # the same passes uninstrumented: what the wrappers cost
    clock = Clock()
    runs: list[tuple[dict[str, float], dict[str, float], float, float]] = []
    for _ in range(args.repeat):
        cpu = time.process_time()
        extract_all(pages)
        plain.append(time.process_time() - cpu)
    install(clock)
    for _ in range(args.repeat):
        clock.cpu.clear()
        clock.wall.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        extract_all(pages)
        runs.append((dict(clock.cpu), dict(clock.wall), time.process_time() - cpu, time.perf_counter() - wall))
    n = len(pages)
    total_cpu = statistics.median(r[2] for r in runs)
    total_wall = statistics.median(r[3] for r in runs)
    names = [name for _, name in STAGES]
    cpu = {name: statistics.median(r[0].get(name, 0.0) for r in runs) for name in names}
    wall = {name: statistics.median(r[1].get(name, 0.0) for r in runs) for name in names}
    cpu["rest"] = max(total_cpu - sum(cpu.values()), 0.0)
    wall["rest"] = max(total_wall - sum(wall.values()), 0.0)
    untimed = statistics.median(plain)
    print(
        f"{n} pages, {args.repeat} runs: {total_cpu / n * 1e3:.2f} ms CPU a page ({total_wall / n * 1e3:.2f} wall); "
        f"uninstrumented in the same run {untimed / n * 1e3:.2f} ms CPU "
        f"(instrumented / plain {total_cpu / untimed:.3f})"
    )
    print("| stage | CPU ms a page | wall ms a page | share of CPU |")
    print("|---|---|---|---|")
    for name in sorted(cpu, key=cpu.__getitem__, reverse=True):
        print(f"| {name} | {cpu[name] / n * 1e3:.3f} | {wall[name] / n * 1e3:.3f} | {cpu[name] / total_cpu:.1%} |")
    print(
        f"For scale: a parsed page has {floor[0]:.0f} elements on average; iterating them costs "
        f"{floor[1]:.3f} ms CPU a page, {floor[2]:.3f} ms reading each one's tag and two attributes "
        "(the best of the runs): one walk of the tree in Python."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
