"""The nodes of the document model: inline spans and blocks, each a frozen, slotted dataclass checked when made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
"""The ids of clauses, annexes, form fields and figures: lowercase letters, digits and hyphens, at most 64."""
MAX_FORM_LINES = 99
"""The most lines a form's spaces to answer in may ask for."""


class ModelError(ValueError):
    """A node, or a tree of them, breaks a rule of the model; `node` is the node at fault, when already made."""

    def __init__(self, message: str, node: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


class Node:
    """What every node of the model is."""

    __slots__ = ()


def _check_id(value: str, what: str) -> None:
    if not ID_PATTERN.match(value):
        raise ModelError(f"{what} {value!r} is not a slug (lowercase letters, digits and hyphens, at most 64)")


# Inline spans -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Literal text; never interpreted as markup by any writer."""

    text: str


@dataclass(frozen=True, slots=True)
class Strong(Node):
    """Bold span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Emphasis(Node):
    """Italic span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class LineBreak(Node):
    """A hard line break inside a paragraph."""


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """A cross-reference to a clause (no clause_id: to a document; no doc_id: this one), resolved to Text."""

    doc_id: str
    clause_id: str


@dataclass(frozen=True, slots=True)
class ClauseNumber(Node):
    """The number of a clause of the same document, as a resolved cross-reference prints it; the DOCX writer makes
    it a field pointing at the clause, so that the number follows the clause when a clause is inserted by hand."""

    clause_id: str
    number: str

    def __post_init__(self) -> None:
        _check_id(self.clause_id, "clause id")


@dataclass(frozen=True, slots=True)
class Inserted(Node):
    """Text a redline shows as inserted (underlined)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Deleted(Node):
    """Text a redline shows as deleted (struck through)."""

    children: tuple[Inline, ...]


Inline = Text | Strong | Emphasis | LineBreak | Ref | ClauseNumber | Inserted | Deleted


# Blocks -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading(Node):
    """An unnumbered heading: level 1 is the document title, 2 and 3 are section headings (in a clause 3)."""

    level: int
    inlines: tuple[Inline, ...]

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ModelError(f"heading level {self.level} is not 1, 2 or 3")


@dataclass(frozen=True, slots=True)
class Paragraph(Node):
    """A paragraph of body text."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Point(Node):
    """A numbered point of a clause (level 1: 3.1., 2: 3.1.1.); its first block, a Paragraph, bears the number."""

    level: int
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        if self.level not in (1, 2):
            raise ModelError(f"point level {self.level} is not 1 or 2")
        if not self.blocks or type(self.blocks[0]) is not Paragraph:
            raise ModelError("a point starts with the paragraph that carries its number")


@dataclass(frozen=True, slots=True)
class BulletList(Node):
    """An unnumbered list; each item is a tuple of blocks."""

    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class OrderedList(Node):
    """A plainly numbered list (1, 2, 3) outside clause numbering, e.g. in a preamble."""

    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class Table(Node):
    """A table with one header row and rows of as many cells; each cell is a tuple of inlines."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]

    def __post_init__(self) -> None:
        if not self.header or any(len(row) != len(self.header) for row in self.rows):
            raise ModelError(f"a table needs one header row and rows of the same {len(self.header)} cells")


@dataclass(frozen=True, slots=True)
class Approval(Node):
    """The approval stamp in the top corner of a document (УТВЕРЖДЕНО / БЕКИТИЛГЕН ...), line by line."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Note(Node):
    """A boxed note to the reader of a draft, e.g. a reference a lawyer must verify."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Signature(Node):
    """A signature line: the signatory's position, a line to sign on, and the name."""

    position: tuple[Inline, ...]
    name: tuple[Inline, ...]

    def __post_init__(self) -> None:
        if not self.position or not self.name:
            raise ModelError("a signature has a position and a name")


@dataclass(frozen=True, slots=True)
class Clause(Node):
    """A numbered clause (3.) with a stable id, the policy elements it covers, a title and its body."""

    id: str
    covers: tuple[str, ...]
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        _check_id(self.id, "clause id")


@dataclass(frozen=True, slots=True)
class Annex(Node):
    """An annex of the document, starting on a new page under its title; its id names its form fields."""

    id: str
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        _check_id(self.id, "annex id")
        if not self.title:
            raise ModelError(f"annex {self.id!r} has no title")


@dataclass(frozen=True, slots=True)
class FormField(Node):
    """A question of a form: its id (the same in every language) and its label."""

    id: str
    label: tuple[Inline, ...]

    def __post_init__(self) -> None:
        _check_id(self.id, "form field id")
        if not self.label:
            raise ModelError(f"form field {self.id!r} has no label")


@dataclass(frozen=True, slots=True)
class Form(Node):
    """A group of questions of annex `annex_id`, each beside a space `lines` lines tall to answer in."""

    annex_id: str
    lines: int
    fields: tuple[FormField, ...]

    def __post_init__(self) -> None:
        _check_id(self.annex_id, "annex id")
        if not 1 <= self.lines <= MAX_FORM_LINES:
            raise ModelError(f"a form's spaces are 1 to {MAX_FORM_LINES} lines tall, not {self.lines}")
        if not self.fields:
            raise ModelError("a form has at least one field")


@dataclass(frozen=True, slots=True)
class FigurePlace(Node):
    """The place of a picture the program draws, by name, with its caption; a Figure replaces it before writing."""

    name: str
    caption: tuple[Inline, ...]

    def __post_init__(self) -> None:
        _check_id(self.name, "figure name")


@dataclass(frozen=True, slots=True)
class Figure(Node):
    """A picture with its caption; `data` holds the image file itself (PNG)."""

    name: str
    data: bytes
    media_type: str
    width_cm: float
    caption: tuple[Inline, ...]

    def __post_init__(self) -> None:
        if self.media_type != "image/png":
            raise ModelError(f"figure {self.name!r} is {self.media_type}; figures are PNG pictures")
        if not self.width_cm > 0:
            raise ModelError(f"figure {self.name!r} has no width")


Block = (
    Heading
    | Paragraph
    | Point
    | BulletList
    | OrderedList
    | Table
    | Approval
    | Note
    | Signature
    | Clause
    | Annex
    | Form
    | FigurePlace
    | Figure
)

BLOCK_TYPES: tuple[type, ...] = get_args(Block)
INLINE_TYPES: tuple[type, ...] = get_args(Inline)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text of inline spans, with line breaks as newlines."""
    parts: list[str] = []
    for inline in inlines:
        if isinstance(inline, Text):
            parts.append(inline.text)
        elif isinstance(inline, LineBreak):
            parts.append("\n")
        elif isinstance(inline, Ref):
            parts.append(f"@ref({inline.doc_id}#{inline.clause_id})")
        elif isinstance(inline, ClauseNumber):
            parts.append(inline.number)
        else:
            parts.append(plain_text(inline.children))
    return "".join(parts)
