"""A whole document: its metadata and its blocks, checked against the model's rules when made."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from policygen.model.nodes import Block, Clause, Node
from policygen.model.rules import check_blocks


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
