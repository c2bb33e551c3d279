"""A whole document: its metadata and its blocks, checked against the model's rules when made."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from policygen.model.nodes import Block, Clause, ModelError, Node
from policygen.model.rules import check_blocks

LAYOUTS = ("document", "poster")
PAPER_SIZES = {"A4": (210, 297), "A3": (297, 420)}
"""Width and height of each paper size a document may be printed on, in millimetres."""


@dataclass(frozen=True, slots=True)
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
    layout: str = "document"  # "document", or "poster": large type, no page label
    paper: str = "A4"  # A4, or A3 (a poster may be printed on A3)

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ModelError(f"unknown layout {self.layout!r}; known: {', '.join(LAYOUTS)}")
        if self.paper not in PAPER_SIZES:
            raise ModelError(f"unknown paper size {self.paper!r}; known: {', '.join(PAPER_SIZES)}")


@dataclass(frozen=True, slots=True)
class Document(Node):
    """A whole document: metadata and a sequence of blocks that keep the model's rules (rules.check_blocks)."""

    meta: Meta
    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        check_blocks(self.blocks)

    def clauses(self) -> tuple[Clause, ...]:
        """The clauses in document order."""
        return tuple(block for block in self.blocks if isinstance(block, Clause))

    def clause_numbers(self) -> dict[str, str]:
        """Each clause id with its displayed number ("1", "2", ...)."""
        return {clause.id: str(index) for index, clause in enumerate(self.clauses(), start=1)}
