"""Pages per document, counted in the PDFs a build wrote, against the page budgets of an institution's set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pypdf
from pypdf.errors import PyPdfError

PAGE_BUDGETS = {
    "policy": 12,
    "code-of-conduct": 6,
    "complaint-procedure": 14,
    "training-programme": 7,
    "adoption-order": 3,
    "leaflet": 2,
    "poster": 1,
}
"""The most A4 pages each document should take (issue 13: the policy at most 12, the leaflet 2, the poster 1;
the others as the indicative split of the page budget)."""
SET_PAGE_BUDGET = 45
"""The most A4 pages an institution's whole set should take in one language."""


def pdf_page_count(path: Path) -> int | None:
    """The number of pages of the PDF at `path`; None when there is none, or it cannot be read."""
    if not path.is_file():
        return None
    try:
        return len(pypdf.PdfReader(path).pages)
    except (PyPdfError, OSError, ValueError):
        return None


def built_pages(out_dir: Path, owner: str, lang: str, doc_ids: Iterable[str]) -> dict[str, int | None]:
    """Pages of each document as last built into OUT/<owner>/<lang>/<doc>.pdf; None for one not built as PDF."""
    return {doc_id: pdf_page_count(out_dir / owner / lang / f"{doc_id}.pdf") for doc_id in doc_ids}


def pages_line(pages: Mapping[str, int | None]) -> str:
    """`policy 21 (over 12), leaflet 2, ...; set 66 (over 45)`: the set's total only when every document of it was
    built as PDF; a document not built as PDF shows `-`."""
    parts = []
    for doc_id, count in pages.items():
        budget = PAGE_BUDGETS.get(doc_id)
        over = count is not None and budget is not None and count > budget
        parts.append(f"{doc_id} {'-' if count is None else count}" + (f" (over {budget})" if over else ""))
    line = ", ".join(parts)
    if all(pages.get(doc_id) is not None for doc_id in PAGE_BUDGETS):  # the whole set was built as PDF
        total = sum(count for count in pages.values() if count is not None)
        line += f"; set {total}" + (f" (over {SET_PAGE_BUDGET})" if total > SET_PAGE_BUDGET else "")
    return line
