"""One way through the model: walk() yields every node, Transformer rebuilds a tree, Visitor dispatches by class."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields, replace
from typing import Any, NoReturn, TypeVar, get_args, get_origin, get_type_hints

from policygen.model.nodes import BLOCK_TYPES, INLINE_TYPES, Block, Inline, ModelError, Node

N = TypeVar("N", bound=Node)


_NODE_FIELDS: dict[type, tuple[tuple[str, int, tuple[type, ...]], ...]] = {}


def node_fields(cls: type) -> tuple[tuple[str, int, tuple[type, ...]], ...]:
    """Each field of a node class that holds nodes, in declaration order (which is document order): its name, how
    many tuples deep the nodes are (a paragraph's inlines 1, a table's rows 3) and the classes they may be, read
    from the class's type annotations once per class."""
    known = _NODE_FIELDS.get(cls)
    if known is None:
        known = _NODE_FIELDS[cls] = _fields_holding_nodes(cls)
    return known


def _fields_holding_nodes(cls: type) -> tuple[tuple[str, int, tuple[type, ...]], ...]:
    hints = get_type_hints(cls)
    found = []
    for field in fields(cls):
        hint, depth = hints[field.name], 0
        while get_origin(hint) is tuple:
            hint, depth = get_args(hint)[0], depth + 1
        if hint == Block:
            found.append((field.name, depth, BLOCK_TYPES))
        elif hint == Inline:
            found.append((field.name, depth, INLINE_TYPES))
        elif isinstance(hint, type) and issubclass(hint, Node):
            found.append((field.name, depth, (hint,)))
    return tuple(found)


def children(node: Node) -> list[Node]:
    """The nodes directly under `node`, in document order, also those in its tuples (list items, table cells)."""
    found: list[Node] = []
    for name, depth, _ in node_fields(type(node)):
        _collect(getattr(node, name), depth, found)
    return found


def _collect(value: Any, depth: int, found: list) -> None:
    if depth == 0:
        found.append(value)
    elif depth == 1:
        found.extend(value)
    else:
        for item in value:
            _collect(item, depth - 1, found)


def walk(tree: Node | Iterable[Node]) -> Iterator[Node]:
    """Every node of a tree (or of a sequence of trees), depth-first in document order, each before its children."""
    pending = [tree] if isinstance(tree, Node) else list(tree)[::-1]
    while pending:
        node = pending.pop()
        yield node
        below = children(node)
        below.reverse()
        pending.extend(below)


def inline_runs(tree: Node | Iterable[Node]) -> Iterator[tuple[Inline, ...]]:
    """Every run of inline spans in a tree, in document order: each paragraph's or heading's text, each title,
    caption, label and table cell (empty ones left out)."""
    for node in walk(tree):
        for name, depth, classes in node_fields(type(node)):
            if classes is INLINE_TYPES and not isinstance(node, INLINE_TYPES):
                runs: list[tuple[Inline, ...]] = []
                _collect(getattr(node, name), depth - 1, runs)
                yield from (run for run in runs if run)


class Transformer:
    """Rebuilds a tree bottom-up. A method transform_<NodeClass>(node) gives what replaces each node of that
    class, once the node's children are transformed; any other node is rebuilt only when a child changed, so an
    untouched subtree is kept as it is."""

    def transform(self, node: N) -> N:
        rebuilt = self._rebuilt(node)
        method = getattr(self, f"transform_{type(node).__name__}", None)
        return rebuilt if method is None else method(rebuilt)

    def sequence(self, items: tuple) -> tuple:
        """A tuple of nodes (or of tuples of them: list items, table rows) transformed; the same tuple when no
        item changed."""
        transformed = tuple(self._value(item) for item in items)
        if all(new is old for new, old in zip(transformed, items, strict=True)):
            return items
        return transformed

    def _rebuilt(self, node: N) -> N:
        changes: dict[str, Any] = {}
        for name, _, _ in node_fields(type(node)):
            value = getattr(node, name)
            transformed = self._value(value)
            if transformed is not value:
                changes[name] = transformed
        return replace(node, **changes) if changes else node  # type: ignore[type-var]

    def _value(self, value: Any) -> Any:
        if isinstance(value, Node):
            return self.transform(value)
        if isinstance(value, tuple):
            return self.sequence(value)
        return value


class Visitor:
    """Calls visit_<NodeClass>(node) for each node it is given. A node of a class it has no method for goes to
    unknown_visit, which refuses it: no node is ever silently dropped."""

    def visit(self, node: Node) -> None:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            self.unknown_visit(node)
        method(node)

    def visit_all(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.visit(node)

    def unknown_visit(self, node: Node) -> NoReturn:
        raise ModelError(f"{type(self).__name__} cannot visit a {type(node).__name__}", node)
