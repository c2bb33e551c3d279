"""The document model between the templates and the writers; it imports nothing of ours."""

from policygen.model.nodes import (
    CONTAINER_KINDS, Block, BulletList, Clause, Container, Document, Emphasis, Figure, Heading, Inline, LineBreak,
    Meta, OrderedList, Paragraph, Point, Ref, Strong, Table, Text, plain_text, to_data,
)

__all__ = [
    "CONTAINER_KINDS", "Block", "BulletList", "Clause", "Container", "Document", "Emphasis", "Figure", "Heading",
    "Inline", "LineBreak", "Meta", "OrderedList", "Paragraph", "Point", "Ref", "Strong", "Table", "Text",
    "plain_text", "to_data",
]
