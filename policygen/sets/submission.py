"""The Ministry submission: letter, register, note, draft order and annexes, packaged with a manifest."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policygen.check.coverage import InstitutionCheck, check_documents
from policygen.errors import WorkspaceError
from policygen.figures.chart import Bar, draw_bar_chart
from policygen.inputs.profiles import located, validate_located
from policygen.inputs.schema import Lang
from policygen.inputs.strict_yaml import load_yaml_mapping
from policygen.inputs.submission_schema import AnnexId, Submission
from policygen.inputs.workspace import Workspace
from policygen.model import Document
from policygen.output.manifest import manifest_bytes
from policygen.render.locale import format_number, format_written_date
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.citations import submission_citations
from policygen.sets.coverage_report import build_coverage_report
from policygen.sets.evidence import survey_context, survey_findings
from policygen.sets.findings import SurveyFindings
from policygen.sets.institution import finish_set, localize, render_document, template_title
from policygen.transforms.figures import with_figures

SUBMISSIONS_DIR = "submissions"
SUBMISSIONS_OUTPUT = "submission"  # OUT/submission/<id>/
LETTER, REGISTER = "cover-letter", "annex-register"
SUBMISSION_TEMPLATES = {
    LETTER: "submission/cover-letter",
    REGISTER: "submission/annex-register",
    "draft-order": "submission/draft-order",
    "justification-note": "submission/justification-note",
}
MODEL_ANNEXES = ("policy", "code-of-conduct", "complaint-procedure", "training-programme")
PDF_VARIANT = "pdf/a-2b"
CHART_WIDTH_CM = 16.5
MANIFEST_NAME = "manifest.json"
LETTERHEAD_LANGUAGES: tuple[Lang, ...] = ("ky", "ru")
"""The letterhead gives the sender in the state language and the official language, in every version."""


@dataclass(frozen=True)
class PackageFile:
    """One file of the package and what it holds."""

    path: str
    sha256: str
    size: int
    document: str
    language: str
    annex: int | None  # its number in the annex register; None for the letter, the register and the combined PDF


def submission_file(workspace: Workspace, argument: str) -> Path:
    """The submission profile an argument names: an id in submissions/, or a path."""
    path = Path(argument)
    if not path.is_file():
        path = workspace.root / SUBMISSIONS_DIR / f"{argument}.yaml"
    if not os.path.lexists(path):  # a pipe or a folder is refused, with its name, when it is loaded
        known = sorted(file.stem for file in (workspace.root / SUBMISSIONS_DIR).glob("*.yaml"))
        raise WorkspaceError(f"no submission {argument!r}", hint=f"known submissions: {', '.join(known) or 'none'}")
    return path


def load_submission(path: Path, languages: tuple[str, ...] | None = None) -> Submission:
    """The validated submission profile; raises ProfileError with every problem, located in the file (given the
    workspace's `languages`, also a language it has no strings file for)."""
    loaded = load_yaml_mapping(path)
    return validate_located(Submission, loaded.data, located(loaded), path, languages)


def submission_evidence(workspace: Workspace, path: Path) -> tuple[Submission, SurveyFindings]:
    """The submission at `path` and its survey findings, as the package's documents print them."""
    submission = load_submission(path, workspace.languages())
    return submission, survey_findings(workspace, submission, path)


def package_folder(submission: Submission) -> str:
    """The package's folder within the output folder."""
    return f"{SUBMISSIONS_OUTPUT}/{submission.id}"


def binding_languages(submission: Submission) -> list[str]:
    """The languages in the order the package binds them: the original first."""
    return [submission.original, *(lang for lang in submission.languages if lang != submission.original)]


def binding_order(submission: Submission) -> list[str]:
    """The documents of each language in the order the package binds them: the letter, the register, the annexes."""
    return [LETTER, REGISTER, *(annex.value for annex in submission.annexes)]


def document_stem(submission: Submission, doc_id: str, lang: str) -> str:
    """A document's file in the package, without its suffix: <lang>/<annex number>-<doc-id> (00 for the letter,
    the register and the draft order)."""
    return f"{lang}/{annex_number(submission, doc_id) or 0:02d}-{doc_id}"


def combined_name(submission: Submission) -> str:
    return f"{submission.id}-combined.pdf"


def zip_name(submission: Submission) -> str:
    return f"{submission.id}.zip"


def submission_documents(
    renderer: TemplateRenderer,
    workspace: Workspace,
    submission: Submission,
    adopted: list[InstitutionCheck],
    model: dict[str, Document],
    lang: Lang,
    findings: SurveyFindings | None = None,
) -> dict[str, Document]:
    """The package in `lang`, in binding order: the letter, the register, then the annexes; `model` is the model
    set in `lang`, `adopted` the check of every institution that has its documents and `findings` the survey's
    (computed here when not given)."""
    model_check = InstitutionCheck(
        workspace.root / SUBMISSIONS_DIR,
        "model",
        "model",
        names={code: renderer.strings(code).text("model_documents") for code in renderer.languages()},
        languages=[check_documents(model, lang, True)],
    )
    submission_path = workspace.root / SUBMISSIONS_DIR / f"{submission.id}.yaml"
    if findings is None:
        findings = survey_findings(workspace, submission, submission_path)
    context = _context(renderer, submission, adopted, lang, findings)
    context["legal_references"] = submission_citations(workspace, submission, submission_path, lang)
    created = submission.outgoing.date
    documents: dict[str, Document] = {}
    for doc_id in binding_order(submission):
        if doc_id in MODEL_ANNEXES:
            documents[doc_id] = model[doc_id]
        elif doc_id == AnnexId.coverage_report.value:
            documents[doc_id] = build_coverage_report(renderer, [model_check, *adopted], lang)
        else:
            document = render_document(
                renderer,
                context,
                doc_id,
                lang,
                context["sub"]["sender"]["name"],
                created,
                template=SUBMISSION_TEMPLATES[doc_id],
            )
            if doc_id == AnnexId.justification_note.value:
                chart = _findings_chart(context["sub"]["evidence"]["survey"]["shown"])
                document = with_figures(document, {"findings": (chart, CHART_WIDTH_CM)})
            documents[doc_id] = document
    return finish_set(renderer, documents, lang)


def _findings_chart(rows: list[dict[str, Any]]) -> bytes:
    """The chart of the figures shown (a hidden one has no bar), each labelled with its share and 'n of N', its
    95 % interval drawn across it."""
    return draw_bar_chart([Bar(row["label"], row["share"], row["chart_label"], row["bounds"]) for row in rows])


def _context(
    renderer: TemplateRenderer,
    submission: Submission,
    adopted: list[InstitutionCheck],
    lang: Lang,
    findings: SurveyFindings,
) -> dict[str, Any]:
    strings = renderer.strings(lang)
    sub = localize(submission, lang)
    sub["evidence"]["survey"] = survey_context(findings, lang, strings)
    annexes = [
        {
            "number": annex_number(submission, annex.value),
            "id": annex.value,
            "title": _title(renderer, annex.value, lang),
        }
        for annex in submission.annexes
    ]
    return {
        "sub": sub,
        "lang": lang,
        "annexes": annexes,
        "order_annexes": [annex for annex in annexes if annex["id"] in MODEL_ANNEXES],
        "costs": _costs(submission, lang, strings.babel_locale),
        "institutions": [_institution_row(result, lang, renderer) for result in adopted],
        "original": lang == submission.original,
        "original_language": strings.language_name(submission.original),
        "letterhead": [
            {"name": submission.sender.name[code], "address": submission.sender.address[code]}
            for code in LETTERHEAD_LANGUAGES
        ],
        "language_names": {code: strings.language_name(code) for code in submission.languages},
    }


def annex_number(submission: Submission, doc_id: str) -> int | None:
    """The annex's one number, the same in the register, the letter and the draft order: the draft order is the
    main document and has none; its annexes, the model documents, come first (the schema sees to it)."""
    numbered = [annex.value for annex in submission.annexes if annex is not AnnexId.draft_order]
    return numbered.index(doc_id) + 1 if doc_id in numbered else None


def submitted_institutions(checks: list[InstitutionCheck], include_examples: bool) -> list[InstitutionCheck]:
    """The institutions the justification note and the coverage annex show: those that loaded, and fictional
    examples only when asked for (they are then marked wherever they appear)."""
    return [result for result in checks if result.languages and (include_examples or not result.example)]


def _costs(submission: Submission, lang: str, locale: str) -> dict[str, Any]:
    items = [
        {
            "purpose": cost.purpose[lang],
            "amount": None if cost.amount_kgs is None else format_number(cost.amount_kgs, locale),
            "basis": cost.basis[lang] if cost.basis else None,
        }
        for cost in submission.costs
    ]
    estimated = [cost.amount_kgs for cost in submission.costs if cost.amount_kgs is not None]
    return {
        "items": items,
        "estimated_total": format_number(sum(estimated), locale) if estimated else None,
        "to_be_estimated": sum(cost.to_be_estimated for cost in submission.costs),
    }


def _title(renderer: TemplateRenderer, doc_id: str, lang: str) -> str:
    return template_title(renderer, SUBMISSION_TEMPLATES.get(doc_id, doc_id), lang)


def _institution_row(result: InstitutionCheck, lang: str, renderer: TemplateRenderer) -> dict[str, Any]:
    check = result.in_language(lang)
    assert result.institution_type is not None, "an institution checked in a language has loaded, type and all"
    required = [coverage for coverage in check.elements if coverage.required]
    return {
        "name": result.name_in(lang),
        "type_label": renderer.strings(lang).text("institution_type", result.institution_type),
        "order_date": result.approved_on,
        "order_number": result.order_number,
        "passed": result.passed,
        "example": result.example,
        "required_covered": sum(coverage.covered for coverage in required),
        "required_total": len(required),
    }


def section_label(submission: Submission, doc_id: str, title: str) -> str:
    """A document's bookmark in the combined PDF: its annex number and title."""
    annex = annex_number(submission, doc_id)
    return f"{annex}. {title}" if annex else title


def package_manifest(submission: Submission, files: list[PackageFile]) -> bytes:
    """The package's manifest.json, which `submission verify` reads: the submission and every file of it."""
    header = {
        "submission": submission.id,
        "original": submission.original,
        "outgoing": {"number": submission.outgoing.number, "date": submission.outgoing.date.isoformat()},
    }
    return manifest_bytes(header, [asdict(file) for file in files])


README_NAME = "README.txt"
README_RULE = "=" * 72


def package_readme(renderer: TemplateRenderer, submission: Submission, combined: str, checksums: str) -> bytes:
    """README.txt of the package: what it holds and how to check it, in each of its languages (the original
    first), as UTF-8 plain text with a byte order mark so that every Windows editor reads it right."""
    sections = []
    for lang in [submission.original, *(code for code in submission.languages if code != submission.original)]:
        strings = renderer.strings(lang)
        sections.append(
            strings.text("package_readme")
            .format(
                subject=submission.subject[lang],
                sender=submission.sender.name[lang],
                date=format_written_date(submission.outgoing.date, strings.data["dates"], attributive=True),
                number=submission.outgoing.number,
                original=strings.language_name(submission.original),
                combined=combined,
                checksums=checksums,
                sample=f"{lang}/00-{LETTER}.pdf",
            )
            .rstrip()
        )
    return ("\ufeff" + f"\n\n{README_RULE}\n\n".join(sections) + "\n").encode("utf-8")
