"""The annexes' forms as a user fills them in: named PDF fields inside their cells, groups kept on one page,
and DOCX form tables printed as plain questions."""

from __future__ import annotations

import math
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import REPO
from docx.oxml.ns import qn
from pypdf.generic import ContentStream

from policygen import TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.model import Document, Form, plain_text, walk

FORM_DOCUMENTS = ("complaint-procedure", "training-programme")
A4_CONTENT_BOX = (70.87, 56.69, 538.58, 785.2)  # x0, y0, x1, y1 in points: A4 less the 2.5/2/2/2 cm margins
TABLE_LOOK_FIRST_ROW = 0x0020


@pytest.fixture(scope="module")
def forms() -> dict[tuple[str, str, str], list[list[tuple[str, str]]]]:
    """Per (institution, language, document): its forms, each a list of (field name, label), by the public API."""
    workspace = open_workspace(REPO)
    renderer = TemplateRenderer(workspace.template_search_path())
    found = {}
    for path in workspace.institution_files():
        loaded = load_profile(path, workspace)
        for lang in loaded.profile.languages:
            documents = build_documents(renderer, loaded, lang)
            for doc_id in FORM_DOCUMENTS:
                found[(loaded.profile.id, lang, doc_id)] = list(forms_of(documents[doc_id]))
    assert all(found.values())
    return found


def forms_of(document: Document):
    """Each form of the document's annexes as [(field name, label)]; names are document/language/annex/field."""
    for form in walk(document):
        if isinstance(form, Form):
            prefix = f"{document.meta.doc_id}/{document.meta.language}/{form.annex_id}"
            yield [(f"{prefix}/{field.id}", plain_text(field.label)) for field in form.fields]


def widgets(path: Path) -> list[tuple[int, str, str, tuple[float, float, float, float]]]:
    """Every form widget of a PDF: (page index, field name, tooltip, rectangle x0, y0, x1, y1)."""
    found = []
    for index, page in enumerate(pypdf.PdfReader(str(path)).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Widget":
                x0, y0, x1, y1 = (float(value) for value in annotation["/Rect"])
                found.append(
                    (
                        index,
                        str(annotation["/T"]),
                        str(annotation["/TU"]),
                        (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                    )
                )
    return found


def stroked_lines(page: pypdf.PageObject) -> list[tuple[float, float, float, float, float]]:
    """The straight lines a page strokes (table borders): (x0, y0, x1, y1, width) in points."""
    matrix, saved, lines, path, point = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], [], [], (0.0, 0.0)

    def transform(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return a * x + c * y + e, b * x + d * y + f

    width = 1.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        numbers = [float(value) for value in operands] if operator in (b"cm", b"m", b"l", b"w") else []
        if operator == b"q":
            saved.append((matrix, width))
        elif operator == b"Q":
            matrix, width = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = numbers
            m = matrix
            matrix = (
                a * m[0] + b * m[2],
                a * m[1] + b * m[3],
                c * m[0] + d * m[2],
                c * m[1] + d * m[3],
                e * m[0] + f * m[2] + m[4],
                e * m[1] + f * m[3] + m[5],
            )
        elif operator == b"w":
            width = numbers[0]
        elif operator == b"m":
            point = transform(*numbers)
        elif operator == b"l":
            end = transform(*numbers)
            path.append((*point, *end))
            point = end
        elif operator in (b"S", b"s"):
            scale = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))
            lines += [(*segment, width * scale) for segment in path]
            path = []
        elif operator in (b"n", b"f", b"F", b"f*", b"B", b"b"):
            path = []
    return lines


def cell_around(lines, x: float, y: float) -> tuple[float, float, float, float]:
    """The inner edges (left, bottom, right, top) of the drawn cell around a point."""
    walls = [
        (x0, width / 2) for x0, y0, x1, y1, width in lines if abs(x0 - x1) < 0.01 and min(y0, y1) <= y <= max(y0, y1)
    ]
    floors = [
        (y0, width / 2) for x0, y0, x1, y1, width in lines if abs(y0 - y1) < 0.01 and min(x0, x1) <= x <= max(x0, x1)
    ]
    left = max((wall + half for wall, half in walls if wall < x), default=None)
    right = min((wall - half for wall, half in walls if wall > x), default=None)
    bottom = max((floor + half for floor, half in floors if floor < y), default=None)
    top = min((floor - half for floor, half in floors if floor > y), default=None)
    assert None not in (left, bottom, right, top), f"no drawn cell around ({x:.1f}, {y:.1f})"
    return left, bottom, right, top


def form_pdfs(example_build: Path) -> list[tuple[tuple[str, str, str], Path]]:
    return [
        ((path.parts[-3], path.parts[-2], path.stem), path)
        for doc_id in FORM_DOCUMENTS
        for path in sorted(example_build.glob(f"*/*/{doc_id}.pdf"))
    ]


@pytest.mark.slow
def test_pdf_form_fields_are_named_by_document_language_annex_and_field_with_their_label_as_tooltip(
    example_build, forms
):
    pdfs = form_pdfs(example_build)
    assert len(pdfs) == len(forms)
    for key, path in pdfs:
        expected = [field for form in forms[key] for field in form]
        assert [(name, tooltip) for _, name, tooltip, _ in widgets(path)] == expected, path


@pytest.mark.slow
def test_complaint_form_fields_lie_inside_their_cells_clear_of_both_sides(example_build):
    for _, path in form_pdfs(example_build):
        pages = pypdf.PdfReader(str(path)).pages
        for page_index, name, _, (x0, y0, x1, y1) in widgets(path):
            box_x0, box_y0, box_x1, box_y1 = A4_CONTENT_BOX
            assert box_x0 <= x0 and x1 <= box_x1 and box_y0 <= y0 and y1 <= box_y1, f"{path}: {name} off the page"
            left, bottom, right, top = cell_around(stroked_lines(pages[page_index]), (x0 + x1) / 2, (y0 + y1) / 2)
            clear_left, clear_right = x0 - left, right - x1
            assert min(clear_left, clear_right, y0 - bottom, top - y1) >= 0, f"{path}: {name} overruns its cell"
            assert abs(clear_left - clear_right) <= 0.5, (
                f"{path}: {name} is {clear_left:.1f} pt from its cell's left side, {clear_right:.1f} pt from its right"
            )


@pytest.mark.slow
def test_no_form_splits_its_field_group_across_pages(example_build, forms):
    for key, path in form_pdfs(example_build):
        page_of = {name: page for page, name, _, _ in widgets(path)}
        for form in forms[key]:
            pages = sorted({page_of[name] for name, _ in form})
            assert len(pages) == 1, f"{path}: the form of {form[0][0]} runs over pages {pages}"


@pytest.mark.slow
def test_each_form_annex_of_the_complaint_procedure_fits_on_one_page(example_build):
    for (_, _, doc_id), path in form_pdfs(example_build):
        if doc_id != "complaint-procedure":
            continue
        pages_of_annex: dict[str, set[int]] = {}
        for page, name, _, _ in widgets(path):
            pages_of_annex.setdefault(name.split("/")[2], set()).add(page)
        assert set(pages_of_annex) == {"complaint-form", "investigation-report", "decision-form"}, path
        for annex, pages in pages_of_annex.items():
            assert len(pages) == 1, f"{path}: the fields of {annex} run over pages {sorted(pages)}"


def first_row_emphasis(document: docx.document.Document, table) -> list[str]:
    """Why Word would print the table's first row bold or shaded: its style's first-row rule where the table
    looks at it, bold runs or styles, cell shading."""
    reasons = []
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None and look.get(qn("w:firstRow")) is not None:
        shows_first_row = look.get(qn("w:firstRow")) in ("1", "true", "on")
    else:
        shows_first_row = look is None or bool(int(look.get(qn("w:val"), "0"), 16) & TABLE_LOOK_FIRST_ROW)
    style_id = properties.find(qn("w:tblStyle")).get(qn("w:val"))
    styles = {style.get(qn("w:styleId")): style for style in document.styles.element.findall(qn("w:style"))}
    while style_id and shows_first_row:
        style = styles[style_id]
        for rule in style.findall(qn("w:tblStylePr")):
            if rule.get(qn("w:type")) == "firstRow":
                if rule.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None:
                    reasons.append(f"table style {style_id} makes the first row bold")
                if rule.find(f"{qn('w:tcPr')}/{qn('w:shd')}") is not None:
                    reasons.append(f"table style {style_id} shades the first row")
        based_on = style.find(qn("w:basedOn"))
        style_id = based_on.get(qn("w:val")) if based_on is not None else None
    for cell in table.rows[0].cells:
        if cell._tc.tcPr is not None and cell._tc.tcPr.find(qn("w:shd")) is not None:
            reasons.append("a first-row cell is shaded")
        for paragraph in cell.paragraphs:
            if paragraph.style.font.bold or any(run.bold for run in paragraph.runs):
                reasons.append(f"first-row text {paragraph.text[:30]!r} is bold")
    return reasons


@pytest.mark.slow
def test_docx_form_tables_print_their_first_question_like_the_others(example_build, forms):
    for (institution, lang, doc_id), document_forms in forms.items():
        path = example_build / institution / lang / f"{doc_id}.docx"
        document = docx.Document(str(path))
        labels = {form[0][1]: form for form in document_forms}
        form_tables = [table for table in document.tables if table.rows[0].cells[0].text in labels]
        assert len(form_tables) == len(document_forms), path
        for table in form_tables:
            form = labels[table.rows[0].cells[0].text]
            assert [row.cells[0].text for row in table.rows] == [label for _, label in form], path
            assert first_row_emphasis(document, table) == [], path
