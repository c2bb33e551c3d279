"""The profile form's fields, derived from the profile schema: one field per key, with its kind and help."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel

from policygen import Profile

MANAGED_ELSEWHERE = frozenset({"id", "extends"})
"""Keys the form shows but never changes: the id is the file's name, the bases are a lawyer's decision."""

MULTILINE_MIN_LENGTH = 2000  # a text allowed to be this long is a clause text: a text area, kept as a YAML block


@dataclass(frozen=True)
class Field:
    """One key of the profile as the form edits it.

    kind: group (a mapping of fields), rows (a list of groups), texts (one text per language), name (one text
    for every language, or one per language), text, choice, flag, date, count, choices (a list of fixed
    choices), places (a list of texts).
    """

    key: str
    kind: str
    help: str
    required: bool
    children: tuple[Field, ...] = ()
    choices: tuple[str, ...] = ()
    min_items: int = 0
    max_items: int | None = None
    multiline: bool = False

    def child(self, key: str) -> Field | None:
        return next((field for field in self.children if field.key == key), None)


def profile_fields() -> Field:
    """The whole profile as a group of fields, in the schema's order."""
    return _group("", Profile, "", True)


def _group(key: str, model: type[BaseModel], help_text: str, required: bool) -> Field:
    children = tuple(
        _field(name, info.annotation, info.description or "", info.is_required(), info.metadata)
        for name, info in model.model_fields.items()
    )
    return Field(key, "group", help_text or (model.__doc__ or "").strip(), required, children)


def _field(key: str, annotation: typing.Any, help_text: str, required: bool, metadata: list) -> Field:
    annotation, metadata = _unwrapped(annotation, list(metadata))
    options = [option for option in _union_options(annotation) if option is not type(None)]
    if len(options) > 1:
        if any(typing.get_origin(_unwrapped(option, [])[0]) is dict for option in options):
            return Field(key, "name", help_text, required)
        return Field(key, "text", help_text, required)  # extends: a base id or a list of them, shown as written
    annotation, metadata = _unwrapped(options[0], metadata)
    origin = typing.get_origin(annotation)
    if origin is dict:
        _value_type, value_metadata = _unwrapped(typing.get_args(annotation)[1], [])
        multiline = (_bound(value_metadata, MaxLen, "max_length") or 0) >= MULTILINE_MIN_LENGTH
        return Field(key, "texts", help_text, required, multiline=multiline)
    if origin is list:
        item, _ = _unwrapped(typing.get_args(annotation)[0], [])
        bounds = {
            "min_items": _bound(metadata, MinLen, "min_length") or 0,
            "max_items": _bound(metadata, MaxLen, "max_length"),
        }
        if isinstance(item, type) and issubclass(item, BaseModel):
            return Field(key, "rows", help_text, required, (_group("", item, "", True),), **bounds)
        if typing.get_origin(item) is typing.Literal:
            return Field(key, "choices", help_text, required, choices=typing.get_args(item), **bounds)
        return Field(key, "places", help_text, required, **bounds)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _group(key, annotation, help_text, required)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return Field(key, "choice", help_text, required, choices=tuple(member.value for member in annotation))
    if annotation is bool:
        return Field(key, "flag", help_text, required, choices=("true", "false"))
    if annotation is int:
        return Field(key, "count", help_text, required)
    if annotation is dt.date:
        return Field(key, "date", help_text, required)
    return Field(key, "text", help_text, required)


def _unwrapped(annotation: typing.Any, metadata: list) -> tuple[typing.Any, list]:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = [*metadata, *extra]
    for item in list(metadata):
        metadata.extend(getattr(item, "metadata", []))  # pydantic's FieldInfo carries the bounds it was given
    return annotation, metadata


def _union_options(annotation: typing.Any) -> tuple:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _bound(metadata: list, kind: type, name: str) -> int | None:
    for item in metadata:
        if isinstance(item, kind):
            return getattr(item, name)
    return None
