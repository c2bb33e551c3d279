"""Holds each language file to its skeleton: its parts checked on the source, the skeleton's covers and conditions
written into it (every line staying where it is), and the parts of the rendered document checked again."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
import jinja2.nodes

from policygen.errors import Diagnostic, TemplateError, TemplateStructureError
from policygen.model import Annex, Block, Clause
from policygen.parse.markdown import CONTAINERS
from policygen.render.skeleton import SHARED_FOLDER, Part, Skeleton

TEMPLATE_SUFFIX = ".md.j2"
_FENCE = re.compile(r"^ {0,3}(:{3,})[ \t]*(.*?)[ \t]*$")
_LEADING_BLOCK_TAGS = r"(?:\{%.*?%\}[ \t]*)+"
_INCLUDE_ALONE = re.compile(r"^[ \t]*\{%-?\s*include\s+(['\"])[^'\"]+\1\s*-?%\}[ \t]*$")
_SHARED_NAME = re.compile(rf"^{SHARED_FOLDER}/([a-z0-9][a-z0-9-]*)/([^/]+){re.escape(TEMPLATE_SUFFIX)}$")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # as Jinja splits lines, so that line numbers agree
_CONTAINERS = frozenset(CONTAINERS)


def template_language(name: str) -> str:
    """The language a template is written in: the stem of its file name (policy/ru.md.j2 is in ru)."""
    return PurePosixPath(name).name.removesuffix(TEMPLATE_SUFFIX)


@dataclass(frozen=True)
class _Line:
    """A line of a language file that matters to its structure: a ::: fence or an include."""

    number: int
    kind: str  # open, close or include
    colons: int = 0
    words: tuple[str, ...] = ()  # of an opening fence: the container kind and its arguments
    include: str = ""  # the included template's name
    plain: bool = True  # the whole line is this fence or include, with no Jinja beside it
    in_jinja_block: bool = False  # inside {% if %}, {% for %} or another Jinja block


@dataclass
class _FoundPart:
    kind: str
    id: str
    line: int
    end: int | None = None

    def describe(self) -> str:
        return f"shared clause {self.id}" if self.kind == "shared" else f"{self.kind} {self.id}"


def structured_source(source: str, path: Path, name: str, skeleton: Skeleton | None, environment) -> str:
    """The language file `source` of template `name` (the file `path`) checked against its folder's skeleton,
    with each clause's covered elements and each part's condition written in from the skeleton.

    A file whose folder has no skeleton may hold no part at all. Raises TemplateStructureError with every
    difference, each at its line."""
    lines = _NEWLINE.split(source)
    problems: list[Diagnostic] = []
    found = _parts(_structure_lines(environment.parse(source, name, str(path)), lines), path, name, problems)
    if skeleton is None:
        problems += [
            _problem(
                path,
                part.line,
                f"{part.describe()}: this folder has no skeleton.yaml to declare it",
                "declare the document's parts in skeleton.yaml beside its language files (docs/templates.md)",
            )
            for part in found
        ]
    else:
        problems += _differences(found, skeleton, path, template_language(name))
    if problems:
        raise TemplateStructureError(sorted(problems, key=lambda problem: problem.line or 0))
    if skeleton is None:
        return source
    declared = {(part.kind, part.id): part for part in skeleton.parts}
    for part in found:
        _write_in(lines, part, declared[part.kind, part.id])
    return "\n".join(lines)


def _write_in(lines: list[str], found: _FoundPart, declared: Part) -> None:
    """Put the declared covers on the part's line, and its condition around it (on the lines it already has)."""
    first, last = found.line - 1, (found.end or found.line) - 1
    if declared.covers:
        lines[first] = lines[first].rstrip() + " " + ",".join(declared.covers)
    if declared.when:
        lines[first] = "{% if (" + declared.when + ") %}" + lines[first]
        # `+%}` keeps the line's newline, so that the Markdown after the part stays a separate block
        lines[last] = lines[last] + ("{% endif %}" if found.kind == "shared" else "{% endif +%}")


def _structure_lines(syntax_tree: jinja2.nodes.Template, lines: list[str]) -> list[_Line]:
    found: list[_Line] = []
    for node, in_jinja_block in _printed_nodes(syntax_tree, False):
        if isinstance(node, jinja2.nodes.Include):
            if isinstance(node.template, jinja2.nodes.Const) and isinstance(node.template.value, str):
                number = node.lineno
                plain = bool(_INCLUDE_ALONE.match(lines[number - 1]))
                found.append(
                    _Line(number, "include", include=node.template.value, plain=plain, in_jinja_block=in_jinja_block)
                )
        elif isinstance(node, jinja2.nodes.TemplateData):
            found += _fences(node, in_jinja_block, lines)
    return sorted(found, key=lambda line: line.number)


def _fences(node: jinja2.nodes.TemplateData, in_jinja_block: bool, lines: list[str]) -> list[_Line]:
    """The ::: lines of a run of a template's literal text."""
    found = []
    for offset, fragment in enumerate(node.data.split("\n")):
        match = _FENCE.match(fragment)
        if match is None:
            continue
        number = node.lineno + offset
        raw = lines[number - 1].strip()
        plain = raw == fragment.strip()
        if offset == 0 and not plain and not re.fullmatch(_LEADING_BLOCK_TAGS + re.escape(fragment.strip()), raw):
            continue  # it follows printed text on its line, so it is no fence
        colons, words = len(match.group(1)), tuple(match.group(2).split())
        if words and words[0] not in _CONTAINERS:
            continue  # Markdown reads an unknown container as text
        found.append(
            _Line(number, "open" if words else "close", colons, words, plain=plain, in_jinja_block=in_jinja_block)
        )
    return found


def _printed_nodes(node: jinja2.nodes.Node, in_jinja_block: bool) -> Iterator[tuple[jinja2.nodes.Node, bool]]:
    """The literal text and the includes of a template, each with whether a Jinja block encloses it."""
    for child in node.iter_child_nodes():
        if isinstance(child, (jinja2.nodes.TemplateData, jinja2.nodes.Include)):
            yield child, in_jinja_block
        else:
            yield from _printed_nodes(child, in_jinja_block or not isinstance(child, jinja2.nodes.Output))


def _parts(structure: list[_Line], path: Path, name: str, problems: list[Diagnostic]) -> list[_FoundPart]:
    """The parts a language file writes, in order: its clause and annex blocks, and its shared clauses."""
    lang = template_language(name)
    found: list[_FoundPart] = []
    open_blocks: list[tuple[int, _FoundPart | None]] = []
    for line in structure:
        if line.kind == "close":
            if open_blocks and line.colons >= open_blocks[-1][0]:
                _, part = open_blocks.pop()
                if part is not None:
                    part.end = line.number
            continue
        if line.kind == "include":
            if line.include.startswith(SHARED_FOLDER + "/"):
                part = _shared_part(line, lang, path, problems)
                if part is not None:
                    _placed(line, part, bool(open_blocks), path, problems)
                    found.append(part)
            continue
        part = None
        if line.words[0] in ("clause", "annex"):
            part = _block_part(line, path, problems)
            if part is not None:
                _placed(line, part, bool(open_blocks), path, problems)
                found.append(part)
        open_blocks.append((line.colons, part))
    problems += [
        _problem(path, part.line, f"{part.describe()}: the block is never closed", "close it with a ::: line")
        for part in found
        if part.end is None
    ]
    return found


def _shared_part(line: _Line, lang: str, path: Path, problems: list[Diagnostic]) -> _FoundPart | None:
    match = _SHARED_NAME.match(line.include)
    if match is None:
        problems.append(
            _problem(
                path,
                line.number,
                f"include {line.include}: not a shared clause",
                f"include a shared clause as {SHARED_FOLDER}/<clause-id>/{lang}{TEMPLATE_SUFFIX}",
            )
        )
        return None
    clause_id, included = match.groups()
    if included != lang:
        problems.append(
            _problem(
                path,
                line.number,
                f"shared clause {clause_id}: a {lang} file includes its {included} text",
                f'include "{SHARED_FOLDER}/{clause_id}/{lang}{TEMPLATE_SUFFIX}"',
            )
        )
    return _FoundPart("shared", clause_id, line.number, line.number)


def _block_part(line: _Line, path: Path, problems: list[Diagnostic]) -> _FoundPart | None:
    kind, arguments = line.words[0], line.words[1:]
    if not arguments:
        problems.append(_problem(path, line.number, f"a {kind} line without its id", f"write `::: {kind} <id>`"))
        return None
    part = _FoundPart(kind, arguments[0], line.number)
    if len(arguments) > 1:
        problems.append(
            _problem(
                path,
                line.number,
                f"{part.describe()}: "
                + (
                    "its covered elements are declared once, in skeleton.yaml"
                    if kind == "clause"
                    else "takes its id only"
                ),
                f"write the line as `{':' * line.colons} {kind} {part.id}`",
            )
        )
    return part


def _placed(line: _Line, part: _FoundPart, in_block: bool, path: Path, problems: list[Diagnostic]) -> None:
    """Refuse a part that is not written plainly at the top level of the file."""
    if line.in_jinja_block:
        problems.append(
            _problem(
                path,
                line.number,
                f"{part.describe()}: stands inside {{% if %}}, {{% for %}} or another Jinja block",
                "write it at the top level; the skeleton's `when:` decides when a part is printed",
            )
        )
    elif in_block:
        problems.append(
            _problem(path, line.number, f"{part.describe()}: stands inside another ::: block", "close that one first")
        )
    elif not line.plain:
        problems.append(
            _problem(
                path,
                line.number,
                f"{part.describe()}: the line holds Jinja besides the part",
                "write the part's line as plain text, alone on its line",
            )
        )


def _differences(found: list[_FoundPart], skeleton: Skeleton, path: Path, lang: str) -> list[Diagnostic]:
    """A problem for each part that is missing, extra, repeated or out of the skeleton's order."""
    problems: list[Diagnostic] = []
    expected = [(part.kind, part.id) for part in skeleton.parts]
    where = f"the skeleton {skeleton.path}"
    seen: dict[tuple[str, str], _FoundPart] = {}
    for part in found:
        key = (part.kind, part.id)
        if key in seen:
            problems.append(
                _problem(
                    path,
                    part.line,
                    f"{part.describe()}: written twice (first at line {seen[key].line})",
                    "write each part once",
                )
            )
        elif key not in expected:
            problems.append(
                _problem(
                    path,
                    part.line,
                    f"{part.describe()}: not in {where}",
                    "remove it, or declare it in the skeleton, which every language follows",
                )
            )
        seen.setdefault(key, part)
    for index, key in enumerate(expected):
        if key in seen:
            continue
        declared = skeleton.parts[index]
        before = [seen[previous] for previous in expected[:index] if previous in seen]
        line = (before[-1].end or before[-1].line) if before else (found[0].line if found else 1)
        problems.append(
            _problem(
                path,
                line,
                f"{declared.describe()}: missing; {where} puts it {_place(expected, index)}",
                f"write it {'after this line' if before else 'here'}: {_written(declared, lang)}",
            )
        )
    written = [key for key in dict.fromkeys((part.kind, part.id) for part in found) if key in expected]
    wanted = [key for key in expected if key in seen]
    matcher = difflib.SequenceMatcher(None, written, wanted, autojunk=False)
    in_order = {written[block.a + offset] for block in matcher.get_matching_blocks() for offset in range(block.size)}
    for key in written:
        if key not in in_order:
            part = seen[key]
            problems.append(
                _problem(
                    path,
                    part.line,
                    f"{part.describe()}: out of order; {where} puts it {_place(expected, expected.index(key))}",
                    "move it to the skeleton's place",
                )
            )
    return problems


def _place(expected: list[tuple[str, str]], index: int) -> str:
    if index == 0:
        return "first"
    kind, part_id = expected[index - 1]
    return f"after {'shared clause' if kind == 'shared' else kind} {part_id}"


def _written(part: Part, lang: str) -> str:
    if part.kind == "shared":
        return f'{{% include "{SHARED_FOLDER}/{part.id}/{lang}{TEMPLATE_SUFFIX}" %}}'
    fence = "::::" if part.kind == "annex" else ":::"
    return f"`{fence} {part.kind} {part.id}`, its ## title and prose, then `{fence}`"


def _problem(path: Path, line: int | None, message: str, hint: str) -> Diagnostic:
    return Diagnostic(str(path), message, line, None, "", hint)


def check_rendered_parts(blocks: tuple[Block, ...], expected: list[Part], template: str, skeleton: str) -> None:
    """The rendered document's clauses and annexes, with their covered elements, against those its skeleton
    expects in this context: a part that a language file made some other way than its skeleton says is refused."""
    found = [
        ("clause", block.id, block.covers) if isinstance(block, Clause) else ("annex", block.id, ())
        for block in blocks
        if isinstance(block, Clause | Annex)
    ]
    wanted = [(part.kind, part.id, part.covers) for part in expected]
    if found == wanted:
        return
    index = next(
        (index for index, (has, expects) in enumerate(zip(found, wanted, strict=False)) if has != expects),
        min(len(found), len(wanted)),
    )
    kind, part_id, _ = found[index] if index < len(found) else wanted[index]
    raise TemplateError(
        template,
        f"{kind} {part_id}: the rendered document has {_rendered(found, index)} where its skeleton {skeleton} "
        f"has {_rendered(wanted, index)}",
        hint="a document's parts come from the plain part lines of its language file, as its skeleton declares them",
    )


def _rendered(parts: list[tuple[str, str, tuple[str, ...]]], index: int) -> str:
    if index >= len(parts):
        return "no more parts"
    kind, part_id, covers = parts[index]
    return f"{kind} {part_id}" + (f" covering {','.join(covers)}" if covers else "")
