"""The rules of a tree of blocks that no node can check alone: which node stands where, ids unique, lists shallow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policygen.model.nodes import (
    BLOCK_TYPES,
    INLINE_TYPES,
    Annex,
    Block,
    BulletList,
    Clause,
    Deleted,
    Emphasis,
    Form,
    Inserted,
    ModelError,
    Node,
    OrderedList,
    Point,
    Strong,
)
from policygen.model.walk import node_fields

MAX_LIST_DEPTH = 3
"""How deep lists nest: the DOCX has bullet and number styles for three levels."""


def check_blocks(blocks: Sequence[Block], *, clause_body: bool = False) -> None:
    """Raise ModelError, naming the node at fault, unless `blocks` are a document's body (or, with clause_body,
    the body of a clause):

    - every block is a block and every inline span an inline span, where the model's types say;
    - clauses and annexes stand at the top level, and no two share an id;
    - numbered points stand directly in a clause;
    - a form stands in the annex its annex_id names, and no two fields of an annex share an id;
    - lists nest at most MAX_LIST_DEPTH deep.
    """
    place = _Place(top=not clause_body, in_clause_body=clause_body)
    checker = _Checker()
    for block in blocks:
        checker.block(block, place)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a node stands."""

    top: bool = False
    in_clause_body: bool = False
    annex: Annex | None = None
    lists: int = 0


_INLINE_SPANS = frozenset(INLINE_TYPES)
_NESTED_INLINES = (Strong, Emphasis, Inserted, Deleted)
_CHILD_PLACE = _Place()


class _Checker:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.field_ids: dict[str, set[str]] = {}

    def block(self, node: object, place: _Place) -> None:
        if type(node) not in BLOCK_TYPES:
            raise ModelError(f"a {type(node).__name__} stands where a block belongs", node)
        self.contents(node, self.placed(node, place))  # type: ignore[arg-type]

    def placed(self, node: Node, place: _Place) -> _Place:
        """Check where `node` stands; the place of its children."""
        if isinstance(node, (Clause, Annex)):
            what = "a clause" if isinstance(node, Clause) else "an annex"
            if not place.top:
                raise ModelError(f"{what} stands at the top level of a document, not inside another block", node)
            if node.id in self.ids:
                raise ModelError(f"id {node.id!r} is used twice", node)
            self.ids.add(node.id)
            if isinstance(node, Clause):
                return _Place(in_clause_body=True)
            self.field_ids[node.id] = set()
            return _Place(annex=node)
        if isinstance(node, Point) and not place.in_clause_body:
            raise ModelError("a numbered point stands directly in a clause", node)
        if isinstance(node, (BulletList, OrderedList)):
            if place.lists >= MAX_LIST_DEPTH:
                raise ModelError(f"lists nest deeper than {MAX_LIST_DEPTH} levels", node)
            return _Place(annex=place.annex, lists=place.lists + 1)
        if isinstance(node, Form):
            if place.annex is None or place.annex.id != node.annex_id:
                raise ModelError(f"a form of annex {node.annex_id!r} stands outside that annex", node)
            seen = self.field_ids[node.annex_id]
            for field in node.fields:
                if field.id in seen:
                    raise ModelError(f"field id {field.id!r} is used twice in annex {node.annex_id!r}", field)
                seen.add(field.id)
        if place.top or place.in_clause_body:
            return _Place(annex=place.annex, lists=place.lists) if place.annex or place.lists else _CHILD_PLACE
        return place

    def contents(self, node: Node, place: _Place) -> None:
        for name, depth, classes in node_fields(type(node)):
            self.nested(getattr(node, name), depth, classes, place)

    def nested(self, value: object, depth: int, classes: tuple[type, ...], place: _Place) -> None:
        if type(value) is not tuple:
            if depth:
                raise ModelError(f"a {type(value).__name__} stands where a tuple belongs", value)
            self.node(value, classes, place)
        elif depth == 1 and classes is INLINE_TYPES:
            self.inlines(value)
        else:
            for item in value:
                self.nested(item, depth - 1, classes, place)

    def node(self, value: object, classes: tuple[type, ...], place: _Place) -> None:
        if classes is BLOCK_TYPES:
            self.block(value, place)
        elif type(value) in classes:
            self.contents(value, place)  # type: ignore[arg-type]
        else:
            expected = "an inline span" if classes is INLINE_TYPES else f"a {classes[0].__name__}"
            raise ModelError(f"a {type(value).__name__} stands where {expected} belongs", value)

    def inlines(self, run: tuple) -> None:
        for inline in run:
            kind = type(inline)
            if kind not in _INLINE_SPANS:
                raise ModelError(f"a {kind.__name__} stands where an inline span belongs", inline)
            if kind in _NESTED_INLINES:
                self.nested(inline.children, 1, INLINE_TYPES, _CHILD_PLACE)
