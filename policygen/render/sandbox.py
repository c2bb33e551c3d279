"""Renders a document template to Markdown in Jinja's sandbox, with every printed value escaped and checked."""

from __future__ import annotations

import datetime as dt
import os
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import jinja2.nodes
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from policygen.errors import TemplateError, TemplateStructureError, clipped
from policygen.inputs.template_files import check_template_file, read_template_file
from policygen.limits import TimeBoundExceeded, time_limit
from policygen.model import Block
from policygen.render.locale import format_counted, format_number, format_written_date
from policygen.render.names import short_name
from policygen.render.skeleton import Part, SkeletonLibrary
from policygen.render.strings import LanguageStrings, StringsLibrary
from policygen.render.structure import check_rendered_parts, structured_source, template_language

MAX_OUTPUT_CHARS = 2_000_000
MAX_SEQUENCE_PRODUCT = 100_000
MAX_EXPONENT = 64
MAX_RENDER_SECONDS = 20  # a document renders in well under a second

_MARKDOWN_ESCAPES = {ord(char): "\\" + char for char in string.punctuation}


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation character so the text can never become Markdown markup."""
    return text.translate(_MARKDOWN_ESCAPES)


class Blank:
    """A fill-in blank standing for an institution's value in model documents: prints as a line to write on."""

    def __init__(self, kind: str = "text") -> None:
        self.kind = kind  # text, number or date

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Blank({self.kind!r})"


BLANK_TEXT = "_" * 24
BLANK_NUMBER = "_" * 5


class _LimitedSandbox(SandboxedEnvironment):
    """The sandbox with the two operators that can exhaust memory or time bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than the allowed {MAX_EXPONENT}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
                if repeated and len(sequence) * count > MAX_SEQUENCE_PRODUCT:
                    raise SecurityError(f"repetition would produce more than {MAX_SEQUENCE_PRODUCT} items")
        return super().call_binop(context, operator, left, right)


class _PrintedValueError(Exception):
    """A template printed something that must never reach a document (none, a list, true/false)."""


def _finalize_for(strings: LanguageStrings):
    def finalize(value: Any) -> str:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        if value is None:
            raise _PrintedValueError("printed a value that is none (absent from the profile); wrap it in {% if ... %}")
        if isinstance(value, bool):
            raise _PrintedValueError("printed true/false as text; test it with {% if ... %} instead")
        if isinstance(value, Blank):
            return escape_markdown(_blank_text(value, strings))
        if isinstance(value, int):
            return str(value)
        if isinstance(value, dt.date):
            return escape_markdown(format_written_date(value, strings.data["dates"]))
        if isinstance(value, str):
            return escape_markdown(value)
        raise _PrintedValueError(f"printed a {type(value).__name__} as text; print its items one by one")

    return finalize


def _blank_text(blank: Blank, strings: LanguageStrings) -> str:
    return {"date": strings.text("blanks", "date"), "number": BLANK_NUMBER}.get(blank.kind, BLANK_TEXT)


def _filters_for(strings: LanguageStrings) -> dict[str, Any]:
    locale = strings.babel_locale
    dates = strings.data["dates"]

    def plural(value: int | Blank, **forms: str) -> str:
        if isinstance(value, Blank):
            return f"{BLANK_NUMBER} {forms.get('many', forms.get('other', ''))}".rstrip()
        return format_counted(value, locale, forms)

    def date(value: dt.date | Blank) -> str:
        return strings.text("blanks", "date") if isinstance(value, Blank) else format_written_date(value, dates)

    def date_of(value: dt.date | Blank) -> str:
        if isinstance(value, Blank):
            return strings.text("blanks", "date_of")
        return format_written_date(value, dates, attributive=True)

    def initials(value: str | Blank) -> str:
        return BLANK_TEXT if isinstance(value, Blank) else short_name(value)

    def total(values: list[int | Blank]) -> int | Blank:
        """Jinja's sum, a blank when any item is one (the model set)."""
        numbers = [value for value in values if not isinstance(value, Blank)]
        return sum(numbers) if len(numbers) == len(values) else Blank("number")

    def number(value: int | Blank) -> str:
        return BLANK_NUMBER if isinstance(value, Blank) else format_number(value, locale)

    return {"date": date, "date_of": date_of, "initials": initials, "number": number, "plural": plural, "sum": total}


class TemplateRenderer:
    """Finds templates (workspace overrides first, then the packaged ones) and renders them in the sandbox, each
    language file held to its folder's skeleton, with its language's strings.

    A template is read only if it is a regular file of at most MAX_TEMPLATE_BYTES that resolves inside its
    templates folder (see template_files).
    """

    def __init__(self, search_path: list[Path]) -> None:
        self.search_path = [path for path in search_path if path.is_dir()]
        self._loader = _ConfinedLoader(self.source_path, self._structured_source)
        self._environments: dict[str, SandboxedEnvironment] = {}
        self._dependencies: dict[str, list[Path]] = {}
        self._skeletons = SkeletonLibrary(self._existing_source_path, self.read_source)
        self._strings = StringsLibrary(self.search_path, self.read_source)

    def languages(self) -> tuple[str, ...]:
        """The languages with a strings file: those documents can be written in."""
        return self._strings.languages()

    def strings(self, lang: str) -> LanguageStrings:
        """The strings file of `lang`: labels, marks and formats documents print (templates see it as `strings`)."""
        return self._strings.get(lang)

    def skeleton_parts(self, name: str) -> list[Part]:
        """Every clause and annex template `name`'s skeleton declares, in order, whatever their conditions."""
        skeleton = self._skeletons.for_template(name)
        return [] if skeleton is None else self._skeletons.expanded(skeleton)

    def expected_parts(self, name: str, context: dict[str, Any], lang: str) -> list[Part]:
        """The clauses and annexes template `name` must give in `context`, as its skeleton declares them."""
        skeleton = self._skeletons.for_template(name)
        if skeleton is None:
            return []
        environment = self._environment(lang)
        parts = []
        for part in self._skeletons.expanded(skeleton):
            if part.when is not None:
                try:
                    holds = bool(environment.compile_expression(part.when, undefined_to_none=False)(**context))
                except (jinja2.TemplateError, SecurityError, TypeError) as error:
                    raise TemplateError(
                        str(skeleton.path),
                        f"{part.describe()}: its condition cannot be evaluated: {clipped(str(error))}",
                        line=part.line,
                        hint="a condition names values of the template context, e.g. inst.is_education",
                    ) from None
                if not holds:
                    continue
            parts.append(part)
        return parts

    def check_rendered(self, name: str, context: dict[str, Any], lang: str, blocks: tuple[Block, ...]) -> None:
        """Refuse a rendered document whose clauses and annexes are not those its skeleton expects."""
        skeleton = self._skeletons.for_template(name)
        expected = self.expected_parts(name, context, lang)
        where = str(skeleton.path) if skeleton is not None else "no skeleton.yaml"
        check_rendered_parts(blocks, expected, self._where(name), where)

    def source_path(self, name: str) -> Path:
        """The file a template name resolves to (the workspace's override if there is one), once checked."""
        try:
            pieces = split_template_path(name)
        except jinja2.TemplateNotFound:
            raise TemplateError(
                clipped(name),
                "template names may not climb out of the templates folder",
                hint="include templates by their path inside templates/",
            ) from None
        for folder in self.search_path:
            candidate = folder.joinpath(*pieces)
            if os.path.lexists(candidate):
                check_template_file(candidate, folder)
                return candidate
        raise _TemplateMissing(
            clipped(name), "template not found", hint="searched " + ", ".join(str(path) for path in self.search_path)
        )

    def read_source(self, path: Path) -> str:
        """The text of a template file that `source_path` gave, read within the size bound."""
        return read_template_file(path)

    def _existing_source_path(self, name: str) -> Path | None:
        try:
            return self.source_path(name)
        except _TemplateMissing:
            return None

    def _structured_source(self, path: Path, name: str, environment: jinja2.Environment) -> str:
        """A template's text as Jinja compiles it: held to its skeleton, with the covers and conditions written in."""
        return structured_source(self.read_source(path), path, name, self._skeletons.for_template(name), environment)

    def template_source(self, name: str) -> str:
        """The text of template `name`."""
        return self.read_source(self.source_path(name))

    def dependencies(self, name: str) -> list[Path]:
        """The files a template is made of: itself and, recursively, the templates it includes, then their
        folders' skeletons and the strings file of the template's language."""
        if name not in self._dependencies:
            self._dependencies[name] = self._find_dependencies(name)
        return self._dependencies[name]

    def _find_dependencies(self, name: str) -> list[Path]:
        found: list[Path] = []
        pending: list[tuple[str, Path | None, int | None]] = [(name, None, None)]  # name, included from, line
        environment = self._environment("en")
        while pending:
            current, parent, line = pending.pop()
            try:
                path = self.source_path(current)
            except TemplateError as error:
                if parent is None:
                    raise
                raise _included_error(error, str(parent), line) from None
            if path in found:
                continue
            found.append(path)
            try:
                syntax_tree = environment.parse(self.read_source(path))
            except jinja2.TemplateSyntaxError as error:
                raise TemplateError(
                    str(path),
                    f"template syntax error: {clipped(error.message or '')}",
                    line=error.lineno,
                    hint="fix the Jinja syntax at this line",
                ) from None
            pending += [(reference, path, reference_line) for reference, reference_line in _included(syntax_tree, path)]
        skeletons = []
        for template in found:
            skeleton = self._skeletons.for_template(template.relative_to(self._folder_of(template)).as_posix())
            if skeleton is not None and skeleton.path not in skeletons:
                skeletons.append(skeleton.path)
        lang = template_language(name)
        strings = [self._strings.files()[lang][0]] if lang in self._strings.files() else []
        return found + skeletons + strings

    def _folder_of(self, path: Path) -> Path:
        return next(folder for folder in self.search_path if path.is_relative_to(folder))

    def _environment(self, lang: str) -> SandboxedEnvironment:
        if lang not in self._environments:
            strings = self.strings(lang)
            environment = _LimitedSandbox(
                loader=self._loader,
                undefined=jinja2.StrictUndefined,
                finalize=_finalize_for(strings),
                autoescape=False,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
                auto_reload=False,
            )
            environment.filters.update(_filters_for(strings))
            self._environments[lang] = environment
        return self._environments[lang]

    def load(self, name: str, lang: str) -> None:
        """Read template `name`, hold it to its skeleton and compile it for `lang`, without rendering it."""
        try:
            self._environment(lang).get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(
                error.filename or self._where(name),
                f"template syntax error: {clipped(error.message or '')}",
                hint="fix the Jinja syntax at this line",
                line=error.lineno,
            ) from None
        except jinja2.TemplateNotFound:
            raise TemplateError(
                clipped(name), "template not found", hint="templates are <folder>/<language>.md.j2"
            ) from None

    def render(self, name: str, lang: str, context: dict[str, Any]) -> str:
        """The Markdown text of template `name` rendered for `lang` with `context`.

        Messages quote what Jinja says only clipped: it may hold values the template computed, of any size.
        """
        environment = self._environment(lang)
        where = self._where(name)
        try:
            template = environment.get_template(name)
            with time_limit(MAX_RENDER_SECONDS):
                text = _bounded_output(template.generate({**context, "strings": self.strings(lang).data}), where)
        except TemplateStructureError:
            raise  # located in the language file itself, also when it is an included one
        except TemplateError as error:
            file, line = _template_location(error)
            if file is None:
                raise
            raise _included_error(error, file, line) from None
        except TimeBoundExceeded:
            raise TemplateError(
                where,
                f"rendering took longer than {MAX_RENDER_SECONDS} s and was stopped",
                hint="a template must not loop without bound",
            ) from None
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(
                error.filename or where,
                f"template syntax error: {clipped(error.message or '')}",
                hint="fix the Jinja syntax at this line",
                line=error.lineno,
            ) from None
        except jinja2.TemplateNotFound as error:
            raise TemplateError(
                where,
                f"template not found: {clipped(str(error.name))}",
                line=_template_line(error),
                hint="templates are looked up by document id and language only",
            ) from None
        except SecurityError as error:
            raise TemplateError(
                _template_location(error)[0] or where,
                f"refused by the sandbox: {clipped(str(error))}",
                line=_template_line(error),
                hint="templates may only print profile values and use the documented filters",
            ) from None
        except jinja2.UndefinedError as error:
            raise TemplateError(
                _template_location(error)[0] or where,
                f"undefined value: {clipped(error.message or '')}",
                line=_template_line(error),
                hint="check the name against `policygen schema`; optional values need {% if %}",
            ) from None
        except _PrintedValueError as error:
            raise TemplateError(
                _template_location(error)[0] or where,
                str(error),
                line=_template_line(error),
                hint="a document prints text, numbers and dates only",
            ) from None
        except MemoryError as error:
            raise TemplateError(
                _template_location(error)[0] or where,
                "rendering needed more memory than a document may use and was stopped",
                line=_template_line(error),
                hint="a template must not build text without bound",
            ) from None
        except (TypeError, ValueError, OverflowError, RecursionError) as error:
            raise TemplateError(
                where,
                clipped(f"{type(error).__name__}: {error}"),
                line=_template_line(error),
                hint="the template does something the sandbox cannot finish",
            ) from None
        return text

    def _where(self, name: str) -> str:
        """How errors name a template: the file it resolves to, else its name."""
        try:
            return str(self.source_path(name))
        except TemplateError:
            return clipped(name)


def _included(syntax_tree: jinja2.nodes.Template, path: Path) -> list[tuple[str, int]]:
    """The names a template includes (imports, extends), each with its line; a computed name is an error."""
    including: list[jinja2.nodes.Extends | jinja2.nodes.FromImport | jinja2.nodes.Import | jinja2.nodes.Include] = [
        *syntax_tree.find_all(jinja2.nodes.Extends),
        *syntax_tree.find_all(jinja2.nodes.FromImport),
        *syntax_tree.find_all(jinja2.nodes.Import),
        *syntax_tree.find_all(jinja2.nodes.Include),
    ]
    found = []
    for node in sorted(including, key=lambda node: node.lineno):  # in the template's order, whatever their kind
        template = node.template
        for name in template.items if isinstance(template, (jinja2.nodes.Tuple, jinja2.nodes.List)) else [template]:
            if not (isinstance(name, jinja2.nodes.Const) and isinstance(name.value, str)):
                raise TemplateError(
                    str(path),
                    "a template includes a name computed at render time",
                    line=node.lineno,
                    hint="include templates by their literal name",
                )
            found.append((name.value, node.lineno))
    return found


def _included_error(error: TemplateError, parent: str, line: int | None) -> TemplateError:
    """An included template's problem, located at the line of the template that includes it."""
    return TemplateError(parent, f"included template {error.template}: {error.message}", hint=error.hint, line=line)


class _TemplateMissing(TemplateError):
    """No templates folder has a file of that name."""


class _ConfinedLoader(jinja2.BaseLoader):
    """Jinja's view of the renderer's templates: each found and read through the renderer's checks."""

    def __init__(self, find: Callable[[str], Path], read: Callable[[Path, str, jinja2.Environment], str]) -> None:
        self._find = find
        self._read = read

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            path = self._find(template)
        except _TemplateMissing:
            raise jinja2.TemplateNotFound(template) from None
        return self._read(path, template, environment), str(path), lambda: True


def _bounded_output(chunks: Iterator[str], name: str) -> str:
    """The rendered text, stopped as soon as it grows past MAX_OUTPUT_CHARS rather than after."""
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateError(
                name,
                f"rendered text is larger than {MAX_OUTPUT_CHARS} characters",
                hint="a template must not repeat text without bound",
            )
        parts.append(chunk)
    return "".join(parts)


def _template_line(error: BaseException) -> int | None:
    """The template line where the error happened, from the traceback Jinja rewrites to template lines."""
    return _template_location(error)[1]


def _template_location(error: BaseException) -> tuple[str | None, int | None]:
    """The template file and line where the error happened (the innermost template, for includes)."""
    file, line = None, None
    traceback: TracebackType | None = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.endswith(".j2"):
            file, line = traceback.tb_frame.f_code.co_filename, traceback.tb_lineno
        traceback = traceback.tb_next
    return file, line
