"""Builds a Ministry submission package: its documents as units in parallel, the combined PDF beside them, then the
package's manifest and zip, each only when what it is made of changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from policygen.builders.build import BuildRequest
from policygen.builders.builder import Builder, FileResult, OwnerOutcome, Progress, Unit, UnitOutput, intact
from policygen.builders.checks import kept_checks
from policygen.builders.jobs import context, document_job, start_worker
from policygen.builders.keys import (
    contained_digest,
    digest,
    document_digest,
    environment_key,
    file_digest,
    input_record,
    model_set_models_key,
    records_key,
    shown_path,
)
from policygen.builders.model_cache import cached_documents
from policygen.builders.workers import run_bounded
from policygen.errors import OutputError, PolicygenError
from policygen.inputs.review import review_files
from policygen.inputs.strict_yaml import MAX_FILE_BYTES
from policygen.inputs.submission_schema import Submission
from policygen.inputs.workspace import Workspace
from policygen.limits import bounded_writing
from policygen.model import Document
from policygen.output.archive import deterministic_zip
from policygen.output.atomic import checked_output_path, existing_output
from policygen.output.checksums import CHECKSUMS_NAME, sha256sums
from policygen.output.lock import output_lock
from policygen.output.manifest import ManifestEntry, previous_entries
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.coverage_report import REPORT_ID
from policygen.sets.evidence import survey_findings, survey_sources
from policygen.sets.findings import SurveyFindings
from policygen.sets.institution import DOCUMENT_IDS, check_institution, template_name
from policygen.sets.model_set import MODEL_OWNER, build_model_documents
from policygen.sets.submission import (
    MANIFEST_NAME,
    PDF_VARIANT,
    README_NAME,
    SUBMISSION_TEMPLATES,
    PackageFile,
    annex_number,
    binding_languages,
    binding_order,
    combined_name,
    document_stem,
    load_submission,
    package_folder,
    package_manifest,
    package_readme,
    section_label,
    submission_documents,
    submitted_institutions,
    zip_name,
)

PDF_WRITER = f"pdf:{PDF_VARIANT}"


def build_submission(
    workspace: Workspace,
    path: Path,
    request: BuildRequest,
    on_progress: Callable[[Progress], None] | None = None,
    include_examples: bool = False,
) -> OwnerOutcome:
    """Write OUT/submission/<id>/: every document as DOCX and PDF/A-2b, the combined PDF, the manifest and the zip.

    Nothing is made when the package is complete and its inputs (the submission, the profiles, the templates and
    the environment) are those it was made from. Otherwise the documents' models are made in a memory-bounded
    worker process (from the models a build kept, where they are current); then each document whose model
    changed is written as DOCX by a unit of its own, in parallel with the unit that lays out every document and
    writes the changed PDFs and the combined PDF; README.txt, SHA256SUMS, the manifest and zip follow, when a file
    changed. Example institutions are left out of the package unless `include_examples`."""
    submission = load_submission(path, workspace.languages())
    findings = survey_findings(workspace, submission, path)  # the data file is read here and never enters the package
    package = package_folder(submission)
    out_dir = request.out_dir
    with output_lock(out_dir) as lock:
        for relative in (
            *(f"{package}/{lang}" for lang in submission.languages),
            *(f"{package}/{name}" for name in (README_NAME, CHECKSUMS_NAME, MANIFEST_NAME, zip_name(submission))),
        ):
            checked_output_path(out_dir, relative)  # a link is refused now rather than after rendering
        environment = environment_key()
        inputs_key = submission_inputs_key(workspace, submission, path, environment, include_examples)
        current = None if request.force else _complete_package(out_dir, submission, inputs_key)
        if current is not None:
            for folder in sorted({PurePosixPath(entry.path).parent.as_posix() for entry in current}):
                lock.remove_stale_temporaries(folder)
            return OwnerOutcome(path, package, unchanged=current)
        documents = run_bounded(
            prepare_documents, workspace, submission, out_dir, environment, include_examples, findings
        )
        if on_progress is not None:
            on_progress(Progress(package, "document models", 1, 1, f"{sum(map(len, documents.values()))} made"))
        inputs: dict[str, Any] = {"submission": shown_path(workspace, path)}
        sources = survey_sources(workspace, submission, path)
        if sources is not None:  # which export and codebook the figures were computed from, by their SHA-256
            inputs["survey"] = [input_record(workspace, source) for source in sources]
        units = _units(submission, path, documents, environment, inputs)
        readme = package_readme(
            TemplateRenderer(workspace.template_search_path()), submission, combined_name(submission), CHECKSUMS_NAME
        )
        finish = partial(_finish_package, submission, readme, inputs_key, inputs, out_dir)
        builder = Builder(out_dir, request.jobs, request.force, on_progress)
        outcomes = builder.run(
            units, start_worker, (workspace.root, out_dir, environment, ("docx",)), {package: finish}
        )
    return outcomes[package]


def submission_inputs_key(
    workspace: Workspace, submission: Submission, path: Path, environment: str, include_examples: bool = False
) -> str | None:
    """The key of everything a package is made from: the submission, every profile and base, the templates of
    its documents, of the institutions' and the model sets, the environment and whether examples are shown.
    None when a template cannot be read, so that making the package reports it."""
    renderer = TemplateRenderer(workspace.template_search_path())
    languages = workspace.languages()
    names = [template_name(template, lang) for template in SUBMISSION_TEMPLATES.values() for lang in languages]
    names += [template_name(doc_id, lang) for doc_id in (*DOCUMENT_IDS, REPORT_ID) for lang in languages]
    try:
        templates = sorted({file for name in names for file in renderer.dependencies(name)})
        records = [input_record(workspace, file) for file in (*templates, *review_files(renderer.search_path))]
    except PolicygenError:
        return None
    profiles = sorted(workspace.institutions_dir.glob("*.yaml"))
    survey = survey_sources(workspace, submission, path) or ()
    return digest(
        environment,
        submission.id,
        f"include_examples={include_examples}",
        file_digest(path),  # loaded already: a regular file within the loader's bounds
        *(file_digest(source) for source in survey),  # read already, as the findings were computed
        *(f"{file.name}:{contained_digest(file, workspace.institutions_dir, MAX_FILE_BYTES)}" for file in profiles),
        records_key(records),
    )


def prepare_documents(
    workspace: Workspace,
    submission: Submission,
    out_dir: Path,
    environment: str,
    include_examples: bool = False,
    findings: SurveyFindings | None = None,
) -> dict[str, dict[str, Document]]:
    """Run in a worker: every document of the package per language, in binding order, every language from the
    same survey `findings`. The institutions' sets and the model set are taken from the models a build kept in the
    output folder, where they are current; example institutions are left out unless `include_examples`."""
    renderer = TemplateRenderer(workspace.template_search_path())
    paths = workspace.institution_files()
    kept = kept_checks(workspace, paths, out_dir, environment)
    checks = [kept.get(profile) or check_institution(workspace, profile, renderer) for profile in paths]
    adopted = submitted_institutions(checks, include_examples)
    documents = {}
    for lang in binding_languages(submission):
        model_key = model_set_models_key(workspace, renderer, lang, environment)
        model = cached_documents(out_dir, MODEL_OWNER, lang, model_key) or build_model_documents(
            renderer, workspace, lang
        )
        documents[lang] = submission_documents(renderer, workspace, submission, adopted, model, lang, findings)
    return documents


def _units(
    submission: Submission,
    path: Path,
    documents: dict[str, dict[str, Document]],
    environment: str,
    inputs: dict[str, Any],
) -> list[Unit]:
    """The PDF unit first (the longest, started first so that the others run beside it), then a DOCX unit per
    document and language.

    One unit makes every PDF: the combined PDF binds the documents' laid-out pages, which only the process that
    laid them out holds, so the separate PDFs are written from the same layout rather than laid out twice."""
    package = package_folder(submission)
    units = []
    pdf_keys = []
    for lang, by_id in documents.items():
        for doc_id, document in by_id.items():
            stem = document_stem(submission, doc_id, lang)
            pdf_keys.append(f"{stem}:{document_digest(document, PDF_WRITER, environment)}")
            units.append(
                Unit(
                    package,
                    stem,
                    document_digest(document, "docx", environment),
                    (f"{package}/{stem}.docx",),
                    path,
                    partial(document_job, document, f"{package}/{stem}", inputs),
                )
            )
    sections = [(doc_id, [documents[lang][doc_id] for lang in documents]) for doc_id in binding_order(submission)]
    pdfs = Unit(
        package,
        "PDF/A-2b",
        digest("combined", PDF_WRITER, *pdf_keys),
        (
            *(
                f"{package}/{document_stem(submission, doc_id, lang)}.pdf"
                for lang in documents
                for doc_id in documents[lang]
            ),
            f"{package}/{combined_name(submission)}",
        ),
        path,
        partial(_pdf_job, submission, sections, inputs),
    )
    return [pdfs, *units]


def _pdf_job(
    submission: Submission,
    sections: list[tuple[str, list[Document]]],
    inputs: dict[str, Any],
    unit: Unit,
    previous: dict[str, ManifestEntry],
) -> UnitOutput:
    """Run in a worker: every document laid out once, written as its own PDF/A (unless the file on disk already
    holds its model) and bound with the others into the combined PDF, bookmarked by annex and language."""
    from policygen.writers.pdf import PdfWriter  # here: only writing PDF needs weasyprint

    writer = PdfWriter(pdf_variant=PDF_VARIANT)
    ctx = context()
    package = package_folder(submission)
    files: list[FileResult] = []
    laid_out = []
    for doc_id, versions in sections:
        pages = []
        for document in versions:
            path = f"{package}/{document_stem(submission, doc_id, document.meta.language)}.pdf"
            file_key = document_digest(document, PDF_WRITER, ctx.environment)
            earlier = previous.get(path)
            with bounded_writing(_in_package(package, path)):
                laid = writer.layout(document)
                if earlier is not None and earlier.document_sha256 == file_key and intact(ctx.out_dir, earlier):
                    files.append((replace(earlier, unit_sha256=unit.key, inputs=inputs), None))
                else:
                    data = writer.write(laid, document.meta)
                    files.append(
                        (
                            _pdf_entry(
                                path, data, unit, document.meta.doc_id, document.meta.language, inputs, file_key
                            ),
                            data,
                        )
                    )
            pages.append((ctx.renderer.strings(document.meta.language).name, laid))
        title = pages[0][1].metadata.title or doc_id
        laid_out.append((section_label(submission, doc_id, title), pages))
    target = combined_name(submission)
    with bounded_writing(target):
        data = writer.combine(laid_out, target=target, identifier=submission.id)
    files.append((_pdf_entry(unit.paths[-1], data, unit, "combined", submission.original, inputs, unit.key), data))
    return UnitOutput(files)


def _pdf_entry(
    path: str, data: bytes, unit: Unit, document: str, language: str, inputs: dict[str, Any], file_key: str
) -> ManifestEntry:
    sha256 = hashlib.sha256(data).hexdigest()
    return ManifestEntry(path, sha256, len(data), unit.owner, document, language, "pdf", inputs, unit.key, file_key)


def _finish_package(
    submission: Submission,
    readme: bytes,
    inputs_key: str | None,
    inputs: dict[str, Any],
    out_dir: Path,
    results: list[FileResult],
    previous: dict[str, ManifestEntry],
) -> list[FileResult]:
    """README.txt, SHA256SUMS (of the documents and README.txt), the manifest and the zip, from the package's files
    in binding order; all four are kept as they are when the manifest they would hold is the one already there."""
    package = package_folder(submission)
    by_path = {entry.path: (entry, data) for entry, data in results}
    files = [by_path[f"{package}/{path}"] for path in package_files(submission)]
    readme_entry = _entry(f"{package}/{README_NAME}", readme, submission, "readme", "txt", inputs, inputs_key)
    sums = sha256sums(
        [(README_NAME, readme_entry.sha256), *((_in_package(package, entry.path), entry.sha256) for entry, _ in files)]
    )
    sums_entry = _entry(f"{package}/{CHECKSUMS_NAME}", sums, submission, "checksums", "txt", inputs, inputs_key)
    own = [(readme_entry, readme), (sums_entry, sums)]
    listed = [
        PackageFile(
            _in_package(package, entry.path),
            entry.sha256,
            entry.size,
            entry.document,
            entry.language,
            annex_number(submission, entry.document),
        )
        for entry, _ in [*own, *files]
    ]
    manifest = package_manifest(submission, listed)
    manifest_entry = _entry(f"{package}/{MANIFEST_NAME}", manifest, submission, "manifest", "json", inputs, inputs_key)
    names = (README_NAME, CHECKSUMS_NAME, MANIFEST_NAME, zip_name(submission))
    earlier = [previous.get(f"{package}/{name}") for name in names]
    if earlier[2] is not None and earlier[2].sha256 == manifest_entry.sha256:
        kept = [entry for entry in earlier if entry is not None and intact(out_dir, entry)]
        if len(kept) == len(names):
            return [(replace(entry, unit_sha256=inputs_key or ""), None) for entry in kept]
    members = [(_in_package(package, entry.path), _bytes_of(out_dir, entry, data)) for entry, data in files]
    packed = deterministic_zip([(README_NAME, readme), (CHECKSUMS_NAME, sums), *members, (MANIFEST_NAME, manifest)])
    zip_entry = _entry(f"{package}/{zip_name(submission)}", packed, submission, "zip", "zip", inputs, inputs_key)
    return [*own, (manifest_entry, manifest), (zip_entry, packed)]


def package_files(submission: Submission) -> list[str]:
    """The package's files in binding order, relative to its folder: each document as DOCX then PDF, language by
    language (the original first), then the combined PDF; its manifest and zip are not among them."""
    files = [
        f"{document_stem(submission, doc_id, lang)}{suffix}"
        for lang in binding_languages(submission)
        for doc_id in binding_order(submission)
        for suffix in (".docx", ".pdf")
    ]
    return [*files, combined_name(submission)]


def _complete_package(out_dir: Path, submission: Submission, inputs_key: str | None) -> list[ManifestEntry] | None:
    """The package's entries when it was made from `inputs_key` and every file of it is there unchanged."""
    previous = previous_entries(out_dir)
    package = package_folder(submission)
    manifest = previous.get(f"{package}/{MANIFEST_NAME}")
    if inputs_key is None or manifest is None or manifest.unit_sha256 != inputs_key:
        return None
    own = (README_NAME, CHECKSUMS_NAME, MANIFEST_NAME, zip_name(submission))
    paths = [f"{package}/{name}" for name in (*package_files(submission), *own)]
    entries = [previous[path] for path in paths if path in previous]
    if len(entries) < len(paths) or not all(intact(out_dir, entry) for entry in entries):
        return None
    return entries


def _entry(
    path: str, data: bytes, submission: Submission, document: str, format_name: str, inputs: dict, key: str | None
) -> ManifestEntry:
    owner = package_folder(submission)
    sha256 = hashlib.sha256(data).hexdigest()
    return ManifestEntry(path, sha256, len(data), owner, document, submission.original, format_name, inputs, key or "")


def _bytes_of(out_dir: Path, entry: ManifestEntry, data: bytes | None) -> bytes:
    """A file's new bytes, or those on disk when it was up to date, checked against its entry."""
    if data is not None:
        return data
    path = existing_output(out_dir, entry.path)
    on_disk = path.read_bytes() if path is not None else b""
    if hashlib.sha256(on_disk).hexdigest() != entry.sha256:
        raise OutputError(
            str(out_dir / entry.path),
            "changed while the package was being built",
            hint="run the command again, and let no other program write the output folder meanwhile",
        )
    return on_disk


def _in_package(package: str, path: str) -> str:
    return PurePosixPath(path).relative_to(package).as_posix()
