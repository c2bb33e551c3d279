"""A redline as a PDF for readers without Word: a table of the clauses changed, then the text with its changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from lxml import etree

from policygen.inputs.workspace import packaged_templates
from policygen.model import (
    Block,
    Deleted,
    Document,
    Emphasis,
    Heading,
    Inline,
    Inserted,
    LineBreak,
    Meta,
    Paragraph,
    Strong,
    Table,
    Text,
)
from policygen.parse.docx_model import cell_inlines
from policygen.parse.docx_package import WordPackage, parse_part
from policygen.parse.docx_xml import (
    DEL,
    DEL_TEXT,
    INS,
    PPR,
    RPR,
    TBL,
    TC,
    TR,
    TRPR,
    P,
    R,
    T,
    paragraph_text,
    style_of,
    w,
)
from policygen.render.strings import LanguageStrings, StringsLibrary
from policygen.writers import get_writer
from policygen.writers.redline import Redline

CORE = "docProps/core.xml"
_DC, _DCTERMS = "{http://purl.org/dc/elements/1.1/}", "{http://purl.org/dc/terms/}"
CLAUSE_LEVELS = {"ClauseHeading": 0, "ClausePoint": 1, "ClauseSubpoint": 2}
HEADING_LEVELS = {"Title": 1, "Heading1": 2, "Heading2": 3, "AnnexHeading": 2, "ClauseHeading": 2}
BULLETS = {"ListBullet": "•", "ListBullet2": "–", "ListBullet3": "◦"}
NUMBERED = ("ListNumber", "ListNumber2", "ListNumber3")


def redline_pdf(result: Redline, new: WordPackage, old_label: str, new_label: str) -> bytes:
    """The PDF of a redline, in the new version's language (English for a language policygen has no words for)."""
    core = parse_part(new.name, CORE, new.parts[CORE]) if CORE in new.parts else None
    tag = _core(core, f"{_DC}language") or "en-GB"
    library = StringsLibrary([packaged_templates()])
    lang = tag.split("-")[0].lower()
    strings = library.get(lang if lang in library.languages() else "en")
    title = _core(core, f"{_DC}title") or new_label
    words = lambda key: strings.text("redline", key)  # noqa: E731
    opening: list[Block] = [
        Heading(1, (Text(words("title")),)),
        Paragraph((Text(f"{words('old')}: {old_label}"), LineBreak(), Text(f"{words('new')}: {new_label}"))),
        Paragraph((Text(words("legend")),)),
    ]
    if result.changes:
        rows = tuple(
            ((Text(str(change.number)),), (Text(change.title),), (Text(words(change.kind)),))
            for change in result.changes
        )
        opening.append(Table(((Text(words("number")),), (Text(words("clause")),), (Text(words("change")),)), rows))
    else:
        opening.append(Paragraph((Text(words("no_changes")),)))
    meta = Meta(
        doc_id="redline",
        title=f"{words('title')}: {title}",
        subject=title,
        language=strings.lang,
        language_tag=strings.tag,
        institution=_core(core, f"{_DC}creator") or title,
        created=_created(core),
        page_label=strings.text("page_label"),
    )
    body = result.document.find(w("body"))
    document = Document(meta, (*opening, *_blocks(body, strings)))
    data = get_writer("pdf").render(document)
    assert isinstance(data, bytes)
    return data


def _core(core: etree._Element | None, tag: str) -> str:
    found = None if core is None else core.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _created(core: etree._Element | None) -> dt.date:
    text = _core(core, f"{_DCTERMS}modified")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return dt.date(1980, 1, 1)


def _blocks(body: etree._Element, strings: LanguageStrings) -> Iterator[Block]:
    """The redline's body as blocks, with the clause and list numbers of the text as accepted written out."""
    counters = [0, 0, 0]
    list_number = 0
    for block in body:
        if block.tag == TBL:
            table = _table(block)
            if table is not None:
                yield table
            continue
        if block.tag != P:
            continue
        style = style_of(block)
        inlines = _inlines(block)
        if not inlines:
            continue
        deleted = block.find(f"{PPR}/{RPR}/{DEL}") is not None
        prefix = ""
        if style in CLAUSE_LEVELS and not deleted:
            level = CLAUSE_LEVELS[style]
            counters[level] += 1
            counters[level + 1 :] = [0] * (2 - level)
            prefix = ".".join(str(number) for number in counters[: level + 1]) + ". "
        if style not in NUMBERED:
            list_number = 0
        elif not deleted:
            list_number += 1
            prefix = f"{list_number}. "
        elif style in BULLETS:
            prefix = f"{BULLETS[style]} "
        if prefix:
            inlines = (Text(prefix), *inlines)
        if style in HEADING_LEVELS:
            yield Heading(HEADING_LEVELS[style], inlines)
        else:
            yield Paragraph(inlines)


def _table(table: etree._Element) -> Table | None:
    rows = []
    for row in table.iter(TR):
        change: type[Inserted] | type[Deleted] | None = None
        if row.find(f"{TRPR}/{DEL}") is not None:
            change = Deleted
        elif row.find(f"{TRPR}/{INS}") is not None:
            change = Inserted
        cells = []
        for cell in row.iter(TC):
            inlines = cell_inlines(cell, _inlines)
            cells.append((change(inlines),) if change is not None and inlines else inlines)
        rows.append(tuple(cells))
    if not rows:
        return None
    width = len(rows[0])
    even = tuple(row[:width] + ((),) * (width - len(row)) for row in rows)
    return Table(even[0], even[1:])


def _inlines(paragraph: etree._Element) -> tuple[Inline, ...]:
    spans: list[Inline] = []
    for child in paragraph:
        if child.tag == R:
            spans.extend(_run(child))
        elif child.tag in (INS, DEL):
            inner = [span for run in child.iter(R) for span in _run(run)]
            if inner:
                spans.append((Inserted if child.tag == INS else Deleted)(tuple(inner)))
        elif child.tag == w("hyperlink"):
            spans.extend(span for run in child.iter(R) for span in _run(run))
    return tuple(spans) if paragraph_text(paragraph) or any(isinstance(s, Deleted) for s in spans) else ()


def _run(run: etree._Element) -> list[Inline]:
    spans: list[Inline] = []
    for part in run:
        if part.tag in (T, DEL_TEXT) and part.text:
            spans.append(Text(part.text))
        elif part.tag == w("tab"):
            spans.append(Text(" "))
        elif part.tag in (w("br"), w("cr")):
            spans.append(LineBreak())
    properties = run.find(RPR)
    if spans and properties is not None:
        if _on(properties, "i"):
            spans = [Emphasis(tuple(spans))]
        if _on(properties, "b"):
            spans = [Strong(tuple(spans))]
    return spans


def _on(properties: etree._Element, name: str) -> bool:
    found = properties.find(w(name))
    return found is not None and found.get(w("val"), "true") not in ("0", "false", "off")
