"""Document models kept in the output folder beside the files made from them, for later commands to reuse.

A set's models are stored as JSON (never pickle: nothing read back from the output folder can run code) in
OUT/.cache/<owner>/<lang>.json with the key of everything they were made from, and are used only while that key
still holds. The encoding covers exactly what the model is made of (frozen dataclasses of policygen.model,
tuples, text, numbers, dates and bytes), so that a set read back equals the set written; a model holding
anything else is not cached.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import policygen.model
from policygen.model import Document
from policygen.output.atomic import existing_output

CACHE_FOLDER = ".cache"
CACHE_FORMAT = 1
MAX_CACHE_BYTES = 128 * 1024 * 1024
"""Far above a set at the document model's bounds; a larger file there is not read."""
_NODES = {
    name: node
    for name, node in vars(policygen.model).items()
    if isinstance(node, type) and dataclasses.is_dataclass(node)
}


class NotCacheable(TypeError):
    """A model holds a value the cache's encoding cannot give back exactly."""


def cache_path(owner: str, lang: str) -> str:
    """Where the models of an owner's set in `lang` are kept, relative to the output folder."""
    return f"{CACHE_FOLDER}/{owner}/{lang}.json"


def encoded_documents(key: str, documents: dict[str, Document]) -> bytes | None:
    """A set's models as the cache holds them, under `key`; None when they cannot be encoded exactly."""
    try:
        data = {
            "format": CACHE_FORMAT,
            "key": key,
            "documents": {name: _encoded(doc) for name, doc in documents.items()},
        }
    except NotCacheable:
        return None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cached_documents(out_dir: Path, owner: str, lang: str, key: str) -> dict[str, Document] | None:
    """The set's models kept under `key`; None when there are none, they were made from other inputs, or the file
    is unreadable in any way (a cache is only ever a shortcut)."""
    path = existing_output(out_dir, cache_path(owner, lang))
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            return None
        data = json.loads(path.read_bytes())
        if data["format"] != CACHE_FORMAT or data["key"] != key:
            return None
        documents = {name: _decoded(value) for name, value in data["documents"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    if not all(isinstance(document, Document) for document in documents.values()):
        return None
    return documents


def _encoded(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _NODES.get(name) is not type(value):
            raise NotCacheable(name)
        fields = {field.name: _encoded(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {"node": name, "fields": fields}
    if isinstance(value, tuple):
        return [_encoded(item) for item in value]
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise NotCacheable(type(value).__name__)


def _decoded(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decoded(item) for item in value)
    if isinstance(value, dict):
        if "node" in value:
            node = _NODES[value["node"]]
            return node(**{name: _decoded(field) for name, field in value["fields"].items()})
        if "bytes" in value:
            return base64.b64decode(value["bytes"], validate=True)
        return dt.date.fromisoformat(value["date"])
    return value
