"""The Ministry submission: the example package, PDF/A, bookmarks, verification and the evidence numbers."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import EXAMPLE_SUBMISSION, REPO, copy_workspace, normalized_words, pdf_text, run_cli
from pypdf.generic import ContentStream

from policygen import TemplateRenderer, open_workspace
from policygen.sets.submission import findings_rows, load_submission

EXAMPLE = EXAMPLE_SUBMISSION


@pytest.fixture(scope="module")
def package(submission_package) -> Path:
    """The example package, built once for the session's tests."""
    return submission_package


@pytest.fixture(scope="module")
def manifest(package) -> dict:
    return json.loads((package / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_example_package_holds_every_document_in_docx_and_pdf_for_each_language(package, manifest):
    submission = load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml")
    expected_documents = ["cover-letter", "annex-register", *(annex.value for annex in submission.annexes)]
    for lang in submission.languages:
        documents = [
            entry["document"]
            for entry in manifest["files"]
            if entry["language"] == lang and entry["path"].endswith(".pdf") and entry["document"] != "combined"
        ]
        assert documents == expected_documents, lang
    suffixes = sorted({Path(entry["path"]).suffix for entry in manifest["files"]})
    assert suffixes == [".docx", ".pdf"]
    assert (package / f"{EXAMPLE}.zip").is_file() and (package / f"{EXAMPLE}-combined.pdf").is_file()


@pytest.mark.slow
def test_every_pdf_declares_pdf_a_2b_and_embeds_all_fonts(package):
    pdfs = sorted(package.rglob("*.pdf"))
    assert len(pdfs) > 10
    for path in pdfs:
        metadata = pypdf.PdfReader(str(path)).xmp_metadata
        assert metadata is not None, path
        xml = metadata.rdf_root.toxml()
        assert re.search(r"pdfaid:part(=\"|>)2", xml) and re.search(r"pdfaid:conformance(=\"|>)B", xml), path
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        for row in listing.splitlines()[2:]:
            assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"{path}: {row}"


@pytest.mark.slow
def test_combined_pdf_bookmarks_follow_the_annex_register(package, manifest):
    reader = pypdf.PdfReader(str(package / f"{EXAMPLE}-combined.pdf"))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    register = docx.Document(str(package / "ky" / "00-annex-register.docx"))
    rows = [[cell.text for cell in row.cells] for row in register.tables[0].rows[1:]]
    annex_bookmarks = [title for title in top if re.match(r"^\d+\. ", title)]
    assert [title.split(". ", 1)[0] for title in annex_bookmarks] == [row[0].rstrip(".") for row in rows]
    for title, row in zip(annex_bookmarks, rows, strict=False):
        assert title.split(". ", 1)[1] == row[1]
    assert len(top) == len(rows) + 2  # the letter and the register come first


def drawn_images(path: Path) -> Counter:
    """The SHA-256 of every picture each page of a PDF draws (an image drawn twice counts twice)."""
    reader = pypdf.PdfReader(str(path))
    drawn: Counter = Counter()

    def draw(content, resources) -> None:
        xobjects = resources.get("/XObject", {}) if resources else {}
        for operands, operator in ContentStream(content, reader).operations:
            if operator == b"Do":
                xobject = xobjects.get_object()[operands[0]].get_object()
                if xobject["/Subtype"] == "/Image":
                    drawn[hashlib.sha256(xobject.get_data()).hexdigest()] += 1
                elif xobject["/Subtype"] == "/Form":
                    draw(xobject, xobject.get("/Resources", resources))

    for page in reader.pages:
        draw(page.get_contents(), page.get("/Resources"))
    return drawn


def bound_pdfs(package: Path, manifest: dict) -> list[Path]:
    """The separate PDFs the combined PDF binds."""
    return [
        package / entry["path"]
        for entry in manifest["files"]
        if entry["path"].endswith(".pdf") and entry["document"] != "combined"
    ]


@pytest.mark.slow
def test_combined_pdf_shows_each_document_its_own_pictures(package, manifest):
    expected = sum((drawn_images(path) for path in bound_pdfs(package, manifest)), Counter())
    languages = len(load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml").languages)
    assert sum(expected.values()) >= 2 * languages  # a chart and a heat map per language
    assert drawn_images(package / f"{EXAMPLE}-combined.pdf") == expected


def widgets(path: Path) -> list[tuple[str, str]]:
    """(field name, tooltip) of every form widget of a PDF, page by page."""
    return [
        (str(annotation["/T"]), str(annotation["/TU"]))
        for page in pypdf.PdfReader(str(path)).pages
        for annotation in (reference.get_object() for reference in page.get("/Annots") or [])
        if annotation["/Subtype"] == "/Widget"
    ]


@pytest.mark.slow
def test_combined_pdf_form_fields_have_unique_names_and_tooltips_in_their_language(package, manifest):
    separate: dict[str, str] = {}
    for path in bound_pdfs(package, manifest):
        fields = widgets(path)
        for name, _ in fields:
            doc_id, lang, annex, field = name.split("/")
            assert lang == path.parent.name and doc_id in path.stem and annex and field, (path, name)
            assert name not in separate, (path, name)
        separate.update(fields)
        if fields:  # each tooltip is a label of the form as the document prints it, in the document's language
            labels = {
                row.cells[0].text
                for table in docx.Document(str(path.with_suffix(".docx"))).tables
                for row in table.rows
            }
            assert {tooltip for _, tooltip in fields} <= labels, path
    combined = widgets(package / f"{EXAMPLE}-combined.pdf")
    assert len(combined) == len(separate) > 0
    assert dict(combined) == separate


@pytest.mark.slow
def test_clean_package_verifies_as_folder_and_as_zip(package):
    for target in (package, package / f"{EXAMPLE}.zip"):
        result = run_cli("submission", "verify", target)
        assert result.exit_code == 0, result.stderr
        assert "every file matches its manifest" in result.output


@pytest.mark.slow
def test_one_changed_byte_fails_verification_naming_the_file(package, tmp_path):
    copy = tmp_path / EXAMPLE
    shutil.copytree(package, copy)
    target = copy / "ru" / "02-policy.docx"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    (copy / "ky" / "00-cover-letter.pdf").unlink()
    (copy / "ru" / "notes.txt").write_text("added after signing")

    result = run_cli("submission", "verify", copy)

    assert result.exit_code == 1
    assert f"{copy}: ru/02-policy.docx: changed" in result.stderr
    assert f"{copy}: ky/00-cover-letter.pdf: missing" in result.stderr
    assert f"{copy}: ru/notes.txt: added" in result.stderr


@pytest.mark.slow
def test_changed_member_of_the_zip_fails_verification(package, tmp_path):
    original = zipfile.ZipFile(package / f"{EXAMPLE}.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name in original.namelist():
            data = original.read(name)
            archive.writestr(name, data + b" " if name == "ru/01-draft-order.docx" else data)
    result = run_cli("submission", "verify", tampered)
    assert result.exit_code == 1
    assert "ru/01-draft-order.docx: changed" in result.stderr


@pytest.mark.slow
def test_evidence_numbers_are_the_same_in_docx_and_pdf_tables_and_chart_labels(package):
    submission = load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml")
    renderer = TemplateRenderer(open_workspace(REPO).template_search_path())
    for lang in submission.languages:
        rows = findings_rows(submission, lang, renderer.strings(lang).babel_locale)
        note = next((package / lang).glob("*-justification-note.docx"))
        table = next(
            table
            for table in docx.Document(str(note)).tables
            if any(row["percent"] in cell.text for cell in table.rows[1].cells for row in rows)
        )
        cells = [[cell.text for cell in row.cells] for row in table.rows[1:]]
        pdf_words = " ".join(normalized_words(pdf_text(note.with_suffix(".pdf"))))
        for row, table_row in zip(rows, cells, strict=False):
            value, denominator, percent = table_row[-3:]
            assert percent == row["percent"]
            assert row["chart_label"] == f"{percent} ({value} / {denominator})"
            for text in (value, denominator, percent):
                assert " ".join(normalized_words(text)) in pdf_words, (lang, text)


def edited_example(tmp_path: Path, old: str, new: str) -> tuple[Path, Path, str]:
    workspace = copy_workspace(tmp_path)
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    path = workspace / "submissions" / f"{EXAMPLE}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return workspace, path, text


@pytest.mark.parametrize(
    "old, new, key, message",
    [
        ("        denominator: 1150\n", "", "evidence.survey.findings[0].denominator", "required key is missing"),
        ("- coverage-report", "- press-release", "annexes[", "Input should be"),
        ("addressee:", "addressee_old:", "addressee", "required key is missing"),
    ],
)
def test_broken_submission_fails_naming_the_line(tmp_path, old, new, key, message):
    workspace, path, _text = edited_example(tmp_path, old, new)
    result = run_cli("submission", "build", EXAMPLE, "-w", workspace)
    assert result.exit_code == 1
    assert message in result.stderr
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: {re.escape(key)}", result.stderr), result.stderr
    assert not (workspace / "output").exists()


@pytest.mark.slow
def test_cover_letter_has_a_bilingual_letterhead_in_every_version(package):
    submission = load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml")
    for lang in submission.languages:
        paragraphs = [p.text for p in docx.Document(str(package / lang / "00-cover-letter.docx")).paragraphs[:6]]
        assert submission.sender.name["ky"] in paragraphs and submission.sender.name["ru"] in paragraphs, lang
