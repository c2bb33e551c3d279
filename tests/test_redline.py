"""`policygen redline OLD NEW -o OUT`: Word tracked changes that accept into NEW and reject into OLD, and a PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import copy_workspace, pdf_text, run_cli, soffice_convert
from lxml import etree
from PIL import Image

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
INSTITUTION = "bishkek-city-hospital"
DOCS = ("policy", "complaint-procedure")
CHANGED_PROFILE = """clauses:
  disable: [policy/informal-resolution]
  replace:
    - clause: policy/review
      text:
        ky: Жобо жыл сайын кайра каралат.
        ru: Положение пересматривается ежегодно, а также по предложению профсоюза.
        en: The policy is reviewed every year.
"""


def build(workspace: Path, out: Path) -> Path:
    arguments = ["build", INSTITUTION, "-w", workspace, "--out", out, "--lang", "ru", "--format", "docx", "-q"]
    result = run_cli(*arguments, *[option for doc in DOCS for option in ("--doc", doc)])
    assert result.exit_code == 0, result.stderr
    return out / INSTITUTION / "ru"


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The policy and complaint procedure before and after: a deadline changed (4 -> 3 days), a clause switched
    off, a clause's text replaced."""
    root = tmp_path_factory.mktemp("redline")
    workspace = copy_workspace(root / "workspace")
    old = build(workspace, root / "old")
    profile = workspace / "institutions" / f"{INSTITUTION}.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "  decision_days: 4\n" in text and "\nclauses:" not in text
    profile.write_text(text.replace("  decision_days: 4\n", "  decision_days: 3\n") + CHANGED_PROFILE, "utf-8")
    new = build(workspace, root / "new")
    return old, new


@pytest.fixture(scope="module")
def redlines(versions, tmp_path_factory) -> Path:
    old, new = versions
    out = tmp_path_factory.mktemp("redlines")
    for doc in DOCS:
        result = run_cli("redline", old / f"{doc}.docx", new / f"{doc}.docx", "-o", out / f"{doc}.docx")
        assert result.exit_code == 0, result.stderr
    return out


def body(path: Path) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).find(f"{W}body")


def inside(element: etree._Element, tag: str) -> bool:
    return any(ancestor.tag == f"{W}{tag}" for ancestor in element.iterancestors())


def resolved_texts(path: Path, accept: bool) -> list[str]:
    """The text of every paragraph (in tables too) once every change is accepted (or rejected), worked out on
    the XML here, apart from policygen's own code: dropped rows and paragraphs go, kept insertions stay."""
    dropped = "del" if accept else "ins"
    texts = []
    for paragraph in body(path).iter(f"{W}p"):
        row = next(paragraph.iterancestors(f"{W}tr"), None)
        if row is not None and row.find(f"{W}trPr/{W}{dropped}") is not None:
            continue
        parts = []
        for element in paragraph.iter(f"{W}t", f"{W}delText", f"{W}tab", f"{W}br"):
            if inside(element, dropped) or (element.tag == f"{W}delText" and accept):
                continue
            parts.append({f"{W}tab": "\t", f"{W}br": "\n"}.get(element.tag, element.text or ""))
        if paragraph.find(f"{W}pPr/{W}rPr/{W}{dropped}") is not None:
            assert not "".join(parts), "a paragraph that goes keeps no text"
            continue
        texts.append("".join(parts))
    return texts


@pytest.mark.parametrize("doc", DOCS)
def test_accepting_every_change_gives_the_new_text_and_rejecting_every_one_the_old(versions, redlines, doc):
    old, new = versions
    assert resolved_texts(redlines / f"{doc}.docx", accept=True) == resolved_texts(new / f"{doc}.docx", True)
    assert resolved_texts(redlines / f"{doc}.docx", accept=False) == resolved_texts(old / f"{doc}.docx", True)
    assert resolved_texts(old / f"{doc}.docx", True) != resolved_texts(new / f"{doc}.docx", True)


def changed_words(path: Path, tag: str) -> list[str]:
    """The text of each w:ins or w:del, outside the results of REF fields (renumbered references)."""
    text_tag = "t" if tag == "ins" else "delText"
    found = []
    for change in body(path).iter(f"{W}{tag}"):
        if change.getparent().tag in (f"{W}rPr", f"{W}trPr"):
            continue
        text = "".join(element.text or "" for element in change.iter(f"{W}{text_tag}"))
        if not re.fullmatch(r"\d+", text) or not _in_field_result(change):
            found.append(text)
    return found


def _in_field_result(change: etree._Element) -> bool:
    before = change.getprevious()
    while before is not None and before.tag in (f"{W}ins", f"{W}del"):
        before = before.getprevious()
    return before is not None and before.find(f"{W}fldChar[@{W}fldCharType='separate']") is not None


def clause_paragraphs(path: Path, titles: tuple[str, ...]) -> list[str]:
    """The text of every paragraph of the clauses with these titles, their headings included."""
    texts, inside_clause = [], False
    for paragraph in docx.Document(str(path)).paragraphs:
        if paragraph.style.style_id == "ClauseHeading":
            inside_clause = paragraph.text in titles
        if inside_clause:
            texts.append(paragraph.text)
    return texts


def test_the_redline_marks_the_changed_deadline_the_switched_off_clause_and_the_replaced_text_only(versions, redlines):
    old, _ = versions
    inserted, deleted = changed_words(redlines / "policy.docx", "ins"), changed_words(redlines / "policy.docx", "del")
    # the policy states no deadline (the procedure owns them): its changes are the two clauses only
    assert inserted == ["Положение пересматривается ежегодно, а также по предложению профсоюза."]
    assert deleted[0] == "Неформальное урегулирование"  # the heading of the clause switched off, then its text
    both = clause_paragraphs(old / "policy.docx", ("Неформальное урегулирование", "Пересмотр Положения"))
    assert deleted == [text for text in both if text != "Пересмотр Положения"]  # the replaced one keeps its heading
    procedure = redlines / "complaint-procedure.docx"
    assert "3" in changed_words(procedure, "ins") and "4" in changed_words(procedure, "del")
    for change in body(procedure).iter(f"{W}ins", f"{W}del"):
        paragraph = next(change.iterancestors(f"{W}p"))
        text = "".join(element.text or "" for element in change.iter(f"{W}t", f"{W}delText"))
        if text not in ("3", "4"):  # else a policy's clause renumbered: the procedure's typed reference to it
            assert text.isdigit() and "«Положение" in "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def test_the_command_lists_the_clauses_changed(versions, tmp_path):
    old, new = versions
    result = run_cli("redline", old / "policy.docx", new / "policy.docx", "-o", tmp_path / "policy.docx")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {tmp_path / 'policy.docx'}: 2 clauses changed"
    assert lines[1:] == ["  12. Неформальное урегулирование: removed", "  23. Пересмотр Положения: changed"]
    quiet = run_cli("redline", "-q", old / "policy.docx", new / "policy.docx", "-o", tmp_path / "quiet.docx")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_every_change_has_the_author_given_and_a_fixed_date(versions, tmp_path):
    old, new = versions
    args = (old / "policy.docx", new / "policy.docx")
    run_cli("redline", *args, "-o", tmp_path / "a.docx", "--author", "Профсоюз", "--date", "2026-03-01")
    marks = list(body(tmp_path / "a.docx").iter(f"{W}ins", f"{W}del"))
    assert marks and {(m.get(f"{W}author"), m.get(f"{W}date")) for m in marks} == {("Профсоюз", "2026-03-01T00:00:00Z")}
    run_cli("redline", *args, "-o", tmp_path / "b.docx")
    run_cli("redline", *args, "-o", tmp_path / "c.docx")
    assert (tmp_path / "b.docx").read_bytes() == (tmp_path / "c.docx").read_bytes()
    dates = {m.get(f"{W}date") for m in body(tmp_path / "b.docx").iter(f"{W}ins")}
    assert len(dates) == 1 and {m.get(f"{W}author") for m in body(tmp_path / "b.docx").iter(f"{W}ins")} == {"redline"}


def test_styles_numbering_and_clause_bookmarks_of_the_new_version_are_kept(versions, redlines):
    _, new = versions
    redline, original = zipfile.ZipFile(redlines / "policy.docx"), zipfile.ZipFile(new / "policy.docx")
    for part in ("word/styles.xml", "word/numbering.xml", "word/header1.xml", "word/footer1.xml"):
        assert redline.read(part) == original.read(part)
    names = lambda path: [b.get(f"{W}name") for b in body(path).iter(f"{W}bookmarkStart")]  # noqa: E731
    assert names(redlines / "policy.docx") == names(new / "policy.docx")
    document = docx.Document(str(redlines / "policy.docx"))
    assert all(paragraph.style is not None for paragraph in document.paragraphs)
    assert len(document.tables) == len(docx.Document(str(new / "policy.docx")).tables)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_redline_and_converts_it_to_pdf(redlines, tmp_path):
    sources = [redlines / f"{doc}.docx" for doc in DOCS]
    converted = soffice_convert(sources, "pdf", tmp_path)
    text = pdf_text(converted[0])
    assert "Положение пересматривается ежегодно, а также по предложению профсоюза." in re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", ["OUT.txt", "OUT"])
def test_an_output_that_is_neither_docx_nor_pdf_is_refused_with_a_hint(versions, tmp_path, name):
    old, new = versions
    result = run_cli("redline", old / "policy.docx", new / "policy.docx", "-o", tmp_path / name)
    assert result.exit_code == 2
    assert "the redline is written as .docx or .pdf" in result.stderr and "hint: " in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_docx_without_clause_bookmarks_is_compared_as_one_stretch(tmp_path):
    for name, text in (("old", "Первый абзац. Второй абзац."), ("new", "Первый абзац. Третий абзац.")):
        document = docx.Document()
        document.add_paragraph(text)
        document.save(str(tmp_path / f"{name}.docx"))
    result = run_cli("redline", tmp_path / "old.docx", tmp_path / "new.docx", "-o", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr
    assert resolved_texts(tmp_path / "out.docx", True)[-1] == "Первый абзац. Третий абзац."
    assert resolved_texts(tmp_path / "out.docx", False)[-1] == "Первый абзац. Второй абзац."


def test_the_same_file_twice_gives_no_change(versions, tmp_path):
    _, new = versions
    shutil.copy(new / "policy.docx", tmp_path / "same.docx")
    result = run_cli("redline", new / "policy.docx", tmp_path / "same.docx", "-o", tmp_path / "out.docx")
    assert result.exit_code == 0 and "0 clauses changed" in result.stdout
    assert next(body(tmp_path / "out.docx").iter(f"{W}ins", f"{W}del"), None) is None


def test_the_pdf_redline_opens_with_the_table_of_clauses_changed_then_shows_both_texts(versions, tmp_path):
    old, new = versions
    result = run_cli("redline", old / "policy.docx", new / "policy.docx", "-o", tmp_path / "policy.pdf")
    assert result.exit_code == 0, result.stderr
    first_page = re.sub(r"\s+", " ", pdf_text_of_page(tmp_path / "policy.pdf", 1))
    assert "Изменения между двумя редакциями" in first_page
    for row in ("12 Неформальное урегулирование исключён", "23 Пересмотр Положения изменён"):
        assert row in first_page
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "policy.pdf"))
    assert "Положение пересматривается ежегодно, а также по предложению профсоюза." in text  # inserted
    assert "Пострадавшее лицо вправе попросить координатора помочь" in text  # deleted, struck through


def pdf_text_of_page(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def coloured_pixels(path: Path, page: int, colour: tuple[int, int, int], folder: Path) -> int:
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(path), str(folder / "p")])
    image = Image.open(next(folder.glob("p*.png"))).convert("RGB")
    for png in folder.glob("p*.png"):
        png.unlink()
    return sum(
        1 for pixel in image.get_flattened_data() if all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))
    )


def test_the_pdf_colours_insertions_blue_and_deletions_red(versions, tmp_path):
    old, new = versions
    run_cli("redline", old / "policy.docx", new / "policy.docx", "-o", tmp_path / "policy.pdf")
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(tmp_path / "policy.pdf")], capture_output=True, text=True, check=True
            ).stdout,
        ).group(1)
    )
    texts = {page: pdf_text_of_page(tmp_path / "policy.pdf", page) for page in range(1, pages + 1)}
    deleted_on = next(page for page, text in texts.items() if "Пострадавшее лицо вправе попросить" in text)
    inserted_on = next(page for page, text in texts.items() if "по предложению профсоюза" in text)
    unchanged_on = next(page for page in texts if page not in (1, deleted_on, inserted_on))
    assert coloured_pixels(tmp_path / "policy.pdf", deleted_on, RED, tmp_path) > 100
    assert coloured_pixels(tmp_path / "policy.pdf", inserted_on, BLUE, tmp_path) > 100
    assert coloured_pixels(tmp_path / "policy.pdf", unchanged_on, RED, tmp_path) == 0


RED, BLUE = (0xA5, 0x1D, 0x2D), (0x1A, 0x5F, 0xB4)  # as print.css colours deletions and insertions


def rewritten(source: Path, target: Path, changes: dict[str, bytes], suffix: str = ".docx") -> Path:
    """A copy of a DOCX with some parts replaced or added."""
    path = target.with_suffix(suffix)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            copy.writestr(entry.filename, changes.pop(entry.filename, original.read(entry)))
        for name, data in changes.items():
            copy.writestr(name, data)
    return path


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="http://schemas.openxmlformats.org/'
    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document xmlns:w="http://'
    b'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
    b"</w:body></w:document>"
)
EXTERNAL_RELATIONSHIP = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
    b'Target="http://example.invalid/track.png" TargetMode="External"/></Relationships>'
)


def hostile_file(kind: str, source: Path, folder: Path) -> Path:
    target = folder / kind
    if kind == "entity-bomb":
        return rewritten(source, target, {"word/document.xml": ENTITY_BOMB})
    if kind == "external-entity":
        return rewritten(source, target, {"word/document.xml": EXTERNAL_ENTITY})
    if kind == "external-relationship":
        return rewritten(source, target, {"word/_rels/document.xml.rels": EXTERNAL_RELATIONSHIP})
    if kind == "macro-enabled":
        return rewritten(source, target, {}, suffix=".docm")
    if kind == "zip-bomb":
        return rewritten(source, target, {"word/media/padding.bin": bytes(250 * 1024 * 1024)})
    path = target.with_suffix(".docx")  # a PDF renamed
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


@pytest.mark.parametrize(
    "kind, message",
    [
        ("entity-bomb", "declares a document type or entities"),
        ("external-entity", "declares a document type or entities"),
        ("external-relationship", "links to an outside resource"),
        ("macro-enabled", "macro-enabled Word file (.docm) is refused"),
        ("zip-bomb", "the package unpacks to"),
        ("pdf-renamed", "not a Word document"),
    ],
)
def test_a_hostile_or_foreign_file_is_refused_in_one_line_and_nothing_is_written(versions, tmp_path, kind, message):
    _, new = versions
    hostile = hostile_file(kind, new / "policy.docx", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for old_file, new_file in ((hostile, new / "policy.docx"), (new / "policy.docx", hostile)):
        result = run_cli("redline", old_file, new_file, "-o", out / "redline.docx")
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and message in lines[0] and lines[0].startswith(f"{hostile}: ")
        assert lines[1].startswith("    hint: ")
        assert list(out.iterdir()) == []


def test_formatting_word_adds_unseen_is_no_change_but_bold_is(versions, tmp_path):
    _, new = versions
    document = docx.Document(str(new / "policy.docx"))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs if run.text.strip()]
    runs[5].font.name = "Times New Roman"  # rFonts, as Word writes on a run it touched
    runs[5]._r.get_or_add_rPr().append(etree.fromstring(f'<w:noProof xmlns:w="{W[1:-1]}"/>'))
    runs[9].bold = True
    document.save(str(tmp_path / "touched.docx"))
    result = run_cli("redline", new / "policy.docx", tmp_path / "touched.docx", "-o", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr
    inserted = changed_words(tmp_path / "out.docx", "ins")
    assert inserted == [runs[9].text]
