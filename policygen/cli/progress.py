"""What a build shows while it runs and when it ends: a progress bar or plain lines, then a summary table."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType

import click

from policygen import DOCUMENT_IDS, BuildReport, UnitResult, built_pages, pages_line


class BuildProgress:
    """A progress bar with counts and time left on a terminal, one plain line per unit otherwise, or nothing."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.interactive = sys.stderr.isatty()
        self.started = time.monotonic()

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.interactive and not self.quiet:
            click.echo(err=True)

    def unit_done(self, result: UnitResult, done: int, total: int) -> None:
        if self.quiet:
            return
        unit = result.unit
        state = "failed" if result.diagnostics else f"{sum(data is not None for _, data in result.files)} files"
        if not self.interactive:
            click.echo(f"[{done}/{total}] {unit.institution} {unit.lang}: {state}", err=True)
            return
        elapsed = time.monotonic() - self.started
        remaining = elapsed / done * (total - done)
        width = 30
        bar = "#" * (width * done // total) + "-" * (width - width * done // total)
        click.echo(f"\r[{bar}] {done}/{total} units, about {remaining:.0f} s left", nl=False, err=True)


def summary_table(report: BuildReport, out_dir: Path) -> str:
    """Per institution: files built, files up to date, or the first error; then the totals."""
    rows = [f"{'institution':32} {'built':>6} {'skipped':>8}  result"]
    for outcome in report.outcomes:
        name = outcome.institution_id or outcome.profile_path.name
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
