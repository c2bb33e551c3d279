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
from policygen.model import to_data
from policygen.sets.model_set import build_model_documents
from policygen.sets.submission import load_submission, submission_documents

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
    assert suffixes == ["", ".docx", ".pdf", ".txt"]  # SHA256SUMS and README.txt besides the documents
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
    numbered = [row for row in rows if row[0] != "—"]  # the draft order is the main document, without a number
    annex_bookmarks = [title for title in top if re.match(r"^\d+\. ", title)]
    assert [title.split(". ", 1)[0] for title in annex_bookmarks] == [row[0].rstrip(".") for row in numbered]
    for title, row in zip(annex_bookmarks, numbered, strict=False):
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
    target = copy / "ru" / "01-policy.docx"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    (copy / "ky" / "00-cover-letter.pdf").unlink()
    (copy / "ru" / "notes.txt").write_text("added after signing")

    result = run_cli("submission", "verify", copy)

    assert result.exit_code == 1
    assert f"{copy}: ru/01-policy.docx: changed" in result.stderr
    assert f"{copy}: ky/00-cover-letter.pdf: missing" in result.stderr
    assert f"{copy}: ru/notes.txt: added" in result.stderr


@pytest.mark.slow
def test_changed_member_of_the_zip_fails_verification(package, tmp_path):
    original = zipfile.ZipFile(package / f"{EXAMPLE}.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name in original.namelist():
            data = original.read(name)
            archive.writestr(name, data + b" " if name == "ru/00-draft-order.docx" else data)
    result = run_cli("submission", "verify", tampered)
    assert result.exit_code == 1
    assert "ru/00-draft-order.docx: changed" in result.stderr


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
        ("    to_be_estimated: true\n", "    to_be_estimated: true\n    amount_kgs: 1000\n", "costs[0]", "not both"),
        ("    to_be_estimated: true\n", "", "costs[0]", "give either amount_kgs or to_be_estimated"),
        ("example: true", "example: yes", "example", "expected true or false"),
        (
            "  - training-programme\n  - justification-note\n",
            "  - justification-note\n  - training-programme\n",
            "annexes",
            "lists a model document after another annex",
        ),
        (
            "    suppress_below: 10\n",
            "    suppress_below: 0\n",
            "evidence.survey.suppress_below",
            "greater than or equal",
        ),
        ("    codebook: data/", "    codebok: data/", "evidence.survey.codebok", "unknown key"),
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


def package_text(path: Path) -> str:
    """Every word a reader of a package file can see: the PDF's text, or the text of every part of the DOCX
    (body, headers, footers, notes) and its document properties."""
    if path.suffix == ".pdf":
        return " ".join(normalized_words(pdf_text(path)))
    with zipfile.ZipFile(path) as archive:
        parts = [name for name in archive.namelist() if name.endswith(".xml")]
        xml = " ".join(archive.read(name).decode("utf-8") for name in parts)
    texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<(?:dc|cp):[a-zA-Z]+>([^<]*)<", xml)
    return " ".join(" ".join(pair) for pair in texts)


@pytest.mark.slow
def test_no_software_name_file_name_or_review_marker_in_any_document_of_the_package(package):
    files = sorted([*package.rglob("*.docx"), *package.rglob("*.pdf")])
    assert len(files) > 40
    for path in files:
        text = package_text(path).lower()
        for forbidden in ("policygen", "manifest", "(verify)", ".json", ".yaml", "sha256sums", "readme"):
            assert forbidden not in text, (path.relative_to(package), forbidden)


def document_text(package: Path, lang: str, document: str) -> str:
    return " ".join(normalized_words(pdf_text(next((package / lang).glob(f"*-{document}.pdf")))))


@pytest.mark.slow
def test_example_institutions_are_absent_from_the_note_and_the_coverage_annex_by_default(package):
    workspace = open_workspace(REPO)
    names = [profile.read_text(encoding="utf-8") for profile in workspace.institution_files()]
    assert all("\nexample: true\n" in text for text in names)  # every shipped institution is an example
    for lang in ("ky", "ru", "en"):
        note = document_text(package, lang, "justification-note")
        report = document_text(package, lang, "coverage-report")
        for institution in ("Арчалуу", "Archaluu", "Ак-Буура", "Ak-Buura", "Ак-Тилек"):
            assert institution not in note and institution not in report, (lang, institution)
    note = document_text(package, "ru", "justification-note")
    assert "применены на практике" not in note and "пилотных" not in note
    assert "не содержит сведений об утверждении какой-либо организацией здравоохранения" in note


@pytest.mark.slow
def test_cover_letter_fits_two_pages_and_asks_concretely_with_the_reply_period(package):
    submission = load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml")
    for lang in submission.languages:
        letter = package / lang / "00-cover-letter.pdf"
        assert len(pypdf.PdfReader(str(letter)).pages) <= 2, lang
        text = document_text(package, lang, "cover-letter")
        for request in submission.request:
            assert " ".join(normalized_words(request[lang])) in text, (lang, request[lang])
    ru = document_text(package, "ru", "cover-letter")
    assert "в срок, установленный законодательством о порядке рассмотрения обращений граждан, — 14 рабочих дней" in ru
    assert "рабочую группу с участием представителей Профсоюза" in ru and "отраслевое соглашение" in ru


@pytest.mark.slow
def test_costs_come_from_the_submission_and_no_sentence_says_no_funds_are_needed(package):
    submission = load_submission(REPO / "submissions" / f"{EXAMPLE}.yaml")
    for lang in submission.languages:
        note_docx = docx.Document(str(next((package / lang).glob("*-justification-note.docx"))))
        cells = {cell.text for table in note_docx.tables for row in table.rows for cell in row.cells}
        note_words = set(document_text(package, lang, "justification-note").split())
        for cost in submission.costs:
            assert cost.purpose[lang] in cells, (lang, cost.purpose[lang])  # a cell of its own in the table
            # pdftotext reads a table's neighbouring cells in any order, so the PDF is held to every word
            assert set(normalized_words(cost.purpose[lang])) <= note_words, (lang, cost.purpose[lang])
    ru = document_text(package, "ru", "justification-note")
    assert "подлежит оценке" in ru
    assert "не потребует дополнительных средств" not in ru and "не требует новых штатных единиц" not in ru
    en = document_text(package, "en", "justification-note")
    assert "will not require additional funds" not in en and "No significant economic consequences" not in en


@pytest.mark.slow
def test_coverage_report_says_the_check_finds_notions_by_pattern_and_a_lawyer_confirms(package):
    expected = {
        "ru": "каждый результат проверки подтверждает юрист",
        "ky": "текшерүүнүн ар бир натыйжасын юрист ырастайт",
        "en": "a lawyer confirms each result of the check",
    }
    for lang, sentence in expected.items():
        report = document_text(package, lang, "coverage-report")
        assert sentence in report, lang
        assert "actually expresses" not in report and "действительно выражает" not in report
        assert "чындап туюнтканда" not in report


@pytest.mark.slow
def test_annex_numbers_are_the_same_in_the_register_and_the_draft_order(package):
    for lang, annex_word in (("ru", "приложение {}"), ("ky", "{}-тиркеме"), ("en", "Annex {}")):
        register = docx.Document(str(package / lang / "00-annex-register.docx"))
        numbers = {row.cells[1].text: row.cells[0].text for row in register.tables[0].rows[1:]}
        order = "\n".join(
            p.text for p in docx.Document(str(next((package / lang).glob("*-draft-order.docx")))).paragraphs
        )
        model_titles = [title for title, number in numbers.items() if number != "—" and title in order]
        assert len(model_titles) == 4, (lang, numbers)
        for title in model_titles:
            assert f"{title} ({annex_word.format(numbers[title])})" in order, (lang, title)


@pytest.mark.slow
def test_draft_order_states_its_form_marked_for_legal_review(package):
    expected = {
        "ru": "О форме проекта (подлежит проверке юристом). Проект составлен в форме нормативного правового акта",
        "ky": "Долбоордун формасы жөнүндө (юрист тарабынан текшерилиши керек).",
        "en": "On the form of this draft (to be verified by a lawyer).",
    }
    for lang, sentence in expected.items():
        assert sentence in document_text(package, lang, "draft-order"), lang


def test_a_cost_with_an_amount_is_printed_with_the_total_of_the_estimated_items(tmp_path):
    workspace, path, _text = edited_example(tmp_path, "    to_be_estimated: true\n", "    amount_kgs: 150000\n")
    opened = open_workspace(workspace)
    renderer = TemplateRenderer(opened.template_search_path())
    submission = load_submission(path)
    model = build_model_documents(renderer, opened, "ru")
    note = submission_documents(renderer, opened, submission, [], model, "ru")["justification-note"]
    text = json.dumps(to_data(note), ensure_ascii=False).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Сумма оценённых статей составляет 150 000 сом." in text
    assert "Число статей, сумма которых ещё не оценена, — 3" in text
    assert text.count("подлежит оценке") == 1 + 3  # the sentence naming the mark, and the three items without amount


def test_check_marks_example_institutions_in_its_table_and_its_json():
    table = run_cli("check", "ak-tilek-fmc", "-w", REPO)
    assert table.exit_code == 0, table.stderr
    header = next(line for line in table.stdout.splitlines() if line.startswith("ak-tilek-fmc "))
    assert header.endswith("PASSED  (example: fictional)")
    as_json = json.loads(run_cli("check", "ak-tilek-fmc", "-w", REPO, "--json").stdout)
    assert as_json["institutions"][0]["example"] is True


@pytest.mark.slow
def test_sha256sums_verifies_with_sha256sum_in_the_unpacked_package(package, tmp_path):
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(package / f"{EXAMPLE}.zip").extractall(unpacked)
    listed = (unpacked / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    documents = [
        path.relative_to(unpacked).as_posix() for path in unpacked.rglob("*") if path.suffix in (".docx", ".pdf")
    ]
    assert sorted(line.split("  ", 1)[1] for line in listed) == sorted([*documents, "README.txt"])
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(listed)
    (unpacked / "ru" / "01-policy.pdf").write_bytes(b"%PDF-1.7 changed")
    changed = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert changed.returncode == 1 and "ru/01-policy.pdf: FAILED" in changed.stdout


@pytest.mark.slow
def test_readme_says_in_each_language_how_to_check_the_package(package):
    readme = (package / "README.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")  # a byte order mark: every Windows editor reads it as UTF-8
    text = readme.decode("utf-8-sig")
    for words in ("КАК ПРОВЕРИТЬ, ЧТО НИ ОДИН ФАЙЛ НЕ ИЗМЕНЁН", "КАНТИП ТЕКШЕРҮҮ КЕРЕК", "HOW TO CHECK THAT NO FILE"):
        assert words in text
    assert text.count("sha256sum -c SHA256SUMS") == 3
    assert text.count("Get-FileHash -Algorithm SHA256") == 6
    assert "policygen" not in text.lower()
    assert run_cli("submission", "verify", package).exit_code == 0  # README.txt and SHA256SUMS are in the manifest


@pytest.mark.slow
def test_include_examples_shows_the_example_institutions_marked_as_examples(tmp_path):
    result = run_cli("submission", "build", EXAMPLE, "-w", REPO, "--out", tmp_path, "--include-examples")
    assert result.exit_code == 0, result.stderr
    package = tmp_path / "submission" / EXAMPLE
    note = docx.Document(str(next((package / "ru").glob("*-justification-note.docx"))))
    rows = [row.cells[0].text for table in note.tables for row in table.rows]
    assert "ГМКБ «Арчалуу» (пример)" in rows and "ЦСМ с. Ак-Тилек (пример)" in rows
    text = "\n".join(p.text for p in note.paragraphs)
    assert "Организации с пометкой «пример» вымышлены" in text
    report = docx.Document(str(next((package / "ru").glob("*-coverage-report.docx"))))
    headings = [p.text for p in report.paragraphs if p.style.name.startswith("Heading")]
    assert "ГМКБ «Арчалуу» (пример)" in headings
