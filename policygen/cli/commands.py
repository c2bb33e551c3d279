"""The policygen command line: a thin layer over the library API, with exit codes mapped in one place."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any, TypeVar

import click

from policygen import (
    DOCUMENT_IDS,
    EXIT_FAILED,
    EXIT_OK,
    FORMATS,
    PENDING_CHOICES,
    REDLINE_AUTHOR,
    BuildReport,
    BuildRequest,
    Diagnostic,
    OwnerOutcome,
    PolicygenError,
    Workspace,
    WorkspaceError,
    __version__,
    build,
    build_coverage_reports,
    build_model,
    build_submission,
    check_as_json,
    check_as_table,
    check_institutions,
    default_jobs,
    departures_from_model,
    evidence_as_json,
    evidence_as_table,
    failure_diagnostics,
    import_edits,
    json_schema,
    load_profile,
    open_workspace,
    output_lock,
    packaged_examples,
    redline_against_model,
    redline_from_edition,
    review_file_argument,
    review_status,
    sign_reviews,
    submission_evidence,
    submission_file,
    submission_json_schema,
    validate_institutions,
    verify_package,
    write_redline,
    write_review_sheet,
)
from policygen.cli.internal_error import exit_on_internal_error, report_internal_error
from policygen.cli.progress import BuildProgress, submission_summary, summary_table

SCHEMA_FILE = Path("schema") / "profile.schema.json"


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _report_files(outcome: OwnerOutcome, out_dir: Path) -> None:
    """Each previous file kept as an edition (but under --quiet), and under --verbose each file an outcome wrote or
    found up to date, one line each."""
    if _verbosity() is not Verbosity.QUIET:
        for entry in outcome.editions:
            click.echo(f"edition kept {out_dir / entry.path}", err=True)
    if _verbosity() is Verbosity.VERBOSE:
        for entry in outcome.files:
            click.echo(f"written     {out_dir / entry.path}", err=True)
        for entry in outcome.unchanged:
            click.echo(f"up to date  {out_dir / entry.path}", err=True)


def _output_folder(workspace: Workspace, out_dir: Path | None) -> Path:
    """The output folder: --out as given, else WORKSPACE/output, which must not be a link placed in the
    workspace to send the files elsewhere."""
    if out_dir is not None:
        return out_dir.resolve()
    default = workspace.default_output_dir
    if default.is_symlink():
        raise WorkspaceError(
            f"{default} is a symbolic link; policygen does not write through links",
            hint="remove the link, or name the output folder with --out",
        )
    return default.resolve()


@contextmanager
def _locked(out: Path | None) -> Iterator[None]:
    """Hold the output folder's lock for the whole command (none when the command writes nothing)."""
    if out is None:
        yield
        return
    with output_lock(out) as lock:
        if not lock.exclusive:
            click.echo(
                "note: this platform cannot lock files, so nothing stops two policygen processes from "
                "writing this output folder at once; temporary files of killed runs are left for you to "
                "delete",
                err=True,
            )
        yield


def _run(action: Callable[[], int]) -> None:
    """Run a command body; errors become messages on stderr and the exit code design.md defines."""
    try:
        code = action()
    except PolicygenError as error:
        _report(error.diagnostics())
        code = error.exit_code
    sys.exit(code)


class Verbosity(IntEnum):
    """How much a command prints besides its result and its errors."""

    QUIET = -1  # errors and warnings only
    NORMAL = 0  # also progress, summaries and confirmations
    VERBOSE = 1  # also each file written and the time the command took


_VERBOSITY = "policygen.verbosity"  # the key of the chosen Verbosity in the context's meta, shared by every level


def _choose_verbosity(context: click.Context, parameter: click.Parameter, given: bool) -> None:
    if not given:
        return
    chosen = Verbosity.QUIET if parameter.name == "quiet" else Verbosity.VERBOSE
    if context.meta.setdefault(_VERBOSITY, chosen) is not chosen:
        raise click.UsageError("--quiet and --verbose exclude each other")


def _verbosity() -> Verbosity:
    """The verbosity chosen by -q or -v, before the command's name or after it."""
    return click.get_current_context().meta.get(_VERBOSITY, Verbosity.NORMAL)


CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


def verbosity_options(command: CommandFunction) -> CommandFunction:
    """-q/--quiet and -v/--verbose, on the group and on every command."""
    command = click.option(
        "--verbose",
        "-v",
        is_flag=True,
        expose_value=False,
        callback=_choose_verbosity,
        help="Also print each file written and the time taken (on stderr).",
    )(command)
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        callback=_choose_verbosity,
        help="Print only errors and warnings: no progress, summary or confirmation.",
    )(command)


workspace_option = click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    envvar="POLICYGEN_WORKSPACE",
    show_envvar=True,
    show_default="the current directory",
    help="The workspace: a folder with institutions/ (and templates/).",
)
profiles_argument = click.argument("profiles", nargs=-1, metavar="[PROFILE]...")
summary_option = click.option("--summary", is_flag=True, help="Print the summary even with --quiet.")
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes rendering in parallel.  [default: the number of cores]",
)
force_option = click.option("--force", is_flag=True, help="Rebuild files whose inputs have not changed.")


class PolicygenGroup(click.Group):
    """The command group: under --verbose it times the command, and an exception nobody expected, in any command,
    becomes one line and EXIT_INTERNAL instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        started = time.monotonic()
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Abort, click.exceptions.Exit, BrokenPipeError):
            raise  # click's own ways of ending a command: usage errors, Ctrl-C, --help, a reader that went away
        except Exception as error:
            exit_on_internal_error(error, debug=ctx.params["debug"])
        finally:
            if ctx.meta.get(_VERBOSITY) is Verbosity.VERBOSE:
                click.echo(f"time taken: {time.monotonic() - started:.1f} s", err=True)


@click.group(cls=PolicygenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policygen")
@click.option(
    "--debug",
    is_flag=True,
    envvar="POLICYGEN_DEBUG",
    show_envvar=True,
    help="On an internal error, print its traceback instead of saving it to a file.",
)
@verbosity_options
def main(debug: bool) -> None:
    """Generate anti-sexual-harassment policies for medical institutions from YAML profiles.

    A PROFILE is an institution id or the path of its file; none means every institution of the workspace.
    -q and -v may come before the command's name or after it.

    Exit codes: 0 all done, 1 some institutions failed (the others were done), 2 unusable command line or
    workspace, 70 internal error (a bug in policygen: the message names the file holding its traceback).
    """


@main.command()
@workspace_option
@profiles_argument
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings as errors and fail institutions whose documents fail the completeness check.",
)
@verbosity_options
def validate(workspace_dir: Path, profiles: tuple[str, ...], strict: bool) -> None:
    """Check profiles as `build` would, writing nothing: the schema, then each document with the profile's
    clause changes in every language; print every problem with its file and line."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        paths = workspace.resolve_profiles(profiles)
        failed = False
        for path, result in zip(paths, validate_institutions(workspace, paths, strict, default_jobs()), strict=False):
            _report(result.warnings + result.problems)
            if result.passed and _verbosity() is not Verbosity.QUIET:
                click.echo(f"ok  {result.institution_id}  ({path.name})")
            failed = failed or not result.passed
        return EXIT_FAILED if failed else EXIT_OK

    _run(action)


@main.command(name="build")
@workspace_option
@profiles_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: WORKSPACE/output]",
)
@click.option(
    "--doc",
    "doc_ids",
    type=click.Choice(DOCUMENT_IDS),
    multiple=True,
    help="Document to build (repeatable).  [default: all]",
)
@click.option(
    "--lang",
    "languages",
    metavar="LANG",
    multiple=True,
    help="Language to build (repeatable): ky, ru, en, or one the workspace adds.  [default: each institution's "
    "languages]",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(FORMATS),
    multiple=True,
    help="Output format (repeatable).  [default: docx and pdf]",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Write nothing for an institution with a warning or whose documents fail the completeness check.",
)
@click.option(
    "--model", is_flag=True, help="Build the model set for all health organisations (fill-in blanks) into OUT/model/."
)
@jobs_option
@force_option
@verbosity_options
@summary_option
def build_command(
    workspace_dir: Path,
    profiles: tuple[str, ...],
    out_dir: Path | None,
    doc_ids: tuple[str, ...],
    languages: tuple[str, ...],
    formats: tuple[str, ...],
    strict: bool,
    model: bool,
    jobs: int | None,
    force: bool,
    summary: bool,
) -> None:
    """Build documents into OUT/<institution>/<lang>/<doc>.docx|.pdf and OUT/manifest.json.

    With --model, build the model documents instead: the national base's facts and a blank for every
    institution's value, in OUT/model/<lang>/.

    Files whose inputs (profile, templates, options, policygen version) have not changed since the last build
    are skipped; --force rebuilds them.
    """

    def action() -> int:
        quiet = _verbosity() is Verbosity.QUIET
        workspace = open_workspace(workspace_dir)
        if model and profiles:
            raise WorkspaceError(
                "--model builds the model set; it takes no PROFILE", hint="run `policygen build --model` on its own"
            )
        paths = [] if model else workspace.resolve_profiles(profiles)
        request = BuildRequest(
            out_dir=_output_folder(workspace, out_dir),
            doc_ids=_ordered(doc_ids, DOCUMENT_IDS),
            languages=_languages(workspace, languages) or None,
            formats=_ordered(formats, FORMATS),
            strict=strict,
            jobs=jobs or default_jobs(),
            force=force,
        )
        with _locked(request.out_dir), BuildProgress(quiet) as progress:
            if model:
                report = BuildReport([build_model(workspace, request, progress.step_done)])
            else:
                report = build(workspace, paths, request, progress.step_done)
        for outcome in report.outcomes:
            _report(outcome.warnings)
            _report_files(outcome, request.out_dir)
        for outcome in report.failed:
            _report(outcome.diagnostics)
        if summary or not quiet:
            click.echo(summary_table(report, request.out_dir))
        return EXIT_FAILED if report.failed else EXIT_OK

    _run(action)


def _languages(workspace: Workspace, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The --lang values in the workspace's order; a language it has no strings file for is refused."""
    available = workspace.languages()
    unknown = [lang for lang in chosen if lang not in available]
    if unknown:
        raise WorkspaceError(
            f"--lang {unknown[0]}: not a language of this workspace",
            hint=f"its languages are {', '.join(available)} (those with a templates/strings/<language>.yaml)",
        )
    return tuple(lang for lang in available if lang in chosen)


def _ordered(chosen: tuple[str, ...], canonical: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen values in canonical order; all of them when none was chosen."""
    if not chosen:
        return canonical
    return tuple(value for value in canonical if value in chosen)


@main.command()
@workspace_option
@profiles_argument
@click.option("--json", "as_json_output", is_flag=True, help="Print the results as JSON (shape in the README).")
@click.option(
    "--report", is_flag=True, help="Also write the coverage report (DOCX and PDF, ky/ru/en) into OUT/coverage/."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder of the report.  [default: WORKSPACE/output]",
)
@click.option(
    "--deviations",
    is_flag=True,
    help="Instead, list per institution the clauses that depart from the model set (its customised clauses).",
)
@verbosity_options
@summary_option
def check(
    workspace_dir: Path,
    profiles: tuple[str, ...],
    as_json_output: bool,
    report: bool,
    out_dir: Path | None,
    summary: bool,
    deviations: bool,
) -> None:
    """Check that each institution's documents cover the policy elements of ILO C190/R206 and good practice.

    Coverage is computed from the documents as built, after the profile's customisation; a clause counts only
    if its text expresses the element it claims. A missing required element fails the institution.
    With --quiet only the problems are printed (and the JSON, when --json asks for it).
    """

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        if deviations:
            if as_json_output or report:
                raise click.UsageError("--deviations goes without --json and --report")
            return _print_deviations(workspace, profiles)
        out = _output_folder(workspace, out_dir) if report else out_dir
        quiet = _verbosity() is Verbosity.QUIET
        with _locked(out if report else None), BuildProgress(quiet) as progress:
            return check_and_report(workspace, out, progress)

    def check_and_report(workspace: Workspace, out: Path | None, progress: BuildProgress) -> int:
        quiet = _verbosity() is Verbosity.QUIET
        paths = workspace.resolve_profiles(profiles)
        results = check_institutions(workspace, paths, default_jobs(), out, progress.step_done)
        if as_json_output:
            click.echo(json.dumps(check_as_json(results), ensure_ascii=False, indent=2))
        shown: set[str] = set()  # a warning about a shared base is printed once (and --json holds them all)
        for result in results:
            if not (as_json_output or quiet) and result.languages:  # none when its set could not be made
                click.echo(check_as_table(result) + "\n")
            reported = [
                diagnostic
                for diagnostic in result.diagnostics or failure_diagnostics(result)
                if not (diagnostic.warning and (as_json_output or diagnostic.format() in shown))
            ]
            _report(reported)
            shown.update(diagnostic.format() for diagnostic in reported if diagnostic.warning)
        failed = [result for result in results if not result.passed]
        if summary or not (as_json_output or quiet):
            click.echo(
                f"{len(results) - len(failed)} institutions passed the check, {len(failed)} failed", err=as_json_output
            )
        if report and out is not None:
            request = BuildRequest(out_dir=out, jobs=default_jobs())
            outcome = build_coverage_reports(workspace, results, request, progress.step_done)
            _report(outcome.diagnostics)
            _report_files(outcome, request.out_dir)
            if outcome.failed:
                return EXIT_FAILED
            if summary or not quiet:
                click.echo(
                    f"coverage report: {len(outcome.files)} files in {request.out_dir / 'coverage'}", err=as_json_output
                )
        return EXIT_FAILED if failed else EXIT_OK

    _run(action)


def _print_deviations(workspace: Workspace, profiles: tuple[str, ...]) -> int:
    """`check --deviations`: each institution's clauses that depart from the model, on stdout whether quiet or not
    (they are what the option asks for); exit 1 when an institution could not be compared."""
    results = departures_from_model(workspace, workspace.resolve_profiles(profiles))
    for result in results:
        if result.diagnostics:
            _report(list(result.diagnostics))
            continue
        click.echo(f"{result.institution_id}: {len(result.departures)} clauses depart from the model")
        for departure in result.departures:
            place = f"{departure.doc_id}/{departure.clause_id}"
            click.echo(f"  {place} ({departure.number}. {departure.title}): {departure.kind}")
    return EXIT_FAILED if any(result.diagnostics for result in results) else EXIT_OK


@main.command()
@click.option("--submission", "of_submission", is_flag=True, help="The schema of submission profiles instead.")
@verbosity_options
def schema(of_submission: bool) -> None:
    """Print the JSON Schema of institution profiles (for editors and validators)."""
    chosen = submission_json_schema() if of_submission else json_schema()
    click.echo(json.dumps(chosen, ensure_ascii=False, indent=2))


@main.group()
@verbosity_options
def submission() -> None:
    """The union's submission of the model documents to the Ministry of Health (submissions/<id>.yaml)."""


@submission.command(name="build")
@workspace_option
@click.argument("submission_id", metavar="SUBMISSION")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: WORKSPACE/output]",
)
@click.option(
    "--include-examples",
    is_flag=True,
    help="Show the example institutions (example: true) in the justification note and the coverage annex, marked.",
)
@jobs_option
@force_option
@verbosity_options
@summary_option
def submission_build(
    workspace_dir: Path,
    submission_id: str,
    out_dir: Path | None,
    jobs: int | None,
    force: bool,
    include_examples: bool,
    summary: bool,
) -> None:
    """Build the package OUT/submission/<id>/: DOCX and PDF/A-2b of every document, combined PDF, zip, manifest.

    Only what changed is made again; nothing at all when the package is up to date.
    """

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        path = submission_file(workspace, submission_id)
        quiet = _verbosity() is Verbosity.QUIET
        request = BuildRequest(out_dir=_output_folder(workspace, out_dir), jobs=jobs or default_jobs(), force=force)
        with _locked(request.out_dir), BuildProgress(quiet) as progress:
            outcome = build_submission(workspace, path, request, progress.step_done, include_examples)
        _report(outcome.diagnostics)
        if outcome.failed:
            return EXIT_FAILED
        _report_files(outcome, request.out_dir)
        if summary or not quiet:
            click.echo(submission_summary(outcome, request.out_dir))
        return EXIT_OK

    _run(action)


@submission.command(name="evidence")
@workspace_option
@click.argument("submission_id", metavar="SUBMISSION")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON, for machines.")
@verbosity_options
def submission_evidence_command(workspace_dir: Path, submission_id: str, as_json: bool) -> None:
    """Print the survey's findings as the justification note gives them: per question and per group, the count,
    those who answered, the share and its 95 % interval, small cells suppressed; free-text answers never."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        submission, findings = submission_evidence(workspace, submission_file(workspace, submission_id))
        if as_json:
            click.echo(json.dumps(evidence_as_json(submission, findings), ensure_ascii=False, indent=2))
        else:
            click.echo(evidence_as_table(submission, findings))
        return EXIT_OK

    _run(action)


@submission.command(name="verify")
@click.argument("package", type=click.Path(exists=True, path_type=Path), metavar="DIR_OR_ZIP")
@verbosity_options
def submission_verify(package: Path) -> None:
    """Recompute every file's SHA-256 against the package manifest; report changed, missing and added files.

    A folder's own zip is checked too. A zip with repeated, unsafe or linked entries, and anything past the size
    bounds (README, security), is refused without being extracted.
    """

    def action() -> int:
        report = verify_package(package)
        for problem in report.problems:
            click.echo(f"{package}: {problem}", err=True)
        if report.ok:
            if _verbosity() is not Verbosity.QUIET:
                click.echo(f"{package}: every file matches its manifest")
            return EXIT_OK
        return EXIT_FAILED

    _run(action)


@main.group()
@verbosity_options
def review() -> None:
    """Legal translators' reviews of the templates' and strings files' text (templates/translation-review.yaml).

    A document made from any file whose text is not reviewed as it is now carries the DRAFT mark on every page.
    """


@review.command(name="status")
@workspace_option
@verbosity_options
def review_status_command(workspace_dir: Path) -> None:
    """List every template and strings file with its review: reviewed (by whom, when), changed since its review,
    or never reviewed."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        statuses = review_status(workspace.template_search_path())
        shown = [status.shown(workspace) for status in statuses]
        width = max((len(name) for name in shown), default=0)
        for name, status in zip(shown, statuses, strict=True):
            click.echo(f"{name:{width}}  {status.describe()}")
        reviewed = sum(status.reviewed for status in statuses)
        changed = sum(status.review is not None and not status.reviewed for status in statuses)
        click.echo(
            f"{len(statuses)} files: {reviewed} reviewed, {changed} changed since their review, "
            f"{len(statuses) - reviewed - changed} never reviewed"
        )
        return EXIT_OK

    _run(action)


@review.command(name="sign")
@workspace_option
@verbosity_options
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--by", "reviewed_by", required=True, help="Name of the legal translator who reviewed the text.")
@click.option(
    "--on",
    "reviewed_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day of the review, YYYY-MM-DD.  [default: today]",
)
def review_sign(workspace_dir: Path, files: tuple[str, ...], reviewed_by: str, reviewed_on: dt.datetime | None) -> None:
    """Record that NAME reviewed the text of each FILE as it is now (its SHA-256), in the workspace's
    templates/translation-review.yaml. A FILE is a template or strings file of the workspace's templates/ folder.

    It records a person's review: policygen never marks a text reviewed by itself.
    """

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        paths = [review_file_argument(workspace, argument) for argument in files]
        day = reviewed_on.date() if reviewed_on is not None else dt.date.today()
        for status in sign_reviews(workspace, paths, reviewed_by, day):
            click.echo(f"{status.shown(workspace)}  {status.describe()}  (sha256 {status.sha256[:12]}…)")
        return EXIT_OK

    _run(action)


@review.command(name="sheet")
@workspace_option
@verbosity_options
@click.argument("document", type=click.Choice(DOCUMENT_IDS), metavar="DOCUMENT")
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The DOCX to write.  [default: DOCUMENT-review-sheet.docx in the current folder]",
)
def review_sheet_command(workspace_dir: Path, document: str, output_file: Path | None) -> None:
    """Write a DOCX for a legal translator: one table row per clause of DOCUMENT's skeleton, with its id and its
    text in every language side by side, as the model set prints it. Sign-off stays `policygen review sign`."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        target = (output_file or Path(f"{document}-review-sheet.docx")).absolute()
        write_review_sheet(workspace, document, target)
        if _verbosity() is not Verbosity.QUIET:
            click.echo(f"review sheet of {document}: {target}", err=True)
        return EXIT_OK

    _run(action)


@main.command(name="list")
@workspace_option
@verbosity_options
def list_command(workspace_dir: Path) -> None:
    """List the workspace's institutions with their type, languages and name."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        failed = False
        for path in workspace.resolve_profiles(()):
            try:
                profile = load_profile(path, workspace).profile
            except PolicygenError as error:
                _report(error.diagnostics())
                failed = True
                continue
            name = profile.name.get("ru") or next(iter(profile.name.values()))
            click.echo(f"{profile.id:32} {profile.type.value:24} {','.join(profile.languages):9} {name}")
        return EXIT_FAILED if failed else EXIT_OK

    _run(action)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@verbosity_options
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY with commented example profiles and the profile schema."""

    def action() -> int:
        target = Workspace(directory.resolve())
        if target.institutions_dir.exists():
            raise WorkspaceError(
                f"{target.institutions_dir} already exists; not overwriting it", hint="choose an empty or new folder"
            )
        examples = packaged_examples()
        shutil.copytree(examples, target.institutions_dir)
        schema_path = target.root / SCHEMA_FILE
        schema_path.parent.mkdir(parents=True, exist_ok=True)
        schema_path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (target.root / ".gitignore").write_text("output/\n.policygen/\n", encoding="utf-8")
        if _verbosity() is Verbosity.QUIET:
            return EXIT_OK
        click.echo(f"created workspace {target.root}")
        for path in sorted(target.institutions_dir.glob("*.yaml")):
            click.echo(f"  institutions/{path.name}")
        click.echo(f"  {SCHEMA_FILE.as_posix()}")
        click.echo("next: edit a profile, then run `policygen validate` and `policygen build` in that folder")
        return EXIT_OK

    _run(action)


@main.command()
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free one).",
)
@verbosity_options
def serve(workspace_dir: Path, host: str, port: int) -> None:
    """Serve the institution form in a browser: fill in, validate, preview, save and download.

    With no user defined (`policygen users add`), only this computer may connect (--host must be loopback).
    With --verbose, each request is logged on stderr."""

    def action() -> int:
        # imported here, so that the other commands never load the web framework
        import uvicorn

        from policygen import create_web_app, is_loopback, web_users_defined

        workspace = open_workspace(workspace_dir)
        if not is_loopback(host) and not web_users_defined(workspace):
            raise WorkspaceError(
                f"refusing to listen on {host}: no user is defined, so anyone who reaches it could edit profiles",
                hint="add users first (policygen users add NAME --role lawyer), or serve on 127.0.0.1",
            )
        listening = _listening_socket(host, port)
        debug = click.get_current_context().find_root().params["debug"]
        app = create_web_app(workspace, on_internal_error=lambda error: report_internal_error(error, debug))
        verbose = _verbosity() is Verbosity.VERBOSE
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="info" if verbose else "warning", access_log=verbose, server_header=False)
        )
        if _verbosity() is not Verbosity.QUIET:
            shown = f"[{host}]" if ":" in host else host
            address = f"http://{shown}:{listening.getsockname()[1]}/"
            click.echo(f"policygen: serving {workspace.root} at {address} (Ctrl+C stops)")
        with listening:
            server.run(sockets=[listening])
        if not server.started:
            raise WorkspaceError("the server stopped before it started", hint="see the messages above")
        return EXIT_OK

    _run(action)


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port for the server; an address this computer cannot listen on is refused here,
    as a command-line error, rather than by the server after it has started."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, protocol)
    except OSError as error:
        raise WorkspaceError(
            f"cannot listen on {host}: {error.strerror or error}", hint="give --host an address of this computer"
        ) from None
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError as error:
        listening.close()
        raise WorkspaceError(
            f"cannot listen on {host} port {port}: {error.strerror or error}",
            hint="choose another --port (or --port 0 for any free one), or stop the program using it",
        ) from None
    return listening


@main.group()
@verbosity_options
def users() -> None:
    """People who may sign in to `policygen serve`."""


@users.command(name="add")
@workspace_option
@click.argument("name")
@click.option("--institution", "institutions", multiple=True, metavar="ID", help="An institution the user edits.")
@click.option("--role", type=click.Choice(["lawyer"]), help="A lawyer sees and edits every institution.")
@verbosity_options
def users_add(workspace_dir: Path, name: str, institutions: tuple[str, ...], role: str | None) -> None:
    """Add user NAME (or change their password and rights), the password read from standard input."""

    def action() -> int:
        from policygen import add_web_user

        workspace = open_workspace(workspace_dir)
        if sys.stdin.isatty():
            password = click.prompt("password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        given = add_web_user(workspace, name, password, institutions, lawyer=role == "lawyer")
        if _verbosity() is not Verbosity.QUIET:
            scope = "every institution" if role == "lawyer" else ", ".join(institutions)
            click.echo(f"user {name}: {given} ({scope})")
        return EXIT_OK

    _run(action)


@main.command(name="redline")
@click.argument("sources", nargs=-1, required=True, metavar="OLD.docx NEW.docx | PROFILE")
@workspace_option
@click.option("--doc", "doc_id", type=click.Choice(DOCUMENT_IDS), help="With PROFILE: the document to compare.")
@click.option("--lang", help="With PROFILE: the language of the document.")
@click.option(
    "--against",
    type=click.Choice(["model"]),
    help="With PROFILE: compare the model's text (with the institution's values) with its document.",
)
@click.option("--from", "edition", help="With PROFILE: compare this edition (kept by build) with the current file.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --from: the output folder the document was built in.  [default: WORKSPACE/output]",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The redline: OUT.docx (Word tracked changes) or OUT.pdf (changes marked, a table of clauses first).",
)
@click.option("--author", default=REDLINE_AUTHOR, show_default=True, help="The author Word shows for every change.")
@click.option(
    "--date",
    "changed_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date of every change.  [default: SOURCE_DATE_EPOCH, else NEW's date]",
)
@verbosity_options
def redline_command(
    sources: tuple[str, ...],
    workspace_dir: Path,
    doc_id: str | None,
    lang: str | None,
    against: str | None,
    edition: str | None,
    out_dir: Path | None,
    output: Path,
    author: str,
    changed_on: dt.datetime | None,
) -> None:
    """Compare two versions of a document clause by clause (through their clause bookmarks) and word by word.

    OLD.docx NEW.docx: two files.  PROFILE --doc DOC --lang LANG --against model: what the institution's document
    changes relative to the model set beyond its own values (its customised clauses).  PROFILE --doc DOC --lang
    LANG --from EDITION: an edition that a build kept (OUT/<id>/<lang>/editions/) against the current file.

    OUT.docx holds Word tracked changes: "Accept all" gives the new text, "Reject all" the old. OUT.pdf shows
    insertions underlined and deletions struck through, after a table of the clauses changed.
    """

    def action() -> int:
        if len(sources) == 2:
            if doc_id or lang or against or edition or out_dir:
                raise click.UsageError("--doc, --lang, --against, --from and --out go with a PROFILE, not two files")
            for source in sources:
                if not Path(source).is_file():
                    raise WorkspaceError(f"{source}: no such file", hint="name two DOCX files, old then new")
            report = write_redline(Path(sources[0]), Path(sources[1]), output, author, changed_on)
        elif len(sources) == 1:
            if not (doc_id and lang and bool(against) != bool(edition)):
                raise click.UsageError(
                    "with a PROFILE, give --doc DOC, --lang LANG and --against model, or --from EDITION"
                )
            workspace = open_workspace(workspace_dir)
            if edition:
                out = _output_folder(workspace, out_dir)
                report = redline_from_edition(
                    workspace, out, sources[0], doc_id, lang, edition, output, author, changed_on
                )
            else:
                report = redline_against_model(workspace, sources[0], doc_id, lang, output, author, changed_on)
        else:
            raise click.UsageError(
                "give two DOCX files (old, new), or one PROFILE with --doc, --lang and --against or --from"
            )
        if _verbosity() is not Verbosity.QUIET:
            click.echo(f"wrote {report.output}: {len(report.changes)} clauses changed")
            for change in report.changes:
                click.echo(f"  {change.number}. {change.title}: {change.kind}")
        return EXIT_OK

    _run(action)


@main.command(name="import-edits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.docx")
@click.option(
    "--profile", "profile", required=True, help="The institution (id or profile file) the file was built for."
)
@workspace_option
@click.option(
    "--pending",
    type=click.Choice(PENDING_CHOICES),
    default="accept",
    show_default=True,
    help="Take the text with every tracked change still in the file accepted, or rejected.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@verbosity_options
def import_edits_command(file: Path, profile: str, workspace_dir: Path, pending: str, dry_run: bool) -> None:
    """Bring a lawyer's Word edits to clauses back into the institution's profile.

    Each clause is found through its bookmark; each clause whose text changed is written into the profile's
    clause customisation (clauses.replace) for the file's language, keeping the file's comments. An edit to a
    profile value (a deadline, a name, a phone) is refused with the key to change instead, and so is an edit that
    removes what a required element needs. Exit 1 when an edit was refused (the others are imported).
    """

    def action() -> int:
        report = import_edits(open_workspace(workspace_dir), file, profile, pending, dry_run)
        quiet = _verbosity() is Verbosity.QUIET
        for edit in report.edits:
            place = f"{edit.doc_id}/{edit.clause_id} ({edit.number}. {edit.title})"
            if edit.imported:
                if not quiet:
                    click.echo(f"{place}: {'would be imported' if dry_run else 'imported'}")
            else:
                _report([Diagnostic(str(file), f"{place}: not imported: {edit.message}", hint=edit.hint)])
            if edit.lost:
                click.echo(f"{file}: {place}: warning: formatting not kept: {', '.join(edit.lost)}", err=True)
        for note in report.notes:
            click.echo(f"{file}: note: {note}", err=True)
        imported = len(report.edits) - len(report.refused)
        if not quiet:
            if report.written:
                click.echo(f"wrote {report.profile_path}: {imported} clauses of {report.doc_id} ({report.lang})")
            elif dry_run and imported:
                click.echo(f"would write {report.profile_path}: {imported} clauses (--dry-run: nothing written)")
            elif not report.edits:
                click.echo(f"{file}: no clause changed; nothing to import")
        return EXIT_FAILED if report.refused else EXIT_OK

    _run(action)


if __name__ == "__main__":
    main()
