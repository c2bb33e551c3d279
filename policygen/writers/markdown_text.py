"""Clause bodies of the document model written back as the Markdown a profile's clause texts are written in."""

from __future__ import annotations

import re

from policygen.model import (
    Block,
    BulletList,
    ClauseNumber,
    Emphasis,
    Inline,
    LineBreak,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Strong,
    Table,
    Text,
)
from policygen.model.walk import Visitor

_ESCAPED = re.compile(r"([\\`*_\[\]<>#|@&~])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def escape(text: str) -> str:
    """Text that Markdown reads back as itself: markup characters and a line-starting list mark escaped."""
    escaped = _ESCAPED.sub(r"\\\1", text)
    return _LINE_START.sub(lambda match: match.group(1) + match.group(2)[:-1] + "\\" + match.group(2)[-1], escaped)


def clause_markdown(blocks: tuple[Block, ...]) -> str:
    """A clause body as Markdown: paragraphs, points as a numbered list (subpoints nested), bullets, tables."""
    writer = _MarkdownWriter()
    writer.visit_all(blocks)
    return "\n\n".join(writer.chunks).strip() + "\n"


class _MarkdownWriter(Visitor):
    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.indent = ""
        self.parts: list[str] = []

    def _inlines(self, inlines: tuple[Inline, ...]) -> str:
        saved, self.parts = self.parts, []
        self.visit_all(inlines)
        text, self.parts = "".join(self.parts), saved
        return text

    def _add(self, text: str) -> None:
        lines = text.split("\n")
        self.chunks.append("\n".join(self.indent + line if line else line for line in lines))

    def _item(self, mark: str, blocks: tuple[Block, ...]) -> None:
        first, rest = (blocks[0], blocks[1:]) if blocks and type(blocks[0]) is Paragraph else (None, blocks)
        text = self._inlines(first.inlines) if first is not None else ""
        self._add(f"{mark} {text}".rstrip())
        outer, self.indent = self.indent, self.indent + " " * (len(mark) + 1)
        self.visit_all(rest)
        self.indent = outer

    def visit_Paragraph(self, node: Paragraph) -> None:
        self._add(self._inlines(node.inlines))

    def visit_Point(self, node: Point) -> None:
        self._item("1.", node.blocks)

    def visit_BulletList(self, node: BulletList) -> None:
        for item in node.items:
            self._item("-", item)

    def visit_OrderedList(self, node: OrderedList) -> None:
        for item in node.items:
            self._item("1.", item)

    def visit_Table(self, node: Table) -> None:
        rows = [node.header, *node.rows]
        lines = ["| " + " | ".join(self._inlines(cell).replace("\n", " ") for cell in row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(node.header))
        self._add("\n".join(lines))

    def visit_Text(self, node: Text) -> None:
        self.parts.append(escape(node.text))

    def visit_Strong(self, node: Strong) -> None:
        self.parts.append(f"**{self._inlines(node.children)}**")

    def visit_Emphasis(self, node: Emphasis) -> None:
        self.parts.append(f"*{self._inlines(node.children)}*")

    def visit_LineBreak(self, node: LineBreak) -> None:
        self.parts.append("\\\n")

    def visit_Ref(self, node: Ref) -> None:
        self.parts.append(f"@ref({node.doc_id}#{node.clause_id})" if node.clause_id else f"@ref({node.doc_id})")

    def visit_ClauseNumber(self, node: ClauseNumber) -> None:
        self.parts.append(escape(node.number))
