"""Builds institutions' documents: every file of an institution rendered in memory, then written atomically."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from policygen._atomic import write_atomically
from policygen._check import InstitutionCheck, check_documents, failure_diagnostics
from policygen._coverage_report import REPORT_ID, REPORT_OWNER, build_coverage_report
from policygen._documents import DOCUMENT_IDS, build_documents, template_name
from policygen._manifest import ManifestEntry, update_manifest
from policygen._model_set import MODEL_OWNER, build_model_documents, model_base_file
from policygen._profiles import LoadedProfile, load_profile
from policygen._render import TemplateRenderer
from policygen._workspace import Workspace, packaged_templates
from policygen.errors import Diagnostic, OutputError, PolicygenError, ProfileError
from policygen.model import Document
from policygen.schema import LANGUAGES
from policygen.writers import FORMATS, Writer, get_writer


@dataclass(frozen=True)
class BuildRequest:
    """What to build: documents, languages (None: each institution's own) and formats, and where."""

    out_dir: Path
    doc_ids: tuple[str, ...] = DOCUMENT_IDS
    languages: tuple[str, ...] | None = None
    formats: tuple[str, ...] = FORMATS
    strict: bool = False  # refuse to write an institution's documents when they fail the completeness check


@dataclass
class InstitutionOutcome:
    """What happened to one profile: the files written, or the problems that stopped it."""

    profile_path: Path
    institution_id: str | None = None
    files: list[ManifestEntry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.diagnostics)


@dataclass
class BuildReport:
    """The outcome of every profile of a build."""

    outcomes: list[InstitutionOutcome]

    @property
    def failed(self) -> list[InstitutionOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]


def build(workspace: Workspace, profile_paths: list[Path], request: BuildRequest) -> BuildReport:
    """Build the requested documents of each profile; a failing profile leaves its outputs as they were."""
    renderer = TemplateRenderer(workspace.template_search_path())
    writers = {name: get_writer(name) for name in request.formats}
    outcomes = []
    for path in profile_paths:
        outcome = InstitutionOutcome(path)
        try:
            loaded = load_profile(path, workspace)
            outcome.institution_id = loaded.profile.id
            outcome.files = _build_institution(workspace, loaded, renderer, writers, request)
        except PolicygenError as error:
            outcome.diagnostics = error.diagnostics()
        except Exception as error:  # one institution's unexpected failure must not stop the others
            outcome.diagnostics = [Diagnostic(str(path), f"internal error: {type(error).__name__}: {error}",
                                              hint="this is a bug in policygen; please report it with the profile")]
        outcomes.append(outcome)
    written = [entry for outcome in outcomes for entry in outcome.files]
    if written:
        update_manifest(request.out_dir, written)
    return BuildReport(outcomes)


def build_model(workspace: Workspace, request: BuildRequest) -> InstitutionOutcome:
    """Build the model set for every health organisation into OUT/model/<lang>/."""
    renderer = TemplateRenderer(workspace.template_search_path())
    writers = {name: get_writer(name) for name in request.formats}
    outcome = InstitutionOutcome(workspace.institutions_dir, MODEL_OWNER)
    base = model_base_file(workspace)
    profile_inputs = [_input(workspace, base)] if base is not None else []
    try:
        pending = []
        for lang in request.languages or LANGUAGES:
            documents = build_model_documents(renderer, workspace, lang)
            for doc_id in request.doc_ids:
                inputs = {"profile": profile_inputs, "templates": [
                    _input(workspace, path) for path in renderer.dependencies(template_name(doc_id, lang))]}
                pending += _rendered(documents[doc_id], writers, request.out_dir, MODEL_OWNER, inputs)
        outcome.files = _write_all(pending)
    except PolicygenError as error:
        outcome.diagnostics = error.diagnostics()
    if outcome.files:
        update_manifest(request.out_dir, outcome.files)
    return outcome


def build_coverage_reports(workspace: Workspace, results: list[InstitutionCheck], request: BuildRequest) -> InstitutionOutcome:
    """Write the coverage report of checked institutions into OUT/coverage/<lang>/ in every language."""
    renderer = TemplateRenderer(workspace.template_search_path())
    writers = {name: get_writer(name) for name in request.formats}
    outcome = InstitutionOutcome(workspace.institutions_dir, REPORT_OWNER)
    profile_inputs = sorted({source for result in results for source in result.sources})
    try:
        pending = []
        for lang in request.languages or LANGUAGES:
            report = build_coverage_report(renderer, results, lang)
            inputs = {"profile": [_input(workspace, path) for path in profile_inputs], "templates": [
                _input(workspace, path) for path in renderer.dependencies(template_name(REPORT_ID, lang))]}
            pending += _rendered(report, writers, request.out_dir, REPORT_OWNER, inputs)
        outcome.files = _write_all(pending)
    except PolicygenError as error:
        outcome.diagnostics = error.diagnostics()
    if outcome.files:
        update_manifest(request.out_dir, outcome.files)
    return outcome


def _languages(loaded: LoadedProfile, request: BuildRequest) -> tuple[str, ...]:
    own = tuple(loaded.profile.languages)
    if request.languages is None:
        return own
    missing = [lang for lang in request.languages if lang not in own]
    if missing:
        raise PolicygenError(f"{loaded.profile.id} is not written in {', '.join(missing)} "
                             f"(its languages: {', '.join(own)})",
                             hint="add the language and its texts to the profile, or leave --lang out")
    return tuple(lang for lang in LANGUAGES if lang in request.languages)


def _build_institution(workspace: Workspace, loaded: LoadedProfile, renderer: TemplateRenderer,
                       writers: dict[str, Writer], request: BuildRequest) -> list[ManifestEntry]:
    profile_inputs = [_input(workspace, source) for source in loaded.sources]
    pending: list[tuple[Path, bytes, ManifestEntry]] = []
    for lang in _languages(loaded, request):
        documents = build_documents(renderer, loaded, lang)
        if request.strict:
            _refuse_incomplete(loaded, documents, lang)
        for doc_id in request.doc_ids:
            inputs = {
                "profile": profile_inputs,
                "profile_sha256": loaded.digest,
                "templates": [_input(workspace, path) for path in renderer.dependencies(template_name(doc_id, lang))],
            }
            pending += _rendered(documents[doc_id], writers, request.out_dir, loaded.profile.id, inputs)
    return _write_all(pending)


def _refuse_incomplete(loaded: LoadedProfile, documents: dict[str, Document], lang: str) -> None:
    check = check_documents(documents, lang, loaded.profile.is_education)
    if not check.passed:
        problems = failure_diagnostics(InstitutionCheck(loaded.path, loaded.profile.id, languages=[check]))
        raise ProfileError(problems)


def _rendered(document: Document, writers: dict[str, Writer], out_dir: Path, owner: str,
              inputs: dict) -> list[tuple[Path, bytes, ManifestEntry]]:
    """The bytes of `document` in every requested format, with the manifest entry of each file."""
    out_dir = out_dir.resolve()
    results = []
    for format_name, writer in writers.items():
        rendered = writer.render(document)
        data = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
        target = out_dir / owner / document.meta.language / f"{document.meta.doc_id}{writer.suffix}"
        if not target.resolve().is_relative_to(out_dir):
            raise OutputError(str(target), "output path leaves the output folder", hint="institution ids must be slugs")
        entry = ManifestEntry(
            path=target.relative_to(out_dir).as_posix(),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            institution=owner,
            document=document.meta.doc_id,
            language=document.meta.language,
            format=format_name,
            inputs=inputs,
        )
        results.append((target, data, entry))
    return results


def _write_all(pending: list[tuple[Path, bytes, ManifestEntry]]) -> list[ManifestEntry]:
    for target, data, _ in pending:
        write_atomically(target, data)
    return [entry for _, _, entry in pending]


def _input(workspace: Workspace, path: Path) -> dict[str, str]:
    """An input file as the manifest names it: relative to the workspace, or within the packaged templates."""
    path = path.resolve()
    packaged = packaged_templates().resolve()
    if path.is_relative_to(workspace.root):
        shown = path.relative_to(workspace.root).as_posix()
    elif path.is_relative_to(packaged):
        shown = "<packaged>/" + path.relative_to(packaged).as_posix()
    else:
        shown = path.as_posix()
    return {"path": shown, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
