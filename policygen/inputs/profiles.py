"""Loads an institution profile: its extends chain merged deeply, validated, every error located in its file."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import types
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from policygen.errors import Diagnostic, ProfileError
from policygen.inputs.characters import typographic_quotes
from policygen.inputs.schema import LANGUAGE_ID, MAX_BASES, MAX_NAME, IdentifierMark, Lang, Profile
from policygen.inputs.strict_yaml import (
    LoadedYaml,
    Location,
    format_key_path,
    load_yaml_mapping,
    load_yaml_mapping_text,
)
from policygen.inputs.workspace import Workspace

KeyPath = tuple[str | int, ...]
M = typing.TypeVar("M", bound=BaseModel)
MAX_EXTENDS_DEPTH = MAX_BASES


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile with the files it was merged from (bases first) and a digest of the merged data."""

    profile: Profile
    path: Path
    sources: tuple[Path, ...]
    digest: str
    locations: dict[KeyPath, Location]
    warnings: tuple[Diagnostic, ...] = ()  # what is accepted but probably not meant (fails under --strict)

    def diagnostic(self, key_path: KeyPath, message: str, hint: str) -> Diagnostic:
        """A problem found after validation, at the line where `key_path` is written."""
        location, _ = _nearest_location(key_path, self.locations)
        return _located(location, self.path, format_key_path(key_path), message, hint)


@dataclass
class _Merged:
    data: dict[str, Any]
    locations: dict[KeyPath, Location]
    sources: list[Path]


def load_profile(path: Path, workspace: Workspace) -> LoadedProfile:
    """The validated profile in `path`, merged onto its bases; raises ProfileError with every problem found.
    Problems name the files as the workspace holds them, never where a link inside it points."""
    return _validated(_load_with_bases(path, workspace, chain=()), path, workspace)


def load_profile_text(text: str, path: Path, workspace: Workspace) -> LoadedProfile:
    """The profile that `text` would be if it were the file at `path` (not read), merged onto its bases and
    validated exactly as `load_profile` does: how an editor checks a profile before writing it."""
    return _validated(_load_with_bases(path, workspace, chain=(), text=text), path, workspace)


def load_inherited(extends: Any, path: Path, workspace: Workspace) -> dict[str, Any]:
    """What a profile at `path` whose `extends` is as given inherits: its bases merged as a build merges them,
    not validated (a base alone is no profile). Raises ProfileError when a base cannot be loaded."""
    merged = _Merged({}, {}, [])
    for base_id in [] if extends is None else (extends if isinstance(extends, list) else [extends]):
        base_file = workspace.base_file(base_id) if isinstance(base_id, str) else None
        if base_file is not None:
            base = _load_with_bases(base_file, workspace, (path,))
            _merge_into(merged, base.data, base.locations, ())
    return merged.data


def _validated(merged: _Merged, path: Path, workspace: Workspace) -> LoadedProfile:
    profile = validate_located(Profile, merged.data, merged.locations, path, workspace.languages())
    digest = hashlib.sha256(json.dumps(merged.data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    warnings = _typographic_quotes_in_identifiers(profile, merged.locations, path)
    return LoadedProfile(profile, path, tuple(merged.sources), digest, merged.locations, tuple(warnings))


def validate_located(
    model: type[M],
    data: dict[str, Any],
    locations: dict[KeyPath, Location],
    path: Path,
    languages: tuple[str, ...] | None = None,
) -> M:
    """`data` validated as `model` (which has `id` and `languages`), every error at its line; raises
    ProfileError with all of them: schema errors, an id other than the file name, missing translations, and
    (given the workspace's `languages`) a language the workspace has no strings file for."""
    diagnostics = _check_id(path, data, locations) + _missing_translations(model, data, locations, path, languages)
    if languages is not None:
        diagnostics += _unknown_languages(model, data, locations, path, languages)
    try:
        instance = model.model_validate(data)
    except pydantic.ValidationError as error:
        diagnostics += [_diagnostic_for(issue, locations, path, model) for issue in error.errors()]
        raise ProfileError(_in_file_order(diagnostics)) from None
    if diagnostics:
        raise ProfileError(_in_file_order(diagnostics))
    return instance


def located(loaded: LoadedYaml) -> dict[KeyPath, Location]:
    """Where to point for each path: the key's line for a mapping or list, the value itself for a scalar."""
    locations = dict(loaded.locations)
    for path, key_location in loaded.key_locations.items():
        if path in locations and _is_container(loaded.data, path):
            locations[path] = key_location
    return locations


# extends --------------------------------------------------------------------------------------------------


def _load_with_bases(path: Path, workspace: Workspace, chain: tuple[Path, ...], text: str | None = None) -> _Merged:
    if any(path.resolve() == known.resolve() for known in chain):
        names = " -> ".join(file.name for file in (*chain, path))
        raise ProfileError.single(
            path,
            f"extends forms a cycle: {names}",
            hint="a base must not extend, directly or not, the profile that extends it",
        )
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ProfileError.single(path, f"extends chain is deeper than {MAX_EXTENDS_DEPTH} files")
    loaded = _load_yaml_once(path) if text is None else load_yaml_mapping_text(text, str(path))
    locations = located(loaded)
    extends = loaded.data.get("extends")
    base_ids: list[Any] = [] if extends is None else (extends if isinstance(extends, list) else [extends])
    merged = _Merged({}, {}, [])
    for index, base_id in enumerate(base_ids):
        key_path: KeyPath = ("extends", index) if isinstance(extends, list) else ("extends",)
        location = locations.get(key_path)
        base_file = workspace.base_file(base_id) if isinstance(base_id, str) else None
        if base_file is None:
            names = " -> ".join(file.name for file in (*chain, path))
            raise ProfileError(
                [
                    _located(
                        location,
                        path,
                        format_key_path(key_path),
                        f"base profile {base_id!r} not found (chain: {names})",
                        f"create institutions/_{base_id}.yaml or fix the id",
                    )
                ]
            )
        base = _load_with_bases(base_file, workspace, (*chain, path))
        _merge_into(merged, base.data, base.locations, ())
        merged.sources += [source for source in base.sources if source not in merged.sources]
    _merge_into(merged, loaded.data, locations, ())
    merged.locations[()] = locations[()]
    merged.sources.append(path)
    return merged


def _is_container(data: Any, path: KeyPath) -> bool:
    for key in path:
        data = data[key]
    return isinstance(data, (dict, list))


_loaded_files: dict[tuple[Path, int, int], LoadedYaml] = {}


def _load_yaml_once(path: Path) -> LoadedYaml:
    """A profile file parsed once per process while it is unchanged: a base is shared by many institutions.
    The caller gets its own copy of the data, which merging changes."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _loaded_files:
        _loaded_files[key] = load_yaml_mapping(path)
    loaded = _loaded_files[key]
    return replace(loaded, data=copy.deepcopy(loaded.data))


def _merge_into(
    target: _Merged, data: dict[str, Any], locations: dict[KeyPath, Location], prefix: tuple[str, ...]
) -> None:
    """Merge `data` at `prefix`: mappings merge deeply; lists and scalars replace what was there."""
    node = target.data
    for key in prefix:
        node = node[key]
    for key, value in data.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(node.get(key), dict):
            target.locations[path] = locations[path]
            _merge_into(target, value, locations, path)
            continue
        for stale in [known for known in target.locations if known[: len(path)] == path]:
            del target.locations[stale]
        node[key] = value
        target.locations.update(
            {known: location for known, location in locations.items() if known[: len(path)] == path}
        )


# validation -----------------------------------------------------------------------------------------------


def _check_id(path: Path, data: dict[str, Any], locations: dict[KeyPath, Location]) -> list[Diagnostic]:
    profile_id = data.get("id")
    if isinstance(profile_id, str) and profile_id != path.stem:
        return [
            _located(
                locations.get(("id",)),
                path,
                "id",
                f"id {profile_id!r} differs from the file name {path.name!r}",
                f"set `id: {path.stem}` or rename the file to {profile_id}.yaml",
            )
        ]
    return []


def _diagnostic_for(
    issue: ErrorDetails, locations: dict[KeyPath, Location], path: Path, model: type[BaseModel]
) -> Diagnostic:
    loc: KeyPath = tuple(part for part in issue["loc"] if not _is_union_branch(part))
    kind = issue["type"]
    message = issue["msg"].removeprefix("Value error, ")
    hint = ""
    if issue.get("input", "") is None and kind != "missing":
        message = "is empty, but a value is required here"
        hint = "write the value after the colon"
    elif "[key]" in issue["loc"]:
        message = f"{loc[-1]!r} is not a language"
        hint = "per-language texts are keyed by language id: ky, ru, en, or one the workspace adds"
    elif kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key {key!r}"
        suggestions = difflib.get_close_matches(key, _field_names_at(model, loc[:-1]), n=1, cutoff=0.6)
        hint = (
            f"did you mean {suggestions[0]!r}?"
            if suggestions
            else "remove it; `policygen schema` lists the keys a profile may have"
        )
    elif kind == "missing":
        message = "required key is missing"
        hint = f"add `{loc[-1]}:`; `policygen schema` describes it"
    elif kind == "role_conflict":
        hint = issue["ctx"]["hint"]
    elif kind == "required_for_type":
        hint = f"add `{issue['ctx']['key']}:`; `policygen schema` describes it"
    elif kind == "string_too_long":
        limit = issue["ctx"]["max_length"]
        message = f"is {len(issue['input'])} characters long; at most {limit} are allowed"
        hint = f"shorten it to {limit} characters at most" + (
            " (Word's document properties, which carry names, hold 255)" if limit == MAX_NAME else ""
        )
    elif kind == "too_long":
        limit = issue["ctx"]["max_length"]
        message = f"has {issue['ctx']['actual_length']} entries; at most {limit} are allowed"
        hint = f"keep {limit} entries at most; `policygen schema` gives every limit"
    elif kind in ("literal_error", "enum"):
        hint = "use one of the values listed"
    elif "true or false" in message:
        hint = "write true or false (yes/no/on/off are not accepted)"
    elif "date" in message:
        hint = "write the date as YYYY-MM-DD, e.g. 2025-03-01"
    else:
        hint = "see `policygen schema` for what this key takes"
    location, located_path = _nearest_location(loc, locations)
    if kind == "missing" or located_path != loc:
        located_key = format_key_path(located_path) or "the top level"
        if kind != "missing":
            message += f" (in {located_key})"
    return _located(location, path, format_key_path(loc), message, hint)


def _missing_translations(
    model: type[BaseModel],
    data: dict[str, Any],
    locations: dict[KeyPath, Location],
    path: Path,
    available: tuple[str, ...] | None,
) -> list[Diagnostic]:
    """A text the documents print must exist in every language the profile lists (that the workspace has).
    Checked on the data as written, so that it is reported together with every other problem of the file."""
    languages = data.get("languages")
    if not isinstance(languages, list):
        return []
    listed = [
        lang
        for lang in dict.fromkeys(languages)
        if isinstance(lang, str) and LANGUAGE_ID.match(lang) and (available is None or lang in available)
    ]
    diagnostics: list[Diagnostic] = []
    for loc, texts in dict(_localized_texts(model, data, ())).items():
        for lang in listed:
            if lang not in texts:
                location, _ = _nearest_location(loc, locations)
                diagnostics.append(
                    _located(
                        location,
                        path,
                        format_key_path(loc),
                        f"no {lang} text, but languages lists {lang}",
                        f"add `{lang}: ...` here, or remove {lang} from languages",
                    )
                )
    return diagnostics


def _unknown_languages(
    model: type[BaseModel],
    data: dict[str, Any],
    locations: dict[KeyPath, Location],
    path: Path,
    available: tuple[str, ...],
) -> list[Diagnostic]:
    """A language listed, or a text keyed by a language, that the workspace has no strings file for."""
    hint = (
        f"the workspace's languages are {', '.join(available)}; "
        "add templates/strings/<language>.yaml (and its templates) to write in another"
    )
    languages = data.get("languages")
    places: list[tuple[KeyPath, str]] = []
    if isinstance(languages, list):
        places += [(("languages", index), lang) for index, lang in enumerate(languages)]
    for loc, texts in dict(_localized_texts(model, data, ())).items():
        places += [((*loc, lang), lang) for lang in texts]
    diagnostics = []
    for loc, lang in places:
        if isinstance(lang, str) and LANGUAGE_ID.match(lang) and lang not in available:
            location, _ = _nearest_location(loc, locations)
            diagnostics.append(
                _located(location, path, format_key_path(loc), f"{lang!r} is not a language of this workspace", hint)
            )
    return diagnostics


def _localized_texts(annotation: Any, value: Any, loc: KeyPath):
    """(key path, mapping) of each per-language text in `value`, data as written that `annotation` types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _localized_texts(typing.get_args(annotation)[0], value, loc)
    elif origin in (typing.Union, types.UnionType):
        for option in typing.get_args(annotation):
            yield from _localized_texts(option, value, loc)
    elif origin is dict and isinstance(value, dict) and typing.get_args(annotation)[0] is Lang:
        yield loc, value
    elif origin is dict and isinstance(value, dict):  # a register of entries by id
        for key, item in value.items():
            yield from _localized_texts(typing.get_args(annotation)[1], item, (*loc, key))
    elif origin is list and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _localized_texts(typing.get_args(annotation)[0], item, (*loc, index))
    elif _is_model(annotation) and isinstance(value, dict):
        for name, field in annotation.model_fields.items():
            if name in value:
                yield from _localized_texts(field.annotation, value[name], (*loc, name))


def _typographic_quotes_in_identifiers(
    profile: Profile, locations: dict[KeyPath, Location], path: Path
) -> list[Diagnostic]:
    """Numbers and references (an order number) holding quotes pasted from Word: printed as part of them."""
    warnings = []
    for loc, value in _identifiers(profile, ()):
        quotes = typographic_quotes(value)
        if quotes:
            location, _ = _nearest_location(loc, locations)
            key = format_key_path(loc)
            diagnostic = _located(
                location,
                path,
                key,
                f"{value!r} holds the typographic quotes {' '.join(quotes)}, which are printed as part of the number",
                f"write it without them: {loc[-1]}: {_without_quotes(value, quotes)} "
                "(quotes pasted from Word are text to YAML, not quotes)",
            )
            warnings.append(replace(diagnostic, warning=True))
    return warnings


def _without_quotes(value: str, quotes: list[str]) -> str:
    return "".join(char for char in value if char not in quotes).strip()


def _identifiers(value: Any, loc: KeyPath):
    """(key path, text) of every field of a validated model typed as a schema Identifier."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if any(isinstance(mark, IdentifierMark) for mark in field.metadata) and isinstance(
                getattr(value, name), str
            ):
                yield (*loc, name), getattr(value, name)
            else:
                yield from _identifiers(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _identifiers(item, (*loc, index))


def _in_file_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda diagnostic: (diagnostic.file, diagnostic.line or 0, diagnostic.column or 0))


def _nearest_location(loc: KeyPath, locations: dict[KeyPath, Location]) -> tuple[Location | None, KeyPath]:
    for length in range(len(loc), -1, -1):
        if loc[:length] in locations:
            return locations[loc[:length]], loc[:length]
    return None, ()


def _located(location: Location | None, fallback: Path, key_path: str, message: str, hint: str) -> Diagnostic:
    if location is None:
        return Diagnostic(str(fallback), message, None, None, key_path, hint)
    return Diagnostic(location.file, message, location.line, location.column, key_path, hint)


def _is_union_branch(part: Any) -> bool:
    # pydantic names the union member it tried (e.g. "str", "dict[...]", "list[...]") in the error location
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "none", "function-before"))


def _field_names_at(model: Any, loc: KeyPath) -> list[str]:
    """The keys allowed in the mapping at `loc` of `model`, for did-you-mean hints."""
    annotation: Any = model
    for part in loc:
        annotation = _entry_type(annotation)
        entry = _register_of(annotation)
        if entry is not None or isinstance(part, int):  # an entry's id or a list's index: no key of a model
            annotation = entry or annotation
            continue
        field = annotation.model_fields.get(part) if _is_model(annotation) else None
        if field is None:
            return []
        annotation = field.annotation
    found = _model_in(_entry_type(annotation))
    return list(found.model_fields) if found is not None else []


def _entry_type(annotation: Any) -> Any:
    """The type a key path goes through: Annotated, optional and list wrappers removed."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [option for option in typing.get_args(annotation) if option is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _register_of(annotation: Any) -> Any:
    """The entry type of a register (a mapping of entries by id, not by language), else None."""
    if typing.get_origin(annotation) is dict:
        key, entry = typing.get_args(annotation)
        if key is not Lang:
            return entry
    return None


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _model_in(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
