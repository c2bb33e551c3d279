"""The words documents print besides their templates' prose, one file per language: templates/strings/<lang>.yaml."""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale, UnknownLocaleError

from policygen.errors import Diagnostic, ProfileError, TemplateError
from policygen.inputs.schema import LANGUAGE_ID
from policygen.inputs.strict_yaml import KeyPath, LoadedYaml, Location, format_key_path, load_yaml_mapping_text
from policygen.inputs.template_files import check_template_file, read_template_file
from policygen.inputs.workspace import STRINGS_FOLDER, packaged_templates, strings_files

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
FORMATS: dict[KeyPath, frozenset[str]] = {
    ("page_label",): frozenset({"page", "pages"}),
    ("references", "document"): frozenset({"document"}),
    ("references", "clause"): frozenset({"number", "title"}),
    ("references", "document_clause"): frozenset({"document", "number", "title"}),
    ("dates", "running"): frozenset({"day", "month", "year"}),
    ("dates", "of"): frozenset({"day", "month_of", "year"}),
    ("survey_figures", "count_of_total"): frozenset({"count", "total"}),
    ("survey_figures", "interval"): frozenset({"low", "high"}),
    ("survey_figures", "suppressed"): frozenset({"threshold"}),
}
"""The strings that are formats, with the placeholders each must use: all of them, and no other."""
LANGUAGE_KEYED: frozenset[KeyPath] = frozenset({("language_names",), ("language_names_in",)})
"""Mappings keyed by language id: each file names the languages it knows, so their keys may differ."""


@dataclass(frozen=True)
class LanguageStrings:
    """One language's strings file: what templates see as `strings`, and what policygen itself prints."""

    lang: str
    path: Path
    data: Mapping[str, Any]  # read-only, nested

    def text(self, *key_path: str) -> str:
        value: Any = self.data
        for key in key_path:
            value = value[key]
        return value

    @property
    def tag(self) -> str:
        return self.text("language", "tag")

    @property
    def babel_locale(self) -> str:
        return self.text("language", "babel_locale")

    @property
    def name(self) -> str:
        return self.text("language", "name")

    def language_name(self, lang: str) -> str:
        """The name of language `lang` in this language; an error naming this file when it has none."""
        names = self.data["language_names"]
        if lang not in names:
            raise TemplateError(
                str(self.path),
                f"language_names: no name for {lang}",
                hint=f"add `{lang}: <its name in this language>` under language_names",
            )
        return names[lang]


class StringsLibrary:
    """The strings files of a templates search path (a workspace's own first), loaded and cross-checked once."""

    def __init__(self, search_path: list[Path], read: Callable[[Path], str] = read_template_file) -> None:
        self.search_path = search_path
        self._read = read
        self._loaded: dict[str, LanguageStrings] | None = None

    def files(self) -> dict[str, tuple[Path, Path]]:
        """Each language with a strings file: its file, and the templates folder holding it (the first wins)."""
        return strings_files(self.search_path)

    def languages(self) -> tuple[str, ...]:
        """The languages documents can be written in: the packaged ones first, in their order, then the others."""
        return tuple(self.files())

    def get(self, lang: str) -> LanguageStrings:
        loaded = self._load()
        if lang not in loaded:
            raise TemplateError(
                f"{STRINGS_FOLDER}/{lang}.yaml",
                f"no strings file for language {lang!r}",
                hint=f"languages with a strings file: {', '.join(self.languages()) or 'none'}; "
                f"add templates/{STRINGS_FOLDER}/{lang}.yaml to write documents in {lang}",
            )
        return loaded[lang]

    def _load(self) -> dict[str, LanguageStrings]:
        if self._loaded is None:
            loaded: dict[str, LoadedYaml] = {}
            for lang, (path, folder) in self.files().items():
                check_template_file(path, folder)
                loaded[lang] = load_yaml_mapping_text(self._read(path), str(path))
            problems = _problems(loaded, self._reference(loaded))
            if problems:
                raise ProfileError(problems)
            self._loaded = {
                lang: LanguageStrings(lang, Path(yaml.locations[()].file), _read_only(yaml.data))
                for lang, yaml in loaded.items()
            }
        return self._loaded

    def _reference(self, loaded: dict[str, LoadedYaml]) -> set[KeyPath]:
        """The keys every strings file must have: those of the packaged files (all of them when none is)."""
        packaged = (packaged_templates() / STRINGS_FOLDER).resolve()
        shipped = [yaml for yaml in loaded.values() if Path(yaml.locations[()].file).resolve().parent == packaged]
        return {path for yaml in (shipped or loaded.values()) for path, _ in _leaves(yaml.data)}


def _read_only(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    return value


def _leaves(value: Any, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """(key path, value) of every text of a strings file; a language-keyed mapping counts as one entry."""
    if isinstance(value, dict) and prefix not in LANGUAGE_KEYED:
        for key, item in value.items():
            yield from _leaves(item, (*prefix, key))
    else:
        yield prefix, value


def _problems(loaded: dict[str, LoadedYaml], reference: set[KeyPath]) -> list[Diagnostic]:
    problems = []
    for lang, yaml in loaded.items():
        for key_path, message, hint in _file_problems(lang, yaml, reference):
            location = _nearest(yaml, key_path)
            problems.append(
                Diagnostic(location.file, message, location.line, location.column, format_key_path(key_path), hint)
            )
    return problems


def _file_problems(lang: str, yaml: LoadedYaml, reference: set[KeyPath]) -> Iterator[tuple[KeyPath, str, str]]:
    """(key path, message, hint) of each problem of one strings file."""
    if not LANGUAGE_ID.match(lang):
        yield (), f"{lang!r} is not a language id", "name the file <language>.yaml, e.g. ky.yaml or en-xa.yaml"
    leaves = dict(_leaves(yaml.data))
    known = [format_key_path(path) for path in reference]
    for key_path in sorted(set(leaves) - reference, key=lambda path: _nearest(yaml, path).line):
        close = difflib.get_close_matches(format_key_path(key_path), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "strings files have the keys of the packaged ones"
        yield key_path, "unknown key", hint
    for key_path in sorted(reference - set(leaves)):
        yield (
            key_path,
            "missing: every strings file has the keys of the packaged ones",
            f"add `{key_path[-1]}:` with its text in this language (see templates/{STRINGS_FOLDER}/en.yaml)",
        )
    for key_path, value in leaves.items():
        problem = _bad_value(key_path, value, lang) if key_path in reference else None
        if problem is not None:
            yield key_path, *problem


def _bad_value(key_path: KeyPath, value: Any, lang: str) -> tuple[str, str] | None:
    """What is wrong with one value of a strings file, and the fix; None when it is right."""
    if key_path in LANGUAGE_KEYED:
        if not isinstance(value, dict):
            return "expected a mapping of language ids to names", "write one `<language>: <name>` per line"
        wrong = [key for key in value if not LANGUAGE_ID.match(key)]
        if wrong:
            return f"{wrong[0]!r} is not a language id", "key the names by language id, e.g. ky, ru, en"
        if key_path == ("language_names",) and lang not in value:
            return f"no name for {lang}, the file's own language", f"add `{lang}: <its name>`"
        return _bad_texts(value)
    if not isinstance(value, str):
        return f"expected text, got {'nothing' if value is None else type(value).__name__}", "write the text"
    if not value.strip():
        return "is empty", "write the text; an empty one would print nothing where a word is needed"
    if key_path == ("language", "tag") and not LANGUAGE_TAG.match(value):
        return f"{value!r} is not a language tag", "write a tag such as ky-KG, ru-RU or en-GB"
    if key_path == ("language", "babel_locale"):
        try:
            Locale.parse(value)
        except (ValueError, UnknownLocaleError):
            return f"{value!r} is not a locale Babel knows", "write a locale such as ky_KG, ru_RU, en_GB or en"
    if key_path in FORMATS:
        used = {name for _, name, _, _ in _parsed_format(value) if name is not None}
        if used != FORMATS[key_path]:
            expected = ", ".join("{" + name + "}" for name in sorted(FORMATS[key_path]))
            return f"must use exactly the placeholders {expected}", "keep the placeholders in braces as they are"
    return None


def _bad_texts(names: dict[str, Any]) -> tuple[str, str] | None:
    for name in names.values():
        if not isinstance(name, str) or not name.strip():
            return "every name must be a text", "write the language's name"
    return None


def _parsed_format(value: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(string.Formatter().parse(value))
    except ValueError:
        return [("", "{", None, None)]  # an unbalanced brace: never the expected placeholders


def _nearest(yaml: LoadedYaml, key_path: KeyPath) -> Location:
    for length in range(len(key_path), -1, -1):
        location = yaml.key_locations.get(key_path[:length]) or yaml.locations.get(key_path[:length])
        if location is not None:
            return location
    return yaml.locations[()]
