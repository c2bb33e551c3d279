"""What the form shows: for each field its input name (the key path), label, help, value, the value it
inherits and its errors, built from the schema's fields and the values in the file or typed."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

from policygen import Diagnostic, format_key_path
from policygen.web.fields import Field
from policygen.web.form_data import KeyPath, parse_key_path
from policygen.web.i18n import Translator

SECTION_KINDS = ("group", "rows")


@dataclass
class Input:
    """One field of the form: a group of inputs, a list of rows, or an input with its name."""

    path: KeyPath
    field: Field
    label: str
    value: Any = ""
    inherited: Any = None
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (message, hint)
    children: list[Input] = dataclasses.field(default_factory=list)
    languages: tuple[str, ...] = ()
    per_language: bool = True  # a name: one input per language, or one for every language

    @property
    def name(self) -> str:
        return format_key_path(self.path)

    @property
    def slot_id(self) -> str:
        """The id of the element that shows this field's errors (and, with "in-" before it, of its input)."""
        return "f" + hashlib.sha1(self.name.encode()).hexdigest()[:12]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def form_inputs(
    root: Field, values: dict[str, Any], inherited: dict[str, Any], translate: Translator, languages: tuple[str, ...]
) -> list[Input]:
    """The top-level inputs of the form, in the schema's order."""
    return [
        _input(child, (child.key,), values.get(child.key), inherited.get(child.key), translate, languages)
        for child in root.children
    ]


def form_languages(values: dict[str, Any], inherited: dict[str, Any], available: tuple[str, ...]) -> tuple[str, ...]:
    """The languages whose texts the form asks for: the profile's, as typed or inherited, that the workspace has
    (in its order)."""
    chosen = values.get("languages") or inherited.get("languages") or []
    listed = tuple(lang for lang in available if lang in chosen)
    return listed or tuple(lang for lang in ("ky", "ru") if lang in available)


def _input(
    field_: Field, path: KeyPath, value: Any, inherited: Any, translate: Translator, languages: tuple[str, ...]
) -> Input:
    label = translate.label("person_name" if field_.kind == "name" else field_.key)
    if field_.key:  # a row's own fields carry the help; the row itself shows none
        help_path = ".".join(str(part) for part in path if not isinstance(part, int))
        field_ = dataclasses.replace(field_, help=translate.help(help_path, field_.help))
    node = Input(path, field_, label, inherited=inherited)
    if field_.kind == "group":
        mapping = value if isinstance(value, dict) else {}
        base = inherited if isinstance(inherited, dict) else {}
        node.children = [
            _input(child, (*path, child.key), mapping.get(child.key), base.get(child.key), translate, languages)
            for child in field_.children
        ]
    elif field_.kind == "rows":
        rows = value if isinstance(value, list) else []
        node.value = rows
        node.children = [
            _input(field_.children[0], (*path, index), row, None, translate, languages)
            for index, row in enumerate(rows)
        ]
    elif field_.kind in ("texts", "name"):
        if field_.kind == "name" and isinstance(value, str):
            node.per_language, node.value = False, value
        else:
            texts = value if isinstance(value, dict) else {}
            # a text in a language the form does not ask for is shown too, so that it is never dropped unseen
            present = (*languages, *(lang for lang in texts if lang not in languages and texts[lang]))
            node.languages = present
            node.value = texts
            node.children = [
                Input(
                    (*path, lang),
                    Field(lang, "text", field_.help, True, multiline=field_.multiline),
                    translate.language(lang),
                    value=texts.get(lang, ""),
                    inherited=inherited.get(lang) if isinstance(inherited, dict) else None,
                )
                for lang in present
            ]
            if field_.kind == "name" and not texts and not isinstance(inherited, dict):
                node.per_language, node.children, node.value = False, [], ""
    elif field_.kind in ("choices", "places"):
        node.value = value if isinstance(value, list) else []
    else:
        node.value = value if isinstance(value, str) else ("" if value is None else str(value))
    return node


def attach_errors(
    inputs: list[Input], diagnostics: list[Diagnostic], problems: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Put each message at the input it concerns (or the nearest enclosing one); return those placed nowhere."""
    by_name = {node.name: node for top in inputs for node in top.walk()}
    unplaced: list[tuple[str, str]] = []
    messages = [(diagnostic.key_path, _message(diagnostic)) for diagnostic in diagnostics]
    messages += [(name, (f"{name}: {message}", "")) for name, message in problems]
    for key_path, message in messages:
        node = _nearest(by_name, key_path)
        if node is None:
            unplaced.append(message)
        elif message not in node.errors:
            node.errors.append(message)
    return unplaced


def _nearest(by_name: dict[str, Input], key_path: str) -> Input | None:
    path = parse_key_path(key_path) if key_path else None
    if path is None:
        return None
    for length in range(len(path), 0, -1):
        node = by_name.get(format_key_path(path[:length]))
        if node is not None:
            return node
    return None


def _message(diagnostic: Diagnostic) -> tuple[str, str]:
    """The message as the CLI prints it, without the file and line (those of the text not yet saved)."""
    text = f"{diagnostic.key_path}: " if diagnostic.key_path else ""
    text += ("warning: " if diagnostic.warning else "") + diagnostic.message
    return text, diagnostic.hint
