"""The batch engine: units of institution x language, run on a process pool, skipping what is up to date."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from policygen.builders.workers import worker_pool, worker_result
from policygen.check.coverage import InstitutionCheck, check_documents, failure_diagnostics
from policygen.errors import Diagnostic, PolicygenError, ProfileError, clipped
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.review import review_files
from policygen.inputs.schema import Lang
from policygen.inputs.workspace import Workspace, open_workspace, packaged_templates
from policygen.limits import bounded_writing, memory_exceeded
from policygen.model import Document
from policygen.output.atomic import existing_output
from policygen.output.manifest import ManifestEntry
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import DOCUMENT_IDS, build_documents, document_templates
from policygen.writers import Writer, get_writer

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class Unit:
    """The documents of one institution in one language: rendered together, since they refer to each other."""

    profile_path: Path
    institution: str
    lang: Lang
    key: str  # SHA-256 of everything its files are made from


@dataclass
class UnitResult:
    """What a unit produced: each file's entry with its new bytes, or None when the file is unchanged."""

    unit: Unit
    files: list[tuple[ManifestEntry, bytes | None]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class UnitOptions:
    """What every unit of a build shares: the workspace, what to write, and where."""

    workspace_root: Path
    out_dir: Path
    doc_ids: tuple[str, ...]
    formats: tuple[str, ...]
    strict: bool
    version: str


def unit_key(loaded: LoadedProfile, lang: str, renderer: TemplateRenderer, options: UnitOptions) -> str:
    """The hash of a unit's inputs: the merged profile, every file of the set's templates in `lang` (with their
    skeletons and the language's strings file) and the review records, the print assets, the package version and
    the options."""
    parts = [
        options.version,
        loaded.digest,
        lang,
        ",".join(options.doc_ids),
        ",".join(options.formats),
        str(options.strict),
    ]
    templates = sorted(
        {
            path
            for doc_id in DOCUMENT_IDS
            for name in document_templates(doc_id, lang, loaded.profile.languages)
            for path in renderer.dependencies(name)
        }
    )
    reviews = sorted(review_files(renderer.search_path))
    assets = sorted(path for path in ASSETS.rglob("*") if path.is_file())
    parts += [f"{path}:{file_digest(path)}" for path in (*templates, *reviews, *assets)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def run_units(
    units: list[Unit],
    options: UnitOptions,
    previous: dict[str, ManifestEntry],
    jobs: int,
    on_done: Callable[[UnitResult], None],
) -> None:
    """Run units on up to `jobs` memory-bounded worker processes (one at least, even for one unit), handing each
    result over as it finishes."""
    if not units:
        return
    from concurrent.futures import as_completed

    with worker_pool(min(jobs, len(units)), _start_worker, (options,)) as pool:
        futures = {pool.submit(run_unit, unit, _previous_of(unit, previous)): unit for unit in units}
        for future in as_completed(futures):
            try:
                result = worker_result(future)
            except PolicygenError as error:  # its worker process died
                unit = futures[future]
                result = UnitResult(
                    unit,
                    diagnostics=[Diagnostic(str(unit.profile_path), f"{unit.lang}: {error.message}", hint=error.hint)],
                )
            on_done(result)


def _previous_of(unit: Unit, previous: dict[str, ManifestEntry]) -> dict[str, ManifestEntry]:
    prefix = f"{unit.institution}/{unit.lang}/"
    return {path: entry for path, entry in previous.items() if path.startswith(prefix)}


_worker: dict[str, object] = {}


def _start_worker(options: UnitOptions) -> None:
    """Set up once per worker process what every unit uses: the workspace, the templates and the writers."""
    workspace = open_workspace(options.workspace_root)
    _worker.update(
        options=options,
        workspace=workspace,
        renderer=TemplateRenderer(workspace.template_search_path()),
        writers={name: get_writer(name) for name in options.formats},
    )


def run_unit(unit: Unit, previous: dict[str, ManifestEntry]) -> UnitResult:
    """Render a unit's documents; write nothing, so that its institution's files change all together or not."""
    result = UnitResult(unit)
    try:
        result.files = _unit_files(unit, previous)
    except PolicygenError as error:
        result.diagnostics = error.diagnostics()
    except MemoryError:
        result.diagnostics = [
            Diagnostic(
                str(unit.profile_path),
                f"{unit.lang}: {memory_exceeded()}",
                hint="a template or clause must not build text without bound",
            )
        ]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # also weasyprint's BaseException-derived errors: they fail this unit only
        result.diagnostics = [
            Diagnostic(
                str(unit.profile_path),
                f"{unit.lang}: internal error: " + clipped(f"{type(error).__name__}: {error}"),
                hint="this is a bug in policygen; please report it with the profile",
            )
        ]
    return result


def _unit_files(unit: Unit, previous: dict[str, ManifestEntry]) -> list[tuple[ManifestEntry, bytes | None]]:
    options: UnitOptions = _worker["options"]  # type: ignore[assignment]
    workspace: Workspace = _worker["workspace"]  # type: ignore[assignment]
    renderer: TemplateRenderer = _worker["renderer"]  # type: ignore[assignment]
    writers: dict[str, Writer] = _worker["writers"]  # type: ignore[assignment]
    loaded = load_profile(unit.profile_path, workspace)
    documents = build_documents(renderer, loaded, unit.lang)
    if options.strict:
        check = check_documents(documents, unit.lang, loaded.profile.is_education)
        if not check.passed:
            raise ProfileError(failure_diagnostics(InstitutionCheck(loaded.path, loaded.profile.id, languages=[check])))
    out_dir = options.out_dir.resolve()
    files: list[tuple[ManifestEntry, bytes | None]] = []
    for doc_id in options.doc_ids:
        document = documents[doc_id]
        document_digest = hashlib.sha256(repr(document).encode()).hexdigest()
        sources = dict.fromkeys(
            path
            for name in document_templates(doc_id, unit.lang, loaded.profile.languages)
            for path in renderer.dependencies(name)
        )
        templates = [input_record(workspace, path) for path in sources]
        for format_name, writer in writers.items():
            path = output_path(unit.institution, unit.lang, doc_id, writer.suffix)
            inputs = {
                "profile": [input_record(workspace, source) for source in loaded.sources],
                "profile_sha256": loaded.digest,
                "templates": templates,
            }
            earlier = previous.get(path)
            if (
                earlier is not None
                and earlier.document_sha256 == document_digest
                and _same_file(out_dir, path, earlier)
            ):
                files.append((replace(earlier, unit_sha256=unit.key, inputs=inputs), None))
                continue
            data = rendered_bytes(writer, document, path)
            files.append(
                (
                    ManifestEntry(
                        path,
                        hashlib.sha256(data).hexdigest(),
                        len(data),
                        unit.institution,
                        doc_id,
                        unit.lang,
                        format_name,
                        inputs,
                        unit.key,
                        document_digest,
                    ),
                    data,
                )
            )
    return files


def output_path(owner: str, lang: str, doc_id: str, suffix: str) -> str:
    """Where a document's file goes within the output folder: <owner>/<lang>/<doc-id><suffix> (the writer
    refuses a path that would leave the folder)."""
    return f"{owner}/{lang}/{doc_id}{suffix}"


def rendered_bytes(writer: Writer, document: Document, name: str) -> bytes:
    """The bytes of a document in a writer's format (a text format is encoded as UTF-8), written within the
    time bound of one document; `name` (its output path) names it in errors."""
    with bounded_writing(name):
        rendered = writer.render(document)
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered


def _same_file(out_dir: Path, path: str, entry: ManifestEntry) -> bool:
    target = existing_output(out_dir, path)
    try:
        return target is not None and hashlib.sha256(target.read_bytes()).hexdigest() == entry.sha256
    except OSError:
        return False


_digests: dict[tuple[Path, int, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read once per process while it is unchanged (a library user may edit a template, or
    sign its review, between two builds of one process)."""
    path = path.resolve()
    info = path.stat()
    key = (path, info.st_ino, info.st_size, info.st_mtime_ns)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[key]


def input_record(workspace: Workspace, path: Path) -> dict[str, str]:
    """An input file as the manifest names it: relative to the workspace, or within the packaged templates."""
    path = path.resolve()
    packaged = packaged_templates().resolve()
    if path.is_relative_to(workspace.root):
        shown = path.relative_to(workspace.root).as_posix()
    elif path.is_relative_to(packaged):
        shown = "<packaged>/" + path.relative_to(packaged).as_posix()
    else:
        shown = path.as_posix()
    return {"path": shown, "sha256": file_digest(path)}


def default_jobs() -> int:
    """One process per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
