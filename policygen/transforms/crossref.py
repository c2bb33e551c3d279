"""Resolves cross-references between the documents of a set to document titles and clause numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from policygen.errors import TemplateError, clipped
from policygen.model import (
    Block,
    BulletList,
    Clause,
    Container,
    Document,
    Emphasis,
    Figure,
    Heading,
    Inline,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Strong,
    Table,
    Text,
    plain_text,
)


def resolve_references(
    documents: dict[str, Document], formats: Mapping[str, str], sources: dict[str, str]
) -> dict[str, Document]:
    """Every document with its @ref(...) replaced by text in `formats` (to a whole document, to a clause of the
    same document, to another's clause); a missing target names the document that refers."""
    targets = {doc_id: _Targets(document) for doc_id, document in documents.items()}
    resolved = {}
    for doc_id, document in documents.items():
        resolver = _Resolver(doc_id, targets, formats, sources.get(doc_id, doc_id))
        resolved[doc_id] = replace(document, blocks=tuple(resolver.block(block) for block in document.blocks))
    return resolved


class _Targets:
    def __init__(self, document: Document) -> None:
        self.title = document.meta.title
        numbers = document.clause_numbers()
        self.clauses = {clause.id: (numbers[clause.id], plain_text(clause.title)) for clause in document.clauses()}


class _Resolver:
    def __init__(self, doc_id: str, targets: dict[str, _Targets], formats: Mapping[str, str], source: str) -> None:
        self.doc_id = doc_id
        self.targets = targets
        self.formats = formats
        self.source = source

    def text_for(self, ref: Ref) -> str:
        target_doc = ref.doc_id or self.doc_id
        target = self.targets.get(target_doc)
        if target is None:
            message = f"@ref({ref.doc_id}#{ref.clause_id}) names no document of the set"
            raise TemplateError(self.source, clipped(message), hint=f"documents: {', '.join(self.targets)}")
        if not ref.clause_id:
            return self.formats["document"].format(document=target.title)
        if ref.clause_id not in target.clauses:
            message = (
                f"@ref({ref.doc_id}#{ref.clause_id}): {target_doc} has no clause {ref.clause_id!r} "
                "(it may have been switched off in the profile)"
            )
            raise TemplateError(self.source, clipped(message), hint=f"its clauses: {', '.join(target.clauses)}")
        number, title = target.clauses[ref.clause_id]
        form = "clause" if target_doc == self.doc_id else "document_clause"
        return self.formats[form].format(document=target.title, number=number, title=title)

    def inlines(self, inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        result: list[Inline] = []
        for inline in inlines:
            if isinstance(inline, Ref):
                inline = Text(self.text_for(inline))
            elif isinstance(inline, (Strong, Emphasis)):
                inline = replace(inline, children=self.inlines(inline.children))
            if isinstance(inline, Text) and result and isinstance(result[-1], Text):
                result[-1] = Text(result[-1].text + inline.text)
            else:
                result.append(inline)
        return tuple(result)

    def blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(self.block(block) for block in blocks)

    def block(self, block: Block) -> Block:
        if isinstance(block, (Heading, Paragraph)):
            return replace(block, inlines=self.inlines(block.inlines))
        if isinstance(block, Clause):
            return replace(block, title=self.inlines(block.title), blocks=self.blocks(block.blocks))
        if isinstance(block, (Point, Container)):
            return replace(block, blocks=self.blocks(block.blocks))
        if isinstance(block, (BulletList, OrderedList)):
            return replace(block, items=tuple(self.blocks(item) for item in block.items))
        if isinstance(block, Figure):
            return replace(block, caption=self.inlines(block.caption))
        if isinstance(block, Table):
            return replace(
                block,
                header=tuple(self.inlines(cell) for cell in block.header),
                rows=tuple(tuple(self.inlines(cell) for cell in row) for row in block.rows),
            )
        raise TemplateError(self.source, f"cannot resolve references in a {type(block).__name__}")
