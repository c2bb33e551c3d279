"""The annexes' forms as a user fills them in: PDF fields named for what they are, with their label as tooltip."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from conftest import REPO
from policygen import TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.model import Container, Document, plain_text

FORM_DOCUMENTS = ("complaint-procedure", "training-programme")


@pytest.fixture(scope="module")
def forms() -> dict[tuple[str, str, str], list[list[tuple[str, str]]]]:
    """Per (institution, language, document): its forms, each a list of (field name, label), by the public API."""
    workspace = open_workspace(REPO)
    renderer = TemplateRenderer(workspace.template_search_path())
    found = {}
    for path in workspace.institution_files():
        loaded = load_profile(path, workspace)
        for lang in loaded.profile.languages:
            documents = build_documents(renderer, loaded, lang)
            for doc_id in FORM_DOCUMENTS:
                found[(loaded.profile.id, lang, doc_id)] = list(forms_of(documents[doc_id]))
    assert all(found.values())
    return found


def forms_of(document: Document):
    """Each form of the document's annexes as [(field name, label)]; names are document/language/annex/field."""
    for annex in document.blocks:
        if isinstance(annex, Container) and annex.kind == "annex":
            for form in annex.blocks:
                if isinstance(form, Container) and form.kind == "form":
                    prefix = f"{document.meta.doc_id}/{document.meta.language}/{dict(annex.attrs)['id']}"
                    field_ids = dict(form.attrs)["fields"].split()
                    yield [(f"{prefix}/{field_id}", plain_text(item[0].inlines))
                           for field_id, item in zip(field_ids, form.blocks[0].items, strict=True)]


def widgets(path: Path) -> list[tuple[int, str, str, tuple[float, float, float, float]]]:
    """Every form widget of a PDF: (page index, field name, tooltip, rectangle x0, y0, x1, y1)."""
    found = []
    for index, page in enumerate(pypdf.PdfReader(str(path)).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Widget":
                x0, y0, x1, y1 = (float(value) for value in annotation["/Rect"])
                found.append((index, str(annotation["/T"]), str(annotation["/TU"]),
                              (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    return found


def form_pdfs(example_build: Path) -> list[tuple[tuple[str, str, str], Path]]:
    return [((path.parts[-3], path.parts[-2], path.stem), path) for doc_id in FORM_DOCUMENTS
            for path in sorted(example_build.glob(f"*/*/{doc_id}.pdf"))]


def test_pdf_form_fields_are_named_by_document_language_annex_and_field_with_their_label_as_tooltip(
        example_build, forms):
    pdfs = form_pdfs(example_build)
    assert len(pdfs) == len(forms)
    for key, path in pdfs:
        expected = [field for form in forms[key] for field in form]
        assert [(name, tooltip) for _, name, tooltip, _ in widgets(path)] == expected, path
