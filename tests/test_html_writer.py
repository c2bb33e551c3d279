"""HtmlWriter: escaped text, document metadata, clause structure for the print CSS, unknown nodes refused."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

import policygen
from policygen.errors import RenderError
from policygen.model import (
    Approval,
    BulletList,
    Clause,
    Document,
    Emphasis,
    FigurePlace,
    Heading,
    LineBreak,
    Meta,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Signature,
    Strong,
    Table,
    Text,
)
from policygen.writers.html import HtmlWriter

HOSTILE_TEXTS = (
    "{{ 7*7 }} <b>&</b> *x* «Ңөү»",
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://169.254.169.254/">',
    "\" onload='x' data-x=\"",
)


def meta(**changes: object) -> Meta:
    base = Meta(
        doc_id="policy",
        title="Положение о предупреждении сексуальных домогательств",
        subject="Предупреждение сексуальных домогательств",
        language="ru",
        language_tag="ru-RU",
        institution="Городская клиническая больница №1 г. Бишкек",
        created=dt.date(2025, 3, 1),
        page_label="Страница {page} из {pages}",
        draft_mark="ПРОЕКТ",
        keywords=("домогательства", "политика"),
    )
    return replace(base, **changes)


def paragraph(text: str) -> Paragraph:
    return Paragraph((Text(text),))


def document(*blocks: object, **meta_changes: object) -> Document:
    return Document(meta=meta(**meta_changes), blocks=blocks)


def every_block_document() -> Document:
    """One of each block and inline type, with Kyrgyz and Russian text."""
    return document(
        Approval((paragraph("УТВЕРЖДЕНО"), paragraph("приказом №12"))),
        Heading(1, (Text("Положение"),)),
        Heading(2, (Text("Введение"),)),
        Heading(3, (Text("Термины"),)),
        Paragraph(
            (
                Text("Бул "),
                Strong((Text("милдеттүү"),)),
                Text(" жана "),
                Emphasis((Text("ачык"),)),
                Text("."),
                LineBreak(),
                Text("Ңөү"),
            )
        ),
        OrderedList(((paragraph("Трудовой кодекс"),), (paragraph("Закон об охране здоровья"),))),
        Clause(
            id="general",
            covers=("definition", "scope"),
            title=(Text("Общие положения"),),
            blocks=(
                Point(1, (paragraph("Первый пункт."), BulletList(((paragraph("работники"),),)))),
                Point(1, (paragraph("Второй пункт."),)),
                Point(2, (paragraph("Подпункт."),)),
            ),
        ),
        Table(header=((Text("Шаг"),), (Text("Срок"),)), rows=(((Text("Жалоба"),), (Text("3 дня"),)),)),
        Note((paragraph("Требует проверки юристом."),)),
        Signature((Text("Главный врач"),), (Text("А. Б. Асанова"),)),
    )


class _ParsedHtml(HTMLParser):
    """The tags, classes, attribute values and text of an HTML page, as a browser would read them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.classes: set[str] = set()
        self.attribute_names: set[str] = set()
        self.attribute_values: list[str] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attribute_names.add(name)
            self.attribute_values.append(value or "")
            if name == "class":
                self.classes.update((value or "").split())

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_text_is_escaped_into_literal_text_and_attribute_values():
    hostile_blocks = tuple(paragraph(text) for text in HOSTILE_TEXTS)
    hostile_clause = Clause(
        id="hostile",  # the model allows slugs only
        covers=(HOSTILE_TEXTS[3],),
        title=(Text(HOSTILE_TEXTS[0]),),
        blocks=(Point(1, (paragraph(HOSTILE_TEXTS[2]),)),),
    )
    hostile_table = Table(header=((Text(HOSTILE_TEXTS[1]),),), rows=(((Text(HOSTILE_TEXTS[2]),),),))
    page = HtmlWriter().render(
        document(
            *hostile_blocks,
            hostile_clause,
            hostile_table,
            title=HOSTILE_TEXTS[0],
            institution=HOSTILE_TEXTS[1],
            draft_mark=HOSTILE_TEXTS[3],
        )
    )
    parsed = _ParsedHtml(page)
    text = "".join(parsed.text)
    for hostile in HOSTILE_TEXTS:
        assert hostile in text or hostile in parsed.attribute_values
    assert {"b", "img"}.isdisjoint(parsed.tags)
    assert parsed.tags.count("link") == 1  # the stylesheet only
    assert "onload" not in parsed.attribute_names
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_html_lang_is_the_document_language(language):
    page = HtmlWriter().render(document(paragraph("x"), language=language))
    assert f'<html lang="{language}">' in page


def test_head_carries_title_author_subject_keywords_and_fixed_dates_for_the_pdf_metadata():
    page = HtmlWriter().render(document(paragraph("x")))
    assert "<title>Положение о предупреждении сексуальных домогательств</title>" in page
    assert '<meta name="author" content="Городская клиническая больница №1 г. Бишкек">' in page
    assert '<meta name="description" content="Предупреждение сексуальных домогательств">' in page
    assert '<meta name="keywords" content="домогательства, политика">' in page
    assert '<meta name="dcterms.created" content="2025-03-01">' in page


def test_every_block_type_gets_the_structure_classes_the_print_css_numbers_and_styles():
    parsed = _ParsedHtml(HtmlWriter().render(every_block_document()))
    assert {
        "title",
        "heading",
        "clause",
        "clause-title",
        "point",
        "point-1",
        "point-2",
        "point-text",
        "approval",
        "note",
        "signature",
        "signature-position",
        "signature-rule",
        "signature-name",
    } <= parsed.classes
    tags = {"h1", "h2", "h3", "section", "ul", "ol", "li", "table", "thead", "th", "td", "strong", "em", "br"}
    assert tags <= set(parsed.tags)


def test_clause_carries_its_id_and_covered_elements():
    page = HtmlWriter().render(every_block_document())
    assert '<section class="clause" data-clause="general" data-covers="definition scope">' in page


def test_clause_and_point_numbers_are_left_to_the_css_and_never_typed_into_the_text():
    text = "".join(_ParsedHtml(HtmlWriter().render(every_block_document())).text)
    assert re.search(r"\d\.", text) is None


def test_inline_spans_add_no_whitespace_inside_a_paragraph():
    page = HtmlWriter().render(
        document(
            Paragraph((Text("Бул "), Strong((Text("x"),)), Text("."), Emphasis((Text("y"),)), LineBreak(), Text("z")))
        )
    )
    assert "<p>Бул <strong>x</strong>.<em>y</em><br>z</p>" in page


def test_signature_is_position_rule_then_name():
    signature = Signature((Text("Главный врач"),), (Text("Асанова"),))
    page = HtmlWriter().render(document(signature))
    assert (
        '<div class="signature">\n<p class="signature-position">Главный врач</p>\n'
        '<span class="signature-rule"></span>\n<p class="signature-name">Асанова</p>\n</div>'
    ) in page


def test_running_header_and_page_label_texts_are_body_attributes_for_the_css():
    page = HtmlWriter().render(document(paragraph("x")))
    assert (
        '<body data-institution="Городская клиническая больница №1 г. Бишкек" '
        'data-title="Положение о предупреждении сексуальных домогательств" data-draft-mark="ПРОЕКТ" '
        'data-page-label-start="Страница " data-page-label-middle=" из " data-page-label-end="">'
    ) in page


def test_page_label_naming_the_total_first_selects_the_reversed_page_layout():
    page = HtmlWriter().render(document(paragraph("x"), page_label="{pages} беттин {page}-бети"))
    assert '<body class="page-label-reversed"' in page
    assert 'data-page-label-start="" data-page-label-middle=" беттин " data-page-label-end="-бети"' in page


@pytest.mark.parametrize("label", ["Страница {page}", "{pages}", "{page} {page} {pages}", "Page {Page} of {pages}"])
def test_page_label_without_exactly_one_page_and_one_pages_placeholder_is_refused(label):
    with pytest.raises(RenderError, match="page label"):
        HtmlWriter().render(document(paragraph("x"), page_label=label))


def test_stylesheet_link_can_be_left_out_for_a_caller_that_supplies_the_css():
    assert '<link rel="stylesheet" href="css/print.css">' in HtmlWriter().render(document(paragraph("x")))
    assert "<link" not in HtmlWriter(link_stylesheet=False).render(document(paragraph("x")))


@pytest.mark.parametrize(
    "unwritten",
    [
        pytest.param(FigurePlace("heatmap", (Text("a picture not yet drawn"),)), id="figure-place"),
        pytest.param(Paragraph((Ref("policy", "scope"),)), id="unresolved-reference"),
        pytest.param(Clause("c", (), (Text("t"),), (Note((Paragraph((Ref("", "c"),)),)),)), id="nested-reference"),
    ],
)
def test_node_the_writer_does_not_render_raises_render_error_instead_of_being_dropped(unwritten):
    with pytest.raises(RenderError, match=r"the HTML writer cannot render a (FigurePlace|Ref)") as raised:
        HtmlWriter().render(document(unwritten))
    assert raised.value.target == "ru/policy"


def test_importing_the_html_writer_does_not_import_weasyprint():
    code = "import sys, policygen.writers.html; sys.exit('weasyprint' in sys.modules)"
    package_parent = Path(policygen.__file__).parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=package_parent).returncode == 0
