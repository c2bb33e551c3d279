"""PdfWriter: the printed PDF's text, fonts, page setup, metadata, reproducibility and refusal to fetch."""

from __future__ import annotations

import ast
import datetime as dt
import io
import logging
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from weasyprint.urls import FatalURLFetchingError

import policygen
from policygen.errors import RenderError
from policygen.model import (
    Annex,
    Approval,
    BulletList,
    Clause,
    Document,
    Emphasis,
    Form,
    FormField,
    Heading,
    LineBreak,
    Meta,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Signature,
    Strong,
    Table,
    Text,
)
from policygen.writers.pdf import ASSETS_DIR, PDF_VARIANTS, AssetFetcher, PdfWriter, html_to_pdf

INSTITUTION = "Бишкек шаардык №1 клиникалык ооруканасы"
HOSTILE = "{{ 7*7 }} <b>&</b> *x* «Ңөү»"
ATTACHMENT_LINK = '<link rel="attachment" href="file:///etc/passwd">'
METADATA_IMAGE = '<img src="http://169.254.169.254/">'
A4_POINTS = (595.28, 841.89)
# the modules weasyprint's API reference documents; anything else of it may change in any release
PUBLIC_WEASYPRINT_MODULES = {
    "weasyprint",
    "weasyprint.document",
    "weasyprint.text.fonts",
    "weasyprint.css.counters",
    "weasyprint.urls",
}


def paragraph(*texts: str) -> Paragraph:
    return Paragraph(tuple(Text(text) for text in texts))


def point(level: int, text: str, *more: object) -> Point:
    return Point(level, (paragraph(text), *more))


FILLER_KY = (
    "Мекеменин ар бир кызматкери, окуучусу жана бейтабы сексуалдык асылуудан корголууга укуктуу; "
    "жетекчилик бул укукту камсыз кылуу үчүн алдын алуу чараларын көрөт, арыздарды купуя кабыл алат "
    "жана ар бир окуяны калыс иликтейт. Өңүтү, үйүнө, Ңөү, ӨКМӨТ, ҮЙ-БҮЛӨ."
)
FILLER_RU = (
    "Каждый работник, обучающийся и пациент учреждения имеет право на защиту от сексуальных домогательств; "
    "руководство принимает меры профилактики, конфиденциально принимает жалобы и беспристрастно "
    "расследует каждый случай."
)


def realistic_clause(number: int) -> Clause:
    """One clause with points, sub-points, a continuation paragraph and a list; about half a page."""
    return Clause(
        id=f"clause-{number}",
        covers=("definition", "scope"),
        title=(Text(f"Жалпы жоболор {number}"),),
        blocks=(
            point(1, FILLER_KY, BulletList(((paragraph("кызматкерлер"),), (paragraph("студенттер"),)))),
            point(1, FILLER_RU),
            point(2, "Подпункт первый: " + FILLER_RU),
            point(2, "Подпункт второй: " + FILLER_KY),
            point(1, FILLER_KY, paragraph("Продолжение пункта. " + FILLER_RU)),
        ),
    )


def realistic_document(**meta_changes: object) -> Document:
    """A Kyrgyz policy of several pages using every block and inline type, hostile text included."""
    meta = Meta(
        doc_id="policy",
        title="Сексуалдык асылуулардын алдын алуу жөнүндө жобо",
        subject="Сексуалдык асылуулардын алдын алуу жана аларга чара көрүү",
        language="ky",
        language_tag="ky-KG",
        institution=INSTITUTION,
        created=dt.date(2025, 3, 1),
        page_label="Барак {page} / {pages}",
        draft_mark="ДОЛБООР",
        keywords=("сексуалдык асылуу", "саясат"),
    )
    meta = replace(meta, **meta_changes)
    table = Table(
        header=((Text("Кадам"),), (Text("Мөөнөтү"),), (Text("Жооптуу"),)),
        rows=tuple(
            ((Text(f"Арызды каттоо {row}"),), (Text("3 жумуш күнү"),), (Strong((Text("Комиссия"),)),))
            for row in range(1, 41)
        ),
    )
    return Document(
        meta=meta,
        blocks=(
            Approval(
                (
                    paragraph("БЕКИТИЛДИ"),
                    paragraph("Башкы дарыгердин 2025-жылдын"),
                    paragraph("1-мартындагы №12 буйругу менен"),
                ),
            ),
            Heading(1, (Text(meta.title),)),
            Heading(2, (Text("Киришүү"),)),
            Paragraph(
                (
                    Text("Бул жобо "),
                    Strong((Text("милдеттүү"),)),
                    Text(" жана "),
                    Emphasis((Text("ачык"),)),
                    Text("."),
                    LineBreak(),
                    Text(HOSTILE),
                )
            ),
            paragraph(ATTACHMENT_LINK, " ", METADATA_IMAGE),
            OrderedList(((paragraph("Эмгек кодекси"),), (paragraph("Саламаттыкты сактоо жөнүндө мыйзам"),))),
            *(realistic_clause(number) for number in range(1, 6)),
            Heading(3, (Text("Арыз берүүнүн мөөнөттөрү"),)),
            table,
            Note((paragraph("Юристтин текшерүүсү талап кылынат."),)),
            *(realistic_clause(number) for number in range(6, 11)),
            Signature((Text("Башкы дарыгер"),), (Text("А. Б. Асанова"),)),
        ),
    )


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """The realistic document, rendered once for the whole module."""
    return PdfWriter().render(realistic_document())


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf_bytes, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture(scope="module")
def reader(pdf_bytes: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def pages_text(pdf_text: str) -> list[str]:
    return pdf_text.split("\f")[:-1]


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(needle in remaining for needle in needles)


def embedded_fonts(reader: pypdf.PdfReader) -> dict[str, pypdf.generic.DictionaryObject]:
    """Each font used on any page, by base name, with the descriptor that should hold its font file."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return fonts


# Text ----------------------------------------------------------------------------------------------------


def test_kyrgyz_letters_are_extractable_with_pdftotext_and_pypdf(pdf_text, reader):
    for letter in "ңөүҢӨҮ":
        assert letter in pdf_text
    assert "Өңүтү, үйүнө, Ңөү, ӨКМӨТ, ҮЙ-БҮЛӨ." in reader.pages[0].extract_text().replace("\n", " ")


def test_clause_point_and_subpoint_labels_come_out_in_order(pdf_text):
    line_labels = re.findall(r"^(\d+(?:\.\d+)*\.) ", pdf_text, flags=re.MULTILINE)
    expected = [
        label
        for clause in range(1, 11)
        for label in (f"{clause}.", *(f"{clause}.{point}" for point in ("1.", "2.", "2.1.", "2.2.", "3.")))
    ]
    assert is_subsequence(expected, line_labels)
    assert "1. Жалпы жоболор 1" in pdf_text


def test_every_page_has_the_running_header_draft_mark_and_page_x_of_y(pages_text, reader):
    assert len(pages_text) == len(reader.pages) >= 5
    for number, text in enumerate(pages_text, start=1):
        assert INSTITUTION in text
        assert "Сексуалдык асылуулардын алдын алуу жөнүндө жобо" in text
        assert "ДОЛБООР" in text
        assert f"Барак {number} / {len(pages_text)}" in text


def test_page_label_naming_the_total_first_counts_in_that_order():
    clauses = tuple(realistic_clause(number) for number in range(1, 5))
    document = Document(realistic_document(page_label="{pages} беттин {page}-бети").meta, clauses)
    pdf = PdfWriter().render(document)
    total = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert total >= 2
    for number in range(1, total + 1):
        assert f"{total} беттин {number}-бети" in text


def test_long_table_repeats_its_header_on_the_next_page(pages_text):
    pages_with_table = [text for text in pages_text if "Арызды каттоо" in text]
    assert len(pages_with_table) >= 2
    assert all("Кадам" in text and "Мөөнөтү" in text for text in pages_with_table)


# Fonts, pages, metadata ----------------------------------------------------------------------------------


def test_every_font_is_an_embedded_liberation_serif(reader):
    fonts = embedded_fonts(reader)
    assert {name.split("+", 1)[1] for name in fonts} >= {"Liberation-Serif", "Liberation-Serif-Bold"}
    for name, descriptor in fonts.items():
        assert name.split("+", 1)[1].startswith("Liberation-Serif"), name
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name


def test_pages_are_a4(reader):
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(A4_POINTS, abs=0.5)


def test_pdf_metadata_has_title_author_subject_keywords_language_and_the_fixed_created_date(reader):
    info = reader.metadata
    assert info.title == "Сексуалдык асылуулардын алдын алуу жөнүндө жобо"
    assert info.author == INSTITUTION
    assert info.subject == "Сексуалдык асылуулардын алдын алуу жана аларга чара көрүү"
    assert info["/Keywords"] == "сексуалдык асылуу, саясат"
    assert info["/CreationDate"].startswith("D:20250301")
    assert reader.trailer["/Root"]["/Lang"] == "ky"


def test_same_document_gives_byte_identical_pdfs_even_after_rendering_another(pdf_bytes):
    PdfWriter().render(
        Document(realistic_document(language="ru", institution="Другая больница").meta, (paragraph("Жирный, ёж, ъ"),))
    )
    assert PdfWriter().render(realistic_document()) == pdf_bytes


# Hostile text and fetching -------------------------------------------------------------------------------


def test_markup_in_text_is_printed_literally(pdf_text):
    assert HOSTILE in pdf_text
    assert f"{ATTACHMENT_LINK} {METADATA_IMAGE}" in pdf_text


def test_pdf_has_no_attachments_links_or_images(reader):
    assert reader.attachments == {}
    assert "/Names" not in reader.trailer["/Root"]
    for page in reader.pages:
        assert "/Annots" not in page
        xobjects = page["/Resources"].get("/XObject", {})
        assert all(xobject.get_object()["/Subtype"] != "/Image" for xobject in xobjects.values())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        ASSETS_DIR.as_uri() + "/css/../../writers/pdf.py",
        ASSETS_DIR.as_uri() + "/css/%2e%2e/fonts/LiberationSerif-Regular.ttf",
        "file://localhost" + (ASSETS_DIR / "css" / "print.css").as_posix(),
        (ASSETS_DIR / "css" / "print.css").as_uri() + "?x=1",
        ASSETS_DIR.as_uri() + "/css/missing.css",
        ASSETS_DIR.as_uri() + "/css",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/font.ttf",
        "data:text/css,p{color:red}",
    ],
)
def test_fetcher_refuses_everything_but_packaged_asset_files(url):
    with pytest.raises(FatalURLFetchingError):
        AssetFetcher().fetch(url)


def test_fetcher_refuses_a_symlink_that_leads_out_of_the_assets(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "innocent.css").symlink_to(outside)
    with pytest.raises(FatalURLFetchingError):
        AssetFetcher(root=assets).fetch((assets / "innocent.css").as_uri())


def test_fetcher_serves_a_packaged_asset_with_its_content_type():
    stylesheet = ASSETS_DIR / "css" / "print.css"
    response = AssetFetcher().fetch(stylesheet.as_uri())
    assert response.read() == stylesheet.read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="attachment" href="file:///etc/passwd"><p>x</p>',
        '<p><a rel="attachment" href="../../secret">x</a></p>',
        '<img src="http://169.254.169.254/">',
        '<p style="background: url(../../../etc/passwd)">x</p>',
    ],
)
def test_html_asking_for_a_resource_outside_the_assets_fails_rendering(html):
    with pytest.raises(RenderError, match="refused to fetch"):
        html_to_pdf(html, target="ky/policy")


def test_weasyprint_warning_fails_rendering_instead_of_being_logged():
    with pytest.raises(RenderError, match="Ignored `color: nonsense`"):
        html_to_pdf('<p style="color: nonsense">x</p>', target="ky/policy")


def test_weasyprint_warning_fails_rendering_even_when_weasyprint_logging_is_silenced():
    weasyprint_logger = logging.getLogger("weasyprint")
    weasyprint_logger.setLevel(logging.CRITICAL)
    try:
        with pytest.raises(RenderError, match="Ignored"):
            html_to_pdf('<p style="color: nonsense">x</p>', target="ky/policy")
        assert weasyprint_logger.level == logging.CRITICAL
    finally:
        weasyprint_logger.setLevel(logging.NOTSET)


def test_unknown_pdf_variant_is_refused_up_front():
    with pytest.raises(ValueError, match="pdf/a-2b"):
        PdfWriter(pdf_variant="pdf/a-9")


@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_every_accepted_pdf_variant_is_one_weasyprint_writes(variant):
    document = Document(realistic_document().meta, (paragraph("Ңөү"),))
    assert PdfWriter(pdf_variant=variant).render(document).startswith(b"%PDF-")


def test_policygen_uses_only_the_public_modules_of_weasyprint():
    imported = set()
    for path in Path(policygen.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    used = {module for module in imported if module.split(".")[0] == "weasyprint"}
    assert used and used <= PUBLIC_WEASYPRINT_MODULES, used - PUBLIC_WEASYPRINT_MODULES


def test_annex_forms_become_fillable_pdf_fields_on_a_new_page_named_and_labelled():
    form = Form(
        "form", 1, (FormField("full-name", (Text("Аты-жөнү"),)), FormField("what-happened", (Text("Эмне болду"),)))
    )
    annex = Annex("form", (Text("1-тиркеме. Даттануу формасы"),), (form,))
    document = replace(realistic_document(), blocks=(paragraph("Негизги текст."), annex))
    reader = pypdf.PdfReader(io.BytesIO(PdfWriter().render(document)))
    fields = reader.get_fields()
    assert {name: field["/TU"] for name, field in fields.items()} == {
        "policy/ky/form/full-name": "Аты-жөнү",
        "policy/ky/form/what-happened": "Эмне болду",
    }
    assert "1-тиркеме" not in reader.pages[0].extract_text()
    assert "1-тиркеме. Даттануу формасы" in reader.pages[1].extract_text()
