"""The `policy-diff` command line: a thin layer over the archive and the pipeline stages."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .times import format_iso, parse_time

if TYPE_CHECKING:
    from .archive import Archive


class Context:
    """The archive, opened when a command first asks for it: `--help` and `--version` never
    import the archive (or anything behind it)."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self._archive: Archive | None = None

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            from .archive import Archive

            self._archive = Archive(self.archive_dir)
        return self._archive


class _Group(click.Group):
    """An OS error nothing else caught (a full disk, a read-only archive) is one line, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            from .errors import PolicyDiffError, shown

            where = f"{shown(exc.filename)}: " if exc.filename else ""
            raise PolicyDiffError(f"{where}{exc.strerror or exc}") from None


def check_slug(slug: str) -> str:
    from .declaration import check_slug as check

    return check(slug)


_pass_obj = click.make_pass_decorator(Context)


def _archive_after_command(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        context = ctx.ensure_object(Context)
        context.archive_dir, context._archive = value, None


def pass_context(command: Any) -> Any:
    """Pass the Context, and accept `--archive DIR` after the command name too (as before it)."""
    command = _pass_obj(command)
    return click.option(
        "--archive",
        "archive_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_archive_after_command,
        help="The archive directory (also accepted before the command).",
    )(command)


def _parse_captured(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("archive"),
    show_default=True,
    envvar="POLICY_DIFF_ARCHIVE",
    help="The archive directory (created if missing).",
)
@click.version_option(__version__, prog_name="policy-diff")
@click.pass_context
def main(ctx: click.Context, archive_dir: Path) -> None:
    """Archive snapshots of privacy policies and turn them into a versioned changelog."""
    ctx.obj = Context(archive_dir)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Our policies", show_default=True, help="The site's name.")
@click.option(
    "--site-url", default="http://127.0.0.1:8000/", show_default=True, help="The address it will be published at."
)
def init(directory: Path, name: str, site_url: str) -> None:
    """Start a site in DIRECTORY: mkdocs.yml, docs/ and an empty archive/ (then `policy-diff
    --archive DIRECTORY/archive add ...`, ingest, `mkdocs serve`). Overwrites nothing."""
    from .scaffold import init_site

    for path in init_site(directory, name, site_url):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && policy-diff add SLUG --url URL, then ingest, then mkdocs serve")


@main.command()
@click.argument("slug")
@click.option("--url", "urls", multiple=True, required=True, help="The policy's address (repeatable).")
@click.option("--name", help="A human name, e.g. 'ZWSOFT privacy policy' (default: the slug).")
@click.option("--select", multiple=True, help="CSS selector of the policy body (repeatable).")
@click.option("--remove", multiple=True, help="CSS selector removed from the body (repeatable).")
@click.option("--language", default="en", show_default=True, help="Language code of the policy.")
@pass_context
def add(
    obj: Context,
    slug: str,
    urls: tuple[str, ...],
    name: str | None,
    select: tuple[str, ...],
    remove: tuple[str, ...],
    language: str,
) -> None:
    """Declare a policy to track: writes archive/SLUG/policy.yml."""
    check_slug(slug)
    data: dict[str, Any] = {"name": name or slug, "url": urls[0]}
    if len(urls) > 1:
        data["urls"] = list(urls[1:])
    data["language"] = language
    if select:
        data["select"] = list(select)
    if remove:
        data["remove"] = list(remove)
    declaration, created = obj.archive.add_policy(slug, data)
    where = obj.archive.policy_dir(slug) / "policy.yml"
    if created:
        click.echo(f"added {slug}: {declaration.name} <{declaration.url}> in {where}")
    else:
        click.echo(f"{slug} is already declared in {where}; edit that file to change it")


@main.command()
@click.argument("slug")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--captured", callback=_parse_captured, help="Capture time (ISO 8601, UTC if no offset).")
@click.option("--source-url", help="The URL the capture was taken from (default: from the file or policy.yml).")
@click.option("--quiet", "-q", is_flag=True, help="Print only refusals and the summary.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes extracting captures in parallel (default: one per core).",
)
@click.option(
    "--no-group-commit",
    "one_by_one",
    is_flag=True,
    help="Commit each capture on its own instead of a batch at a time (slower; the old behaviour).",
)
@pass_context
def ingest(
    obj: Context,
    slug: str,
    paths: tuple[Path, ...],
    captured: datetime | None,
    source_url: str | None,
    quiet: bool,
    workers: int | None,
    one_by_one: bool,
) -> None:
    """Store captures (HTML, Markdown, text files, directories of them, WARC files).

    Exit status 2 if any file was refused, else 0 (also when all were already stored).
    """
    from .ingest import expand_paths, ingest_paths

    archive = obj.archive
    archive.require(check_slug(slug))
    files = expand_paths(paths)
    show_bar = len(files) > 3 and sys.stderr.isatty()
    options: dict[str, Any] = {
        "captured": captured,
        "source_url": source_url,
        "workers": workers,
        "group_commit": not one_by_one,
    }
    if show_bar:
        with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
            outcomes = ingest_paths(archive, slug, paths, on_file_done=lambda _p: bar.update(1), **options)
    else:
        outcomes = ingest_paths(archive, slug, paths, **options)
    if not outcomes:
        from .errors import shown

        click.echo(f"error: no capture files found in {', '.join(map(shown, paths))}", err=True)
        sys.exit(2)
    _report_outcomes(slug, outcomes, quiet)


def _report_outcomes(slug: str, outcomes: list[Any], quiet: bool) -> None:
    counts = {"stored": 0, "already": 0, "refused": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
        if outcome.status == "refused":
            click.echo(f"error: {outcome.message}", err=True)
        elif not quiet:
            click.echo(outcome.message)
    click.echo(f"{slug}: {counts['stored']} stored, {counts['already']} already there, {counts['refused']} refused")
    if counts["refused"]:
        sys.exit(2)


@main.command("ingest-git")
@click.argument("slug")
@click.argument("repo", type=click.Path(file_okay=False, path_type=Path))
@click.argument("path")
@click.option("--branch", help="The branch whose first-parent history is read (default: the repository's HEAD).")
@click.option("--since", callback=_parse_captured, help="Only commits from this date on (ISO 8601).")
@click.option("--quiet", "-q", is_flag=True, help="Print only refusals and the summary.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes extracting captures (default: one per core).")
@pass_context
def ingest_git(
    obj: Context,
    slug: str,
    repo: Path,
    path: str,
    branch: str | None,
    since: datetime | None,
    quiet: bool,
    workers: int | None,
) -> None:
    """Store every first-parent commit of a git repository that touched PATH as a capture
    (the file followed across renames; capture time: the committer date, UTC).

    Exit status 2 if any commit's file was refused, else 0 (also when all were already stored).
    """
    from .ingest.git import follow, open_repository, repository_name, store_revisions

    archive = obj.archive
    archive.require(check_slug(slug))
    repository = open_repository(repo)
    revisions = follow(repository, path, branch=branch, since=since)
    if not revisions:
        from .errors import shown

        where = f"branch {shown(branch)!r}" if branch else "HEAD"
        click.echo(f"error: {shown(repo)}: no commit of {where} touched {shown(path)!r}", err=True)
        sys.exit(2)
    options: dict[str, Any] = {"repository": repository_name(repository, repo), "workers": workers}
    if len(revisions) > 3 and sys.stderr.isatty():
        with click.progressbar(length=len(revisions), label="ingesting", file=sys.stderr) as bar:
            outcomes = store_revisions(
                archive, slug, repository, revisions, on_done=lambda _r: bar.update(1), **options
            )
    else:
        outcomes = store_revisions(archive, slug, repository, revisions, **options)
    _report_outcomes(slug, outcomes, quiet)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The batch's directory.")
@click.option("--sites", "patterns", multiple=True, metavar="PATTERN", help="Only sites matching (a glob, repeatable).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Local worker processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask cluster (tcp://host:8786) instead.")
def batch(input_path: Path, out: Path, patterns: tuple[str, ...], workers: int, scheduler: str | None) -> None:
    """Version and diff every site of a dataset in the Princeton-Leuven layout (a git
    repository or a folder tree) on Dask: archives under OUT/archive/, the research export
    under OUT/export/. A re-run skips the sites whose inputs did not change.

    Exit status 2 if any site or capture failed (see OUT/export/errors), else 0."""
    from .batch.run import run_batch

    bars: list[Any] = []

    def progress(result: Any, total: int) -> None:
        if not bars and sys.stderr.isatty():
            bars.append(click.progressbar(length=total, label="sites", file=sys.stderr))
        for bar in bars:
            bar.update(1)
        if result.status == "failed":
            click.echo(f"error: {result.site}: {result.message}", err=True)

    report = run_batch(input_path, out, patterns=patterns, workers=workers, scheduler=scheduler, on_result=progress)
    for bar in bars:
        bar.render_finish()
    if not report.results:
        from .errors import shown

        what = f" matching {', '.join(map(shown, patterns))}" if patterns else ""
        click.echo(f"error: {shown(input_path)}: no site{what} in the dataset's layout", err=True)
        sys.exit(2)
    errors = sum(r.errors for r in report.results)
    click.echo(
        f"{len(report.results)} sites: {report.count('done')} done, {report.count('skipped')} already done, "
        f"{report.count('failed')} failed; {report.captures} captures; {errors} error(s) in {out / 'export' / 'errors'}"
    )
    if errors:
        sys.exit(2)


@main.command()
@click.argument("batch_dir", metavar="DIR", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--sites", "patterns", multiple=True, required=True, metavar="PATTERN", help="Sites (globs, repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Site folder (default: DIR/site).")
@click.option("--name", "site_name", default="policy-diff", show_default=True, help="The site's name.")
@click.option("--site-url", default="https://example.org/", show_default=True, help="Where the site is published.")
def site(batch_dir: Path, patterns: tuple[str, ...], out: Path | None, site_name: str, site_url: str) -> None:
    """Build the MkDocs site of some of a batch's archives: OUT/mkdocs.yml, OUT/archive/
    (a copy of the chosen sites) and the built OUT/site/."""
    from .batch.site import build_site

    built, count = build_site(batch_dir, list(patterns), out or batch_dir / "site", site_name, site_url)
    click.echo(f"{count} policies built into {built}")


@main.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout, nothing else.")
@pass_context
def versions(obj: Context, slug: str, as_json: bool) -> None:
    """The distinct versions of a policy, by first capture."""
    items = obj.archive.versions(slug)
    if as_json:
        emit_json([v.to_json() for v in items])
        return
    for v in items:
        flag = "  (selector missed)" if v.meta.get("selector_miss") else ""
        click.echo(
            f"{v.id}  {format_iso(v.first_seen)} .. {format_iso(v.last_seen)}  {len(v.captures)} capture(s){flag}"
        )


@main.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout, nothing else.")
@pass_context
def history(obj: Context, slug: str, as_json: bool) -> None:
    """The periods of a policy in order: the changes are the transitions between them."""
    periods = obj.archive.history(slug)
    if as_json:
        from .history import load_history

        changes = load_history(obj.archive, slug).changes if len(periods) > 1 else ()
        out = [p.to_json() for p in periods]
        for period, change in zip(out[1:], changes, strict=True):
            period["change"] = {"number": change.number, **change.summary_json()}
        emit_json(out)
        return
    for index, period in enumerate(periods):
        mark = "  " if index == 0 else "->"
        click.echo(
            f"{mark} {period.version}  {format_iso(period.start)} .. {format_iso(period.end)}  "
            f"{len(period.captures)} capture(s)"
        )


@main.command()
@click.argument("slug")
@click.argument("version", required=False)
@pass_context
def show(obj: Context, slug: str, version: str | None) -> None:
    """Print a version's normalised Markdown (default: the latest)."""
    found = obj.archive.version(slug, version)
    click.echo(obj.archive.version_text(found), nl=False)


@main.command()
@click.option("--quick", is_flag=True, help="Skip re-deriving every version from its captures.")
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="SLUG=SHA256",
    help="A manifest head published earlier: fails unless that record is still in SLUG's history (repeatable).",
)
@pass_context
def verify(obj: Context, quick: bool, heads: tuple[str, ...]) -> None:
    """Check the archive against its manifests: captures re-hashed, provenance, exclusions,
    no unexpected file, versions re-derived from the captures. Prints each policy's head."""
    archive = obj.archive
    problems = archive.verify(rederive=not quick)
    fatal = sum(p.fatal for p in problems)
    for problem in problems:
        click.echo(("error: " if problem.fatal else "warning: ") + str(problem))
    for spec in heads:
        slug, _, digest = spec.partition("=")
        if not digest or not archive.exists(slug):
            raise click.BadParameter(
                f"{spec!r}: expected SLUG=SHA256 of a policy in {archive.root}", param_hint="--head"
            )
        digests = [r.digest for r in archive.manifest(slug).records]
        if digest.lower() not in digests:
            click.echo(
                f"error: {archive.manifest_path(slug)}: head {digest[:16]}… is not in this history: "
                "records published before were rewritten or removed"
            )
            fatal += 1
        elif digests[-1] != digest.lower():
            later = len(digests) - 1 - digests.index(digest.lower())
            click.echo(f"{slug}: history extends the head given by {later} record(s)")
    slugs = archive.slugs()
    for slug in slugs:
        head = archive.manifest_head(slug)
        if head:
            click.echo(f"head {slug} {head}")
    captures = archive.count_captures()
    if fatal:
        click.echo(f"{fatal} problem(s) in {archive.root}")
        sys.exit(1)
    click.echo(f"ok: {len(slugs)} policies, {captures} captures verified in {archive.root}")


@main.command()
@click.argument("slugs", nargs=-1)
@pass_context
def seal(obj: Context, slugs: tuple[str, ...]) -> None:
    """Create the manifest of policies archived before manifests existed (all, or SLUG...),
    from their captures as they are now: run `verify` first."""
    archive = obj.archive
    for name in slugs or archive.slugs():
        archive.require(check_slug(name))
        sealed = archive.seal(name)
        if sealed or archive.manifest(name).records:
            click.echo(
                f"{name}: {sealed} captures sealed, head {archive.manifest_head(name)}"
                if sealed
                else f"{name}: has a manifest already (head {archive.manifest_head(name)})"
            )
        else:
            click.echo(f"{name}: has a manifest already")


@main.command()
@click.argument("slug", required=False)
@pass_context
def rebuild(obj: Context, slug: str | None) -> None:
    """Regenerate versions from the captures (all policies, or SLUG)."""
    slugs = [slug] if slug else obj.archive.slugs()
    for name in slugs:
        obj.archive.require(name)
        captures, count = obj.archive.rebuild(name)
        click.echo(f"{name}: {captures} captures -> {count} versions")


@main.command()
@click.argument("slug")
@click.argument("capture")
@click.option("--reason", required=True, help="Why this capture is withdrawn (shown on the site).")
@pass_context
def exclude(obj: Context, slug: str, capture: str, reason: str) -> None:
    """Withdraw a bad capture (error page, cookie wall) from the history; it is kept on disk."""
    found = obj.archive.exclude(slug, capture, reason)
    click.echo(f"{slug}: {found.file} excluded ({reason.strip()})")


@main.command()
@click.argument("slug")
@click.argument("change", metavar="DATE|VERSION")
@click.option("--text", required=True, help="The note, in Markdown (shown first wherever the change is).")
@click.option("--material", is_flag=True, help="Mark the change material (shown as such, ranked first).")
@click.option("--effective", metavar="DATE", help="The day the change takes effect, when its text does not say.")
@pass_context
def note(obj: Context, slug: str, change: str, text: str, material: bool, effective: str | None) -> None:
    """Set the editor's note of a change: DATE is the day it took effect, VERSION the id of the
    version it introduced. Recorded in the manifest and notes.yml; captures are not touched."""
    from .history import load_history
    from .history.notes import note_target, text_effective
    from .notes import VERSION_KEY, Note, check_date

    archive = obj.archive
    archive.require(check_slug(slug))
    try:
        if change.lower().startswith("v") and not VERSION_KEY.fullmatch(change):
            key = archive.version(slug, change).id  # a unique prefix
        elif VERSION_KEY.fullmatch(change):
            key = change
        else:
            key = check_date(parse_time(change).date(), "DATE") if len(change) > 10 else check_date(change, "DATE")
        entry = Note.from_json({"key": key, "text": text, "material": material, "effective": effective})
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    history = load_history(archive, slug)
    stated = text_effective(history.periods, {v.id: v.effective_date for v in history.versions})
    index = note_target(history.periods, entry, stated)
    if index is None:
        dates = ", ".join(format_iso(c.published)[:10] for c in history.changes) or "none yet"
        raise click.BadParameter(
            f"{change!r} names no change of {slug} (changes first captured: {dates})", param_hint="DATE|VERSION"
        )
    head = archive.set_note(slug, entry)
    target = history.changes[index]
    click.echo(
        f"{slug}: note set on the change of {format_iso(target.published)[:10]} "
        f"({target.old.version} -> {target.new.version}){', material' if material else ''}; head {head}"
    )


@main.command("diff")
@click.argument("slug")
@click.argument("from_ref", metavar="[FROM]", required=False)
@click.argument("to_ref", metavar="[TO]", required=False)
@click.option("--json", "as_json", is_flag=True, help="The diff as JSON on stdout, nothing else.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="Output for people: a terminal summary, or a Markdown report.",
)
@pass_context
def diff_command(obj: Context, slug: str, from_ref: str | None, to_ref: str | None, as_json: bool, fmt: str) -> None:
    """Section-level diff of two versions of a policy.

    FROM and TO are version ids (or unique prefixes), or dates meaning the version in force
    then. Default: the last change in the history; with FROM alone, FROM against the latest.
    Exit status 0 whether or not the versions differ.
    """
    from .diff import diff_versions
    from .diff.report import format_markdown, format_text
    from .history import change_index, earlier_text
    from .history.assess import assess_change
    from .watch import matcher_for

    archive = obj.archive
    archive.require(slug)
    periods = archive.history(slug)
    if from_ref is None:
        if not periods:
            raise click.ClickException(f"policy {slug!r} has no versions yet")
        old = archive.version(slug, periods[-2].version if len(periods) > 1 else periods[-1].version)
        new = archive.version(slug, periods[-1].version)
    else:
        old = archive.version(slug, from_ref)
        new = archive.version(slug, to_ref)
    result = diff_versions(archive.version_text(old), archive.version_text(new), old_id=old.id, new_id=new.id)
    # A pair that is a change of the history returns to an earlier text or not (TO given as a
    # date picks which such change; otherwise the latest); any other pair returns to nothing.
    index = change_index(periods, old.id, new.id, at=_moment(to_ref) if to_ref and to_ref != new.id else None)
    declaration = archive.declaration(slug)
    matcher = matcher_for(declaration.language, declaration.watch)
    assessment = assess_change(result, matcher, earlier_text(periods, index) if index is not None else None)
    flags = assessment.flags
    if as_json:
        data = result.to_json()
        data["summary"].update(assessment.summary_json())
        emit_json(data)
        return
    gist = f"{assessment.significance}: {assessment.headline}"
    if fmt == "markdown":
        report = format_markdown(result, flags)
        title, _, rest = report.partition("\n")
        click.echo(f"{title}\n\n**{gist}**\n{rest}", nl=False)
    else:
        first, _, rest = format_text(result, flags, style=click.style).partition("\n")
        click.echo(f"{first}\n{click.style(gist, bold=True)}\n{rest}", nl=False)


def _moment(ref: str) -> datetime | None:
    try:
        return parse_time(ref)
    except ValueError:
        return None


# -- network sources: the Wayback Machine and the live page -----------------------------------


def _fetcher(retries: int, backoff: float, timeout: float, user_agent: str | None) -> Any:
    from .ingest.fetch import USER_AGENT, Fetcher

    return Fetcher(user_agent=user_agent or USER_AGENT, timeout=timeout, retries=retries, backoff=backoff)


_user_agent = click.option(
    "--user-agent", envvar="POLICY_DIFF_USER_AGENT", help="User-Agent sent (add a contact address for site owners)."
)
_timeout = click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds before a request fails."
)


@main.command()
@click.argument("slug")
@click.option("--from", "since", metavar="YYYY[MM[DD]]", help="Only captures from this date on.")
@click.option("--to", "until", metavar="YYYY[MM[DD]]", help="Only captures up to this date.")
@click.option(
    "--rate",
    type=float,
    default=1.0,
    show_default=True,
    help="Memento downloads per second (CDX: a quarter; 0: no limit).",
)
@click.option("--retries", type=int, default=5, show_default=True, help="Retries on 429, 5xx and connection errors.")
@click.option("--backoff", type=float, default=2.0, show_default=True, help="First retry delay in seconds; doubles.")
@click.option(
    "--wayback-url",
    envvar="POLICY_DIFF_WAYBACK_URL",
    default="https://web.archive.org",
    show_default=True,
    help="Base URL of the Wayback Machine (or a replay of it).",
)
@_timeout
@_user_agent
@pass_context
def wayback(
    obj: Context,
    slug: str,
    since: str | None,
    until: str | None,
    rate: float,
    retries: int,
    backoff: float,
    wayback_url: str,
    timeout: float,
    user_agent: str | None,
) -> None:
    """Back-fill SLUG's history from the Wayback Machine (resumable: re-run after a stop).

    Exit status 1 if some captures failed (a re-run retries them), 2 if the back-fill stopped.
    """
    from .ingest.wayback import WaybackClient, backfill, check_stamp

    archive = obj.archive
    archive.require(check_slug(slug))
    client = WaybackClient(_fetcher(retries, backoff, timeout, user_agent), wayback_url, rate)
    since, until = check_stamp(since, "--from"), check_stamp(until, "--to")
    bars: list[Any] = []  # made once the listing is known, so it shows the real total

    def progress(done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if not bars:
            bars.append(click.progressbar(length=total, label=f"{slug}: Wayback captures", file=sys.stderr))
        bars[0].update(done - bars[0].pos)

    try:
        summary = backfill(archive, slug, client, since=since, until=until, on_progress=progress)
    finally:
        for bar in bars:
            bar.render_finish()
    for entry in summary.skipped:
        click.echo(f"skipped {entry['timestamp']} {entry['original']}: {entry['reason']}")
    for entry in summary.failed:
        click.echo(f"error: {entry['reason']}", err=True)
    if summary.resumed:
        click.echo(f"{slug}: resumed an interrupted back-fill")
    click.echo(summary.line(slug))
    if summary.failed:
        click.echo(f"re-run `policy-diff wayback {slug}` to retry the failed captures", err=True)
        sys.exit(1)


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--rate", type=float, default=1.0, show_default=True, help="Requests per second (0: no limit).")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries on 429, 5xx and connection errors.")
@click.option("--backoff", type=float, default=2.0, show_default=True, help="First retry delay in seconds; doubles.")
@_timeout
@_user_agent
@pass_context
def capture(
    obj: Context,
    slugs: tuple[str, ...],
    rate: float,
    retries: int,
    backoff: float,
    timeout: float,
    user_agent: str | None,
) -> None:
    """Fetch the live page of each policy (default: all) and store it as a capture.

    A failure for one policy is reported and the others go on; exit status 1 if any failed.
    """
    from .ingest.live import capture_all

    archive = obj.archive
    names = list(slugs) or archive.slugs()
    if not names:
        raise click.UsageError(f"no policies in {archive.root}: add one with `policy-diff add SLUG --url URL`")
    for name in names:
        archive.require(check_slug(name))
    outcomes = capture_all(archive, names, _fetcher(retries, backoff, timeout, user_agent), rate=rate)
    for outcome in outcomes:
        click.echo(("error: " if outcome.failed else "") + outcome.message, err=outcome.failed)
    failed = sum(o.failed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} captured, {failed} failed")
    if failed:
        sys.exit(1)


@main.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory to write the pages into (e.g. a docs/ folder of another builder).",
)
@click.option(
    "--no-captures", "no_captures", is_flag=True, help="Do not publish the raw captures (as <name>.txt) with the pages."
)
@click.option("--site-url", "site_url", default="", help="The site's absolute address (versions are cited by it).")
@pass_context
def render(obj: Context, out: Path, no_captures: bool, site_url: str) -> None:
    """Write the site's generated pages (Markdown, JSON, assets) for any static builder, and
    each capture's raw file as plain text (`<name>.txt`) unless --no-captures.

    Add the assets to that builder's config: extra_css and extra_javascript as listed in
    `policydiff.render.EXTRA_CSS` and `EXTRA_JAVASCRIPT` (README, "Building with another tool").
    """
    import shutil

    from .history import load_history
    from .publish import published_captures
    from .render import RenderSettings, render_site, write_site

    archive = obj.archive
    histories = [load_history(archive, slug) for slug in archive.slugs()]
    url = site_url if not site_url or site_url.endswith("/") else site_url + "/"
    settings = RenderSettings(captures=not no_captures, site_url=url)
    count = write_site(render_site(histories, settings), out)
    if not no_captures:
        for path, source in published_captures(archive, histories).items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, out / path)
            count += 1
    click.echo(f"{count} files written to {out}")


@main.command("feeds")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The site's root directory; the feeds go under OUT/feeds/.",
)
@click.option("--site-url", required=True, help="The absolute address the site is published at (its site_url).")
@click.option("--site-name", default="policy-diff", show_default=True, help="The site's name, in feed titles.")
@click.option("--max-entries", type=click.IntRange(min=1), default=20, show_default=True, help="Entries per feed.")
@click.option("--include-trivial", is_flag=True, help="Include trivial-only changes in every policy's feeds.")
@click.option(
    "--min-significance",
    type=click.Choice(["major", "minor", "trivial"]),
    default="minor",
    show_default=True,
    help="The least significant change the feeds list (--include-trivial: trivial).",
)
@pass_context
def feeds_command(
    obj: Context,
    out: Path,
    site_url: str,
    site_name: str,
    max_entries: int,
    include_trivial: bool,
    min_significance: str,
) -> None:
    """Write the Atom, RSS and JSON Feed files of every policy, as the MkDocs plugin does
    (for sites built from `render --out` by another builder)."""
    from .feeds import FeedSettings, build_feeds, write_feeds
    from .history import load_history

    archive = obj.archive
    settings = FeedSettings(
        site_url, site_name, max_entries=max_entries, include_trivial=include_trivial, min_significance=min_significance
    )
    feeds = build_feeds([load_history(archive, slug) for slug in archive.slugs()], settings)
    written = write_feeds(feeds, out)
    click.echo(f"wrote {len(written)} feed files under {out / 'feeds'}")


if __name__ == "__main__":
    main()
