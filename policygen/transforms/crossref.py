"""Resolves cross-references between the documents of a set to document titles and clause numbers."""

from __future__ import annotations

from collections.abc import Mapping

from policygen.errors import TemplateError, clipped
from policygen.model import ClauseNumber, Document, Ref, Text, Transformer, plain_text


def resolve_references(
    documents: dict[str, Document], formats: Mapping[str, str], sources: dict[str, str]
) -> dict[str, Document]:
    """Every document with its @ref(...) replaced by text in `formats` (to a whole document, to a clause of the
    same document, to another's clause); a missing target names the document that refers. A reference to a
    clause of the same document prints its number as a ClauseNumber, which the DOCX writer makes a field."""
    targets = {doc_id: _Targets(document) for doc_id, document in documents.items()}
    return {
        doc_id: _Resolver(doc_id, targets, formats, sources.get(doc_id, doc_id)).transform(document)
        for doc_id, document in documents.items()
    }


class _Targets:
    def __init__(self, document: Document) -> None:
        self.title = document.meta.title
        numbers = document.clause_numbers()
        self.clauses = {clause.id: (numbers[clause.id], plain_text(clause.title)) for clause in document.clauses()}


class _Spans(tuple):
    """The inline spans one reference stands for, spliced into the sequence that held the reference."""


class _Resolver(Transformer):
    """Replaces each Ref by the text it stands for, joined with the text around it."""

    def __init__(self, doc_id: str, targets: dict[str, _Targets], formats: Mapping[str, str], source: str) -> None:
        self.doc_id = doc_id
        self.targets = targets
        self.formats = formats
        self.source = source

    def transform_Ref(self, ref: Ref) -> Text | _Spans:
        target_doc = ref.doc_id or self.doc_id
        target = self.targets.get(target_doc)
        if target is None:
            message = f"@ref({ref.doc_id}#{ref.clause_id}) names no document of the set"
            raise TemplateError(self.source, clipped(message), hint=f"documents: {', '.join(self.targets)}")
        if not ref.clause_id:
            return Text(self.formats["document"].format(document=target.title))
        if ref.clause_id not in target.clauses:
            message = (
                f"@ref({ref.doc_id}#{ref.clause_id}): {target_doc} has no clause {ref.clause_id!r} "
                "(it may have been switched off in the profile)"
            )
            raise TemplateError(self.source, clipped(message), hint=f"its clauses: {', '.join(target.clauses)}")
        number, title = target.clauses[ref.clause_id]
        if target_doc != self.doc_id:
            return Text(self.formats["document_clause"].format(document=target.title, number=number, title=title))
        # the number's place found by formatting with a character no title holds (control characters are refused)
        before, after = self.formats["clause"].format(title=title, number="\0").split("\0", 1)
        spans = (Text(before), ClauseNumber(ref.clause_id, number), Text(after))
        return _Spans(span for span in spans if not (type(span) is Text and not span.text))

    def sequence(self, items: tuple) -> tuple:
        transformed = super().sequence(items)
        if transformed is items:
            return items
        joined: list = []
        spliced = (span for item in transformed for span in (item if type(item) is _Spans else (item,)))
        for item in spliced:
            if type(item) is Text and joined and type(joined[-1]) is Text:
                joined[-1] = Text(joined[-1].text + item.text)
            else:
                joined.append(item)
        return tuple(joined)
