"""The posted form read back into a profile's shape: each input's name is a key path as error messages print
it (commission.members[1].name.ru); a name the form does not have, or one given twice, is a problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policygen import LANGUAGE_ID, format_key_path
from policygen.web.fields import MANAGED_ELSEWHERE, Field

CONTROL_NAMES = frozenset({"csrf_token", "base_version", "action", "preview_document", "preview_language"})
MAX_FIELDS = 5000
DEFAULT_MAX_ROWS = 30
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]{1,3})\]")  # keys as in `en-xa`, a workspace's language

KeyPath = tuple[str | int, ...]


@dataclass
class PostedForm:
    """The form's values nested as the profile nests them, and what could not be read."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (input name, message)


def parse_key_path(name: str) -> KeyPath | None:
    """("commission", "members", 1, "name", "ru") for "commission.members[1].name.ru"; None if it is none."""
    parts: list[str | int] = []
    position = 0
    while position < len(name):
        match = _TOKEN.match(name, position)
        if match is None or (match.group(0).startswith(".") and not parts) or (position == 0 and match.group(2)):
            return None
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    path = tuple(parts)
    return path if path and format_key_path(path) == name else None


def read_posted(items: list[tuple[str, str]], root: Field, editable_id: bool = False) -> PostedForm:
    """The posted (name, value) pairs as nested values, checked against the form's fields."""
    form = PostedForm()
    seen: set[str] = set()
    rows: dict[KeyPath, dict[int, Any]] = {}
    if len(items) > MAX_FIELDS:
        form.problems.append(("", f"the form sent {len(items)} values; at most {MAX_FIELDS} are read"))
        return form
    for name, raw in items:
        if name in CONTROL_NAMES:
            continue
        path = parse_key_path(name)
        target = _field_at(root, path) if path else None
        if path is None or target is None or (path[0] in MANAGED_ELSEWHERE and not (editable_id and path == ("id",))):
            form.problems.append((name, "is not a field of this form"))
            continue
        value = _cleaned(raw, target)
        if name in seen and target.kind != "choices":
            form.problems.append((name, "was sent twice; a field has one value"))
            continue
        seen.add(name)
        try:
            _put(form.values, path, rows, value, append=target.kind == "choices")
        except (TypeError, AttributeError):
            form.problems.append((name, "conflicts with another field of the form"))
    _rows_as_lists(form.values, rows)
    return form


def _field_at(root: Field, path: KeyPath) -> Field | None:
    current = root
    for index, part in enumerate(path):
        is_last = index == len(path) - 1
        if current.kind in ("rows", "places"):
            if not isinstance(part, int) or part >= (current.max_items or DEFAULT_MAX_ROWS):
                return None
            if current.kind == "places":
                return current if is_last else None
            current = current.children[0]
        elif current.kind == "group" and isinstance(part, str):
            found = current.child(part)
            if found is None:
                return None
            current = found
        elif current.kind in ("texts", "name") and isinstance(part, str) and LANGUAGE_ID.match(part) and is_last:
            return Field(part, "text", current.help, False, multiline=current.multiline)
        else:
            return None
    return None if current.kind in ("group", "rows", "texts") else current


def _cleaned(raw: str, target: Field) -> str:
    text = raw.replace("\r\n", "\n")
    if target.multiline:
        return "\n".join(line.rstrip(" \t") for line in text.strip("\n").split("\n"))
    return text.strip(" \t")


def _put(values: dict, path: KeyPath, rows: dict[KeyPath, dict[int, Any]], value: str, append: bool = False) -> None:
    """Set `value` at `path`, list indexes kept in a side table until every value is in (rows may come in any
    order, with gaps where a row was removed)."""
    node: Any = values
    for depth, part in enumerate(path[:-1]):
        following = path[depth + 1]
        if isinstance(part, int):
            node = node.setdefault(part, {})
            continue
        if isinstance(following, int):
            table = rows.setdefault(path[: depth + 1], {})
            node.setdefault(part, table)
            node = table
        else:
            node = node.setdefault(part, {})
    last = path[-1]
    if append:
        node.setdefault(last, []).append(value)
    else:
        node[last] = value


def _rows_as_lists(node: Any, rows: dict[KeyPath, dict[int, Any]]) -> None:
    """Replace every table of rows by the list of its rows in index order."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(value, dict) and value and all(isinstance(index, int) for index in value):
                node[key] = [value[index] for index in sorted(value)]
                for item in node[key]:
                    _rows_as_lists(item, rows)
            else:
                _rows_as_lists(value, rows)
