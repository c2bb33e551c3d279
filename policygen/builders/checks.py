"""The completeness check of institutions: each set's models from those a build kept, else made in a bounded worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policygen.builders.builder import Progress
from policygen.builders.keys import environment_key, institution_models_key
from policygen.builders.model_cache import cached_documents
from policygen.builders.workers import worker_pool, worker_result
from policygen.check.coverage import InstitutionCheck, check_loaded
from policygen.check.pages import built_pages
from policygen.errors import Diagnostic, PolicygenError
from policygen.inputs.profiles import load_profile
from policygen.inputs.workspace import Workspace
from policygen.limits import memory_exceeded
from policygen.model import Document
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import DOCUMENT_IDS, check_institution


def check_institutions(
    workspace: Workspace,
    paths: list[Path],
    jobs: int,
    out_dir: Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> list[InstitutionCheck]:
    """The check of each profile, in order. A set whose document models a build kept in the output folder
    (`out_dir`, by default the workspace's own unless it is a link) from the same inputs is checked from them;
    the others are made on up to `jobs` memory-bounded worker processes. The pages of each document are counted
    in its PDF in that folder."""
    results = kept_checks(workspace, paths, out_dir)
    pending = [path for path in paths if path not in results]
    if pending:
        from concurrent.futures import as_completed

        with worker_pool(min(jobs, len(pending)), _start_checker, (workspace,)) as pool:
            futures = {pool.submit(_check_in_worker, path): path for path in pending}
            for done, future in enumerate(as_completed(futures), start=1):
                path = futures[future]
                try:
                    results[path] = worker_result(future)
                except PolicygenError as error:  # its worker process died
                    results[path] = InstitutionCheck(
                        path, diagnostics=[Diagnostic(str(path), error.message, hint=error.hint)]
                    )
                if on_progress is not None:
                    failed = bool(results[path].diagnostics)
                    state = "failed" if failed else "checked"
                    on_progress(Progress(path.stem, "check", done, len(pending), state, failed))
    checks = [results[path] for path in paths]
    folder = _kept_in(workspace, out_dir)
    if folder is not None:
        for result in checks:
            for check in result.languages:
                if result.institution_id is not None:
                    check.pages = built_pages(folder, result.institution_id, check.lang, DOCUMENT_IDS)
    return checks


def _kept_in(workspace: Workspace, out_dir: Path | None) -> Path | None:
    """The output folder a build kept its files in: `out_dir`, else the workspace's own unless it is a link."""
    if out_dir is None and not workspace.default_output_dir.is_symlink():
        return workspace.default_output_dir
    return out_dir


def kept_checks(
    workspace: Workspace, paths: list[Path], out_dir: Path | None, environment: str | None = None
) -> dict[Path, InstitutionCheck]:
    """The checks that need no rendering: of profiles that cannot be loaded, and of sets whose models in every
    language a build kept from the same inputs (`environment`: the environment key, when already taken)."""
    folder = _kept_in(workspace, out_dir)
    environment = environment or environment_key()
    renderer = TemplateRenderer(workspace.template_search_path())
    found = {}
    for path in paths:
        try:
            loaded = load_profile(path, workspace)
        except PolicygenError as error:
            found[path] = InstitutionCheck(path, diagnostics=error.diagnostics())
            continue
        if folder is None:
            continue
        sets: dict[str, dict[str, Document]] = {}
        for lang in loaded.profile.languages:
            try:
                key = institution_models_key(workspace, renderer, loaded, lang, environment)
            except PolicygenError:
                break  # a broken template: rendering reports it
            documents = cached_documents(folder, loaded.profile.id, lang, key)
            if documents is None:
                break
            sets[lang] = documents
        else:
            found[path] = check_loaded(loaded, sets.__getitem__)
    return found


_checker: list[tuple[Workspace, TemplateRenderer]] = []


def _start_checker(workspace: Workspace) -> None:
    _checker[:] = [(workspace, TemplateRenderer(workspace.template_search_path()))]


def _check_in_worker(path: Path) -> InstitutionCheck:
    workspace, renderer = _checker[0]
    try:
        return check_institution(workspace, path, renderer)
    except MemoryError:
        return InstitutionCheck(
            path,
            diagnostics=[Diagnostic(str(path), memory_exceeded(), hint="a clause must not build text without bound")],
        )
