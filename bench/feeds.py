"""What the feeds cost on top of the histories the site loads anyway.

Over an archive (default: the bundled one), times in the same run, median of --repeat runs:
- baseline: `load_history` for every policy with warm diff cache (what the site already pays
  on each `mkdocs serve` rebuild),
- `build_feeds` (entries, sanitising, lineage) and `feed_documents` (Atom, RSS, JSON Feed),
and prints the ratio of the two, the number of feeds and their total and largest size.

    python bench/feeds.py [--archive archive] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policydiff.archive import Archive
from policydiff.feeds import FeedSettings, build_feeds, feed_documents
from policydiff.history import load_history


def timed(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=Path(__file__).resolve().parents[1] / "archive")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    archive = Archive(args.archive)
    slugs = [slug for slug in archive.slugs() if archive.history(slug)]
    cold = time.perf_counter()
    histories = [load_history(archive, slug) for slug in slugs]
    cold = time.perf_counter() - cold
    baseline, histories = timed(args.repeat, lambda: [load_history(archive, slug) for slug in slugs])
    settings = FeedSettings(site_url="https://example.org/policy-diff/", site_name="policy-diff")
    building, feeds = timed(args.repeat, lambda: build_feeds(histories, settings))

    def serialise() -> dict[str, bytes]:
        documents: dict[str, bytes] = {}
        for feed in feeds:
            documents.update(feed_documents(feed))
        return documents

    writing, documents = timed(args.repeat, serialise)
    sizes = {path: len(content) for path, content in documents.items()}
    largest = max(sizes, key=sizes.__getitem__)
    count = sum(len(h.changes) for h in histories)
    print(f"archive {args.archive}: {len(slugs)} policies, {count} changes, {len(feeds)} feeds, {len(sizes)} files")
    print(f"load_history, cold diff cache     {cold:8.3f} s")
    print(f"load_history, warm (baseline)     {baseline:8.3f} s   median of {args.repeat}")
    print(f"build_feeds                       {building:8.3f} s   {building / baseline:5.2f}x baseline")
    print(f"feed_documents (3 formats)        {writing:8.3f} s   {writing / baseline:5.2f}x baseline")
    print(f"feeds total {sum(sizes.values()) / 1e6:.1f} MB; largest {largest} {sizes[largest] / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
