"""What units do in a worker process: make their document models (or take them from the cache), then the bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from policygen.builders.builder import FileResult, Unit, UnitOutput, intact
from policygen.builders.keys import document_digest, input_record
from policygen.builders.model_cache import cache_path, cached_documents, encoded_documents
from policygen.check.coverage import InstitutionCheck, check_documents, failure_diagnostics
from policygen.errors import ProfileError
from policygen.inputs.profiles import load_profile
from policygen.inputs.workspace import Workspace, open_workspace
from policygen.limits import bounded_writing
from policygen.model import Document
from policygen.output.manifest import ManifestEntry
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.coverage_report import build_coverage_report
from policygen.sets.institution import build_documents, document_templates
from policygen.sets.model_set import MODEL_OWNER, build_model_documents, model_base_file
from policygen.writers import Writer, get_writer


@dataclass
class WorkerContext:
    """What every unit of a worker process uses, made once per process."""

    workspace: Workspace
    renderer: TemplateRenderer
    out_dir: Path
    environment: str
    writers: dict[str, tuple[Writer, str]]  # format -> (writer, its key: format and PDF variant)


_context: list[WorkerContext] = []


def start_worker(
    workspace_root: Path, out_dir: Path, environment: str, formats: tuple[str, ...], pdf_variant: str | None = None
) -> None:
    """Set up a worker process: the workspace, its templates and a writer per format (the PDF one in
    `pdf_variant`, e.g. "pdf/a-2b")."""
    workspace = open_workspace(workspace_root)
    writers = {}
    for name in formats:
        writer = _pdf_writer(pdf_variant) if name == "pdf" and pdf_variant else get_writer(name)
        writers[name] = (writer, f"{name}:{pdf_variant or ''}" if name == "pdf" else name)
    _context[:] = [
        WorkerContext(workspace, TemplateRenderer(workspace.template_search_path()), out_dir, environment, writers)
    ]


def context() -> WorkerContext:
    return _context[0]


def _pdf_writer(pdf_variant: str) -> Writer:
    from policygen.writers.pdf import PdfWriter  # here: only writing PDF needs weasyprint

    return PdfWriter(pdf_variant=pdf_variant)


def institution_job(
    lang: str,
    models_key: str,
    doc_ids: tuple[str, ...],
    strict: bool,
    unit: Unit,
    previous: dict[str, ManifestEntry],
) -> UnitOutput:
    """An institution's documents in one language: its whole set is made (its documents refer to each other) or
    taken from the cache, checked under `strict`, and the requested documents written in every format."""
    ctx = context()
    loaded = load_profile(unit.source, ctx.workspace)
    documents = cached_documents(ctx.out_dir, unit.owner, lang, models_key)
    kept = []
    if documents is None:
        documents = build_documents(ctx.renderer, loaded, lang)
        kept = _kept(unit.owner, lang, models_key, documents)
    if strict:
        check = check_documents(documents, lang, loaded.profile.is_education)
        if not check.passed:
            raise ProfileError(failure_diagnostics(InstitutionCheck(loaded.path, loaded.profile.id, languages=[check])))
    profile = {
        "profile": [input_record(ctx.workspace, source) for source in loaded.sources],
        "profile_sha256": loaded.digest,
    }
    files = []
    for doc_id in doc_ids:
        inputs = {**profile, "templates": _template_records(ctx, doc_id, lang, loaded.profile.languages)}
        files += document_files(unit, previous, documents[doc_id], f"{unit.owner}/{lang}/{doc_id}", inputs)
    return UnitOutput(files, kept)


def model_set_job(lang: str, models_key: str, doc_ids: tuple[str, ...], unit: Unit, previous: dict) -> UnitOutput:
    """The model set in one language, made or taken from the cache, the requested documents in every format."""
    ctx = context()
    documents = cached_documents(ctx.out_dir, MODEL_OWNER, lang, models_key)
    kept = []
    if documents is None:
        documents = build_model_documents(ctx.renderer, ctx.workspace, lang)
        kept = _kept(MODEL_OWNER, lang, models_key, documents)
    base = model_base_file(ctx.workspace)
    profile = [input_record(ctx.workspace, base)] if base is not None else []
    files = []
    for doc_id in doc_ids:
        inputs = {"profile": profile, "templates": _template_records(ctx, doc_id, lang, ctx.workspace.languages())}
        files += document_files(unit, previous, documents[doc_id], f"{unit.owner}/{lang}/{doc_id}", inputs)
    return UnitOutput(files, kept)


def coverage_report_job(
    results: list[InstitutionCheck], lang: str, profiles: list[Path], unit: Unit, previous: dict
) -> UnitOutput:
    """The coverage report of checked institutions in one language, in every format."""
    ctx = context()
    document = build_coverage_report(ctx.renderer, results, lang)
    inputs = {
        "profile": [input_record(ctx.workspace, path) for path in profiles],
        "templates": _template_records(ctx, document.meta.doc_id, lang),
    }
    return UnitOutput(document_files(unit, previous, document, f"{unit.owner}/{lang}/{document.meta.doc_id}", inputs))


def document_job(document: Document, stem: str, inputs: dict[str, Any], unit: Unit, previous: dict) -> UnitOutput:
    """One document already made (a submission's), in every format."""
    return UnitOutput(document_files(unit, previous, document, stem, inputs))


def document_files(
    unit: Unit, previous: dict[str, ManifestEntry], document: Document, stem: str, inputs: dict[str, Any]
) -> list[FileResult]:
    """A document's file in every format of the worker, each at `stem` + its suffix. A file whose document model,
    writer and environment are those of the file on disk is not written again (its bytes would be the same)."""
    ctx = context()
    files: list[FileResult] = []
    for format_name, (writer, writer_key) in ctx.writers.items():
        path = f"{stem}{writer.suffix}"
        file_key = document_digest(document, writer_key, ctx.environment)
        earlier = previous.get(path)
        if earlier is not None and earlier.document_sha256 == file_key and intact(ctx.out_dir, earlier):
            edition = earlier.edition or unit.edition  # the file is the one built under its own order or day
            files.append((replace(earlier, unit_sha256=unit.key, inputs=inputs, edition=edition), None))
            continue
        data = rendered_bytes(writer, document, path)
        entry = ManifestEntry(
            path,
            hashlib.sha256(data).hexdigest(),
            len(data),
            unit.owner,
            document.meta.doc_id,
            document.meta.language,
            format_name,
            inputs,
            unit.key,
            file_key,
            unit.edition,
        )
        files.append((entry, data))
    return files


def rendered_bytes(writer: Writer, document: Document, name: str) -> bytes:
    """The bytes of a document in a writer's format (a text format is encoded as UTF-8), written within the
    time bound of one document; `name` (its output path) names it in errors."""
    with bounded_writing(name):
        rendered = writer.render(document)
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered


def _template_records(
    ctx: WorkerContext, doc_id: str, lang: str, languages: Iterable[str] = ()
) -> list[dict[str, str]]:
    """The templates a document is made from (the poster's also in its partner language, one of `languages`)."""
    names = document_templates(doc_id, lang, languages)
    sources = dict.fromkeys(path for name in names for path in ctx.renderer.dependencies(name))
    return [input_record(ctx.workspace, path) for path in sources]


def _kept(owner: str, lang: str, models_key: str, documents: dict[str, Document]) -> list[tuple[str, bytes]]:
    encoded = encoded_documents(models_key, documents)
    return [] if encoded is None else [(cache_path(owner, lang), encoded)]
