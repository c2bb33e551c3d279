"""The policygen command line: a thin layer over the library API, with exit codes mapped in one place."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Callable

import click

from policygen import __version__
from policygen._build import BuildReport, BuildRequest, build, build_model
from policygen._documents import DOCUMENT_IDS
from policygen._profiles import load_profile
from policygen._workspace import Workspace, open_workspace, packaged_examples
from policygen.errors import EXIT_FAILED, EXIT_OK, Diagnostic, PolicygenError, WorkspaceError
from policygen.schema import LANGUAGES, json_schema
from policygen.writers import FORMATS

SCHEMA_FILE = Path("schema") / "profile.schema.json"


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _run(action: Callable[[], int]) -> None:
    """Run a command body; errors become messages on stderr and the exit code design.md defines."""
    try:
        code = action()
    except PolicygenError as error:
        _report(error.diagnostics())
        code = error.exit_code
    sys.exit(code)


workspace_option = click.option(
    "--workspace", "-w", "workspace_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default="the current directory", help="The workspace: a folder with institutions/ (and templates/).")
profiles_argument = click.argument("profiles", nargs=-1, metavar="[PROFILE]...")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policygen")
def main() -> None:
    """Generate anti-sexual-harassment policies for medical institutions from YAML profiles.

    A PROFILE is an institution id or the path of its file; none means every institution of the workspace.
    Exit codes: 0 all done, 1 some institutions failed (the others were done), 2 unusable command line or workspace.
    """


@main.command()
@workspace_option
@profiles_argument
def validate(workspace_dir: Path, profiles: tuple[str, ...]) -> None:
    """Check profiles against the schema; print every problem with its file and line."""

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        failed = False
        for path in workspace.resolve_profiles(profiles):
            try:
                loaded = load_profile(path, workspace)
            except PolicygenError as error:
                _report(error.diagnostics())
                failed = True
                continue
            click.echo(f"ok  {loaded.profile.id}  ({path.name})")
        return EXIT_FAILED if failed else EXIT_OK

    _run(action)


@main.command(name="build")
@workspace_option
@profiles_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder.  [default: WORKSPACE/output]")
@click.option("--doc", "doc_ids", type=click.Choice(DOCUMENT_IDS), multiple=True,
              help="Document to build (repeatable).  [default: all]")
@click.option("--lang", "languages", type=click.Choice(LANGUAGES), multiple=True,
              help="Language to build (repeatable).  [default: each institution's languages]")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Output format (repeatable).  [default: docx and pdf]")
@click.option("--model", is_flag=True,
              help="Build the model set for all health organisations (fill-in blanks) into OUT/model/.")
def build_command(workspace_dir: Path, profiles: tuple[str, ...], out_dir: Path | None,
                  doc_ids: tuple[str, ...], languages: tuple[str, ...], formats: tuple[str, ...], model: bool) -> None:
    """Build documents into OUT/<institution>/<lang>/<doc>.docx|.pdf and OUT/manifest.json.

    With --model, build the model documents instead: the national base's facts and a blank for every
    institution's value, in OUT/model/<lang>/.
    """

    def action() -> int:
        workspace = open_workspace(workspace_dir)
        if model and profiles:
            raise WorkspaceError("--model builds the model set; it takes no PROFILE",
                                 hint="run `policygen build --model` on its own")
        paths = [] if model else workspace.resolve_profiles(profiles)
        request = BuildRequest(
            out_dir=(out_dir or workspace.default_output_dir).resolve(),
            doc_ids=_ordered(doc_ids, DOCUMENT_IDS),
            languages=tuple(lang for lang in LANGUAGES if lang in languages) or None,
            formats=_ordered(formats, FORMATS),
        )
        report = BuildReport([build_model(workspace, request)]) if model else build(workspace, paths, request)
        for outcome in report.outcomes:
            if outcome.failed:
                _report(outcome.diagnostics)
                click.echo(f"FAILED  {outcome.institution_id or outcome.profile_path.name}", err=True)
            else:
                click.echo(f"built   {outcome.institution_id}: {len(outcome.files)} files")
        built = len(report.outcomes) - len(report.failed)
        click.echo(f"{built} built, {len(report.failed)} failed; output in {request.out_dir}")
        return EXIT_FAILED if report.failed else EXIT_OK

    _run(action)


def _ordered(chosen: tuple[str, ...], canonical: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen values in canonical order; all of them when none was chosen."""
    if not chosen:
        return canonical
    return tuple(value for value in canonical if value in chosen)


@main.command()
def schema() -> None:
    """Print the JSON Schema of institution profiles (for editors and validators)."""
    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@main.command(name="list")
@workspace_option
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
def init(directory: Path) -> None:
    """Create a new workspace in DIRECTORY with commented example profiles and the profile schema."""

    def action() -> int:
        target = Workspace(directory.resolve())
        if target.institutions_dir.exists():
            raise WorkspaceError(f"{target.institutions_dir} already exists; not overwriting it",
                                 hint="choose an empty or new folder")
        examples = packaged_examples()
        shutil.copytree(examples, target.institutions_dir)
        schema_path = target.root / SCHEMA_FILE
        schema_path.parent.mkdir(parents=True, exist_ok=True)
        schema_path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (target.root / ".gitignore").write_text("output/\n", encoding="utf-8")
        click.echo(f"created workspace {target.root}")
        for path in sorted(target.institutions_dir.glob("*.yaml")):
            click.echo(f"  institutions/{path.name}")
        click.echo(f"  {SCHEMA_FILE.as_posix()}")
        click.echo("next: edit a profile, then run `policygen validate` and `policygen build` in that folder")
        return EXIT_OK

    _run(action)


if __name__ == "__main__":
    main()
