"""A Word body cut into its clauses through their bookmarks, and the stretches of blocks between them."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from policygen.parse.docx_xml import BOOKMARK_END, BOOKMARK_START, SECTPR, P, paragraph_text, w


@dataclass
class Segment:
    """A clause (`anchor` is its bookmark's name) or the blocks between two clauses (`anchor` is None), keyed so
    that the same stretch of two versions of a document has the same key."""

    key: str
    anchor: str | None
    blocks: list[etree._Element] = field(default_factory=list)

    @property
    def title(self) -> str:
        return paragraph_text(self.blocks[0]) if self.anchor and self.blocks else ""


def clause_start(block: etree._Element) -> etree._Element | None:
    """The bookmark a paragraph opens, when it is a clause's first paragraph (Word's own start with _)."""
    if block.tag != P:
        return None
    for start in block.iterchildren(BOOKMARK_START):
        if not start.get(w("name"), "_").startswith("_"):
            return start
    return None


def _closes(block: etree._Element, bookmark_id: str) -> bool:
    ends = [block] if block.tag == BOOKMARK_END else block.iterchildren(BOOKMARK_END)
    return any(end.get(w("id")) == bookmark_id for end in ends)


def body_segments(body: etree._Element) -> list[Segment]:
    """The body's blocks (its section properties left out) as clauses and the stretches between them."""
    segments: list[Segment] = []
    current: Segment | None = None
    closing_id = ""
    previous = ""
    for block in body:
        if block.tag == SECTPR:
            continue
        if current is None or current.anchor is None:
            start = clause_start(block)
            if start is not None:
                previous = start.get(w("name"), "")
                current = Segment(previous, previous)
                segments.append(current)
                closing_id = start.get(w("id"), "")
            elif current is None:
                current = Segment(f"after:{previous}", None)
                segments.append(current)
        current.blocks.append(block)
        if current.anchor is not None and _closes(block, closing_id):
            current = None
    return segments


def clause_segments(body: etree._Element) -> dict[str, Segment]:
    """The clauses of a body by their bookmark's name."""
    return {segment.anchor: segment for segment in body_segments(body) if segment.anchor}
