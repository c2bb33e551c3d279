"""A document's skeleton, declared once for every language in templates/<doc>/skeleton.yaml: its parts in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.nodes
from jinja2.parser import Parser

from policygen.errors import Diagnostic, ProfileError, TemplateError
from policygen.inputs.elements import element_ids
from policygen.inputs.strict_yaml import KeyPath, LoadedYaml, format_key_path, load_yaml_mapping_text

SKELETON_FILE = "skeleton.yaml"
SHARED_FOLDER = "clauses"
PART_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PART_KINDS = ("clause", "annex", "shared")
PART_KEYS = frozenset({*PART_KINDS, "covers", "when"})
_CONDITION_NODES = (
    jinja2.nodes.Name,
    jinja2.nodes.Getattr,
    jinja2.nodes.Getitem,
    jinja2.nodes.Const,
    jinja2.nodes.Not,
    jinja2.nodes.And,
    jinja2.nodes.Or,
    jinja2.nodes.Compare,
    jinja2.nodes.Operand,
    jinja2.nodes.Test,
)
_CONDITION_TESTS = frozenset({"none", "defined", "undefined", "true", "false"})
_CONDITION_TEXT = re.compile(r"^[\w .\-]*$")
_PARSER_ENVIRONMENT = jinja2.Environment()


@dataclass(frozen=True)
class Part:
    """One part of a document: a clause (with the policy elements its text covers), an annex, or a shared clause
    (templates/clauses/<id>/, included), printed only when its condition holds."""

    kind: str
    id: str
    covers: tuple[str, ...] = ()
    when: str | None = None
    line: int | None = None  # in the skeleton file

    def describe(self) -> str:
        return f"shared clause {self.id}" if self.kind == "shared" else f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Skeleton:
    """The parts of one template folder's documents, the same in every language."""

    path: Path
    parts: tuple[Part, ...]

    @property
    def shared(self) -> bool:
        """Whether this is the skeleton of a shared clause (templates/clauses/<id>/)."""
        return self.path.parent.parent.name == SHARED_FOLDER


def parse_skeleton(text: str, path: Path) -> Skeleton:
    """The skeleton in `text` (the file `path`), validated; every problem is reported, at its line."""
    loaded = load_yaml_mapping_text(text, str(path))
    problems: list[Diagnostic] = []
    parts = _parts(loaded, problems)
    if problems:
        raise ProfileError(problems)
    return Skeleton(path, tuple(parts))


def _parts(loaded: LoadedYaml, problems: list[Diagnostic]) -> list[Part]:
    def problem(key_path: KeyPath, message: str, hint: str) -> None:
        location = loaded.locations.get(key_path) or loaded.locations[()]
        problems.append(
            Diagnostic(location.file, message, location.line, location.column, format_key_path(key_path), hint)
        )

    extra = [key for key in loaded.data if key != "parts"]
    for key in extra:
        problem((key,), "unknown key", "a skeleton holds one key, `parts:`, the list of the document's parts")
    entries = loaded.data.get("parts")
    if not isinstance(entries, list):
        problem(("parts",) if "parts" in loaded.data else (), "expected `parts:`, a list", "write `parts: []` for none")
        return []
    parts: list[Part] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where: KeyPath = ("parts", index)
        if not isinstance(entry, dict):
            problem(where, "expected a mapping such as `clause: <id>`", "write `- clause: <id>` (or annex:, shared:)")
            continue
        for key in entry:
            if key not in PART_KEYS:
                problem((*where, key), "unknown key", "a part has clause:, annex: or shared:, then covers: and when:")
        kinds = [kind for kind in PART_KINDS if kind in entry]
        if len(kinds) != 1:
            problem(where, "a part is exactly one of clause:, annex: and shared:", "write one of them per part")
            continue
        kind = kinds[0]
        part_id = entry[kind]
        if not isinstance(part_id, str) or not PART_ID.match(part_id):
            problem((*where, kind), f"{part_id!r} is not an id", "ids are lowercase letters, digits and hyphens")
            continue
        if part_id in seen:
            problem((*where, kind), f"{part_id} is a part already (item {seen[part_id] + 1})", "give each part its id")
        seen.setdefault(part_id, index)
        covers = _covers(entry, kind, where, problem)
        when = _condition(entry.get("when"), (*where, "when"), problem)
        line = loaded.locations[(*where, kind)].line
        parts.append(Part(kind, part_id, covers, when, line))
    return parts


def _covers(entry: dict[str, Any], kind: str, where: KeyPath, problem: Callable[..., None]) -> tuple[str, ...]:
    covers = entry.get("covers", [])
    if "covers" in entry and kind != "clause":
        hint = "a shared clause declares its elements in its own skeleton" if kind == "shared" else "remove it"
        problem((*where, "covers"), f"only a clause covers elements, not a {kind}", hint)
        return ()
    if not isinstance(covers, list) or not all(isinstance(element, str) for element in covers):
        problem((*where, "covers"), "expected a list of element ids", "write `covers: [element_id, ...]`")
        return ()
    known = element_ids()
    for number, element in enumerate(covers):
        if element not in known:
            problem(
                (*where, "covers", number),
                f"unknown element {element!r}",
                "element ids are those of policygen/data/policy-elements.yaml",
            )
        elif covers.index(element) != number:
            problem((*where, "covers", number), f"{element} is listed twice", "list each element once")
    return tuple(covers)


def _condition(when: Any, where: KeyPath, problem: Callable[..., None]) -> str | None:
    """The part's condition, a Jinja expression over the template context made of names, attributes,
    comparisons, and/or/not and `is` tests only (so that it can be written into every language's source)."""
    if when is None:
        return None
    hint = "write a condition such as `inst.is_education` or `inst.resident_count is not none`"
    if not isinstance(when, str) or not when.strip():
        problem(where, "expected a condition", hint)
        return None
    try:
        parser = Parser(_PARSER_ENVIRONMENT, when, state="variable")
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise jinja2.TemplateSyntaxError("text after the condition", 1)
    except jinja2.TemplateSyntaxError as error:
        problem(where, f"bad condition: {error.message}", hint)
        return None
    for node in (expression, *expression.find_all(jinja2.nodes.Node)):
        allowed = isinstance(node, _CONDITION_NODES)
        if isinstance(node, jinja2.nodes.Test):
            allowed = node.name in _CONDITION_TESTS and not node.args and not node.kwargs
        if isinstance(node, jinja2.nodes.Const) and isinstance(node.value, str):
            allowed = bool(_CONDITION_TEXT.match(node.value))
        if not allowed:
            problem(where, f"a condition may not use {type(node).__name__.lower()} here", hint)
            return None
    return when.strip()


class SkeletonLibrary:
    """The skeletons of a templates search path (a workspace's own first), each read and checked once."""

    def __init__(self, find: Callable[[str], Path | None], read: Callable[[Path], str]) -> None:
        self._find = find
        self._read = read
        self._skeletons: dict[str, Skeleton | None] = {}

    def for_template(self, name: str) -> Skeleton | None:
        """The skeleton of template `name`: skeleton.yaml in its folder, or None when the folder has none."""
        return self._in_folder(PurePosixPath(name).parent.as_posix())

    def _in_folder(self, folder: str) -> Skeleton | None:
        if folder not in self._skeletons:
            path = self._find(f"{folder}/{SKELETON_FILE}")
            self._skeletons[folder] = None if path is None else self._checked(parse_skeleton(self._read(path), path))
        return self._skeletons[folder]

    def shared(self, clause_id: str, referrer: Path, line: int | None) -> Skeleton:
        """The skeleton of shared clause `clause_id`, which `referrer` names at `line`."""
        skeleton = self._in_folder(f"{SHARED_FOLDER}/{clause_id}")
        if skeleton is None:
            raise TemplateError(
                str(referrer),
                f"shared clause {clause_id}: templates/{SHARED_FOLDER}/{clause_id}/{SKELETON_FILE} does not exist",
                hint=f"create it, or remove the shared clause {clause_id}",
                line=line,
            )
        return skeleton

    def expanded(self, skeleton: Skeleton) -> list[Part]:
        """The skeleton's clauses and annexes in order, each shared clause replaced by its own parts (its
        condition, if any, carried onto them)."""
        parts: list[Part] = []
        for part in skeleton.parts:
            if part.kind != "shared":
                parts.append(part)
                continue
            for inner in self.shared(part.id, skeleton.path, part.line).parts:
                when = " and ".join(f"({condition})" for condition in (part.when, inner.when) if condition)
                parts.append(Part(inner.kind, inner.id, inner.covers, when or None, inner.line))
        return parts

    def _checked(self, skeleton: Skeleton) -> Skeleton:
        problems = []
        if skeleton.shared:
            problems += [
                Diagnostic(
                    str(skeleton.path),
                    "a shared clause cannot include another",
                    part.line,
                    None,
                    "parts",
                    hint="list the shared clause in the documents' skeletons instead",
                )
                for part in skeleton.parts
                if part.kind == "shared"
            ]
        else:
            seen = {part.id: part for part in skeleton.parts}
            for part in skeleton.parts:
                if part.kind != "shared":
                    continue
                for inner in self.shared(part.id, skeleton.path, part.line).parts:
                    if inner.id in seen and seen[inner.id] is not part:
                        problems.append(
                            Diagnostic(
                                str(skeleton.path),
                                f"shared clause {part.id} brings clause {inner.id}, which is a part already",
                                part.line,
                                None,
                                "parts",
                                hint="give each part of a document its own id",
                            )
                        )
                    seen.setdefault(inner.id, part)
        if problems:
            raise ProfileError(problems)
        return skeleton
