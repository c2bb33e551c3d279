"""Turn a Document into print HTML: every text escaped, clauses and points as classes the print CSS numbers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from html import escape
from typing import NoReturn

from policygen.errors import RenderError
from policygen.model import (
    Annex,
    Approval,
    BulletList,
    Clause,
    ClauseNumber,
    Deleted,
    Document,
    Emphasis,
    Figure,
    Form,
    Heading,
    Inline,
    Inserted,
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
    plain_text,
    walk,
)

STYLESHEET_HREF = "css/print.css"
"""The print stylesheet, relative to the packaged assets folder."""

_PAGE_PLACEHOLDER = re.compile(r"\{(page|pages)\}")

FIGURE_FOLDER = "figures"


def figure_url(figure: Figure) -> str:
    """Where a figure's picture is linked from the HTML, relative to the assets folder.

    The URL names the picture's content: weasyprint keeps one image per URL, so pages of several documents
    laid out into one PDF (the chart of each language) must never share a URL for different pictures.
    """
    digest = hashlib.sha256(figure.data).hexdigest()[:16]
    return f"{FIGURE_FOLDER}/{figure.name}-{digest}.png"  # the model's figures are PNG pictures


def document_figures(document: Document) -> dict[str, bytes]:
    """Every figure of a document by its figure_url."""
    return {figure_url(node): node.data for node in walk(document) if isinstance(node, Figure)}


def form_field_name(meta: Meta, annex_id: str, field_id: str) -> str:
    """A PDF form field's name: document, language, annex and field, unique in any PDF binding several
    documents and languages (fields of one name share one value). Slashes, not periods, separate the
    parts: a period in a field's own name would stand for a parent field."""
    return "/".join((meta.doc_id, meta.language, annex_id, field_id))


def document_target(meta: Meta) -> str:
    """How errors name a document: its language and id, as in the output folder."""
    return f"{meta.language}/{meta.doc_id}"


def _page_classes(meta: Meta, *, reversed_label: bool) -> list[str]:
    """The classes of <body> that choose the print stylesheet's page: the label's order, a poster, A3 paper."""
    classes = ["page-label-reversed"] if reversed_label else []
    if meta.layout != "document":
        classes.append(f"layout-{meta.layout}")
    if meta.paper != "A4":
        classes.append(f"paper-{meta.paper.lower()}")
    return classes


class HtmlWriter:
    """Writes a Document as one HTML page, styled for print by the packaged stylesheet."""

    name = "html"
    suffix = ".html"

    def __init__(self, *, link_stylesheet: bool = True) -> None:
        # The PDF writer passes the stylesheet to weasyprint already parsed, so it asks for no link.
        self.link_stylesheet = link_stylesheet

    def render(self, document: Document) -> str:
        return _HtmlTranslator(document, self.link_stylesheet).translate()


class _HtmlTranslator(Visitor):
    """Visits the document node by node (visit_<NodeClass>) and collects the HTML."""

    def __init__(self, document: Document, link_stylesheet: bool) -> None:
        self.document = document
        self.link_stylesheet = link_stylesheet
        self.target = document_target(document.meta)
        self.body: list[str] = []

    def translate(self) -> str:
        self.visit_all(self.document.blocks)
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

    def unknown_visit(self, node: Node) -> NoReturn:
        raise RenderError(
            self.target,
            f"the HTML writer cannot render a {type(node).__name__}",
            hint="this is a bug in policygen: the document reached the writer with a node it does not write",
        )

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
            "class": " ".join(_page_classes(meta, reversed_label=placeholders[0] == "pages")) or None,
            "data-institution": meta.institution,
            "data-title": meta.title,
            "data-draft-mark": meta.draft_mark,
            "data-page-label-start": start,
            "data-page-label-middle": middle,
            "data-page-label-end": end,
        }
        return f"<body{_attributes(attributes)}>"

    # Inline spans -----------------------------------------------------------------------------------------

    def visit_Text(self, node: Text) -> None:
        self.body.append(escape(node.text))

    def visit_Strong(self, node: Strong) -> None:
        self.body.append("<strong>")
        self.visit_all(node.children)
        self.body.append("</strong>")

    def visit_Emphasis(self, node: Emphasis) -> None:
        self.body.append("<em>")
        self.visit_all(node.children)
        self.body.append("</em>")

    def visit_Inserted(self, node: Inserted) -> None:
        self.body.append("<ins>")
        self.visit_all(node.children)
        self.body.append("</ins>")

    def visit_Deleted(self, node: Deleted) -> None:
        self.body.append("<del>")
        self.visit_all(node.children)
        self.body.append("</del>")

    def visit_ClauseNumber(self, node: ClauseNumber) -> None:
        self.body.append(escape(node.number))

    def visit_LineBreak(self, node: LineBreak) -> None:
        self.body.append("<br>")

    # Blocks -----------------------------------------------------------------------------------------------

    def visit_Heading(self, node: Heading) -> None:
        css_class = "title" if node.level == 1 else "heading"
        self.body.append(f'<h{node.level} class="{css_class}">')
        self.visit_all(node.inlines)
        self.body.append(f"</h{node.level}>\n")

    def visit_Paragraph(self, node: Paragraph) -> None:
        self.paragraph(node.inlines)

    def paragraph(self, inlines: tuple[Inline, ...], css_class: str | None = None) -> None:
        self.body.append(f"<p{_attributes({'class': css_class})}>")
        self.visit_all(inlines)
        self.body.append("</p>\n")

    def visit_Clause(self, node: Clause) -> None:
        attributes = {"class": "clause", "data-clause": node.id, "data-covers": " ".join(node.covers)}
        self.body.append(f"<section{_attributes(attributes)}>\n")
        self.body.append('<h2 class="clause-title">')
        self.visit_all(node.title)
        self.body.append("</h2>\n")
        self.visit_all(node.blocks)
        self.body.append("</section>\n")

    def visit_Point(self, node: Point) -> None:
        numbered, *_ = node.blocks  # a Paragraph, as the model requires
        self.body.append(f'<div class="point point-{node.level}">\n')
        self.paragraph(numbered.inlines, css_class="point-text")  # type: ignore[union-attr]
        self.visit_all(node.blocks[1:])
        self.body.append("</div>\n")

    def visit_BulletList(self, node: BulletList) -> None:
        self.list_items("ul", node.items)

    def visit_OrderedList(self, node: OrderedList) -> None:
        self.list_items("ol", node.items)

    def list_items(self, tag: str, items: tuple) -> None:
        self.body.append(f"<{tag}>\n")
        for item in items:
            self.body.append("<li>")
            self.visit_all(item)
            self.body.append("</li>\n")
        self.body.append(f"</{tag}>\n")

    def visit_Figure(self, node: Figure) -> None:
        """The picture by a URL relative to the assets folder; the PDF writer serves it from the document."""
        self.body.append(
            f'<figure class="figure"><img src="{escape(figure_url(node))}" '
            f'alt="{escape(plain_text(node.caption))}" style="width: {node.width_cm:.2f}cm">\n'
            "<figcaption>"
        )
        self.visit_all(node.caption)
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
            self.visit_all(cell)
            self.body.append(f"</{cell_tag}>")
        self.body.append("</tr>\n")

    def visit_Approval(self, node: Approval) -> None:
        self.boxed("approval", node.blocks)

    def visit_Note(self, node: Note) -> None:
        self.boxed("note", node.blocks)

    def boxed(self, css_class: str, blocks: tuple) -> None:
        self.body.append(f'<div class="{css_class}">\n')
        self.visit_all(blocks)
        self.body.append("</div>\n")

    def visit_Annex(self, node: Annex) -> None:
        """An annex starts on a new page under its centred title."""
        self.body.append(f'<section class="annex"{_attributes({"data-annex": node.id})}>\n')
        self.body.append('<h2 class="annex-title">')
        self.visit_all(node.title)
        self.body.append("</h2>\n")
        self.visit_all(node.blocks)
        self.body.append("</section>\n")

    def visit_Form(self, node: Form) -> None:
        """Each label beside a field to fill in: fillable in the PDF (weasyprint's PDF forms), each field named
        by form_field_name and with its label as the tooltip."""
        self.body.append('<table class="form">\n<tbody>\n')
        for field in node.fields:
            attributes = _attributes(
                {
                    "name": form_field_name(self.document.meta, node.annex_id, field.id),
                    "title": plain_text(field.label),
                }
            )
            self.body.append('<tr><th scope="row">')
            self.visit_all(field.label)
            if node.lines == 1:
                self.body.append(f'</th><td><input type="text"{attributes}></td></tr>\n')
            else:
                self.body.append(
                    f'</th><td><textarea{attributes} rows="{node.lines}" style="height: {node.lines * 16}pt">'
                    "</textarea></td></tr>\n"
                )
        self.body.append("</tbody>\n</table>\n")

    def visit_Signature(self, node: Signature) -> None:
        """Position, a rule to sign on, and the name, on one line."""
        self.body.append('<div class="signature">\n')
        self.paragraph(node.position, css_class="signature-position")
        self.body.append('<span class="signature-rule"></span>\n')
        self.paragraph(node.name, css_class="signature-name")
        self.body.append("</div>\n")


def _attributes(attributes: Mapping[str, str | None]) -> str:
    """HTML attributes with escaped values; None leaves an attribute out."""
    return "".join(f' {key}="{escape(value)}"' for key, value in attributes.items() if value is not None)
