"""Strict YAML loading: one mapping of plain strings, with the line and column of every key and value."""

from __future__ import annotations

import bisect
import codecs
import os
import pathlib
import re
import stat
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policygen.errors import Diagnostic, ProfileError
from policygen.inputs.characters import (
    BAD_CHARACTER_HINT,
    describe,
    describe_all,
    forbidden_in_key,
    forbidden_in_text,
    typographic_quotes,
)

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 100_000
MAX_REPORTED_PROBLEMS = 100

KeyPath = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_HARMLESS_TAG = {ScalarEvent: _STR_TAG, SequenceStartEvent: _SEQ_TAG, MappingStartEvent: _MAP_TAG}

# What the YAML reader refuses outright, plus NEL, LS and PS: YAML 1.1 reads those as line breaks where
# editors show none, so text after them in a comment would silently become YAML.
_UNREADABLE_IN_FILE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_ENCODING_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_SHARED_VALUES_HINT = "write the values out; shared values belong in a base profile (extends:)"
_SAVE_AS_UTF8_HINT = "save the file as UTF-8 (in your editor: Save As, Encoding: UTF-8)"


@dataclass(frozen=True)
class Location:
    """Where something is written: the file as given, 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class LoadedYaml:
    """A profile file's top mapping, with where each key path's value and key are written."""

    data: dict
    locations: dict[KeyPath, Location]
    key_locations: dict[KeyPath, Location]


def format_key_path(path: KeyPath) -> str:
    """Dotted key path with list indexes in brackets: ("a", "b", 1, "c") -> "a.b[1].c"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + _key_path_segment(part)
    return text


def load_yaml_mapping(path: pathlib.Path) -> LoadedYaml:
    """Load a profile file strictly; raise ProfileError with every problem found in it. Only a regular file
    is read, and only where its folder holds it: a link that points out of the folder is refused."""
    file = str(path)
    path = pathlib.Path(path)
    target = path.resolve()
    if not target.is_relative_to(path.parent.resolve()):
        raise ProfileError.single(
            file,
            f"is a link to {target}, outside its folder {path.parent}",
            hint="copy the file into the folder instead of linking to it",
        )
    return load_yaml_mapping_text(_read_at_most_limit(path, file), file)


def load_yaml_mapping_text(text: str | bytes, file: str) -> LoadedYaml:
    """Load profile text (UTF-8 bytes or str) strictly; raise ProfileError with every problem found."""
    file = str(file)
    if isinstance(text, bytes):
        _refuse_oversized(len(text), file)
        text = _decode_utf8(text, file)
    else:
        _refuse_oversized(len(text.encode("utf-8", "surrogatepass")), file)
        text = text.removeprefix("\ufeff")
    _refuse_unreadable_characters(text, file)
    try:
        return _load_readable_text(text, file)
    except (RecursionError, MemoryError):
        raise _too_complex(file) from None


def load_packaged_data(name: str) -> LoadedYaml:
    """Load strictly a data file packaged with policygen, `policygen/data/<name>`, named so in any message."""
    text = resources.files("policygen").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return load_yaml_mapping_text(text, f"policygen/data/{name}")


def _key_path_segment(key: str) -> str:
    if key and all(char.isalnum() or char in "_-" for char in key):
        return key
    return '"' + "".join(_escaped_for_display(char) for char in key) + '"'


def _escaped_for_display(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if char != " " and unicodedata.category(char)[0] in "CZ":
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    return char


def _read_at_most_limit(path: pathlib.Path, file: str) -> bytes:
    """The file's first MAX_FILE_BYTES + 1 bytes; only a regular file is read (a pipe would block forever)."""
    try:
        # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise ProfileError.single(
            file,
            f"cannot read the file: {error.strerror or error}",
            hint="check that the file exists, is a file and that you may read it",
        ) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ProfileError.single(
            file,
            "is not a regular file (it is a folder, a pipe or a device)",
            hint="a profile must be an ordinary file; replace it with one",
        )
    with os.fdopen(descriptor, "rb") as stream:
        try:
            return stream.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise ProfileError.single(
                file, f"cannot read the file: {error.strerror or error}", hint="check that the file is readable"
            ) from None


def _refuse_oversized(size: int, file: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ProfileError.single(
            file,
            f"the file is larger than {MAX_FILE_BYTES} bytes (1 MiB)",
            hint="a profile must stay under 1 MiB; move shared parts into a base profile (extends:)",
        )


def _decode_utf8(data: bytes, file: str) -> str:
    if data.startswith(_OTHER_ENCODING_BOMS):
        raise ProfileError.single(file, "the file is saved as UTF-16 or UTF-32, not UTF-8", hint=_SAVE_AS_UTF8_HINT)
    if b"\x00" in data:
        line, column = _line_and_column_of_byte(data, data.find(b"\x00"))
        raise ProfileError.single(
            file,
            "the file contains NUL bytes: it is UTF-16, UTF-32 or binary, not UTF-8 text",
            line=line,
            column=column,
            hint=_SAVE_AS_UTF8_HINT,
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column_of_byte(data, error.start)
        raise ProfileError.single(
            file,
            f"the file is not valid UTF-8: byte 0x{data[error.start]:02X} cannot be read",
            line=line,
            column=column,
            hint=_SAVE_AS_UTF8_HINT + "; it was probably saved in Windows-1251 or another legacy encoding",
        ) from None


def _line_and_column_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset].decode("utf-8", "replace")
    return _line_and_column(_line_starts(before), len(before))


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]


def _line_and_column(line_starts: list[int], index: int) -> tuple[int, int]:
    line = bisect.bisect_right(line_starts, index)
    return line, index - line_starts[line - 1] + 1


def _refuse_unreadable_characters(text: str, file: str) -> None:
    problems = _Problems(file)
    line_starts: list[int] = []
    for count, match in enumerate(_UNREADABLE_IN_FILE.finditer(text)):
        if count >= MAX_REPORTED_PROBLEMS:
            problems.not_shown += 1  # a garbage file may hold a million of them; only count the rest
            continue
        line_starts = line_starts or _line_starts(text)
        line, column = _line_and_column(line_starts, match.start())
        problems.add(
            f"the file contains {describe(match.group())}, which YAML text may not contain",
            line=line,
            column=column,
            hint=BAD_CHARACTER_HINT,
        )
    problems.raise_if_any()


def _too_complex(file: str) -> ProfileError:
    return ProfileError.single(
        file,
        "the file is too large or too deeply nested to load",
        hint=f"keep nesting under {MAX_DEPTH} levels and the file under 1 MiB",
    )


class _Position(Protocol):
    """A place in the text as PyYAML marks it (its pure-Python or its C parser): line and column from 0."""

    line: int
    column: int


class _Problems:
    """Collects every diagnostic of one file, so that all of them are reported together."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.not_shown = 0

    def add(
        self, message: str, *, line: int | None = None, column: int | None = None, key_path: str = "", hint: str
    ) -> None:
        self.diagnostics.append(Diagnostic(self.file, message, line, column, key_path, hint))

    def add_at(self, mark: _Position | None, message: str, *, path: KeyPath = (), hint: str) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        self.add(message, line=line, column=column, key_path=format_key_path(path), hint=hint)

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise self.error()

    def error(self) -> ProfileError:
        ordered = sorted(self.diagnostics, key=lambda d: (d.line or 0, d.column or 0))
        shown = ordered[:MAX_REPORTED_PROBLEMS]
        not_shown = len(ordered) - len(shown) + self.not_shown
        if not_shown:
            shown.append(
                Diagnostic(
                    self.file,
                    f"{not_shown} more problems not shown",
                    hint="fix the problems above and load the file again",
                )
            )
        return ProfileError(shown)


class _LoadStopped(Exception):
    """The file cannot be read further (too deep, too many nodes); the problems so far are reported."""


class _RefusedAlias(ScalarNode):
    """Stands in for an alias, which is never expanded, so that composing can go on and find more problems."""


class _StrictLoader(yaml.SafeLoader):
    """Composes nodes like SafeLoader, refusing anchors, aliases and tags and bounding depth and size."""

    def __init__(self, text: str, problems: _Problems) -> None:
        super().__init__(text)
        self.problems = problems
        self.depth = 0
        self.node_count = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        self._count_node(event)
        if isinstance(event, AliasEvent):
            self.get_event()
            self.problems.add_at(event.start_mark, f"alias '*{event.anchor}' is not allowed", hint=_SHARED_VALUES_HINT)
            # SafeLoader's pure-Python parser makes only yaml.error.Mark; the stubs allow the C parser's Mark too
            return _RefusedAlias(_STR_TAG, "", event.start_mark, event.end_mark)  # type: ignore[arg-type]
        if event.anchor is not None:
            self.problems.add_at(event.start_mark, f"anchor '&{event.anchor}' is not allowed", hint=_SHARED_VALUES_HINT)
            event.anchor = None  # refused already; the composer must not register it
        self._check_tag(event)
        if not isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self._stop(
                    event,
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    f"flatten the structure to at most {MAX_DEPTH} levels of mappings and lists",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _count_node(self, event: NodeEvent) -> None:
        self.node_count += 1
        if self.node_count > MAX_NODES:
            self._stop(
                event,
                f"the file holds more than {MAX_NODES} values",
                "a profile is far smaller; split it or move shared parts into a base profile (extends:)",
            )

    def _check_tag(self, event: ScalarEvent | CollectionStartEvent) -> None:
        if event.tag is None or event.tag == _HARMLESS_TAG[type(event)]:
            return
        shown = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
        fits_another_kind = event.tag in _HARMLESS_TAG.values()
        problem = "does not fit this value" if fits_another_kind else "is not allowed"
        self.problems.add_at(
            event.start_mark,
            f"the tag '{shown}' {problem}",
            hint="remove the tag and write the value as plain text (in quotes if needed)",
        )

    def _stop(self, event: NodeEvent, message: str, hint: str) -> None:
        self.problems.add_at(event.start_mark, message, hint=hint)
        raise _LoadStopped


def _load_readable_text(text: str, file: str) -> LoadedYaml:
    problems = _Problems(file)
    root = _compose_or_raise(text, problems)
    if not isinstance(root, MappingNode):
        problems.add_at(
            root.start_mark if root is not None else None,
            "the top level must be a mapping of keys to values",
            hint="write one 'key: value' per line, starting with 'id: <institution-id>'",
        )
        raise problems.error()
    loaded = _TreeBuilder(file, problems).build(root)
    problems.raise_if_any()
    return loaded


def _compose_or_raise(text: str, problems: _Problems) -> Node | None:
    """The composed root node; a syntax error or a bound reached ends the scan with what was found so far."""
    loader = _StrictLoader(text, problems)
    try:
        return _compose_single_document(loader, problems)
    except yaml.MarkedYAMLError as error:
        _add_syntax_error(problems, error, text)
    except yaml.YAMLError as error:
        problems.add(f"invalid YAML: {error}", hint="check the file's syntax")
    except _LoadStopped:
        pass
    finally:
        loader.dispose()
    raise problems.error()


def _compose_single_document(loader: _StrictLoader, problems: _Problems) -> Node | None:
    """The first document's root node (None for an empty file); a second document is a problem."""
    loader.get_event()  # the stream start
    root = None if loader.check_event(StreamEndEvent) else loader.compose_document()
    if not loader.check_event(StreamEndEvent):
        second = loader.get_event().start_mark
        problems.add_at(
            second,
            f"a second YAML document starts at line {second.line + 1}; a profile is one document",
            hint="remove the '---' line; shared values belong in a base profile (extends:)",
        )
    return root


def _add_syntax_error(problems: _Problems, error: yaml.MarkedYAMLError, text: str) -> None:
    mark = error.problem_mark or error.context_mark
    message = f"invalid YAML: {error.problem or error.context}"
    if error.problem and error.context:
        started = f" that starts at line {error.context_mark.line + 1}" if error.context_mark else ""
        message += f" ({error.context}{started})"
    hint = _syntax_error_hint(error, text, mark)
    quotes = typographic_quotes(_line_text(text, mark))
    if quotes and "mapping values are not allowed" in (error.problem or ""):
        message += (
            f"; {' and '.join(quotes)} are typographic quotes (as Word types them), not YAML quotes, "
            "so the value is not quoted"
        )
        hint = (
            'replace the typographic quotes with straight ones: key: "value: with a colon" '
            "(quotes pasted from Word are text to YAML)"
        )
    problems.add_at(mark, message, hint=hint)


def _line_text(text: str, mark: yaml.Mark | None) -> str:
    lines = text.splitlines()
    return lines[mark.line] if mark is not None and mark.line < len(lines) else ""


def _syntax_error_hint(error: yaml.MarkedYAMLError, text: str, mark: yaml.Mark | None) -> str:
    problem = error.problem or ""
    line_text = _line_text(text, mark)
    if "'\\t'" in problem or "\t" in line_text[: len(line_text) - len(line_text.lstrip())]:
        return "indent with spaces, not tabs, and put a space after ':' (set your editor to insert spaces for Tab)"
    if "mapping values are not allowed" in problem:
        return "put the value in quotes: it contains ': ', which YAML reads as the start of another key"
    if "unknown escape character" in problem:
        return "inside double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes"
    if "cannot start any token" in problem:
        return "put the value in quotes: it starts with a character YAML reserves (such as @ or `)"
    if "end of stream" in problem and "quoted" in (error.context or ""):
        return "close the quote that starts the value"
    if "flow" in (error.context or ""):
        return "close every '[' with ']' and every '{' with '}', and separate their items with commas"
    return (
        "check the indentation (spaces only, keys of one mapping aligned) and put values that contain "
        "': ', ' #' or start with a special character in quotes"
    )


class _TreeBuilder:
    """Turns the composed nodes into dicts, lists, strings and None, checking keys and text on the way."""

    def __init__(self, file: str, problems: _Problems) -> None:
        self.file = file
        self.problems = problems
        self.locations: dict[KeyPath, Location] = {}
        self.key_locations: dict[KeyPath, Location] = {}

    def build(self, root: MappingNode) -> LoadedYaml:
        self.locations[()] = self._location(root.start_mark)
        return LoadedYaml(self._mapping(root, ()), self.locations, self.key_locations)

    def _value(self, node: Node, path: KeyPath) -> Any:
        self.locations[path] = self._location(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self._value(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        raise TypeError(f"unknown YAML node {type(node).__name__}")

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict:
        result: dict[str, Any] = {}
        first_by_text: dict[str, ScalarNode] = {}
        first_by_yaml_value: dict[Any, ScalarNode] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            key_path = (*path, key)
            yaml_value = _yaml11_key_value(key_node)
            earlier = first_by_text.get(key)
            if earlier is None and yaml_value is not _NOT_TYPED:
                earlier = first_by_yaml_value.get(yaml_value)
            if earlier is not None:
                self._report_duplicate(key_node, earlier, key_path)
                self._value(value_node, key_path)  # still checked, so that its problems are reported too
                continue
            first_by_text[key] = key_node
            if yaml_value is not _NOT_TYPED:
                first_by_yaml_value[yaml_value] = key_node
            self.key_locations[key_path] = self._location(key_node.start_mark)
            result[key] = self._value(value_node, key_path)
        return result

    def _key(self, node: Node, parent: KeyPath) -> str | None:
        """The key as a NFC string, or None when it cannot be used (the problem is recorded)."""
        if isinstance(node, _RefusedAlias):
            return None
        if not isinstance(node, ScalarNode):
            self.problems.add_at(
                node.start_mark,
                "a key must be a name, not a list or a mapping",
                path=parent,
                hint="write a plain name before the colon",
            )
            return None
        if node.style is None and node.tag == _MERGE_TAG:
            self.problems.add_at(
                node.start_mark, "merge keys ('<<') are not allowed", path=parent, hint=_SHARED_VALUES_HINT
            )
            return None
        if node.style is None and node.tag == _NULL_TAG:
            self.problems.add_at(
                node.start_mark,
                "a key is empty or null",
                path=parent,
                hint="write the key's name before the colon (in quotes if it is the word null)",
            )
            return None
        key = unicodedata.normalize("NFC", node.value)
        if not key:
            self.problems.add_at(
                node.start_mark, "a key is empty", path=parent, hint="write the key's name between the quotes"
            )
        bad = forbidden_in_key(node.value)
        if bad:
            self.problems.add_at(
                node.start_mark,
                f"key {key!r} contains {describe_all(bad)}",
                path=(*parent, key),
                hint="retype the key with visible letters, digits, '_' or '-' only, without spaces",
            )
        return key

    def _report_duplicate(self, key_node: ScalarNode, earlier: ScalarNode, key_path: KeyPath) -> None:
        first, again = earlier.start_mark, key_node.start_mark
        where = f"first at line {first.line + 1}, again at line {again.line + 1}"
        if first.line == again.line:
            where = (
                f"first at line {first.line + 1} column {first.column + 1}, "
                f"again at line {again.line + 1} column {again.column + 1}"
            )
        key = key_path[-1]
        if unicodedata.normalize("NFC", earlier.value) == key:
            message = f"duplicate key {key!r}: {where}"
        else:
            message = f"duplicate key {key!r}: YAML reads it as the same key as {earlier.value!r}; {where}"
        self.problems.add_at(
            again, message, path=key_path, hint="keep one of the two entries and delete or rename the other"
        )

    def _scalar(self, node: ScalarNode, path: KeyPath) -> str | None:
        if isinstance(node, _RefusedAlias) or (node.style is None and node.tag == _NULL_TAG):
            return None
        bad = forbidden_in_text(node.value)
        if bad:
            self.problems.add_at(
                node.start_mark, f"the value contains {describe_all(bad)}", path=path, hint=BAD_CHARACTER_HINT
            )
        return unicodedata.normalize("NFC", node.value)

    def _location(self, mark: yaml.Mark) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)


_NOT_TYPED = object()
_YAML11_CONSTRUCTOR = SafeConstructor()
_YAML11_TYPED_KEYS = {
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": SafeConstructor.construct_yaml_timestamp,
}


def _yaml11_key_value(node: ScalarNode) -> Any:
    """What a YAML 1.1 loader would make of a plain key (1, 1.0, true and 0x1 are all 1), or _NOT_TYPED."""
    construct = _YAML11_TYPED_KEYS.get(node.tag) if node.style is None else None
    if construct is None:
        return _NOT_TYPED
    try:
        return construct(_YAML11_CONSTRUCTOR, node)
    except (ValueError, OverflowError):  # 2024-02-30, or more digits than int() accepts
        return _NOT_TYPED
