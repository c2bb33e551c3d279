"""A legal translator's review sheet: a model document's clauses in every language side by side, row by row."""

from __future__ import annotations

import io
from pathlib import Path

from policygen.builders.workers import run_bounded
from policygen.errors import WorkspaceError
from policygen.inputs.workspace import Workspace
from policygen.model import (
    Annex,
    Block,
    Clause,
    Document,
    Heading,
    Inline,
    LineBreak,
    Meta,
    Paragraph,
    Table,
    Text,
    inline_runs,
    plain_text,
)
from policygen.output.atomic import write_files
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import DOCUMENT_IDS, template_name
from policygen.sets.model_set import MODEL_CREATED, build_model_documents

ID_COLUMN_MM = 30
PAGE_MARGIN_MM = 20
OUTSIDE_PARTS = "—"
"""The id of the last row: the document's text outside its clauses and annexes (header, preamble, signature)."""


def review_sheet(workspace: Workspace, doc_id: str) -> Document:
    """The review sheet of document `doc_id`: a table with a row per part of its skeleton (clause or annex, in
    order; shared clauses in their place), the part's id, then its text in the model set in each language of the
    workspace; a last row holds the text outside the parts, if any."""
    if doc_id not in DOCUMENT_IDS:
        raise WorkspaceError(f"no document {doc_id!r}", hint=f"a document is one of: {', '.join(DOCUMENT_IDS)}")
    renderer = TemplateRenderer(workspace.template_search_path())
    languages = renderer.languages()
    parts = renderer.skeleton_parts(template_name(doc_id, languages[0]))
    documents = {lang: build_model_documents(renderer, workspace, lang)[doc_id] for lang in languages}
    rows = [((Text(part.id),), *(_cell(_part_text(documents[lang], part.id)) for lang in languages)) for part in parts]
    outside = {lang: _outside_text(documents[lang]) for lang in languages}
    if any(outside.values()):
        rows.append(((Text(OUTSIDE_PARTS),), *(_cell(outside[lang]) for lang in languages)))
    header = ((Text("id"),), *((Text(renderer.strings(lang).name),) for lang in languages))
    title = f"Review sheet: {doc_id}"
    blocks: tuple[Block, ...] = (
        Heading(1, (Text(title),)),
        Paragraph(_cell([documents[lang].meta.title for lang in languages])),
        Paragraph((Text(_explanation(doc_id, languages)),)),
        Table(header, tuple(rows)),
    )
    first = documents[languages[0]].meta
    meta = Meta(
        doc_id=f"{doc_id}-review-sheet",
        title=title,
        subject=f"review sheet of {doc_id}",
        language=first.language,
        language_tag=first.language_tag,
        institution=first.institution,
        created=MODEL_CREATED,
        page_label=first.page_label,
        keywords=(doc_id, "review-sheet"),
    )
    return Document(meta, blocks)


def write_review_sheet(workspace: Workspace, doc_id: str, target: Path) -> None:
    """Write the review sheet of `doc_id` to `target` as DOCX (atomically), rendered in a memory-bounded worker."""
    data = run_bounded(_review_sheet_bytes, workspace, doc_id)
    write_files(target.parent, [(target.name, data)])


def _review_sheet_bytes(workspace: Workspace, doc_id: str) -> bytes:
    return review_sheet_docx(review_sheet(workspace, doc_id))


def review_sheet_docx(document: Document) -> bytes:
    """The sheet as DOCX, laid out for reading languages side by side: A4 landscape, a narrow id column, and
    rows that may break across pages (a clause is often longer than a page)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from policygen.writers.docx import DocxWriter

    word = docx.Document(io.BytesIO(DocxWriter().render(document)))
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(PAGE_MARGIN_MM)
    table = word.tables[0]
    text_columns = len(table.columns) - 1
    text_width = (297 - 2 * PAGE_MARGIN_MM - ID_COLUMN_MM) // text_columns
    widths = [Mm(ID_COLUMN_MM), *[Mm(text_width)] * text_columns]
    for grid_column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_column.set(qn("w:w"), str(width.twips))
    for row in table.rows:
        for keep_together in row._tr.trPr.findall(qn("w:cantSplit")) if row._tr.trPr is not None else []:
            row._tr.trPr.remove(keep_together)
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _explanation(doc_id: str, languages: tuple[str, ...]) -> str:
    files = ", ".join(f"templates/{template_name(doc_id, lang)}" for lang in languages)
    return (
        f"Each row is one part of the document's skeleton, as the model set prints it in each language. "
        f"Once the texts agree, record the review of each file ({files}) with `policygen review sign FILE --by NAME`."
    )


def _part_text(document: Document, part_id: str) -> list[str]:
    for block in document.blocks:
        if isinstance(block, (Clause, Annex)) and block.id == part_id:
            return [plain_text(run) for run in inline_runs(block)]
    return []  # not printed in this language's model document (its condition does not hold there)


def _outside_text(document: Document) -> list[str]:
    return [
        plain_text(run)
        for block in document.blocks
        if not isinstance(block, (Clause, Annex))
        for run in inline_runs(block)
    ]


def _cell(lines: list[str]) -> tuple[Inline, ...]:
    inlines: list[Inline] = []
    for index, line in enumerate(lines):
        if index:
            inlines.append(LineBreak())
        inlines.append(Text(line))
    return tuple(inlines)
