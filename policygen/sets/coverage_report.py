"""The coverage report: the completeness check of every institution as a document, with its heat map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from policygen.check.coverage import InstitutionCheck
from policygen.figures.heatmap import COVERED, MISSING_RECOMMENDED, MISSING_REQUIRED, HeatmapRow, draw_heatmap
from policygen.inputs.clock import source_date
from policygen.inputs.elements import policy_elements
from policygen.model import Document
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import render_document
from policygen.transforms.figures import with_figures

REPORT_OWNER = "coverage"
"""Output folder of the report: output/coverage/<lang>/coverage-report.docx|.pdf."""
REPORT_ID = "coverage-report"
HEATMAP_WIDTH_CM = 16.5
_EDUCATION_ONLY = "education_power_relations"
TO_VERIFY = "(verify)"
"""How the element catalogue marks a reference not yet checked; the report prints its own words for it instead."""


def build_coverage_report(renderer: TemplateRenderer, results: list[InstitutionCheck], lang: str) -> Document:
    """The report in `lang` on the checked institutions (those that failed to load are left out)."""
    checked = [result for result in results if result.languages]
    created = max(
        (result.approved_on for result in checked if result.approved_on), default=source_date(dt.date(2026, 1, 1))
    )
    strings = renderer.strings(lang)
    context = {"report": _report_context(checked, lang, renderer)}
    document = render_document(renderer, context, REPORT_ID, lang, strings.text("coverage_report_header"), created)
    heatmap = draw_heatmap(
        [_heatmap_row(result, lang, strings.text("example_mark")) for result in checked],
        dict(strings.data["coverage"]["legend"]),
    )
    return with_figures(document, {"heatmap": (heatmap, HEATMAP_WIDTH_CM)})


def _heatmap_row(result: InstitutionCheck, lang: str, example_mark: str) -> HeatmapRow:
    states = tuple(
        COVERED if coverage.covered else MISSING_REQUIRED if coverage.required else MISSING_RECOMMENDED
        for coverage in result.in_language(lang).elements
    )
    name = result.name_in(lang)
    return HeatmapRow(f"{name} ({example_mark})" if result.example else name, states)


def _report_context(results: list[InstitutionCheck], lang: str, renderer: TemplateRenderer) -> dict[str, Any]:
    strings = renderer.strings(lang)
    names = strings.data["coverage"]["elements"]
    elements = [
        {
            "number": number,
            "id": element.id,
            "name": names[element.id],
            "level": element.level,
            "required_for": "all"
            if element.level in ("core", "kg")
            else ("education" if element.id == _EDUCATION_ONLY else ""),
            "refs": "; ".join(ref.removesuffix(TO_VERIFY).strip() for ref in element.refs),
            "to_verify": any(ref.endswith(TO_VERIFY) for ref in element.refs),
        }
        for number, element in enumerate(policy_elements(), start=1)
    ]
    return {
        "elements": elements,
        "institutions": [_institution_context(result, lang, elements, renderer) for result in results],
        "counts": {"institutions": len(results), "passed": sum(result.passed for result in results)},
    }


def _institution_context(
    result: InstitutionCheck, lang: str, elements: list[dict[str, Any]], renderer: TemplateRenderer
) -> dict[str, Any]:
    check = result.in_language(lang)
    assert result.institution_type is not None, "an institution checked in a language has loaded, type and all"
    place_format = renderer.strings(check.lang).text("references", "document_clause")
    rows = [
        {
            "number": element["number"],
            "name": element["name"],
            "level": element["level"],
            "required": coverage.required,
            "covered": coverage.covered,
            "refs": element["refs"],
            "to_verify": element["to_verify"],
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
        "type_label": renderer.strings(lang).text("institution_type", result.institution_type),
        "languages": ", ".join(check.lang for check in result.languages),
        "checked_in": check.lang,
        "passed": result.passed,
        "example": result.example,
        "draft": bool(check.drafts),
        "rows": rows,
        "required_covered": sum(coverage.covered for coverage in required),
        "required_total": len(required),
        "recommended_covered": sum(coverage.covered for coverage in recommended),
        "recommended_total": len(recommended),
    }
