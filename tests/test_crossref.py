"""Cross-references between the documents of a set resolve to titles and clause numbers, or fail the build."""

import datetime as dt

import pytest

from policygen.errors import TemplateError
from policygen.model import Document, Meta, Paragraph, plain_text
from policygen.parse.markdown import parse_markdown
from policygen.transforms.crossref import resolve_references

RUSSIAN = {
    "document": "«{document}»",
    "clause": "раздел {number} «{title}»",
    "document_clause": "«{document}», раздел {number} «{title}»",
}  # the references of templates/strings/ru.yaml


def document(doc_id: str, title: str, body: str, lang: str = "ru") -> Document:
    parsed = parse_markdown(body, doc_id, frozenset())
    meta = Meta(doc_id, title, "s", lang, "ru-RU", "Inst", dt.date(2025, 1, 1), "{page}/{pages}")
    return Document(meta, parsed.blocks)


POLICY = document(
    "policy",
    "Положение",
    "::: clause general\n## Общие положения\n:::\n\n"
    "::: clause sanctions\n## Ответственность\n\nСм. @ref(#general) и @ref(procedure#appeal).\n:::\n",
)
PROCEDURE = document(
    "procedure",
    "Порядок рассмотрения жалоб",
    "::: clause appeal\n## Обжалование\n\nСм. @ref(policy#sanctions) и @ref(policy).\n:::\n",
)


def text_of(documents, doc_id: str) -> str:
    paragraphs = [
        block for clause in documents[doc_id].clauses() for block in clause.blocks if isinstance(block, Paragraph)
    ]
    return plain_text(paragraphs[0].inlines)


def test_references_resolve_to_titles_and_clause_numbers():
    resolved = resolve_references({"policy": POLICY, "procedure": PROCEDURE}, RUSSIAN, {})
    assert text_of(resolved, "policy") == (
        "См. раздел 1 «Общие положения» и «Порядок рассмотрения жалоб», раздел 1 «Обжалование»."
    )
    assert text_of(resolved, "procedure") == "См. «Положение», раздел 2 «Ответственность» и «Положение»."


@pytest.mark.parametrize(
    "body, message",
    [
        ("См. @ref(policy#missing).", "policy has no clause 'missing'"),
        ("См. @ref(nowhere#general).", "names no document of the set"),
    ],
)
def test_reference_to_a_missing_target_fails_naming_the_referring_template(body, message):
    broken = document("procedure", "Порядок", f"::: clause appeal\n## Обжалование\n\n{body}\n:::\n")
    with pytest.raises(TemplateError) as raised:
        resolve_references({"policy": POLICY, "procedure": broken}, RUSSIAN, {"procedure": "procedure/ru.md.j2"})
    assert message in raised.value.message
    assert raised.value.template == "procedure/ru.md.j2"
