"""The DOCX writer: a Document as a Word file with named styles, real clause numbering and page X of Y fields."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn
from xml.sax.saxutils import escape

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm
from docx.text.paragraph import Paragraph as DocxParagraph

from policygen.errors import RenderError
from policygen.model import (
    PAPER_SIZES,
    Annex,
    Approval,
    Block,
    BulletList,
    Clause,
    ClauseNumber,
    Document,
    Emphasis,
    Figure,
    Form,
    Heading,
    Inline,
    LineBreak,
    Meta,
    Node,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Signature,
    Strong,
    Table,
    Text,
    Visitor,
)
from policygen.output.archive import normalised_zip
from policygen.writers.anchors import clause_anchor

CM = 567  # twips per centimetre, the unit of indents and tab stops below
POINT_INDENT = 709  # 1.25 cm: where the text of a clause or point starts, after its number
LIST_HANGING = 360  # a bullet or list number hangs this far left of its text
LIST_TEXT = tuple(POINT_INDENT + depth * LIST_HANGING for depth in (1, 2, 3))  # bullets align with point text
TEXT_WIDTH = int(16.5 * CM)  # A4 (21 cm) minus the 2.5 cm and 2 cm side margins
WORD_NS = nsdecls("w")  # xmlns:w for XML snippets parsed on their own

# The numbering instances (w:num) the styles use; each OrderedList adds its own, restarting at 1.
CLAUSE_NUM_ID, BULLET_NUM_ID, ORDERED_NUM_ID = 1, 2, 3

# Paragraphs name their style by id (defined below): looking styles up by name in python-docx is slow.
HEADING_STYLES = {1: "Title", 2: "Heading1", 3: "Heading2"}
POINT_STYLES = {1: ("ClausePoint", "ClauseContinuation"), 2: ("ClauseSubpoint", "ClauseSubpointContinuation")}
BULLET_STYLES = ("ListBullet", "ListBullet2", "ListBullet3")
NUMBER_STYLES = ("ListNumber", "ListNumber2", "ListNumber3")
LIST_CONTINUE_STYLES = ("ListContinue", "ListContinue2", "ListContinue3")


# Styles -------------------------------------------------------------------------------------------------


def _style(
    style_id: str,
    name: str,
    ppr: str = "",
    rpr: str = "",
    *,
    kind: str = "paragraph",
    based_on: str | None = "Normal",
    next_id: str | None = None,
    table: str = "",
    default: bool = False,
) -> str:
    """One w:style; pPr and rPr children must be given in schema order. w:lang is appended per language."""
    default_mark = ' w:default="1"' if default else ""
    return "".join(
        (
            f'<w:style w:type="{kind}"{default_mark} w:styleId="{style_id}">',
            f'<w:name w:val="{name}"/>',
            f'<w:basedOn w:val="{based_on}"/>' if based_on else "",
            f'<w:next w:val="{next_id}"/>' if next_id else "",
            "<w:qFormat/>",
            f"<w:pPr>{ppr}</w:pPr>" if ppr else "",
            f"<w:rPr>{rpr}</w:rPr>",
            table,
            "</w:style>",
        )
    )


def _num_pr(num_id: int, level: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'


def _indent(left: int, hanging: int = 0) -> str:
    return f'<w:ind w:left="{left}" w:hanging="{hanging}"/>' if hanging else f'<w:ind w:left="{left}"/>'


def _spacing(before: int = 0, after: int = 120) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}"/>'


JUSTIFIED = '<w:jc w:val="both"/>'
KEEP = "<w:keepNext/><w:keepLines/>"
BOLD = "<w:b/><w:bCs/>"
SMALL = '<w:sz w:val="20"/><w:szCs w:val="20"/>'
FONT = (
    "<w:rFonts " + " ".join(f'w:{script}="Times New Roman"' for script in ("ascii", "eastAsia", "hAnsi", "cs")) + "/>"
)
BORDER = '<w:{side} w:val="single" w:sz="4" w:space="{space}" w:color="000000"/>'
GRID_TABLE_PROPERTIES = (
    "<w:tblPr><w:tblBorders>"
    + "".join(BORDER.format(side=side, space=0) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
)
# Which conditional formats of its style a table shows (w:val is the same as a bit mask); python-docx's default
# turns on the first row and column. A form shows none.
FORM_TABLE_LOOK = {
    "firstRow": "0",
    "lastRow": "0",
    "firstColumn": "0",
    "lastColumn": "0",
    "noHBand": "1",
    "noVBand": "1",
    "val": "0600",
}

_STYLE_DEFINITIONS = (
    f"<w:docDefaults><w:rPrDefault><w:rPr>{FONT}"
    '<w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:rPrDefault>'
    '<w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="120" w:line="240" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>",
    _style("Normal", "Normal", based_on=None, default=True),
    _style("DefaultParagraphFont", "Default Paragraph Font", kind="character", based_on=None, default=True),
    _style(
        "TableNormal",
        "Normal Table",
        kind="table",
        based_on=None,
        default=True,
        table=(
            '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
            '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr>"
        ),
    ),
    _style(
        "Title",
        "Title",
        KEEP + _spacing(0, 240) + '<w:jc w:val="center"/>',
        BOLD + '<w:sz w:val="28"/><w:szCs w:val="28"/>',
        next_id="BodyText",
    ),
    _style("Heading1", "heading 1", KEEP + _spacing(240, 120) + '<w:outlineLvl w:val="0"/>', BOLD, next_id="BodyText"),
    _style(
        "Heading2",
        "heading 2",
        KEEP + _spacing(180, 120) + '<w:outlineLvl w:val="1"/>',
        BOLD + "<w:i/><w:iCs/>",
        next_id="BodyText",
    ),
    _style("BodyText", "Body Text", JUSTIFIED),
    _style(
        "ClauseHeading",
        "Clause Heading",
        KEEP
        + _num_pr(CLAUSE_NUM_ID, 0)
        + _spacing(240, 120)
        + _indent(POINT_INDENT, POINT_INDENT)
        + '<w:outlineLvl w:val="0"/>',
        BOLD,
        next_id="ClausePoint",
    ),
    _style(
        "ClausePoint",
        "Clause Point",
        _num_pr(CLAUSE_NUM_ID, 1) + _indent(POINT_INDENT, POINT_INDENT) + JUSTIFIED,
        based_on="BodyText",
    ),
    _style(
        "ClauseSubpoint",
        "Clause Subpoint",
        _num_pr(CLAUSE_NUM_ID, 2) + _indent(2 * POINT_INDENT, POINT_INDENT) + JUSTIFIED,
        based_on="BodyText",
    ),
    _style("ClauseContinuation", "Clause Continuation", _indent(POINT_INDENT), based_on="BodyText"),
    _style(
        "ClauseSubpointContinuation", "Clause Subpoint Continuation", _indent(2 * POINT_INDENT), based_on="BodyText"
    ),
    _style(
        "ListBullet",
        "List Bullet",
        _num_pr(BULLET_NUM_ID, 0) + _spacing(0, 60) + _indent(LIST_TEXT[0], LIST_HANGING),
        based_on="BodyText",
    ),
    _style(
        "ListBullet2",
        "List Bullet 2",
        _num_pr(BULLET_NUM_ID, 1) + _spacing(0, 60) + _indent(LIST_TEXT[1], LIST_HANGING),
        based_on="BodyText",
    ),
    _style(
        "ListNumber",
        "List Number",
        _num_pr(ORDERED_NUM_ID, 0) + _spacing(0, 60) + _indent(LIST_TEXT[0], LIST_HANGING),
        based_on="BodyText",
    ),
    _style(
        "ListNumber2",
        "List Number 2",
        _num_pr(ORDERED_NUM_ID, 1) + _spacing(0, 60) + _indent(LIST_TEXT[1], LIST_HANGING),
        based_on="BodyText",
    ),
    _style("ListContinue", "List Continue", _spacing(0, 60) + _indent(LIST_TEXT[0]), based_on="BodyText"),
    _style("ListContinue2", "List Continue 2", _spacing(0, 60) + _indent(LIST_TEXT[1]), based_on="BodyText"),
    _style(
        "ListBullet3",
        "List Bullet 3",
        _num_pr(BULLET_NUM_ID, 2) + _spacing(0, 60) + _indent(LIST_TEXT[2], LIST_HANGING),
        based_on="BodyText",
    ),
    _style(
        "ListNumber3",
        "List Number 3",
        _num_pr(ORDERED_NUM_ID, 2) + _spacing(0, 60) + _indent(LIST_TEXT[2], LIST_HANGING),
        based_on="BodyText",
    ),
    _style("ListContinue3", "List Continue 3", _spacing(0, 60) + _indent(LIST_TEXT[2]), based_on="BodyText"),
    _style(
        "AnnexHeading",
        "Annex Heading",
        "<w:pageBreakBefore/>" + KEEP + _spacing(0, 240) + '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
        BOLD,
        next_id="BodyText",
    ),
    _style("FormLabel", "Form Label", _spacing(0, 0)),
    _style("Figure", "Figure", KEEP + _spacing(120, 60) + '<w:jc w:val="center"/>'),
    _style(
        "Caption", "Caption", _spacing(0, 240) + '<w:jc w:val="center"/>', "<w:i/><w:iCs/>" + SMALL, based_on="BodyText"
    ),
    _style("Approval", "Approval", KEEP + _spacing(0, 0) + '<w:jc w:val="right"/>'),
    # position, dots to 9 cm, a signature line to 13 cm, the name flush right
    _style(
        "Signature",
        "Signature",
        "<w:keepLines/><w:tabs>"
        f'<w:tab w:val="left" w:leader="dot" w:pos="{9 * CM}"/>'
        f'<w:tab w:val="left" w:leader="underscore" w:pos="{13 * CM}"/>'
        f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>' + _spacing(240, 120),
    ),
    _style(
        "Note",
        "Note",
        "<w:pBdr>"
        + "".join(BORDER.format(side=side, space=4) for side in ("top", "left", "bottom", "right"))
        + '</w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
        + _spacing(120, 120)
        + '<w:ind w:left="113" w:right="113"/>',
        based_on="BodyText",
    ),
    _style("TableText", "Table Text", _spacing(0, 0)),
    _style("TableHeader", "Table Header", "<w:keepNext/>", BOLD, based_on="TableText"),
    _style(
        "PolicyTable",
        "Policy Table",
        kind="table",
        based_on="TableNormal",
        table=(
            GRID_TABLE_PROPERTIES + '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
            '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr></w:tblStylePr>'
        ),
    ),
    # a form has no header row: every row is a question, none bold or shaded
    _style("FormTable", "Form Table", kind="table", based_on="TableNormal", table=GRID_TABLE_PROPERTIES),
    _style("Header", "header", _spacing(0, 0) + '<w:jc w:val="center"/>', SMALL),
    _style("Footer", "footer", _spacing(0, 0) + '<w:jc w:val="center"/>', SMALL),
    _style("DraftMark", "Draft Mark", '<w:jc w:val="right"/>', BOLD, based_on="Header"),
)
STYLES_XML = f"<w:styles {WORD_NS}>{''.join(_STYLE_DEFINITIONS)}</w:styles>"


def _styles_element(language_tag: str):
    """The styles, each with the document's language so that Word checks the spelling in it."""
    styles = parse_xml(STYLES_XML)
    for run_properties in styles.iter(qn("w:rPr")):
        run_properties.append(OxmlElement("w:lang", {qn("w:val"): language_tag}))
    return styles


# Numbering ----------------------------------------------------------------------------------------------


def _level(level: int, number_format: str, text: str, style_id: str, left: int, hanging: int) -> str:
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>'
        f'<w:pStyle w:val="{style_id}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f"<w:pPr>{_indent(left, hanging)}</w:pPr></w:lvl>"
    )


def _abstract_num(abstract_id: int, *levels: str) -> str:
    return (
        f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
        f"{''.join(levels)}</w:abstractNum>"
    )


def _num(num_id: int, abstract_id: int) -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'


# One abstractNum per numbering scheme; each level is bound to its paragraph style, and every lower level
# restarts after a higher one (Word's default), so 2.1. follows 1.3.
CLAUSE_LIST, BULLET_LIST, ORDERED_LIST = 0, 1, 2
NUMBERING_XML = (
    f"<w:numbering {WORD_NS}>"
    + _abstract_num(
        CLAUSE_LIST,
        _level(0, "decimal", "%1.", "ClauseHeading", POINT_INDENT, POINT_INDENT),
        _level(1, "decimal", "%1.%2.", "ClausePoint", POINT_INDENT, POINT_INDENT),
        _level(2, "decimal", "%1.%2.%3.", "ClauseSubpoint", 2 * POINT_INDENT, POINT_INDENT),
    )
    + _abstract_num(
        BULLET_LIST,
        _level(0, "bullet", "\u2022", "ListBullet", LIST_TEXT[0], LIST_HANGING),
        _level(1, "bullet", "\u2013", "ListBullet2", LIST_TEXT[1], LIST_HANGING),
        _level(2, "bullet", "\u25e6", "ListBullet3", LIST_TEXT[2], LIST_HANGING),
    )
    + _abstract_num(
        ORDERED_LIST,
        _level(0, "decimal", "%1.", "ListNumber", LIST_TEXT[0], LIST_HANGING),
        _level(1, "decimal", "%2)", "ListNumber2", LIST_TEXT[1], LIST_HANGING),
        _level(2, "lowerLetter", "%3)", "ListNumber3", LIST_TEXT[2], LIST_HANGING),
    )
    + _num(CLAUSE_NUM_ID, CLAUSE_LIST)
    + _num(BULLET_NUM_ID, BULLET_LIST)
    + _num(ORDERED_NUM_ID, ORDERED_LIST)
    + "</w:numbering>"
)


# The base package ---------------------------------------------------------------------------------------

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
UNUSED_DOCUMENT_PARTS = (STYLES_WITH_EFFECTS, RT.CUSTOM_XML)
UNUSED_PACKAGE_PARTS = (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES)  # a blank page's preview, stale app statistics
# proofState "clean" would tell Word the spelling was already checked
UNUSED_SETTINGS = ("w:proofState", "w:savePreviewPicture")


POSTER_TYPE_SCALE = {"A4": 13 / 12, "A3": 18.4 / 12}
"""How much larger a poster's type is than a document's (13 pt body text on A4, 18.4 pt on A3, as in the PDF)."""


def _scaled_type(styles, scale: float) -> None:
    """Every font size of the styles (w:sz, w:szCs, in half-points) multiplied by `scale`."""
    for size in (*styles.iter(qn("w:sz")), *styles.iter(qn("w:szCs"))):
        size.set(qn("w:val"), str(round(int(size.get(qn("w:val"))) * scale)))


@functools.cache
def _base_package(language_tag: str, layout: str = "document", paper: str = "A4") -> bytes:
    """An empty document with our styles, numbering, settings and page layout, built once per language, layout
    and paper size."""
    document = docx.Document()
    for rels, unused in (
        (document.part.rels, UNUSED_DOCUMENT_PARTS),
        (document.part.package.rels, UNUSED_PACKAGE_PARTS),
    ):
        for rel_id in [rel_id for rel_id, rel in rels.items() if rel.reltype in unused]:
            del rels[rel_id]
    styles = _styles_element(language_tag)
    if layout == "poster":
        _scaled_type(styles, POSTER_TYPE_SCALE[paper])
    document.styles.element[:] = list(styles)
    document.part.numbering_part.element[:] = list(parse_xml(NUMBERING_XML))
    _configure_settings(document.settings.element, language_tag)
    section = document.sections[0]
    width, height = PAPER_SIZES[paper]
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _configure_settings(settings, language_tag: str) -> None:
    for name in UNUSED_SETTINGS:
        for element in settings.findall(qn(name)):
            settings.remove(element)
    settings.find(qn("w:defaultTabStop")).set(qn("w:val"), str(POINT_INDENT))
    theme_font_lang = settings.find(qn("w:themeFontLang"))
    theme_font_lang.attrib.clear()
    theme_font_lang.set(qn("w:val"), language_tag)
    compat = settings.find(qn("w:compat"))
    # a justified line ending in a line break is not stretched across the page
    compat.insert(0, parse_xml(f"<w:doNotExpandShiftReturn {WORD_NS}/>"))
    # compatibility mode 15 (Word 2013+) so that Word does not open the file in "Compatibility Mode"
    for setting in compat.iterfind(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


# Header, footer, properties, zip ------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(page|pages)\}")
FIELD_CODES = {"page": "PAGE", "pages": "NUMPAGES"}


def _write_header_and_footer(section, meta: Meta, target: str) -> None:
    header = section.header.paragraphs[0]
    if meta.draft_mark:
        _add_text(_styled(header, "DraftMark"), meta.draft_mark, target)
        header = _styled(section.header.add_paragraph(), "Header")
    _add_text(header, meta.institution, target)
    _add_text(_styled(section.header.add_paragraph(), "Header"), meta.title, target)

    if set(PLACEHOLDER.findall(meta.page_label)) != set(FIELD_CODES):
        raise RenderError(
            target,
            f"page label {meta.page_label!r} lacks {{page}} or {{pages}}",
            hint='write the page label with both placeholders, e.g. "Page {page} of {pages}"',
        )
    footer = section.footer.paragraphs[0]  # every document has its footer part, so that all store one set of parts
    if meta.layout == "poster":  # one page read from a distance: no page label, as in the PDF
        return
    for index, part in enumerate(PLACEHOLDER.split(meta.page_label)):
        if index % 2:
            _add_field(footer, FIELD_CODES[part])
        elif part:
            _add_text(footer, part, target)


def _styled(paragraph: DocxParagraph, style_id: str) -> DocxParagraph:
    paragraph._p.style = style_id
    return paragraph


def _add_field(paragraph: DocxParagraph, code: str, result: str = "1", run_properties: str = "") -> None:
    """A field as Word writes it: begin, instruction, separate, a cached result to show until updated, end."""
    properties = f"<w:rPr>{run_properties}</w:rPr>" if run_properties else ""
    for content in (
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> {code} </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        f"<w:t>{escape(result)}</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        paragraph._p.append(parse_xml(f"<w:r {WORD_NS}>{properties}{content}</w:r>"))


TAB_OR_LINE_BREAK = re.compile(r"[\t\n\r]")


def _add_text(paragraph: DocxParagraph, text: str, target: str, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run()
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    try:
        if TAB_OR_LINE_BREAK.search(text):
            run.text = text  # python-docx writes these as w:tab and w:br
        else:
            run._r.add_t(text)  # much faster than run.text, which walks the text character by character
    except ValueError as error:  # lxml refuses control characters
        raise RenderError(
            target,
            f"text cannot be written to Word: {text[:60]!r}: {error}",
            hint="remove control characters from the text",
        ) from None


def _set_core_properties(properties, meta: Meta, target: str) -> None:
    created = dt.datetime.combine(meta.created, dt.time())  # midnight, written as UTC
    values = {
        "title": meta.title,
        "subject": meta.subject,
        "author": meta.institution,
        "last_modified_by": meta.institution,
        "language": meta.language_tag,
        "keywords": ", ".join(meta.keywords),
        "comments": "",
        "category": "",
        "created": created,
        "modified": created,
        "revision": 1,
    }
    for name, value in values.items():
        try:
            setattr(properties, name, value)
        except ValueError as error:  # over 255 characters, or a control character
            raise RenderError(
                target,
                f"document property {name} cannot be written: {error}",
                hint="shorten the value or remove control characters from it",
            ) from None


# The translator -----------------------------------------------------------------------------------------


class _DocxTranslator(Visitor):
    """Visits the blocks and inlines of a Document node by node, appending them to a python-docx document."""

    paragraph: DocxParagraph  # where the inlines being visited go; set by _add_inlines before it visits them

    def __init__(self, document: WordDocument, doc_id: str, target: str) -> None:
        self.document = document
        self.doc_id = doc_id
        self.target = target
        self.body = document.element.body
        self.anchors: dict[str, str] = {}  # bookmark name -> clause id, to refuse two clauses of one name
        self.numbering = document.part.numbering_part.element
        self.paragraph_styles = ["BodyText"]  # the style of a plain paragraph where we are
        self.list_depth = 0
        self.in_clause = False
        self.bold = self.italic = False

    def unknown_visit(self, node: Node) -> NoReturn:
        raise RenderError(
            self.target,
            f"the DOCX writer cannot write a {type(node).__name__}",
            hint="this is a bug in policygen: the document reached the writer with a node it does not write",
        )

    @contextmanager
    def _plain_paragraphs_in(self, style: str) -> Iterator[None]:
        self.paragraph_styles.append(style)
        try:
            yield
        finally:
            self.paragraph_styles.pop()

    def _add_paragraph(self, style: str, inlines: tuple[Inline, ...] = ()) -> DocxParagraph:
        paragraph = _styled(self.document.add_paragraph(), style)
        self._add_inlines(paragraph, inlines)
        return paragraph

    def _add_inlines(self, paragraph: DocxParagraph, inlines: tuple[Inline, ...]) -> None:
        self.paragraph = paragraph
        self.visit_all(inlines)

    def _add_item(self, style: str, continuation_style: str, blocks: tuple[Block, ...]) -> DocxParagraph:
        """A numbered or bulleted paragraph from the item's first paragraph; its further blocks continue it."""
        first = blocks[0] if blocks and isinstance(blocks[0], Paragraph) else None
        paragraph = self._add_paragraph(style, first.inlines if first is not None else ())
        with self._plain_paragraphs_in(continuation_style):
            self.visit_all(blocks[1:] if first is not None else blocks)
        return paragraph

    # blocks

    def visit_Heading(self, heading: Heading) -> None:
        self._add_paragraph(HEADING_STYLES[heading.level], heading.inlines)

    def visit_Paragraph(self, paragraph: Paragraph) -> None:
        self._add_paragraph(self.paragraph_styles[-1], paragraph.inlines)

    def visit_Clause(self, clause: Clause) -> None:
        """A clause between the two ends of its bookmark: from the start of its heading to the end of its last
        paragraph (or after its last table)."""
        name = clause_anchor(self.doc_id, clause.id)
        if self.anchors.setdefault(name, clause.id) != clause.id:
            raise RenderError(
                self.target,
                f"clauses {self.anchors[name]!r} and {clause.id!r} would have the same bookmark {name!r}",
                hint="rename one of the two clauses",
            )
        bookmark_id = str(len(self.anchors))
        heading = self._add_paragraph("ClauseHeading", clause.title)
        heading._p.insert(
            1, parse_xml(f'<w:bookmarkStart {WORD_NS} w:id="{bookmark_id}" w:name="{name}"/>')
        )  # after the paragraph's properties, which come first
        with self._plain_paragraphs_in("ClauseContinuation"):
            self.visit_all(clause.blocks)
        end = parse_xml(f'<w:bookmarkEnd {WORD_NS} w:id="{bookmark_id}"/>')
        last = self.body[-2]  # the last child is the section's properties
        if last.tag == qn("w:p"):
            last.append(end)
        else:
            last.addnext(end)

    def visit_Point(self, point: Point) -> None:
        self._add_item(*POINT_STYLES[point.level], point.blocks)

    def visit_BulletList(self, bullet_list: BulletList) -> None:
        with self._nested_list() as depth:
            for item in bullet_list.items:
                self._add_item(BULLET_STYLES[depth], LIST_CONTINUE_STYLES[depth], item)

    def visit_OrderedList(self, ordered_list: OrderedList) -> None:
        with self._nested_list() as depth:
            # a fresh numbering instance restarting at 1, so that every list counts from 1
            num = self.numbering.add_num(ORDERED_LIST)
            num.add_lvlOverride(ilvl=depth).add_startOverride(1)
            for item in ordered_list.items:
                paragraph = self._add_item(NUMBER_STYLES[depth], LIST_CONTINUE_STYLES[depth], item)
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = depth
                num_pr.get_or_add_numId().val = num.numId

    @contextmanager
    def _nested_list(self) -> Iterator[int]:
        self.list_depth += 1
        try:
            yield self.list_depth - 1
        finally:
            self.list_depth -= 1

    def visit_Figure(self, figure: Figure) -> None:
        paragraph = self._add_paragraph("Figure")
        paragraph.add_run().add_picture(io.BytesIO(figure.data), width=Cm(figure.width_cm))
        self._add_paragraph("Caption", figure.caption)

    def visit_Table(self, table: Table) -> None:
        docx_table = self.document.add_table(rows=1 + len(table.rows), cols=len(table.header))
        docx_table._tbl.tblStyle_val = "PolicyTable"
        for index, (row, cells) in enumerate(zip(docx_table.rows, (table.header, *table.rows), strict=True)):
            row_properties = row._tr.get_or_add_trPr()
            row_properties.append(parse_xml(f"<w:cantSplit {WORD_NS}/>"))
            if index == 0:
                row_properties.append(parse_xml(f"<w:tblHeader {WORD_NS}/>"))
            for cell, inlines in zip(row.cells, cells, strict=True):
                paragraph = _styled(cell.paragraphs[0], "TableHeader" if index == 0 else "TableText")
                self._add_inlines(paragraph, inlines)

    def visit_Approval(self, approval: Approval) -> None:
        with self._plain_paragraphs_in("Approval"):
            self.visit_all(approval.blocks)

    def visit_Note(self, note: Note) -> None:
        with self._plain_paragraphs_in("Note"):
            self.visit_all(note.blocks)

    def visit_Annex(self, annex: Annex) -> None:
        self._add_paragraph("AnnexHeading", annex.title)
        self.visit_all(annex.blocks)

    def visit_Form(self, form: Form) -> None:
        """A form is a two-column table: each label, and an empty cell as tall as the lines it asks for. Its rows
        keep together on one page, as in the PDF."""
        docx_table = self.document.add_table(rows=len(form.fields), cols=2)
        docx_table._tbl.tblStyle_val = "FormTable"
        table_look = docx_table._tbl.tblPr.find(qn("w:tblLook"))
        for name, value in FORM_TABLE_LOOK.items():
            table_look.set(qn(f"w:{name}"), value)
        for index, (row, field) in enumerate(zip(docx_table.rows, form.fields, strict=True), start=1):
            row_properties = row._tr.get_or_add_trPr()
            row_properties.append(parse_xml(f"<w:cantSplit {WORD_NS}/>"))
            row_properties.append(parse_xml(f'<w:trHeight {WORD_NS} w:val="{form.lines * 400}" w:hRule="atLeast"/>'))
            label = _styled(row.cells[0].paragraphs[0], "FormLabel")
            self._add_inlines(label, field.label)
            space = _styled(row.cells[1].paragraphs[0], "TableText")
            if index < len(form.fields):
                for paragraph in (label, space):
                    paragraph.paragraph_format.keep_with_next = True

    def visit_Signature(self, signature: Signature) -> None:
        paragraph = self._add_paragraph("Signature", signature.position)
        paragraph.add_run("\t \t\t")  # dot leader, signature line, then the name flush right
        self._add_inlines(paragraph, signature.name)

    # inlines

    def visit_Text(self, text: Text) -> None:
        _add_text(self.paragraph, text.text, self.target, self.bold, self.italic)

    def visit_ClauseNumber(self, number: ClauseNumber) -> None:
        """A REF field to the clause's bookmark giving its paragraph number (\\r: as numbered, without the
        trailing dot; \\h: a link to it), the number as written until fields are updated."""
        run_properties = ("<w:b/>" if self.bold else "") + ("<w:i/>" if self.italic else "")
        code = f"REF {clause_anchor(self.doc_id, number.clause_id)} \\r \\h"
        _add_field(self.paragraph, code, number.number, run_properties)

    def visit_LineBreak(self, _: LineBreak) -> None:
        self.paragraph.add_run().add_break()

    def visit_Strong(self, strong: Strong) -> None:
        outer, self.bold = self.bold, True
        self.visit_all(strong.children)
        self.bold = outer

    def visit_Emphasis(self, emphasis: Emphasis) -> None:
        outer, self.italic = self.italic, True
        self.visit_all(emphasis.children)
        self.italic = outer


class DocxWriter:
    """Writes a Document as DOCX bytes, the same bytes for the same document."""

    name = "docx"
    suffix = ".docx"

    def render(self, document: Document) -> bytes:
        meta = document.meta
        target = f"{meta.doc_id}{self.suffix}"
        word_document = docx.Document(io.BytesIO(_base_package(meta.language_tag, meta.layout, meta.paper)))
        _DocxTranslator(word_document, meta.doc_id, target).visit_all(document.blocks)
        _write_header_and_footer(word_document.sections[0], meta, target)
        _set_core_properties(word_document.core_properties, meta, target)
        buffer = io.BytesIO()
        word_document.save(buffer)
        return normalised_zip(buffer.getvalue())
