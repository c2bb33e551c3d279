"""The profile form's fields, derived from the profile schema: one field per key, with its kind and help."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel

from policygen import Lang, Profile

MANAGED_ELSEWHERE = frozenset({"id", "extends"})
"""Keys the form shows but never changes: the id is the file's name, the bases are a lawyer's decision."""

MULTILINE_MIN_LENGTH = 2000  # a text allowed to be this long is a clause text: a text area, kept as a YAML block
CHOICE_STRINGS = {
    "InstitutionType": "institution_type",
    "ChannelKind": "channel",
    "SupportKind": "support",
    "Audience": "audience",
}
"""The section of the strings files (templates/strings/<lang>.yaml) naming each fixed choice, by the schema's enum:
the form shows a choice as the documents print it."""


@dataclass(frozen=True)
class Field:
    """One key of the profile as the form edits it.

    kind: group (a mapping of fields), rows (a list of groups), texts (one text per language), name (one text
    for every language, or one per language), text, choice, flag, date, count, choices (a list of fixed
    choices, or of the workspace's languages), places (a list of texts).
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
    choice_labels: str = ""  # the strings files' section naming the choices; none: the interface's own words

    def child(self, key: str) -> Field | None:
        return next((field for field in self.children if field.key == key), None)


def profile_fields(languages: tuple[str, ...]) -> Field:
    """The whole profile as a group of fields, in the schema's order; `languages` (the workspace's) are the
    choices of a list of languages."""
    return _FieldMaker(languages).group("", Profile, "", True)


@dataclass(frozen=True)
class _FieldMaker:
    languages: tuple[str, ...]

    def group(self, key: str, model: type[BaseModel], help_text: str, required: bool) -> Field:
        children = tuple(
            self.field(name, info.annotation, info.description or "", info.is_required(), info.metadata)
            for name, info in model.model_fields.items()
        )
        return Field(key, "group", help_text or (model.__doc__ or "").strip(), required, children)

    def field(self, key: str, annotation: typing.Any, help_text: str, required: bool, metadata: list) -> Field:
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
            return self.list_field(key, typing.get_args(annotation)[0], help_text, required, metadata)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.group(key, annotation, help_text, required)
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            choices = tuple(member.value for member in annotation)
            labels = CHOICE_STRINGS.get(annotation.__name__, "")
            return Field(key, "choice", help_text, required, choices=choices, choice_labels=labels)
        if annotation is bool:
            return Field(key, "flag", help_text, required, choices=("true", "false"))
        if annotation is int:
            return Field(key, "count", help_text, required)
        if annotation is dt.date:
            return Field(key, "date", help_text, required)
        return Field(key, "text", help_text, required)

    def list_field(self, key: str, item_type: typing.Any, help_text: str, required: bool, metadata: list) -> Field:
        min_items = _bound(metadata, MinLen, "min_length") or 0
        max_items = _bound(metadata, MaxLen, "max_length")
        if item_type == Lang:
            languages = self.languages
            return Field(
                key, "choices", help_text, required, choices=languages, min_items=min_items, max_items=max_items
            )
        item, _ = _unwrapped(item_type, [])
        if isinstance(item, type) and issubclass(item, BaseModel):
            row = self.group("", item, "", True)
            return Field(key, "rows", help_text, required, (row,), min_items=min_items, max_items=max_items)
        return Field(key, "places", help_text, required, min_items=min_items, max_items=max_items)


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
