"""How `policygen check` shows its results: a table for people, a stable JSON document for machines."""

from __future__ import annotations

from typing import Any

from policygen.check.coverage import InstitutionCheck, LanguageCheck
from policygen.check.pages import pages_line
from policygen.inputs.elements import policy_elements

CHECK_JSON_FORMAT = 1


def as_json(results: list[InstitutionCheck]) -> dict[str, Any]:
    """The documented JSON shape (README, "Completeness check"): one entry per institution and language."""
    return {
        "format": CHECK_JSON_FORMAT,
        "passed": all(result.passed for result in results),
        "elements": [
            {"id": element.id, "level": element.level, "description": element.description, "refs": list(element.refs)}
            for element in policy_elements()
        ],
        "institutions": [_institution_json(result) for result in results],
    }


def _institution_json(result: InstitutionCheck) -> dict[str, Any]:
    return {
        "id": result.institution_id,
        "profile": str(result.profile_path),
        "type": result.institution_type,
        "passed": result.passed,
        "example": result.example,
        "errors": [diagnostic.format() for diagnostic in result.diagnostics + result.problems],
        "warnings": [diagnostic.format() for diagnostic in result.warnings],
        "languages": {check.lang: _language_json(check) for check in result.languages},
    }


def _language_json(check: LanguageCheck) -> dict[str, Any]:
    return {
        "passed": check.passed,
        "missing_required": [coverage.element.id for coverage in check.missing_required],
        "elements": [
            {
                "id": coverage.element.id,
                "level": coverage.element.level,
                "required": coverage.required,
                "covered": coverage.covered,
                "clauses": [
                    {
                        "document": place.document,
                        "document_title": place.document_title,
                        "number": place.number,
                        "title": place.title,
                    }
                    for place in coverage.clauses
                ],
            }
            for coverage in check.elements
        ],
        "unsupported_claims": [
            {
                "document": claim.document,
                "clause": claim.clause,
                "element": claim.element,
                "missing": list(claim.missing),
            }
            for claim in check.unsupported
        ],
        "draft_documents": list(check.drafts),
        "readability": [
            {
                "document": figures.document,
                "sentences": figures.sentences,
                "words": figures.words,
                "mean_sentence_words": round(figures.mean_words, 1),
                "share_over_40_words": round(figures.long_share, 3),
                "target": figures.target,
                "meets_target": figures.meets_target,
                "binding": figures.binding,
            }
            for figures in check.readability
        ],
        "pages": dict(check.pages),
    }


def as_table(result: InstitutionCheck) -> str:
    """One institution's coverage: an element per row, a mark per language, and where it is covered."""
    languages = [check.lang for check in result.languages]
    verdict = "PASSED" if result.passed else "FAILED"
    example = "  (example: fictional)" if result.example else ""
    lines = [
        f"{result.institution_id}  {result.institution_type}  {','.join(languages)}  {verdict}{example}",
        f"  {'element':36} {'level':12} " + " ".join(f"{lang:3}" for lang in languages) + "  covered by",
    ]
    for index, element in enumerate(policy_elements()):
        coverages = [check.elements[index] for check in result.languages]
        level = element.level + ("*" if coverages[0].required and element.level == "recommended" else "")
        marks = " ".join(f"{_mark(coverage.covered, coverage.required):3}" for coverage in coverages)
        places = ", ".join(f"{place.document} {place.number}" for place in coverages[0].clauses) or "-"
        lines.append(f"  {element.id:36} {level:12} {marks}  {places}")
    drafts: dict[str, list[str]] = {}
    for check in result.languages:
        for doc_id in check.drafts:
            drafts.setdefault(doc_id, []).append(check.lang)
    if drafts:
        lines.append(
            "  draft, text not reviewed by a legal translator: "
            + ", ".join(f"{doc_id} ({', '.join(langs)})" for doc_id, langs in sorted(drafts.items()))
        )
    lines.append("  (yes covered, NO required and missing, no recommended and missing; * required for this type)")
    lines.extend(_readability_lines(result))
    lines.extend(_pages_lines(result))
    return "\n".join(lines)


def _readability_lines(result: InstitutionCheck) -> list[str]:
    lines = ["  readability: mean words per sentence, share of sentences over 40 words (target: at most)"]
    for check in result.languages:
        parts = []
        for figures in check.readability:
            part = f"{figures.document} {figures.mean_words:.1f}, {figures.long_share:.0%}"
            if figures.target is not None:
                verdict = "" if figures.meets_target else " OVER"
                part += f" ({figures.target}{verdict})"
            parts.append(part)
        lines.append(f"    {check.lang:3} " + "; ".join(parts))
    return lines


def _pages_lines(result: InstitutionCheck) -> list[str]:
    counted = [check for check in result.languages if any(count is not None for count in check.pages.values())]
    if not counted:
        return ["  pages: no PDF of this institution built yet (run `policygen build`, then check again)"]
    lines = ["  pages in the built PDFs (budget: at most)"]
    lines.extend(f"    {check.lang:3} {pages_line(check.pages)}" for check in result.languages)
    return lines


def _mark(covered: bool, required: bool) -> str:
    return "yes" if covered else ("NO" if required else "no")
