"""The document model between the templates and the writers: blocks, clauses, inline spans and metadata."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

# Inline spans -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Literal text; never interpreted as markup by any writer."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Bold span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    """Italic span."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True)
class Ref:
    """A cross-reference to a clause (or, with no clause, to a document) of the set; resolved to Text
    before any writer sees the document. An empty doc_id points into the same document."""

    doc_id: str
    clause_id: str


Inline = Text | Strong | Emphasis | LineBreak | Ref


# Blocks -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """An unnumbered heading; level 1 is the document title, 2 and 3 are section headings outside clauses."""

    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of body text."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Point:
    """A numbered point of a clause: level 1 is numbered 3.1., level 2 is numbered 3.1.1.

    The first block is a Paragraph that carries the number; further blocks continue the point.
    """

    level: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    """An unnumbered list; each item is a tuple of blocks."""

    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class OrderedList:
    """A plainly numbered list (1, 2, 3) outside clause numbering, e.g. in a preamble."""

    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Table:
    """A table with one header row; each cell is a tuple of inlines."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


@dataclass(frozen=True)
class Container:
    """A generic block with a kind and attributes: an approval stamp, a signature block, a note."""

    kind: str
    blocks: tuple[Block, ...]
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Clause:
    """A numbered clause (3.) with a stable id, the policy elements it covers, a title and its body."""

    id: str
    covers: tuple[str, ...]
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Figure:
    """A picture with its caption; `data` holds the image file itself (PNG)."""

    name: str
    data: bytes
    media_type: str
    width_cm: float
    caption: tuple[Inline, ...]


Block = Heading | Paragraph | Point | BulletList | OrderedList | Table | Container | Clause | Figure

CONTAINER_KINDS = ("approval", "signature", "note", "annex", "form", "figure")
"""approval stamp, signature line, boxed note, an annex starting on a new page (attr id), a form of fields to
fill in whose single BulletList holds the field labels (attr lines: lines per field; attr fields: the fields'
ids, space-separated, in the order of the labels), and the place of a figure (attr name) with its caption,
which the program replaces by a Figure before any writer sees it."""


# Document -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """What writers need besides the body: titles, language, running header and footer, core properties."""

    doc_id: str
    title: str
    subject: str
    language: str  # ky, ru or en
    language_tag: str  # ky-KG, ru-RU or en-GB
    institution: str  # author and running header
    created: _dt.date
    page_label: str  # e.g. "Page {page} of {pages}"; both placeholders are required
    draft_mark: str = ""  # non-empty: printed in the header of every page (e.g. "DRAFT")
    keywords: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Document:
    """A whole document: metadata and a sequence of blocks."""

    meta: Meta
    blocks: tuple[Block, ...]

    def clauses(self) -> tuple[Clause, ...]:
        """The clauses in document order."""
        return tuple(block for block in self.blocks if isinstance(block, Clause))

    def clause_numbers(self) -> dict[str, str]:
        """Each clause id with its displayed number ("1", "2", ...)."""
        return {clause.id: str(index) for index, clause in enumerate(self.clauses(), start=1)}


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
        else:
            parts.append(plain_text(inline.children))
    return "".join(parts)


def to_data(node: object) -> object:
    """A node (or tuple of nodes) as plain data with a "type" key per node, for JSON snapshots and tools."""
    if isinstance(node, tuple):
        return [to_data(item) for item in node]
    if hasattr(node, "__dataclass_fields__"):
        data: dict[str, object] = {"type": type(node).__name__}
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            if isinstance(value, bytes):
                data[name] = f"<{len(value)} bytes>"
            else:
                data[name] = value.isoformat() if isinstance(value, _dt.date) else to_data(value)
        return data
    return node
