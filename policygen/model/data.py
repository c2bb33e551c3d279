"""The model as plain data, for JSON snapshots and tools: a "type" key per node, a picture by its SHA-256."""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import fields, is_dataclass


def to_data(node: object) -> object:
    """A node, a Document or a tuple of them as plain data: dicts with a "type" key first and the fields in
    declaration order, lists, strings and numbers; dates in ISO form, bytes as "sha256:<hex digest>"."""
    if isinstance(node, tuple):
        return [to_data(item) for item in node]
    if is_dataclass(node) and not isinstance(node, type):
        data: dict[str, object] = {"type": type(node).__name__}
        for field in fields(node):
            data[field.name] = to_data(getattr(node, field.name))
        return data
    if isinstance(node, bytes):
        return "sha256:" + hashlib.sha256(node).hexdigest()
    if isinstance(node, _dt.date):
        return node.isoformat()
    return node
