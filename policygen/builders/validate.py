"""Validates institutions as a build would, writing nothing: the profile, then its documents in each language."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policygen.builders.workers import map_bounded
from policygen.check.coverage import InstitutionCheck, check_documents, failure_diagnostics
from policygen.errors import Diagnostic, PolicygenError
from policygen.inputs.profiles import load_profile
from policygen.inputs.workspace import Workspace
from policygen.limits import memory_exceeded
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import build_documents


@dataclass
class Validation:
    """What validating one profile found: the problems that would stop its build, and the warnings."""

    profile_path: Path
    institution_id: str | None = None
    problems: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def validate_institution(
    workspace: Workspace, path: Path, renderer: TemplateRenderer, strict: bool = False
) -> Validation:
    """Load a profile and make its documents in each of its languages, as `build` does before writing, so that
    whatever `build` would refuse (a core clause switched off, a broken reference, a character a clause text
    decodes to) is found here. With `strict`, warnings are errors and the completeness check must pass."""
    result = Validation(path)
    try:
        loaded = load_profile(path, workspace)
    except PolicygenError as error:
        result.problems = error.diagnostics()
        return result
    result.institution_id = loaded.profile.id
    result.warnings = list(loaded.warnings)
    for lang in loaded.profile.languages:
        try:
            documents = build_documents(renderer, loaded, lang)
        except PolicygenError as error:
            result.problems += error.diagnostics()
            continue
        if strict:
            check = check_documents(documents, lang, loaded.profile.is_education)
            result.problems += failure_diagnostics(InstitutionCheck(path, loaded.profile.id, languages=[check]))
    if strict:
        result.problems += [warning.as_error() for warning in result.warnings]
        result.warnings = []
    result.problems = list(dict.fromkeys(result.problems))  # a problem of every language is reported once
    return result


def validate_institutions(workspace: Workspace, paths: list[Path], strict: bool, jobs: int) -> list[Validation]:
    """`validate_institution` for each profile, on up to `jobs` memory-bounded worker processes, in order."""
    return map_bounded(_validate_in_worker, paths, jobs, _start_validator, (workspace, strict))


@dataclass(frozen=True)
class _Validator:
    """What a validating worker process sets up once and uses for every profile it is given."""

    workspace: Workspace
    renderer: TemplateRenderer
    strict: bool


_validator: _Validator | None = None  # set in each worker process by _start_validator


def _start_validator(workspace: Workspace, strict: bool) -> None:
    global _validator
    _validator = _Validator(workspace, TemplateRenderer(workspace.template_search_path()), strict)


def _validate_in_worker(path: Path) -> Validation:
    if _validator is None:
        raise RuntimeError("a validating worker process was not started by _start_validator")
    try:
        return validate_institution(_validator.workspace, path, _validator.renderer, _validator.strict)
    except MemoryError:
        return Validation(
            path, problems=[Diagnostic(str(path), memory_exceeded(), hint="a clause must not build text without bound")]
        )
