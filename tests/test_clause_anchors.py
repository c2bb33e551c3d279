"""Every clause of a DOCX is anchored by a bookmark named from its ids; cross-references are REF fields to them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPO, run_cli, soffice_convert
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st

from policygen import DOCUMENT_IDS, TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.writers.anchors import MAX_BOOKMARK_NAME, clause_anchor

SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,63}", fullmatch=True)
WORD_BOOKMARK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
INSTITUTION = "bishkek-city-hospital"


@given(SLUG, SLUG)
def test_anchor_names_are_word_bookmark_names(doc_id, clause_id):
    name = clause_anchor(doc_id, clause_id)
    assert WORD_BOOKMARK_NAME.fullmatch(name) and len(name) <= MAX_BOOKMARK_NAME
    assert clause_anchor(doc_id, clause_id) == name


@given(st.lists(st.tuples(SLUG, SLUG), min_size=2, max_size=50, unique=True))
def test_different_ids_never_share_an_anchor(pairs):
    assert len({clause_anchor(*pair) for pair in pairs}) == len(pairs)


@pytest.mark.parametrize(
    "doc_id, clause_id, expected",
    [
        ("policy", "legal-basis", "policy_C_legal_basis"),
        ("complaint-procedure", "time-limits", "complaint_procedure_C_time_limits"),
        ("a-b", "c", "a_b_C_c"),
        ("a", "b-c", "a_C_b_c"),  # the upper-case C keeps these two apart
    ],
)
def test_short_ids_give_readable_anchors(doc_id, clause_id, expected):
    assert clause_anchor(doc_id, clause_id) == expected


def test_long_or_digit_first_ids_give_hashed_anchors_that_still_differ():
    long_one = clause_anchor("complaint-procedure", "informal-resolution-and-mediation")
    long_two = clause_anchor("complaint-procedure", "informal-resolution-and-mediation-2")
    assert long_one.startswith("H") and long_two.startswith("H") and long_one != long_two
    assert clause_anchor("2026-order", "a").startswith("H")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("anchors") / "output"
    result = run_cli("build", INSTITUTION, "-w", REPO, "--out", out_dir, "--lang", "ru", "--format", "docx", "-q")
    assert result.exit_code == 0, result.stderr
    return out_dir / INSTITUTION / "ru"


def document_xml(path: Path):
    return docx.Document(str(path)).element.body


def test_every_clause_heading_opens_its_bookmark_and_the_clause_text_closes_it(built):
    with_clauses = set()
    for path in sorted(built.glob("*.docx")):
        body = document_xml(path)
        doc_id = path.stem
        headings = [p for p in body.iter(qn("w:p")) if p.style == "ClauseHeading"]
        if headings:
            with_clauses.add(doc_id)
        children = list(body)
        for index, heading in enumerate(headings):
            start = heading.find(qn("w:bookmarkStart"))
            assert start is not None, f"{path.name}: clause {index + 1} has no bookmark"
            readable = re.sub(r"^H[0-9a-f]{12}_", "", start.get(qn("w:name")))  # a long name is hashed
            assert readable.startswith(doc_id.replace("-", "_") + "_C_")
            ends = [e for e in body.iter(qn("w:bookmarkEnd")) if e.get(qn("w:id")) == start.get(qn("w:id"))]
            assert len(ends) == 1
            end_block = ends[0] if ends[0].getparent() is body else ends[0].getparent()
            next_heading = headings[index + 1] if index + 1 < len(headings) else None
            # the bookmark ends after the clause's last block, before the next clause's heading
            assert children.index(end_block) >= children.index(heading)
            if next_heading is not None:
                assert children.index(end_block) < children.index(next_heading)
    assert with_clauses == {"policy", "code-of-conduct", "complaint-procedure", "training-programme", "leaflet"}


def test_every_clause_of_every_document_has_its_anchor_in_the_docx(built):
    workspace = open_workspace(REPO)
    loaded = load_profile(workspace.resolve_profiles((INSTITUTION,))[0], workspace)
    documents = build_documents(TemplateRenderer(workspace.template_search_path()), loaded, "ru")
    assert set(documents) == set(DOCUMENT_IDS)
    for doc_id, document in documents.items():
        body = document_xml(built / f"{doc_id}.docx")
        names = {start.get(qn("w:name")) for start in body.iter(qn("w:bookmarkStart"))}
        expected = {clause_anchor(doc_id, clause.id) for clause in document.clauses()}
        assert expected <= names, doc_id
        assert len(expected) == len(list(document.clauses())), doc_id


def test_references_within_a_document_are_ref_fields_showing_the_current_number(built):
    xml = zipfile.ZipFile(built / "complaint-procedure.docx").read("word/document.xml").decode()
    fields = re.findall(r"REF (\w+) \\r \\h </w:instrText>.*?<w:t>([^<]*)</w:t>", xml)
    assert fields
    body = document_xml(built / "complaint-procedure.docx")
    numbers = {
        start.get(qn("w:name")): str(index)
        for index, start in enumerate(
            (p.find(qn("w:bookmarkStart")) for p in body.iter(qn("w:p")) if p.style == "ClauseHeading"), start=1
        )
    }
    for name, shown in fields:
        assert numbers[name] == shown


def test_no_reference_is_typed_text_that_would_go_stale(built):
    text = "\n".join(p.text for p in docx.Document(str(built / "complaint-procedure.docx")).paragraphs)
    xml = zipfile.ZipFile(built / "complaint-procedure.docx").read("word/document.xml").decode()
    typed = re.findall(r"(?<!», )раздел (\d+) «", text)  # not a clause of another document
    assert len(typed) == len(re.findall(r"REF \w+ \\r \\h ", xml))


@pytest.mark.libreoffice
def test_libreoffice_shows_the_referenced_clause_numbers(built, tmp_path):
    source = built / "complaint-procedure.docx"
    text_file, pdf_file = soffice_convert([source], "txt:Text (encoded):UTF8", tmp_path) + soffice_convert(
        [source], "pdf", tmp_path
    )
    text = text_file.read_text(encoding="utf-8-sig")
    numbers: dict[str, str] = {}
    for number, title in re.findall(r"^\s*(\d+)\. (.+)$", text, flags=re.MULTILINE):
        numbers.setdefault(number, title)  # the clauses come first, the numbered items of the annexes' forms after
    references = re.findall(r"(?<!», )раздел (\d+) «([^»]+)»", text)
    assert references
    for number, title in references:
        assert numbers[number].strip() == title
    assert pdf_file.stat().st_size > 0
