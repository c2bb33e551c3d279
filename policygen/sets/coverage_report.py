"""The coverage report: the completeness check of every institution as a document, with its heat map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from policygen.check.coverage import InstitutionCheck
from policygen.check.elements import element_names, policy_elements
from policygen.figures.heatmap import COVERED, MISSING_RECOMMENDED, MISSING_REQUIRED, HeatmapRow, draw_heatmap
from policygen.model import Document
from policygen.render.locale import COVERAGE_LEGENDS, INSTITUTION_TYPES, REFERENCE_FORMATS, REPORT_LABELS
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import render_document, source_date
from policygen.transforms.figures import with_figures

REPORT_OWNER = "coverage"
"""Output folder of the report: output/coverage/<lang>/coverage-report.docx|.pdf."""
REPORT_ID = "coverage-report"
HEATMAP_WIDTH_CM = 16.5
_EDUCATION_ONLY = "education_power_relations"


def build_coverage_report(renderer: TemplateRenderer, results: list[InstitutionCheck], lang: str) -> Document:
    """The report in `lang` on the checked institutions (those that failed to load are left out)."""
    checked = [result for result in results if result.languages]
    created = max(
        (result.approved_on for result in checked if result.approved_on), default=source_date(dt.date(2026, 1, 1))
    )
    context = {"report": _report_context(checked, lang)}
    document = render_document(renderer, context, REPORT_ID, lang, REPORT_LABELS[lang], created)
    heatmap = draw_heatmap([_heatmap_row(result, lang) for result in checked], COVERAGE_LEGENDS[lang])
    return with_figures(document, {"heatmap": (heatmap, HEATMAP_WIDTH_CM)})


def _heatmap_row(result: InstitutionCheck, lang: str) -> HeatmapRow:
    states = tuple(
        COVERED if coverage.covered else MISSING_REQUIRED if coverage.required else MISSING_RECOMMENDED
        for coverage in result.in_language(lang).elements
    )
    return HeatmapRow(result.name_in(lang), states)


def _report_context(results: list[InstitutionCheck], lang: str) -> dict[str, Any]:
    names = element_names()
    elements = [
        {
            "number": number,
            "id": element.id,
            "name": names[element.id][lang],
            "level": element.level,
            "required_for": "all"
            if element.level in ("core", "kg")
            else ("education" if element.id == _EDUCATION_ONLY else ""),
            "refs": "; ".join(element.refs),
            "to_verify": any("verify" in ref for ref in element.refs),
        }
        for number, element in enumerate(policy_elements(), start=1)
    ]
    return {
        "elements": elements,
        "institutions": [_institution_context(result, lang, elements) for result in results],
        "counts": {"institutions": len(results), "passed": sum(result.passed for result in results)},
    }


def _institution_context(result: InstitutionCheck, lang: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    check = result.in_language(lang)
    place_format = REFERENCE_FORMATS[check.lang]["document_clause"]
    rows = [
        {
            "number": element["number"],
            "name": element["name"],
            "level": element["level"],
            "required": coverage.required,
            "covered": coverage.covered,
            "refs": element["refs"],
            "places": "; ".join(
                place_format.format(document=place.document_title, number=place.number, title=place.title)
                for place in coverage.clauses
            ),
        }
        for element, coverage in zip(elements, check.elements, strict=False)
    ]
    required = [coverage for coverage in check.elements if coverage.required]
    recommended = [coverage for coverage in check.elements if not coverage.required]
    return {
        "id": result.institution_id,
        "name": result.name_in(lang),
        "type_label": INSTITUTION_TYPES[lang][result.institution_type],
        "languages": ", ".join(check.lang for check in result.languages),
        "checked_in": check.lang,
        "passed": result.passed,
        "draft": bool(check.drafts),
        "rows": rows,
        "required_covered": sum(coverage.covered for coverage in required),
        "required_total": len(required),
        "recommended_covered": sum(coverage.covered for coverage in recommended),
        "recommended_total": len(recommended),
    }
