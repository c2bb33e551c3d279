"""The staff leaflet and the patient poster as printed: each example's own contacts and deadlines, their page
budgets, both languages on the poster and its QR code read back from the PDF and the DOCX."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from conftest import REPO, copy_workspace, pdf_text, run_cli
from PIL import Image

from policygen import TemplateRenderer, build_documents, load_profile, open_workspace

EXAMPLES = ("ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university")
REPORTING_QR = {
    "ak-tilek-fmc": "tel:+996700000411",  # the focal point's phone channel: no channel is anonymous
    "bishkek-city-hospital": "tel:+996555000200",  # the anonymous phone line
    "osh-medical-university": "https://ak-buura-med.example/report",  # the anonymous online form
}
POSTER_TITLES = {
    "ky": "Бул жерде сексуалдык асылууга орун жок",
    "ru": "Сексуальным домогательствам здесь не место",
    "en": "Sexual harassment has no place here",
}
DAY_WORDS = {"ky": r"күн", "ru": r"(?:день|дня|дней)", "en": r"days?"}
DEADLINES_ON_POSTER = ("acknowledgement_days", "investigation_days")
STEPS_OF_STAFF_AND_MANAGEMENT = ("handover_working_days", "investigation_order_working_days")
"""Deadlines the procedure sets for the worker a report is made to and for the head, not met by the person who
reports: the leaflet leaves them to the procedure."""


def profile(institution: str):
    return load_profile(REPO / "institutions" / f"{institution}.yaml", open_workspace(REPO)).profile


def layout_text(path: Path) -> str:
    """The PDF's text line by line as laid out (a justified line's wide gaps do not split it)."""
    command = ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"]
    return flat(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return flat(re.sub(r"<[^>]+>", " ", xml.replace("</w:p>", "\n")).replace("&amp;", "&"))


def decoded_qr_codes(pictures: list[bytes]) -> list[str]:
    return [code.text for data in pictures for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def pdf_pictures(path: Path) -> list[bytes]:
    return [image.data for page in pypdf.PdfReader(path).pages for image in page.images]


def docx_pictures(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist() if name.startswith("word/media/")]


def languages_of(institution: str) -> list[str]:
    return list(profile(institution).languages)


def cases() -> list[tuple[str, str]]:
    return [(institution, lang) for institution in EXAMPLES for lang in languages_of(institution)]


@pytest.mark.slow
@pytest.mark.parametrize(("institution", "lang"), cases())
def test_leaflet_carries_the_institutions_focal_points_their_phones_and_every_deadline_a_complainant_meets(
    example_build, institution, lang
):
    example = profile(institution)
    for suffix, text_of in ((".pdf", layout_text), (".docx", docx_text)):
        text = text_of(example_build / institution / lang / f"leaflet{suffix}")
        for person in example.focal_points:
            assert person.phone in text, (suffix, person.phone)
            assert person.room[lang] in text, (suffix, person.room[lang])
        for key, days in example.deadlines.model_dump().items():
            if key in STEPS_OF_STAFF_AND_MANAGEMENT:
                continue
            assert re.search(rf"\b{days} {DAY_WORDS[lang]}", text), (suffix, key, days)


@pytest.mark.slow
@pytest.mark.parametrize(("institution", "lang"), cases())
def test_poster_carries_the_focal_points_phones_and_the_deadlines_of_registration_and_investigation(
    example_build, institution, lang
):
    example = profile(institution)
    for suffix, text_of in ((".pdf", layout_text), (".docx", docx_text)):
        text = text_of(example_build / institution / lang / f"poster{suffix}")
        assert all(person.phone in text for person in example.focal_points), suffix
        for key in DEADLINES_ON_POSTER:
            days = getattr(example.deadlines, key)
            assert re.search(rf"\b{days} {DAY_WORDS[lang]}", text), (suffix, key, days)


@pytest.mark.slow
@pytest.mark.parametrize(("institution", "lang"), cases())
def test_leaflet_takes_at_most_two_pages_and_the_poster_one(example_build, institution, lang):
    folder = example_build / institution / lang
    assert len(pypdf.PdfReader(folder / "leaflet.pdf").pages) <= 2
    assert len(pypdf.PdfReader(folder / "poster.pdf").pages) == 1


@pytest.mark.slow
@pytest.mark.parametrize("institution", EXAMPLES)
def test_kyrgyz_and_russian_posters_hold_both_languages_the_english_one_its_own(example_build, institution):
    for lang in languages_of(institution):
        text = flat(pdf_text(example_build / institution / lang / "poster.pdf", body_only=True))
        present = {other for other, title in POSTER_TITLES.items() if title in text}
        assert present == ({"ky", "ru"} if lang in ("ky", "ru") else {"en"}), lang
        if lang != "en":  # the poster's own language comes first
            other = "ru" if lang == "ky" else "ky"
            assert text.index(POSTER_TITLES[lang]) < text.index(POSTER_TITLES[other])


@pytest.mark.slow
@pytest.mark.parametrize("institution", EXAMPLES)
def test_poster_qr_code_opens_the_reporting_channel_in_the_pdf_and_the_docx(example_build, institution):
    for lang in languages_of(institution):
        folder = example_build / institution / lang
        assert decoded_qr_codes(pdf_pictures(folder / "poster.pdf")) == [REPORTING_QR[institution]], lang
        assert decoded_qr_codes(docx_pictures(folder / "poster.docx")) == [REPORTING_QR[institution]], lang


def test_model_poster_has_no_qr_code_and_blanks_for_the_contacts(tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "--model", "-w", REPO, "--out", out, "--doc", "poster", "--doc", "leaflet", "-q")
    assert result.exit_code == 0, result.stderr
    for lang in ("ky", "ru"):
        poster = out / "model" / lang / "poster.pdf"
        assert pdf_pictures(poster) == []
        assert docx_pictures(poster.with_suffix(".docx")) == []
        assert "____" in pdf_text(poster)
        assert len(pypdf.PdfReader(poster).pages) == 1
        assert len(pypdf.PdfReader(poster.with_name("leaflet.pdf")).pages) <= 2


def footer_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("word/footer"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_poster_docx_prints_no_page_label_while_the_leaflet_keeps_its_own(example_build, lang):
    folder = example_build / "bishkek-city-hospital" / lang
    poster = footer_xml(folder / "poster.docx")
    assert "<w:instrText" not in poster and "<w:t" not in poster
    assert re.search(
        r"<w:instrText[^>]*> PAGE </w:instrText>.*> NUMPAGES </w:instrText>", footer_xml(folder / "leaflet.docx")
    )


def test_a_profile_asking_for_an_a3_poster_gets_one_a3_page_with_larger_type(tmp_path):
    workspace = copy_workspace(tmp_path / "ws")
    profile_file = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile_file.write_text(profile_file.read_text(encoding="utf-8") + "\nposter:\n  paper: A3\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "ak-tilek-fmc", "-w", workspace, "--out", out, "--doc", "poster", "--lang", "ru", "-q")
    assert result.exit_code == 0, result.stderr
    pages = pypdf.PdfReader(out / "ak-tilek-fmc" / "ru" / "poster.pdf").pages
    assert len(pages) == 1
    assert (round(float(pages[0].mediabox.width)), round(float(pages[0].mediabox.height))) == (842, 1191)
    document = zipfile.ZipFile(out / "ak-tilek-fmc" / "ru" / "poster.docx").read("word/document.xml").decode()
    assert re.search(r'<w:pgSz w:w="16838" w:h="23811"', document)  # 297 x 420 mm in twentieths of a point
    assert decoded_qr_codes(pdf_pictures(out / "ak-tilek-fmc" / "ru" / "poster.pdf")) == [REPORTING_QR["ak-tilek-fmc"]]


def test_an_unknown_poster_paper_size_is_refused_at_its_line(tmp_path):
    workspace = copy_workspace(tmp_path / "ws")
    profile_file = workspace / "institutions" / "ak-tilek-fmc.yaml"
    text = profile_file.read_text(encoding="utf-8")
    profile_file.write_text(text + "\nposter:\n  paper: A5\n", encoding="utf-8")
    result = run_cli("validate", "ak-tilek-fmc", "-w", workspace)
    assert result.exit_code == 1
    line = len(text.splitlines()) + 3
    assert re.search(rf"ak-tilek-fmc\.yaml:{line}:\d+: poster\.paper: ", result.stderr), result.stderr


def test_a_profile_without_a_web_address_or_phone_gets_a_poster_without_qr_code(tmp_path):
    workspace = copy_workspace(tmp_path / "ws")
    profile_file = workspace / "institutions" / "ak-tilek-fmc.yaml"
    text = re.sub(r'\n    contact: "[^"]+"', "", profile_file.read_text(encoding="utf-8"))
    profile_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "ak-tilek-fmc", "-w", workspace, "--out", out, "--doc", "poster", "--lang", "ky", "-q")
    assert result.exit_code == 0, result.stderr
    assert pdf_pictures(out / "ak-tilek-fmc" / "ky" / "poster.pdf") == []


HELPLINE = """
support_services:
  - kind: crisis
    name: {ky: Ишеним телефону, ru: Телефон доверия}
    phone: "+996 312 000999"
"""


@pytest.mark.parametrize(("checked", "marked"), [("", True), ("    phone_verified: true\n", False)])
def test_a_helpline_number_nobody_checked_is_printed_with_a_mark_on_the_leaflet_and_poster(tmp_path, checked, marked):
    workspace = copy_workspace(tmp_path / "ws")
    profile_file = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile_file.write_text(profile_file.read_text(encoding="utf-8") + HELPLINE + checked, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "build", "ak-tilek-fmc", "-w", workspace, "--out", out, "--lang", "ru", "--doc", "leaflet", "--doc", "poster"
    )
    assert result.exit_code == 0, result.stderr
    for doc_id in ("leaflet", "poster"):
        for path in (out / "ak-tilek-fmc" / "ru" / f"{doc_id}.pdf", out / "ak-tilek-fmc" / "ru" / f"{doc_id}.docx"):
            text = layout_text(path) if path.suffix == ".pdf" else docx_text(path)
            assert "+996 312 000999" in text, path
            assert ("+996 312 000999 (номер не проверен)" in text) is marked, path


LEAFLET_CLAUSE = """
clauses:
  add:
    - id: night-escort
      after: leaflet/what-to-do
      title: {ky: Түнкү нөөмөттөн кийин, ru: После ночной смены}
      text:
        ky: Түнкү нөөмөттөн кийин кызматкерди аялдамага чейин коштоп барышат.
        ru: После ночной смены работника провожают до остановки.
"""


def test_a_profile_adds_its_own_clause_to_the_leaflet_in_the_named_place(tmp_path):
    workspace = copy_workspace(tmp_path / "ws")
    profile_file = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile_file.write_text(profile_file.read_text(encoding="utf-8") + LEAFLET_CLAUSE, encoding="utf-8")
    opened = open_workspace(workspace)
    loaded = load_profile(profile_file, opened)
    leaflet = build_documents(TemplateRenderer(opened.template_search_path()), loaded, "ru")["leaflet"]
    assert [clause.id for clause in leaflet.clauses()] == [
        "what-it-is",
        "what-to-do",
        "night-escort",
        "what-happens-next",
        "your-protection",
        "support",
    ]
