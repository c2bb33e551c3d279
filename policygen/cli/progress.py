"""What a long command shows while it runs, on stderr, and when it ends: a progress bar or plain lines, then a
summary table."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType

import click

from policygen import DOCUMENT_IDS, BuildReport, OwnerOutcome, Progress, built_pages, pages_line


class BuildProgress:
    """A progress bar with counts and time left on a terminal, one plain line per step otherwise, or nothing;
    always on stderr, so that what a command prints on stdout stays its result."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.interactive = sys.stderr.isatty()
        self.started = time.monotonic()
        self.bar_open = False

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.bar_open:
            click.echo(err=True)

    def step_done(self, progress: Progress) -> None:
        if self.quiet:
            return
        if not self.interactive:
            click.echo(
                f"[{progress.done}/{progress.total}] {progress.owner} {progress.name}: {progress.state}", err=True
            )
            return
        elapsed = time.monotonic() - self.started
        remaining = elapsed / progress.done * (progress.total - progress.done)
        width = 30
        filled = width * progress.done // progress.total
        bar = "#" * filled + "-" * (width - filled)
        click.echo(f"\r[{bar}] {progress.done}/{progress.total}, about {remaining:.0f} s left", nl=False, err=True)
        self.bar_open = progress.done < progress.total
        if not self.bar_open:  # a command may run several stages, each with its own bar
            click.echo(err=True)
            self.started = time.monotonic()


def summary_table(report: BuildReport, out_dir: Path) -> str:
    """Per institution: files built, files up to date, or the first error; then the totals."""
    rows = [f"{'institution':32} {'built':>6} {'skipped':>8}  result"]
    for outcome in report.outcomes:
        name = outcome.owner or outcome.source.name
        if outcome.failed:
            first = outcome.diagnostics[0]
            rows.append(f"{name:32} {0:>6} {0:>8}  FAILED: {first.message}")
        else:
            rows.append(f"{name:32} {len(outcome.files):>6} {len(outcome.unchanged):>8}  ok")
    rows.extend(_pages_rows(report, out_dir))
    built = sum(len(outcome.files) for outcome in report.outcomes)
    skipped = sum(len(outcome.unchanged) for outcome in report.outcomes)
    if built == 0 and skipped and not report.failed:
        rows.append(f"nothing to do: all {skipped} files are up to date in {out_dir}")
    else:
        rows.append(
            f"{built} files built, {skipped} up to date, {len(report.failed)} institutions failed; output in {out_dir}"
        )
    return "\n".join(rows)


def submission_summary(outcome: OwnerOutcome, out_dir: Path) -> str:
    """The package in one line: its files (the documents and the combined PDF), and how many were written now."""
    package = out_dir / (outcome.owner or "")
    count = len(outcome.files) + len(outcome.unchanged) - 2  # the manifest and the zip are named apart
    if not outcome.files:
        return f"submission {package.name} is up to date: {count} files, manifest and zip in {package}"
    written = len([entry for entry in outcome.files if entry.document not in ("manifest", "zip")])
    return f"built submission {package.name}: {count} files, manifest and zip in {package} ({written} written now)"


def _pages_rows(report: BuildReport, out_dir: Path) -> list[str]:
    """Pages per document of each institution and language built as PDF, counted in the files now in place."""
    built: dict[tuple[str, str], set[str]] = {}
    for outcome in report.outcomes:
        if not outcome.failed:
            for entry in (*outcome.files, *outcome.unchanged):
                if entry.format == "pdf":
                    built.setdefault((entry.institution, entry.language), set()).add(entry.document)
    if not built:
        return []
    rows = ["pages per document (budget: at most)"]
    for (owner, lang), documents in built.items():
        doc_ids = [doc_id for doc_id in DOCUMENT_IDS if doc_id in documents]
        rows.append(f"  {owner} {lang}: {pages_line(built_pages(out_dir, owner, lang, doc_ids))}")
    return rows
