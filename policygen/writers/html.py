"""Turn a Document into print HTML: every text escaped, clauses and points as classes the print CSS numbers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from html import escape

from policygen.errors import RenderError
from policygen.model import (
    BulletList,
    Clause,
    Container,
    Document,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Meta,
    OrderedList,
    Paragraph,
    Point,
    Strong,
    Table,
    Text,
    plain_text,
)

STYLESHEET_HREF = "css/print.css"
"""The print stylesheet, relative to the packaged assets folder."""

_PAGE_PLACEHOLDER = re.compile(r"\{(page|pages)\}")
_INLINE_TYPES = (Text, Strong, Emphasis, LineBreak)


FIGURE_FOLDER = "figures"
_FIGURE_SUFFIXES = {"image/png": ".png"}


def figure_url(figure: Figure) -> str:
    """Where a figure's picture is linked from the HTML, relative to the assets folder.

    The URL names the picture's content: weasyprint keeps one image per URL, so pages of several documents
    laid out into one PDF (the chart of each language) must never share a URL for different pictures.
    """
    suffix = _FIGURE_SUFFIXES.get(figure.media_type)
    if suffix is None:
        raise RenderError(
            figure.name, f"figure of type {figure.media_type} cannot be shown", hint="figures are PNG pictures"
        )
    digest = hashlib.sha256(figure.data).hexdigest()[:16]
    return f"{FIGURE_FOLDER}/{figure.name}-{digest}{suffix}"


def document_figures(document: Document) -> dict[str, bytes]:
    """Every figure of a document by its figure_url."""
    figures: dict[str, bytes] = {}
    pending = list(document.blocks)
    while pending:
        block = pending.pop()
        if isinstance(block, Figure):
            figures[figure_url(block)] = block.data
        elif isinstance(block, (Clause, Container, Point)):
            pending.extend(block.blocks)
    return figures


def form_field_name(meta: Meta, annex_id: str, field_id: str) -> str:
    """A PDF form field's name: document, language, annex and field, unique in any PDF binding several
    documents and languages (fields of one name share one value). Slashes, not periods, separate the
    parts: a period in a field's own name would stand for a parent field."""
    return "/".join((meta.doc_id, meta.language, annex_id, field_id))


def document_target(meta: Meta) -> str:
    """How errors name a document: its language and id, as in the output folder."""
    return f"{meta.language}/{meta.doc_id}"


class HtmlWriter:
    """Writes a Document as one HTML page, styled for print by the packaged stylesheet."""

    name = "html"
    suffix = ".html"

    def __init__(self, *, link_stylesheet: bool = True) -> None:
        # The PDF writer passes the stylesheet to weasyprint already parsed, so it asks for no link.
        self.link_stylesheet = link_stylesheet

    def render(self, document: Document) -> str:
        return _HtmlTranslator(document, self.link_stylesheet).translate()


class _HtmlTranslator:
    """Visits the document node by node (visit_<NodeClass>) and collects the HTML."""

    def __init__(self, document: Document, link_stylesheet: bool) -> None:
        self.document = document
        self.link_stylesheet = link_stylesheet
        self.target = document_target(document.meta)
        self.body: list[str] = []
        self.annex_id: str | None = None

    def translate(self) -> str:
        self.render_blocks(self.document.blocks)
        return "\n".join(
            [
                "<!DOCTYPE html>",
                f'<html lang="{escape(self.document.meta.language)}">',
                self.head(),
                self.body_start_tag(),
                "".join(self.body) + "</body>",
                "</html>",
                "",
            ]
        )

    def fail(self, message: str) -> RenderError:
        return RenderError(self.target, message, hint="the document model is malformed; report it as a bug")

    # Document frame ---------------------------------------------------------------------------------------

    def head(self) -> str:
        meta = self.document.meta
        lines = [
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{escape(meta.title)}</title>",
            f'<meta name="author" content="{escape(meta.institution)}">',
            f'<meta name="description" content="{escape(meta.subject)}">',
            f'<meta name="dcterms.created" content="{meta.created.isoformat()}">',
            f'<meta name="dcterms.modified" content="{meta.created.isoformat()}">',
            '<meta name="generator" content="policygen">',
        ]
        if meta.keywords:
            lines.append(f'<meta name="keywords" content="{escape(", ".join(meta.keywords))}">')
        if self.link_stylesheet:
            lines.append(f'<link rel="stylesheet" href="{STYLESHEET_HREF}">')
        lines.append("</head>")
        return "\n".join(lines)

    def body_start_tag(self) -> str:
        """<body> carrying the running header and footer texts that the stylesheet reads with attr()."""
        meta = self.document.meta
        parts = _PAGE_PLACEHOLDER.split(meta.page_label)
        placeholders = parts[1::2]
        if sorted(placeholders) != ["page", "pages"]:
            raise RenderError(
                self.target,
                f"page label {meta.page_label!r} must contain {{page}} and {{pages}} once each",
                hint='write it like "Page {page} of {pages}"',
            )
        start, middle, end = parts[0::2]
        attributes = {
            "class": "page-label-reversed" if placeholders[0] == "pages" else None,
            "data-institution": meta.institution,
            "data-title": meta.title,
            "data-draft-mark": meta.draft_mark,
            "data-page-label-start": start,
            "data-page-label-middle": middle,
            "data-page-label-end": end,
        }
        return f"<body{_attributes(attributes)}>"

    # Dispatch ---------------------------------------------------------------------------------------------

    def visit(self, node: object) -> None:
        visitor = getattr(self, f"visit_{type(node).__name__}", None)
        if visitor is None:
            raise self.fail(f"the HTML writer cannot render a {type(node).__name__} node")
        visitor(node)

    def render_blocks(self, blocks: tuple) -> None:
        for block in blocks:
            if isinstance(block, _INLINE_TYPES):
                raise self.fail(f"a {type(block).__name__} inline stands where a block is expected")
            self.visit(block)

    def render_inlines(self, inlines: tuple) -> None:
        for inline in inlines:
            if not isinstance(inline, _INLINE_TYPES):
                raise self.fail(f"a {type(inline).__name__} stands where an inline span is expected")
            self.visit(inline)

    # Inline spans -----------------------------------------------------------------------------------------

    def visit_Text(self, node: Text) -> None:
        self.body.append(escape(node.text))

    def visit_Strong(self, node: Strong) -> None:
        self.body.append("<strong>")
        self.render_inlines(node.children)
        self.body.append("</strong>")

    def visit_Emphasis(self, node: Emphasis) -> None:
        self.body.append("<em>")
        self.render_inlines(node.children)
        self.body.append("</em>")

    def visit_LineBreak(self, node: LineBreak) -> None:
        self.body.append("<br>")

    # Blocks -----------------------------------------------------------------------------------------------

    def visit_Heading(self, node: Heading) -> None:
        if node.level not in (1, 2, 3):
            raise self.fail(f"heading level {node.level} is not 1, 2 or 3")
        css_class = "title" if node.level == 1 else "heading"
        self.body.append(f'<h{node.level} class="{css_class}">')
        self.render_inlines(node.inlines)
        self.body.append(f"</h{node.level}>\n")

    def visit_Paragraph(self, node: Paragraph, css_class: str | None = None) -> None:
        self.body.append(f"<p{_attributes({'class': css_class})}>")
        self.render_inlines(node.inlines)
        self.body.append("</p>\n")

    def visit_Clause(self, node: Clause) -> None:
        attributes = {"class": "clause", "data-clause": node.id, "data-covers": " ".join(node.covers)}
        self.body.append(f"<section{_attributes(attributes)}>\n")
        self.body.append('<h2 class="clause-title">')
        self.render_inlines(node.title)
        self.body.append("</h2>\n")
        self.render_blocks(node.blocks)
        self.body.append("</section>\n")

    def visit_Point(self, node: Point) -> None:
        if node.level not in (1, 2):
            raise self.fail(f"point level {node.level} is not 1 or 2")
        if not node.blocks or not isinstance(node.blocks[0], Paragraph):
            raise self.fail("a point must start with the paragraph that carries its number")
        self.body.append(f'<div class="point point-{node.level}">\n')
        self.visit_Paragraph(node.blocks[0], css_class="point-text")
        self.render_blocks(node.blocks[1:])
        self.body.append("</div>\n")

    def visit_BulletList(self, node: BulletList) -> None:
        self.list_items("ul", node.items)

    def visit_OrderedList(self, node: OrderedList) -> None:
        self.list_items("ol", node.items)

    def list_items(self, tag: str, items: tuple) -> None:
        self.body.append(f"<{tag}>\n")
        for item in items:
            self.body.append("<li>")
            self.render_blocks(item)
            self.body.append("</li>\n")
        self.body.append(f"</{tag}>\n")

    def visit_Figure(self, node: Figure) -> None:
        """The picture by a URL relative to the assets folder; the PDF writer serves it from the document."""
        self.body.append(
            f'<figure class="figure"><img src="{escape(figure_url(node))}" '
            f'alt="{escape(plain_text(node.caption))}" style="width: {node.width_cm:.2f}cm">\n'
            "<figcaption>"
        )
        self.render_inlines(node.caption)
        self.body.append("</figcaption></figure>\n")

    def visit_Table(self, node: Table) -> None:
        self.body.append("<table>\n")
        if node.header:
            self.body.append("<thead>\n")
            self.table_row("th", node.header)
            self.body.append("</thead>\n")
        self.body.append("<tbody>\n")
        for row in node.rows:
            self.table_row("td", row)
        self.body.append("</tbody>\n")
        self.body.append("</table>\n")

    def table_row(self, cell_tag: str, cells: tuple) -> None:
        self.body.append("<tr>")
        for cell in cells:
            self.body.append(f"<{cell_tag}>")
            self.render_inlines(cell)
            self.body.append(f"</{cell_tag}>")
        self.body.append("</tr>\n")

    def visit_Container(self, node: Container) -> None:
        if node.kind == "signature":
            self.signature(node)
        elif node.kind == "annex":
            self.annex(node)
        elif node.kind == "form":
            self.form(node)
        elif node.kind in ("approval", "note"):
            self.body.append(f'<div class="{node.kind}">\n')
            self.render_blocks(node.blocks)
            self.body.append("</div>\n")
        else:
            raise self.fail(f"the HTML writer cannot render a {node.kind!r} container")

    def annex(self, node: Container) -> None:
        """An annex starts on a new page under its centred title."""
        title, *rest = node.blocks
        if not isinstance(title, Heading):
            raise self.fail("an annex starts with its title heading")
        self.annex_id = dict(node.attrs).get("id")
        self.body.append(f'<section class="annex"{_attributes({"data-annex": self.annex_id})}>\n')
        self.body.append('<h2 class="annex-title">')
        self.render_inlines(title.inlines)
        self.body.append("</h2>\n")
        self.render_blocks(tuple(rest))
        self.body.append("</section>\n")
        self.annex_id = None

    def form(self, node: Container) -> None:
        """Each label beside a field to fill in: fillable in the PDF (weasyprint's PDF forms), each field named
        by form_field_name and with its label as the tooltip."""
        [labels] = node.blocks
        if not isinstance(labels, BulletList):
            raise self.fail("a form holds one bullet list of field labels")
        attributes = dict(node.attrs)
        lines = int(attributes.get("lines", "1"))
        field_ids = attributes.get("fields", "").split()
        if self.annex_id is None or len(field_ids) != len(labels.items):
            raise self.fail("a form stands in an annex and names each of its fields")
        self.body.append('<table class="form">\n<tbody>\n')
        for field_id, item in zip(field_ids, labels.items, strict=False):
            if len(item) != 1 or not isinstance(item[0], Paragraph):
                raise self.fail("a form field label is one paragraph")
            field = _attributes(
                {
                    "name": form_field_name(self.document.meta, self.annex_id, field_id),
                    "title": plain_text(item[0].inlines),
                }
            )
            self.body.append('<tr><th scope="row">')
            self.render_inlines(item[0].inlines)
            if lines == 1:
                self.body.append(f'</th><td><input type="text"{field}></td></tr>\n')
            else:
                self.body.append(
                    f'</th><td><textarea{field} rows="{lines}" style="height: {lines * 16}pt"></textarea></td></tr>\n'
                )
        self.body.append("</tbody>\n</table>\n")

    def signature(self, node: Container) -> None:
        """Position, a rule to sign on, and the name, on one line."""
        position, name = node.blocks if len(node.blocks) == 2 else (None, None)
        if not (isinstance(position, Paragraph) and isinstance(name, Paragraph)):
            raise self.fail("a signature must hold exactly two paragraphs: the position, then the name")
        self.body.append('<div class="signature">\n')
        self.visit_Paragraph(position, css_class="signature-position")
        self.body.append('<span class="signature-rule"></span>\n')
        self.visit_Paragraph(name, css_class="signature-name")
        self.body.append("</div>\n")


def _attributes(attributes: Mapping[str, str | None]) -> str:
    """HTML attributes with escaped values; None leaves an attribute out."""
    return "".join(f' {key}="{escape(value)}"' for key, value in attributes.items() if value is not None)
