"""Tests of the DOCX writer, read back as Word XML and converted by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from conftest import soffice_convert
from lxml import etree
from pypdf import PdfReader

from policygen.errors import RenderError
from policygen.model import (
    Annex,
    Approval,
    BulletList,
    Clause,
    Document,
    Emphasis,
    FigurePlace,
    Form,
    FormField,
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
from policygen.writers.docx import DocxWriter

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W_NS}
INSTITUTION = "Бишкек шаардык №1 клиникалык ооруканасы"
TITLE = "Сексуалдык асылуулардын алдын алуу жөнүндө жобо"
HOSTILE = "{{ 7*7 }} <b>&</b> *x* «Ңөү» ]]> &amp; \"'"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def para(*parts: str | Strong | Emphasis | LineBreak) -> Paragraph:
    return Paragraph(tuple(Text(part) if isinstance(part, str) else part for part in parts))


def make_document(*, blocks: tuple | None = None, **meta_changes) -> Document:
    """A realistic policy: approval stamp, title, preamble lists, three clauses with points, a table, a note."""
    meta = Meta(
        doc_id="policy",
        title=TITLE,
        subject="Сексуалдык асылуулардын алдын алуу",
        language="ky",
        language_tag="ky-KG",
        institution=INSTITUTION,
        created=dt.date(2025, 3, 1),
        page_label="Страница {page} из {pages}",
        draft_mark="ДОЛБООР",
        keywords=("асылуу", "жобо"),
    )
    meta = replace(meta, **meta_changes)
    if blocks is None:
        blocks = (
            Approval((para("БЕКИТЕМИН"), para("Башкы дарыгер"), para("________ А. Т. Асанова"))),
            Heading(1, (Text(TITLE),)),
            para(
                "Бул жобо ",
                Strong((Text("ЭЭУнун"),)),
                " Конвенциясына ылайык иштелип чыкты.",
                LineBreak(),
                Emphasis((Text("Настоящее положение"),)),
                " разработано в соответствии с законом.",
            ),
            OrderedList(((para("Эмгек кодекси."),), (para("Гендердик теңчилик жөнүндө мыйзам."),))),
            Heading(2, (Text("Жалпы жоболор"),)),
            Heading(3, (Text("ӨЗГӨЧӨ ТҮШҮНҮКТӨР ЖАНА ТЕҢДИК"),)),
            Clause(
                "scope",
                ("scope",),
                (Text("Колдонуу чөйрөсү"),),
                (
                    Point(
                        1,
                        (
                            para("Жобо бардык кызматкерлерге карата колдонулат:"),
                            BulletList(
                                (
                                    (para("дарыгерлерге;"),),
                                    (para("медайымдарга;"), BulletList(((para("практиканттарга"),),))),
                                )
                            ),
                        ),
                    ),
                    Point(2, (para("Ординаторлорго жана студенттерге."),)),
                    Point(
                        2,
                        (
                            para("Пациенттерге жана келүүчүлөргө."),
                            para("Бул пункт келишим боюнча иштегендерге да тиешелүү."),
                        ),
                    ),
                    Point(1, (para("Положение распространяется на всех работников учреждения."),)),
                ),
            ),
            Clause(
                "definitions",
                ("definition",),
                (Text("Негизги түшүнүктөр"),),
                (
                    para("Бул жободо төмөнкү түшүнүктөр колдонулат:"),
                    Point(1, (para("Сексуалдык асылуу — каалабаган сексуалдык мүнөздөгү жүрүм-турум."),)),
                    Table(
                        header=((Text("Термин"),), (Text("Аныктама"),)),
                        rows=(
                            ((Text("Асылуу"),), (Text("Каалабаган жүрүм-турум"),)),
                            ((Strong((Text("Домогательство"),)),), (Text("Нежелательное поведение"),)),
                        ),
                    ),
                    OrderedList(((para("Биринчи кадам."),), (para("Экинчи кадам."),))),
                ),
            ),
            Clause(
                "reporting",
                ("reporting",),
                (Text("Кабарлоо тартиби"),),
                (
                    Point(1, (para("Арыз ишеним телефону аркылуу берилет."),)),
                    Point(2, (para("Арыз жазуу түрүндө берилет."),)),
                    Note((para("Юристтин текшерүүсү үчүн белги."),)),
                ),
            ),
            Signature((Text("Башкы дарыгер"),), (Text("А. Т. Асанова"),)),
        )
    return Document(meta=meta, blocks=blocks)


def render(document: Document | None = None) -> bytes:
    return DocxWriter().render(document or make_document())


def part_xml(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def part_names(data: bytes, prefix: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [name for name in archive.namelist() if name.startswith(prefix)]


def style_ids_by_name(data: bytes) -> dict[str, str]:
    styles = part_xml(data, "word/styles.xml")
    return {style.find("w:name", NS).get(w("val")): style.get(w("styleId")) for style in styles.iterfind("w:style", NS)}


def paragraphs_by_style(data: bytes) -> list[tuple[str, str]]:
    """(style name, text) of each body paragraph, table cells included."""
    return [(paragraph.style.name, paragraph.text) for paragraph in all_paragraphs(docx.Document(io.BytesIO(data)))]


def all_paragraphs(document):
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield block


# styles and numbering


def test_every_paragraph_has_a_named_style_defined_in_styles_xml():
    data = render()
    defined = style_ids_by_name(data)
    used = {style for style, _ in paragraphs_by_style(data)}
    assert used == {
        "Approval",
        "Title",
        "Body Text",
        "List Number",
        "Heading 1",
        "Heading 2",
        "Clause Heading",
        "Clause Point",
        "Clause Subpoint",
        "Clause Continuation",
        "Clause Subpoint Continuation",
        "List Bullet",
        "List Bullet 2",
        "Table Header",
        "Table Text",
        "Note",
        "Signature",
    }
    internal = {"Heading 1": "heading 1", "Heading 2": "heading 2"}  # Word's names of its built-in headings
    assert all(internal.get(name, name) in defined for name in used)
    body = part_xml(data, "word/document.xml")
    assert not body.findall(".//w:r/w:rPr/w:sz", NS) and not body.findall(".//w:r/w:rPr/w:rFonts", NS)
    assert body.find(".//w:tbl/w:tblPr/w:tblStyle", NS).get(w("val")) == defined["Policy Table"]


def test_clause_paragraphs_are_numbered_by_their_styles_never_by_typed_digits():
    data = render()
    styles = part_xml(data, "word/styles.xml")
    ids = style_ids_by_name(data)
    for level, name in enumerate(("Clause Heading", "Clause Point", "Clause Subpoint")):
        num_pr = styles.find(f"w:style[@w:styleId='{ids[name]}']/w:pPr/w:numPr", NS)
        assert num_pr.find("w:ilvl", NS).get(w("val")) == str(level)
        assert num_pr.find("w:numId", NS).get(w("val")) == "1"
    clause_texts = [text for style, text in paragraphs_by_style(data) if style.startswith("Clause ")]
    assert clause_texts[:2] == ["Колдонуу чөйрөсү", "Жобо бардык кызматкерлерге карата колдонулат:"]
    assert not any(re.match(r"\s*\d+\.", text) for text in clause_texts)


def test_numbering_has_one_three_level_clause_list_bound_to_the_clause_styles():
    numbering = part_xml(render(), "word/numbering.xml")
    clause_list = numbering.find("w:abstractNum[@w:abstractNumId='0']", NS)
    levels = [
        (lvl.find("w:lvlText", NS).get(w("val")), lvl.find("w:pStyle", NS).get(w("val")))
        for lvl in clause_list.iterfind("w:lvl", NS)
    ]
    assert levels == [("%1.", "ClauseHeading"), ("%1.%2.", "ClausePoint"), ("%1.%2.%3.", "ClauseSubpoint")]
    num = numbering.find("w:num[@w:numId='1']/w:abstractNumId", NS)
    assert num.get(w("val")) == "0"
    bullets = numbering.find("w:abstractNum[@w:abstractNumId='1']/w:lvl/w:numFmt", NS)
    assert bullets.get(w("val")) == "bullet"


def test_each_ordered_list_restarts_at_one_with_its_own_numbering_instance():
    data = render()
    body = part_xml(data, "word/document.xml")
    num_ids = [num_id.get(w("val")) for num_id in body.iterfind(".//w:p/w:pPr/w:numPr/w:numId", NS)]
    assert num_ids == ["4", "4", "5", "5"]
    numbering = part_xml(data, "word/numbering.xml")
    for num_id in ("4", "5"):
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:abstractNumId", NS).get(w("val")) == "2"
        assert num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS).get(w("val")) == "1"


def test_table_header_repeats_on_every_page_and_rows_do_not_split():
    rows = part_xml(render(), "word/document.xml").findall(".//w:tbl/w:tr", NS)
    assert len(rows) == 3
    assert all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)
    assert [row.find("w:trPr/w:tblHeader", NS) is not None for row in rows] == [True, False, False]


def test_page_is_a4_with_legal_margins():
    section = docx.Document(io.BytesIO(render())).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin)
    assert [round(margin.mm) for margin in margins] == [25, 20, 20, 20]


# header, footer, properties, language


def test_header_holds_draft_mark_institution_and_title():
    header = docx.Document(io.BytesIO(render())).sections[0].header
    assert [(p.style.name, p.text) for p in header.paragraphs] == [
        ("Draft Mark", "ДОЛБООР"),
        ("Header", INSTITUTION),
        ("Header", TITLE),
    ]


def test_header_has_no_draft_mark_when_the_document_is_final():
    header = docx.Document(io.BytesIO(render(make_document(draft_mark="")))).sections[0].header
    assert [p.text for p in header.paragraphs] == [INSTITUTION, TITLE]


def test_footer_shows_page_x_of_y_as_page_and_numpages_fields():
    data = render()
    footer = part_xml(data, part_names(data, "word/footer")[0])
    runs = footer.findall(".//w:r", NS)
    sequence = []
    for run in runs:
        for child in run:
            if child.tag == w("t"):
                sequence.append(child.text)
            elif child.tag == w("fldChar"):
                sequence.append(child.get(w("fldCharType")))
            elif child.tag == w("instrText"):
                sequence.append(child.text.strip())
    assert sequence == [
        "Страница ",
        "begin",
        "PAGE",
        "separate",
        "1",
        "end",
        " из ",
        "begin",
        "NUMPAGES",
        "separate",
        "1",
        "end",
    ]


def test_page_label_without_both_placeholders_is_a_render_error():
    with pytest.raises(RenderError, match="page label"):
        render(make_document(page_label="Страница {page}"))


def test_core_properties_describe_the_document_with_a_fixed_date():
    data = render()
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert (properties.title, properties.subject, properties.author, properties.last_modified_by) == (
        TITLE,
        "Сексуалдык асылуулардын алдын алуу",
        INSTITUTION,
        INSTITUTION,
    )
    assert (properties.language, properties.keywords, properties.revision) == ("ky-KG", "асылуу, жобо", 1)
    assert properties.created == properties.modified == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    core = part_xml(data, "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/terms/}created") == "2025-03-01T00:00:00Z"
    assert "python-docx" not in etree.tostring(core, encoding="unicode")


def test_language_is_set_in_defaults_every_style_and_settings():
    data = render(make_document(language="ru", language_tag="ru-RU"))
    styles = part_xml(data, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(w("val")) == "ru-RU"
    for style in styles.iterfind("w:style", NS):
        assert style.find("w:rPr/w:lang", NS).get(w("val")) == "ru-RU", style.get(w("styleId"))
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS).get(w("ascii")) == "Times New Roman"
    settings = part_xml(data, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(w("val")) == "ru-RU"
    assert settings.find("w:proofState", NS) is None


# text safety, reproducibility, errors


def test_hostile_text_survives_literally_everywhere():
    hostile = para(HOSTILE, Strong((Text(HOSTILE),)))
    document = make_document(
        institution=HOSTILE,
        blocks=(
            Heading(1, (Text(HOSTILE),)),
            hostile,
            Clause("c", (), (Text(HOSTILE),), (Point(1, (hostile,)),)),
            Table(header=((Text(HOSTILE),),), rows=(((Text(HOSTILE),),),)),
        ),
    )
    data = render(document)
    texts = [text for _, text in paragraphs_by_style(data)]
    assert texts == [HOSTILE, HOSTILE * 2, HOSTILE, HOSTILE * 2, HOSTILE, HOSTILE]
    word_document = docx.Document(io.BytesIO(data))
    assert word_document.sections[0].header.paragraphs[1].text == HOSTILE
    assert word_document.core_properties.author == HOSTILE


def test_inline_spans_are_bold_and_italic_runs():
    document = make_document(blocks=(para("a ", Strong((Text("b "), Emphasis((Text("c"),)))), LineBreak(), "d"),))
    runs = docx.Document(io.BytesIO(render(document))).paragraphs[0].runs
    assert [(run.text, bool(run.bold), bool(run.italic)) for run in runs] == [
        ("a ", False, False),
        ("b ", True, False),
        ("c", True, True),
        ("\n", False, False),
        ("d", False, False),
    ]


def test_signature_is_one_line_of_position_leaders_and_name():
    paragraphs = paragraphs_by_style(render())
    assert paragraphs[-1] == ("Signature", "Башкы дарыгер\t \t\tА. Т. Асанова")


def test_same_document_gives_identical_bytes_at_different_times(monkeypatch):
    document = make_document()
    monkeypatch.setattr(time, "time", lambda: 1_000_000_000.0)
    first = render(document)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    second = render(document)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    "block",
    [FigurePlace("heatmap", (Text("a picture not yet drawn"),)), Paragraph((Ref("policy", "scope"),))],
    ids=["figure-place", "unresolved-reference"],
)
def test_node_the_writer_does_not_write_is_a_render_error_never_dropped(block):
    with pytest.raises(RenderError, match=r"the DOCX writer cannot write a (FigurePlace|Ref)"):
        render(make_document(blocks=(block,)))


def test_control_character_is_a_render_error_naming_the_text():
    with pytest.raises(RenderError, match="cannot be written"):
        render(make_document(blocks=(para("bell \x07 here"),)))


# LibreOffice


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    """The Kyrgyz and the Russian document, each converted to txt and pdf by LibreOffice in one call per format."""
    folder = tmp_path_factory.mktemp("libreoffice")
    documents = {"ky": make_document(), "ru": make_document(language="ru", language_tag="ru-RU")}
    sources = []
    for language, document in documents.items():
        sources.append(folder / f"{language}.docx")
        sources[-1].write_bytes(render(document))
    converted = soffice_convert(sources, "txt:Text (encoded):UTF8", folder) + soffice_convert(sources, "pdf", folder)
    return {path.name: path for path in converted}


@pytest.mark.libreoffice
def test_libreoffice_shows_clause_numbers_in_order_and_restarts_each_plain_list(converted):
    lines = converted["ky.txt"].read_text(encoding="utf-8-sig").splitlines()
    numbered = [match.group(1) for line in lines if (match := re.match(r"\s*(\d+(?:\.\d+)*[.)])\s", line))]
    assert numbered == [
        "1.",
        "2.",
        "1.",
        "1.1.",
        "1.1.1.",
        "1.1.2.",
        "1.2.",
        "2.",
        "2.1.",
        "1.",
        "2.",
        "3.",
        "3.1.",
        "3.1.1.",
    ]
    text = "\n".join(lines)
    assert all(letter in text for letter in "ңөүҢӨҮ")
    assert "ӨЗГӨЧӨ ТҮШҮНҮКТӨР ЖАНА ТЕҢДИК" in text


@pytest.mark.libreoffice
def test_libreoffice_prints_a4_pages_with_page_x_of_y(converted):
    for language in ("ky", "ru"):
        reader = PdfReader(converted[f"{language}.pdf"])
        pages = len(reader.pages)
        first = reader.pages[0]
        assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
        text = first.extract_text()
        assert f"Страница 1 из {pages}" in text
        assert INSTITUTION in text and "ДОЛБООР" in text


# annexes and forms

ANNEX = Annex(
    "complaint-form",
    (Text("1-тиркеме. Даттануу формасы"),),
    (
        para("Форманы толтуруп, координаторго бериңиз."),
        Form(
            "complaint-form",
            1,
            (FormField("full-name", (Text("Аты-жөнү"),)), FormField("position", (Text("Кызматы"),))),
        ),
        Form("complaint-form", 6, (FormField("what-happened", (Text("Эмне болду"),)),)),
    ),
)


def test_annex_starts_on_a_new_page_under_its_own_heading_style():
    data = render(make_document(blocks=(ANNEX,)))
    styles = part_xml(data, "word/styles.xml")
    annex_style = styles.find("w:style[@w:styleId='AnnexHeading']", NS)
    assert annex_style.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert ("Annex Heading", "1-тиркеме. Даттануу формасы") in paragraphs_by_style(data)


def test_form_is_a_table_of_labels_beside_empty_cells_as_tall_as_its_lines():
    data = render(make_document(blocks=(ANNEX,)))
    document = docx.Document(io.BytesIO(data))
    first, second = document.tables
    assert [[cell.text for cell in row.cells] for row in first.rows] == [["Аты-жөнү", ""], ["Кызматы", ""]]
    heights = [int(row._tr.trPr.find(w("trHeight")).get(w("val"))) for row in (*first.rows, *second.rows)]
    assert heights[2] == 6 * heights[0]


def test_form_rows_keep_together_on_one_page_and_no_row_is_a_header():
    data = render(make_document(blocks=(ANNEX,)))
    first, second = docx.Document(io.BytesIO(data)).tables
    keeps = [
        [paragraph.paragraph_format.keep_with_next for cell in row.cells for paragraph in cell.paragraphs]
        for row in (*first.rows, *second.rows)
    ]
    assert keeps == [[True, True], [None, None], [None, None]]  # the last row of each form lets the page break
    for table in (first, second):
        look = table._tbl.tblPr.find(w("tblLook"))
        assert look.get(w("firstRow")) == "0" and table.style.name == "Form Table"
