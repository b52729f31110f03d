"""A finding reproduced from the batch export: changes per month across every policy of the
corpus, with the May 2018 wave the GDPR caused (it took effect on 25 May 2018).

The corpus is laid out as the Princeton-Leuven dataset (`policydiff.batch.layout`): each
document one site with all its raw captures at their real times (OTA's and tosback's
snapshots, ZWSOFT's dataset captures, and GitHub's privacy statement as every first-parent
commit of the site-policy bundle that touched it). `policy-diff batch` runs over it on two
workers; the chart counts the export's `changes` rows per month of `date` (substantive ones;
trivial-only changes drawn lighter on top) and is written as a static SVG, no script, so the
docs show it as an image:

    python bench/gdpr_wave.py [--corpus ../shared/corpus] [--out docs/research/changes-per-month.svg]

Hand-drawn SVG rather than a plotting library: one bar chart does not justify matplotlib as a
dependency, and the file stays small, reviewable text.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

from policydiff.batch.layout import DatasetCapture, write_repository
from policydiff.export import read_table
from policydiff.ingest.git import follow, open_repository
from policydiff.times import stamp_in_name

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from batch import documents  # noqa: E402

GITHUB_PATH = "Policies/privacy-policies/github-general-privacy-statement.md"


def corpus_captures(corpus: Path, scratch: Path) -> list[DatasetCapture]:
    out = []
    for name, files in documents(corpus):
        if name == "github-privacy-statement":
            continue  # its whole history comes from the bundle below
        out += [DatasetCapture(name, stamp_in_name(f.name), f.read_bytes(), html) for f, html in files]
    clone = scratch / "site-policy"
    bundle = corpus / "github-site-policy" / "site-policy.bundle"
    subprocess.run(["git", "clone", "--quiet", str(bundle), str(clone)], check=True)
    repo = open_repository(clone)
    for revision in follow(repo, GITHUB_PATH):
        data = bytes(repo[revision.blob].data)
        out.append(DatasetCapture("github-privacy-statement", revision.committed_at, data, False))
    return out


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def svg_chart(substantive: Counter[str], trivial: Counter[str], policies: int, wave_note: str) -> str:
    months = months_between(min(substantive | trivial), max(substantive | trivial))
    width, height, left, bottom, top = 960, 300, 40, 40, 50
    bar = (width - left - 10) / len(months)
    peak = max(substantive[m] + trivial[m] for m in months)
    busiest = max(months, key=lambda m: (substantive[m], m == "2018-05"))
    scale = (height - top - bottom) / peak

    def y(value: float) -> float:
        return height - bottom - value * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="t d" font-family="sans-serif" font-size="11">',
        '<title id="t">Policy changes per month across the corpus</title>',
        f'<desc id="d">Changes per month of {policies} policies; the month with the most substantive '
        f"changes is {busiest} ({substantive[busiest]}); May 2018, when the GDPR took effect, has "
        f"{substantive['2018-05']}.</desc>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">Changes per month, {policies} policies '
        "of the corpus (policy-diff batch export)</text>",
        f'<text x="{left}" y="34" fill="#555">dark: substantive changes; light: trivial-only changes '
        "(whitespace, punctuation, a date)</text>",
    ]
    for tick in range(0, peak + 1, max(1, peak // 4)):
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
    for index, month in enumerate(months):
        x = left + index * bar
        wave = month == "2018-05"
        s, t = substantive[month], trivial[month]
        colour = "#c0392b" if wave else "#34495e"
        if s:
            parts.append(
                f'<rect x="{x:.1f}" y="{y(s):.1f}" width="{max(bar - 1, 1):.1f}" height="{s * scale:.1f}" '
                f'fill="{colour}"><title>{month}: {s} substantive</title></rect>'
            )
        if t:
            parts.append(
                f'<rect x="{x:.1f}" y="{y(s + t):.1f}" width="{max(bar - 1, 1):.1f}" height="{t * scale:.1f}" '
                f'fill="#aab7c4"><title>{month}: {t} trivial-only</title></rect>'
            )
        if month.endswith("-01"):
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" fill="#555">{month[:4]}</text>')
        if wave:
            parts.append(
                f'<text x="{x - 4:.1f}" y="{y(s) + 10:.1f}" text-anchor="end" fill="#c0392b" font-weight="bold">'
                f"{escape(wave_note)}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - 10}" y1="{height - bottom}" y2="{height - bottom}" stroke="#333"/></svg>'
    )
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_corpus = Path(os.environ.get("POLICY_DIFF_CORPUS", REPO.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "research" / "changes-per-month.svg")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, help="Keep the dataset and the batch here (reused when present).")
    args = parser.parse_args()
    from policydiff.batch.run import run_batch

    with tempfile.TemporaryDirectory(prefix="pd-gdpr-") as temporary:
        scratch = args.work or Path(temporary)
        repo = scratch / "dataset"
        if not repo.exists():
            write_repository(repo, corpus_captures(args.corpus, scratch))
        report = run_batch(repo, scratch / "out", workers=args.workers)
        changes = read_table(scratch / "out" / "export", "changes").to_pylist()
        versions = read_table(scratch / "out" / "export", "versions").to_pylist()
    substantive: Counter[str] = Counter()
    trivial: Counter[str] = Counter()
    for row in changes:
        month = row["date"].strftime("%Y-%m")
        (trivial if "trivial" in row["flags"] else substantive)[month] += 1
    policies = len(report.results)
    span: dict[str, tuple[str, str]] = {}
    for row in versions:
        first, last = row["first_seen"].strftime("%Y-%m"), row["last_seen"].strftime("%Y-%m")
        old = span.get(row["site"], (first, last))
        span[row["site"]] = (min(old[0], first), max(old[1], last))
    tracked = sorted(site for site, (first, last) in span.items() if first <= "2018-05" <= last)
    changed = sorted(
        {r["site"] for r in changes if r["date"].strftime("%Y-%m") == "2018-05" and "trivial" not in r["flags"]}
    )
    note = f"May 2018 (GDPR): {substantive['2018-05']} changes; {len(changed)} of the {len(tracked)} policies"
    note += " tracked then changed"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(svg_chart(substantive, trivial, policies, note), encoding="utf-8")
    print(note + f": {', '.join(changed)} (tracked: {', '.join(tracked)})")
    print(f"{policies} policies, {report.captures} captures, {len(changes)} changes -> {args.out}")
    for month in sorted(substantive | trivial, key=lambda m: -(substantive[m] + trivial[m]))[:5]:
        print(f"  {month}: {substantive[month]} substantive, {trivial[month]} trivial-only")
    may = sorted(r["site"] for r in changes if r["date"].strftime("%Y-%m") == "2018-05")
    print(f"  May 2018: {', '.join(may)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
