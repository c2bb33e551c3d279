"""The profile file as a lawyer wrote it: read and written with ruamel.yaml, so that comments, key order and
every part the form did not change stay as they were, byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from policygen.web.fields import MANAGED_ELSEWHERE, Field

_LINE_BREAKS_OF_YAML_1_1 = "\x85\u2028\u2029"
_COUNT = re.compile(r"^(0|[1-9][0-9]*)$")
_PARENT_KEY = re.compile(r"^( *)[^ #-][^#]*:\s*(#.*)?$")
_CHILD_KEY = re.compile(r"^( *)[^ #-]")
_DASH = re.compile(r"^( *)- ")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class UnreadableFile(Exception):
    """The file on disk is no YAML the form can edit; the strict loader's messages say why."""


def _yaml(text: str) -> YAML:
    yaml = YAML()  # round-trip: comments, order, quoting and flow style kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the lawyer wrote on one line
    mapping_indent, dash_offset = _indentation(text)
    yaml.indent(mapping=mapping_indent, sequence=dash_offset + 2, offset=dash_offset)
    return yaml


def _indentation(text: str) -> tuple[int, int]:
    """How the file indents a nested mapping and a list's dashes under its key (2 and 2 unless it says)."""
    mapping_indent = dash_offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for parent, child in itertools.pairwise(lines):
        found_parent = _PARENT_KEY.match(parent)
        if found_parent is None:
            continue
        depth = len(found_parent.group(1))
        dash, key = _DASH.match(child), _CHILD_KEY.match(child)
        if dash and dash_offset is None and len(dash.group(1)) >= depth:
            dash_offset = len(dash.group(1)) - depth
        elif key and mapping_indent is None and len(key.group(1)) > depth:
            mapping_indent = len(key.group(1)) - depth
        if mapping_indent is not None and dash_offset is not None:
            break
    return mapping_indent or 2, 2 if dash_offset is None else dash_offset


def load_document(text: str) -> CommentedMap:
    """The file's top mapping as a round-trip document."""
    try:
        document = _yaml(text).load(text) if text.strip() else CommentedMap()
    except (YAMLError, ValueError, RecursionError) as error:
        raise UnreadableFile(str(error)) from None
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        raise UnreadableFile("the top level is not a mapping")
    return document


def dump_document(document: CommentedMap, original_text: str) -> str:
    stream = io.StringIO()
    _yaml(original_text).dump(document, stream)
    return stream.getvalue()


def apply_form(document: CommentedMap, group: Field, posted: dict[str, Any]) -> None:
    """Write the form's values into `document`: a value the form shows unchanged is left as written; an empty
    one removes its key, so the profile inherits it again; new keys go where the schema's order puts them."""
    _apply_group(document, group, posted, top=True)


def as_form_value(value: Any) -> Any:
    """A YAML value as the form shows it: every scalar as the text it is written as."""
    if isinstance(value, dict):
        return {str(key): as_form_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_form_value(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _apply_group(node: CommentedMap, group: Field, posted: dict[str, Any], top: bool = False) -> None:
    for field in group.children:
        if top and field.key in MANAGED_ELSEWHERE:
            continue
        value = posted.get(field.key)
        if _is_empty(value):
            if field.key in node:
                del node[field.key]
            continue
        current = node.get(field.key)
        if field.key in node and _unchanged(current, value):
            continue
        new = _merged(current, field, value)
        if field.key in node:
            node[field.key] = new
        else:
            node.insert(_position(node, group, field.key), field.key, new)


def _merged(current: Any, field: Field, value: Any) -> Any:
    if field.kind == "group":
        group = current if isinstance(current, CommentedMap) else CommentedMap()
        _apply_group(group, field, value)
        return group
    if field.kind == "rows":
        rows = current if isinstance(current, CommentedSeq) else CommentedSeq()
        for index, row in enumerate(value):
            if index < len(rows):
                if not _unchanged(rows[index], row):
                    rows[index] = _merged(rows[index], field.children[0], row)
            else:
                rows.append(_merged(None, field.children[0], row))
        del rows[len(value) :]
        return rows
    if field.kind in ("texts", "name") and isinstance(value, dict):
        texts = current if isinstance(current, CommentedMap) else CommentedMap()
        for lang in list(texts):
            if _is_empty(value.get(lang)):
                del texts[lang]
        for lang, text in value.items():
            if not _is_empty(text) and not (lang in texts and _unchanged(texts[lang], text)):
                texts[lang] = _scalar(text, field)
        return texts
    if field.kind in ("choices", "places"):
        items = CommentedSeq(item for item in value if item != "")
        if field.kind == "choices" or (isinstance(current, CommentedSeq) and current.fa.flow_style()):
            items.fa.set_flow_style()
        return items
    return _scalar(value, field)


def _scalar(text: str, field: Field) -> Any:
    """A typed value written plainly when it is one of its kind; otherwise the text as typed (quoted as YAML
    needs), which the strict loader then refuses with its own message."""
    if field.kind == "count" and _COUNT.match(text):
        return int(text)
    if field.kind == "flag" and text in ("true", "false"):
        return text == "true"
    if field.kind == "date" and _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if any(char in _LINE_BREAKS_OF_YAML_1_1 for char in text):
        return DoubleQuotedScalarString(text)  # escaped, so the loader names the key that holds them
    if field.multiline and "\n" in text.strip():
        return LiteralScalarString(text.strip("\n") + "\n")
    return text


def _unchanged(current: Any, value: Any) -> bool:
    shown = as_form_value(current)
    if isinstance(shown, str) and isinstance(value, str):
        return shown.rstrip("\n") == value.rstrip("\n")
    return shown == value


def _is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, dict):
        return all(_is_empty(item) for item in value.values())
    if isinstance(value, list):
        return all(item == "" for item in value)
    return False


def _position(node: CommentedMap, group: Field, key: str) -> int:
    """Where a new key goes: after the keys the schema puts before it."""
    order = [field.key for field in group.children]
    before = order[: order.index(key)]
    return sum(1 for existing in node if existing in before)
