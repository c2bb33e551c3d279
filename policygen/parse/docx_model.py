"""A clause of a Word file read back into the document model, noting the formatting the model cannot hold."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from policygen.model import (
    Block,
    BulletList,
    ClauseNumber,
    Emphasis,
    Inline,
    LineBreak,
    Paragraph,
    Point,
    Ref,
    Strong,
    Table,
    Text,
)
from policygen.parse.docx_xml import INSTR_TEXT, RPR, TBL, TC, TR, P, R, T, style_of, w

LOST_RUN_FORMATTING = {
    "u": "underlining",
    "strike": "strikethrough",
    "dstrike": "strikethrough",
    "color": "coloured text",
    "highlight": "highlighting",
    "shd": "shading",
    "vertAlign": "superscript or subscript",
    "caps": "capitals formatting",
    "smallCaps": "small capitals",
}
LOST_ELEMENTS = {
    "drawing": "a picture",
    "pict": "a picture",
    "object": "an embedded object",
    "footnoteReference": "a footnote",
    "endnoteReference": "an endnote",
    "commentReference": "a comment",
}
BULLET_DEPTHS = {"ListBullet": 0, "ListBullet2": 1, "ListBullet3": 2}
CONTINUE_DEPTHS = {"ListContinue": 0, "ListContinue2": 1, "ListContinue3": 2}
REF_FIELD = re.compile(r"^\s*REF\s+(\S+)")


@dataclass
class ReadClause:
    """A clause's title and body as the model holds them, and what of the file's formatting was not kept."""

    title: str
    blocks: tuple[Block, ...]
    lost: set[str] = field(default_factory=set)


@dataclass
class _Item:
    blocks: list = field(default_factory=list)


@dataclass
class _PointDraft:
    level: int
    blocks: list = field(default_factory=list)


@dataclass
class _BulletsDraft:
    items: list[_Item] = field(default_factory=list)


def read_clause(
    blocks: list[etree._Element],
    clause_ids: Mapping[str, str],
    reference: tuple[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> ReadClause:
    """The clause whose heading is blocks[0]. `clause_ids` maps bookmark names to clause ids, so that a REF field
    reads back as the clause number it shows; `reference` (the text before and after the number in a reference
    to a clause, the title as {title}) and the clauses' `titles` turn such a number and its words back into the
    @ref that made them."""
    reader = _ClauseReader(clause_ids, reference, titles or {})
    title = "".join(_plain(inline) for inline in reader.inlines(blocks[0]))
    for block in blocks[1:]:
        reader.block(block)
    return ReadClause(title, reader.finished(), reader.lost)


def _plain(inline: Inline) -> str:
    if isinstance(inline, Text):
        return inline.text
    if isinstance(inline, ClauseNumber):
        return inline.number
    if isinstance(inline, (Strong, Emphasis)):
        return "".join(_plain(child) for child in inline.children)
    return ""


class _ClauseReader:
    def __init__(
        self, clause_ids: Mapping[str, str], reference: tuple[str, str] | None, titles: Mapping[str, str]
    ) -> None:
        self.clause_ids = clause_ids
        self.reference = reference
        self.titles = titles
        self.root: list = []
        self.points: list[_PointDraft] = []  # the open point of level 1, then of level 2
        self.bullets: list[_BulletsDraft] = []  # the open bullet list of each depth
        self.lost: set[str] = set()

    # blocks

    def block(self, block: etree._Element) -> None:
        if block.tag == TBL:
            self._container().append(self._table(block))
            self.bullets = []
            return
        if block.tag != P:
            return
        style = style_of(block)
        inlines = self.inlines(block)
        paragraph = Paragraph(inlines)
        if style in ("ClausePoint", "ClauseSubpoint"):
            level = 1 if style == "ClausePoint" or not self.points else 2
            point = _PointDraft(level, [paragraph])
            self.points = self.points[: level - 1]
            (self.points[-1].blocks if self.points else self.root).append(point)
            self.points.append(point)
            self.bullets = []
        elif style in BULLET_DEPTHS:
            self._bullet(BULLET_DEPTHS[style], paragraph)
        elif style in CONTINUE_DEPTHS and len(self.bullets) > CONTINUE_DEPTHS[style]:
            self.bullets[CONTINUE_DEPTHS[style]].items[-1].blocks.append(paragraph)
        elif style == "ClauseContinuation":
            self.points = self.points[:1]
            self.bullets = []
            self._container().append(paragraph)
        elif style == "ClauseSubpointContinuation":
            self.bullets = []
            self._container().append(paragraph)
        elif inlines:
            self.points, self.bullets = [], []
            self.root.append(paragraph)

    def _container(self) -> list:
        return self.points[-1].blocks if self.points else self.root

    def _bullet(self, depth: int, paragraph: Paragraph) -> None:
        depth = min(depth, len(self.bullets))
        self.bullets = self.bullets[: depth + 1]
        if len(self.bullets) <= depth:
            container = self.bullets[depth - 1].items[-1].blocks if depth else self._container()
            draft = _BulletsDraft()
            container.append(draft)
            self.bullets.append(draft)
        self.bullets[depth].items.append(_Item([paragraph]))

    def _table(self, table: etree._Element) -> Table:
        rows = [tuple(cell_inlines(cell, self.inlines) for cell in row.iter(TC)) for row in table.iter(TR)]
        width = len(rows[0])
        if any(len(row) != width for row in rows):
            self.lost.add("merged table cells")
        even = [row[:width] + ((),) * (width - len(row)) for row in rows]
        return Table(even[0], tuple(even[1:]))

    def finished(self) -> tuple[Block, ...]:
        return tuple(_frozen(item) for item in self.root)

    # inlines

    def inlines(self, paragraph: etree._Element) -> tuple[Inline, ...]:
        spans: list[Inline] = []
        field_code: str | None = None  # the code of the field being read, until its result starts
        field_target: str | None = None  # the clause a REF field's result is the number of
        for run in paragraph.iter(R):
            properties = run.find(RPR)
            bold, italic = _on(properties, "b"), _on(properties, "i")
            if properties is not None:
                names = (child.tag[len(w("")) :] for child in properties)
                self.lost.update(LOST_RUN_FORMATTING[name] for name in names if name in LOST_RUN_FORMATTING)
            for part in run:
                name = part.tag[len(w("")) :]
                if name == "fldChar":
                    kind = part.get(w("fldCharType"))
                    if kind == "begin":
                        field_code = ""
                    elif kind == "separate" and field_code is not None:
                        match = REF_FIELD.match(field_code)
                        field_target = self.clause_ids.get(match.group(1)) if match else None
                        field_code = None
                    elif kind == "end":
                        field_code, field_target = None, None
                elif part.tag == INSTR_TEXT and field_code is not None:
                    field_code += part.text or ""
                elif field_code is not None:
                    continue  # inside a field's code
                elif part.tag == T and part.text:
                    if field_target is not None:
                        spans.append(ClauseNumber(field_target, part.text))
                    else:
                        spans.append(_styled(Text(part.text), bold, italic))
                elif name == "tab":
                    spans.append(_styled(Text("\t"), bold, italic))
                elif name in ("br", "cr"):
                    spans.append(LineBreak())
                elif name in LOST_ELEMENTS:
                    self.lost.add(LOST_ELEMENTS[name])
        if paragraph.find(w("hyperlink")) is not None:
            self.lost.add("a hyperlink (its text is kept)")
        return self._references(_joined(spans))

    def _references(self, spans: tuple[Inline, ...]) -> tuple[Inline, ...]:
        """Each clause number with the words a reference puts around it, back as the @ref that made them."""
        result: list[Inline] = []
        pending = list(spans)
        while pending:
            span = pending.pop(0)
            if not isinstance(span, ClauseNumber):
                result.append(span)
                continue
            before, after = self.reference or ("", "")
            tail = after.replace("{title}", self.titles.get(span.clause_id, ""))
            previous = result[-1] if result and isinstance(result[-1], Text) else Text("")
            following = pending[0] if pending and isinstance(pending[0], Text) else Text("")
            if self.reference is None or not (previous.text.endswith(before) and following.text.startswith(tail)):
                result.append(Text(span.number))
                self.lost.add("a cross-reference without its words (its number is kept as typed text)")
                continue
            if result and isinstance(result[-1], Text):
                result[-1] = Text(previous.text[: len(previous.text) - len(before)])
            result.append(Ref("", span.clause_id))
            if pending and isinstance(pending[0], Text):
                pending[0] = Text(following.text[len(tail) :])
        return _joined([span for span in result if not (isinstance(span, Text) and not span.text)])


def cell_inlines(cell: etree._Element, inlines_of: Callable[[etree._Element], Iterable[Inline]]) -> tuple[Inline, ...]:
    """The text of a table cell as one line of inlines, its paragraphs joined by line breaks."""
    inlines: list[Inline] = []
    for paragraph in cell.iter(P):
        if inlines:
            inlines.append(LineBreak())
        inlines.extend(inlines_of(paragraph))
    return tuple(inlines)


def _on(properties: etree._Element | None, name: str) -> bool:
    found = None if properties is None else properties.find(w(name))
    return found is not None and found.get(w("val"), "true") not in ("0", "false", "off")


def _styled(text: Text, bold: bool, italic: bool) -> Inline:
    inline: Inline = text
    if italic:
        inline = Emphasis((inline,))
    if bold:
        inline = Strong((inline,))
    return inline


def _joined(spans: list[Inline] | tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Adjacent texts of one formatting as one span."""
    joined: list[Inline] = []
    for span in spans:
        last = joined[-1] if joined else None
        if isinstance(span, Text) and isinstance(last, Text):
            joined[-1] = Text(last.text + span.text)
        elif isinstance(span, Strong) and isinstance(last, Strong):
            joined[-1] = Strong(_joined((*last.children, *span.children)))
        elif isinstance(span, Emphasis) and isinstance(last, Emphasis):
            joined[-1] = Emphasis(_joined((*last.children, *span.children)))
        else:
            joined.append(span)
    return tuple(joined)


def _frozen(draft: object) -> Block:
    if isinstance(draft, _PointDraft):
        return Point(draft.level, tuple(_frozen(block) for block in draft.blocks))
    if isinstance(draft, _BulletsDraft):
        return BulletList(tuple(tuple(_frozen(block) for block in item.blocks) for item in draft.items))
    assert isinstance(draft, (Paragraph, Table))
    return draft
