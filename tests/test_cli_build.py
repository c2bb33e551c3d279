"""`policygen build` on the examples: the files, their text in both formats, fonts, numbering, manifest."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import EXAMPLES, copy_workspace, normalized_words, pdf_text, run_cli, soffice_convert

from policygen import DOCUMENT_IDS

LANGUAGES = {
    "ak-tilek-fmc": ("ky", "ru"),
    "bishkek-city-hospital": ("en", "ky", "ru"),
    "osh-medical-university": ("en", "ky", "ru"),
}
KYRGYZ_LETTERS = "ңөүҢӨҮ"
HOSTILE_NAME = "{{ 7*7 }} <b>&</b> *x* «Ңөү»"


def built_files(out_dir: Path, suffix: str) -> list[Path]:
    return sorted(out_dir.rglob(f"*{suffix}"))


def docx_body_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.slow
def test_every_example_builds_its_whole_set_in_each_of_its_languages_in_both_formats(example_build):
    expected = sorted(
        f"{institution}/{lang}/{doc_id}.{suffix}"
        for institution, languages in LANGUAGES.items()
        for lang in languages
        for doc_id in DOCUMENT_IDS
        for suffix in ("docx", "pdf")
    )
    found = sorted(
        path.relative_to(example_build).as_posix()
        for path in example_build.rglob("*.*")
        if path.suffix in (".docx", ".pdf")
    )
    assert found == expected
    assert not list(example_build.rglob(".policygen-*")), "temporary files left behind"


@pytest.mark.slow
def test_manifest_lists_every_file_with_its_hash_inputs_and_versions(example_build):
    manifest = json.loads((example_build / "manifest.json").read_text(encoding="utf-8"))
    entries = {entry["path"]: entry for entry in manifest["files"]}
    assert len(entries) == sum(len(languages) * 2 * len(DOCUMENT_IDS) for languages in LANGUAGES.values())
    for path, entry in entries.items():
        assert entry["sha256"] == hashlib.sha256((example_build / path).read_bytes()).hexdigest()
        assert [source["path"] for source in entry["inputs"]["profile"]] == [
            "institutions/_national.yaml",
            f"institutions/{entry['institution']}.yaml",
        ]
        templates = [template["path"] for template in entry["inputs"]["templates"]]
        assert templates[0] == f"templates/{entry['document']}/{entry['language']}.md.j2"
    assert {"policygen", "weasyprint", "python-docx", "jinja2"} <= set(manifest["versions"])


@pytest.mark.slow
def test_kyrgyz_letters_come_back_out_of_the_pdf_text(example_build):
    for path in example_build.glob("*/ky/policy.pdf"):
        text = pdf_text(path)
        assert set(KYRGYZ_LETTERS.lower()) <= set(text), path


@pytest.mark.slow
def test_every_pdf_font_is_embedded(example_build):
    for path in built_files(example_build, ".pdf"):
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows, f"no fonts listed in {path}"
        for row in rows:
            assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"{path}: font not embedded: {row}"


@pytest.mark.slow
def test_clause_numbers_are_word_numbering_not_typed_digits(example_build):
    for path in built_files(example_build, ".docx"):
        if path.stem in ("adoption-order", "poster"):  # an order has numbered operative points; a poster no clause
            continue
        document = docx.Document(str(path))
        clause_paragraphs = [
            p
            for p in document.paragraphs
            if p.style.name.startswith("Clause") and p.style.name != "Clause Continuation"
        ]
        assert len(clause_paragraphs) > (4 if path.stem == "leaflet" else 15), path  # the leaflet: five headings
        for paragraph in clause_paragraphs:
            assert not re.match(r"^\s*\d+(\.\d+)*\.?\s", paragraph.text), f"typed number in {path}: {paragraph.text}"
            style_numbering = paragraph.style.element.pPr.numPr if paragraph.style.element.pPr is not None else None
            assert style_numbering is not None or paragraph._p.pPr.numPr is not None, paragraph.text


IGNORED = "-\u2010\u2011\u00ad•–◦▪"


def comparable_characters(text: str) -> Counter:
    """The characters of a text, without whitespace, hyphens and list marks.

    pdftotext joins words hyphenated at a line end and reads neighbouring table cells in an order of its
    own, and LibreOffice prints list marks of its own choice; what must agree is every character of the text.
    """
    return Counter(char for char in text if not char.isspace() and char not in IGNORED)


def repeated_header_characters(path: Path) -> set[str]:
    """Characters of table header rows, which the PDF repeats on every page a table runs over."""
    document = docx.Document(str(path))
    return set(comparable_characters(" ".join(cell.text for table in document.tables for cell in table.rows[0].cells)))


@pytest.mark.libreoffice
def test_docx_text_equals_pdf_text_clause_for_clause(example_build, tmp_path):
    documents = built_files(example_build, ".docx")
    copies = []
    for path in documents:  # LibreOffice names its output after the input's stem: give each a unique stem
        copy = tmp_path / f"{path.parts[-3]}-{path.parts[-2]}-{path.stem}.docx"
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    texts = soffice_convert(copies, "txt:Text (encoded):UTF8", tmp_path / "txt")
    for source, text_file in zip(documents, texts, strict=False):
        docx_text = text_file.read_text(encoding="utf-8-sig")
        pdf = pdf_text(source.with_suffix(".pdf"), body_only=True)
        docx_characters, pdf_characters = comparable_characters(docx_text), comparable_characters(pdf)
        assert not docx_characters - pdf_characters, (
            f"{source}: missing from the PDF: {docx_characters - pdf_characters}"
        )
        extra = set(pdf_characters - docx_characters) - repeated_header_characters(source)
        assert not extra, f"{source}: only in the PDF: {extra}"
        headings = [
            f"{number}. {paragraph.text}"
            for number, paragraph in enumerate(
                (p for p in docx.Document(str(source)).paragraphs if p.style.name == "Clause Heading"), start=1
            )
        ]
        flat_pdf, position = " ".join(normalized_words(pdf)), 0
        for heading in headings:  # clause numbers and titles in the same order in both
            position = flat_pdf.find(" ".join(normalized_words(heading)), position)
            assert position >= 0, f"{source}: clause heading {heading!r} not in the PDF in order"
        # clauses with points (1.1.), or the leaflet's five headings without points (1. ...)
        numbered = "1.1." in docx_text or (bool(headings) and headings[0] in " ".join(normalized_words(docx_text)))
        assert numbered == bool(headings), "LibreOffice lost the clause numbers"


@pytest.fixture(scope="module")
def libreoffice_pdfs(example_build, tmp_path_factory) -> dict[Path, Path]:
    """Every DOCX of the example build (key) converted to PDF by LibreOffice in one batch (value)."""
    documents = built_files(example_build, ".docx")
    folder = tmp_path_factory.mktemp("libreoffice")
    copies = []
    for path in documents:
        copy = folder / f"{path.parts[-3]}-{path.parts[-2]}-{path.stem}.docx"
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    return dict(zip(documents, soffice_convert(copies, "pdf", folder / "pdf"), strict=False))


@pytest.mark.libreoffice
def test_every_docx_converts_to_pdf_with_libreoffice(libreoffice_pdfs):
    for converted in libreoffice_pdfs.values():
        assert converted.stat().st_size > 10_000
        if "-ky-" in converted.stem:
            assert set(KYRGYZ_LETTERS.lower()) <= set(pdf_text(converted)), converted


def page_count(path: Path) -> int:
    return len(pypdf.PdfReader(str(path)).pages)


@pytest.mark.libreoffice
def test_libreoffice_lays_our_docx_out_on_as_many_pages_as_our_pdf(libreoffice_pdfs):
    languages = {path.parts[-2] for path in libreoffice_pdfs if path.stem == "policy"}
    assert {"ky", "ru"} <= languages
    for source, converted in libreoffice_pdfs.items():
        fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True, check=True).stdout
        assert "LiberationSerif" in fonts, (
            f"{converted}: LibreOffice replaced Times New Roman by another font; install fonts-liberation2\n{fonts}"
        )
        ours, theirs = page_count(source.with_suffix(".pdf")), page_count(converted)
        assert abs(ours - theirs) <= 1, f"{source}: our PDF has {ours} pages, LibreOffice's {theirs}"


def test_hostile_name_appears_literally_in_docx_and_pdf(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("  ru: Центр семейной медицины села Ак-Тилек\n", f"  ru: '{HOSTILE_NAME}'\n", 1)
    profile.write_text(text, encoding="utf-8")
    out_dir = workspace / "output"

    result = run_cli("build", "ak-tilek-fmc", "--lang", "ru", "--workspace", workspace, "--out", out_dir)

    assert result.exit_code == 0, result.stderr
    assert HOSTILE_NAME in docx_body_text(out_dir / "ak-tilek-fmc" / "ru" / "policy.docx")
    assert HOSTILE_NAME in " ".join(normalized_words(pdf_text(out_dir / "ak-tilek-fmc" / "ru" / "policy.pdf")))
    assert "49" not in pdf_text(out_dir / "ak-tilek-fmc" / "ru" / "policy.pdf").replace("+996", "")


def test_options_select_documents_languages_and_formats_and_keep_the_manifest(tmp_path):
    workspace = copy_workspace(tmp_path)
    out_dir = workspace / "output"
    assert run_cli("build", "ak-tilek-fmc", "--format", "docx", "-w", workspace).exit_code == 0
    result = run_cli(
        "build", "bishkek-city-hospital", "--lang", "en", "--format", "docx", "--doc", "policy", "-w", workspace
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [entry["path"] for entry in manifest["files"]] == sorted(
        [f"ak-tilek-fmc/{lang}/{doc_id}.docx" for lang in ("ky", "ru") for doc_id in DOCUMENT_IDS]
        + ["bishkek-city-hospital/en/policy.docx"]
    )


def test_language_an_institution_does_not_have_fails_that_institution(tmp_path):
    workspace = copy_workspace(tmp_path)
    result = run_cli("build", "ak-tilek-fmc", "--lang", "en", "-w", workspace)
    assert result.exit_code == 1
    assert "ak-tilek-fmc is not written in en" in result.stderr
    assert not (workspace / "output").exists()


def test_examples_start_with_the_editor_schema_line():
    for path in EXAMPLES.glob("*.yaml"):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../schema/profile.schema.json", path
