"""Digests of what files are made from: input files, the packaged assets and data, and the versions that shape bytes."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from policygen.inputs.clock import build_day
from policygen.inputs.legal import stale_ids
from policygen.inputs.profiles import LoadedProfile
from policygen.inputs.review import review_files
from policygen.inputs.workspace import Workspace, packaged_templates
from policygen.model import Document
from policygen.output.manifest import versions
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import DOCUMENT_IDS, document_templates
from policygen.sets.model_set import aged_base_references, model_base_file

PACKAGE = Path(__file__).resolve().parent.parent
PACKAGED_FOLDERS = (PACKAGE / "assets", PACKAGE / "data")
"""The print CSS and fonts, and the element catalogue with its notions and names."""


def digest(*parts: str) -> str:
    """SHA-256 of text parts, one per line."""
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


_digests: dict[tuple[Path, int, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file, read once per process while it stays the same file, size and age (a library
    user may edit a template, or sign its review, which replaces the record by a file of the same size, between
    two builds of one process); anything else (a pipe, a folder) is never read, and has a digest of its own kind."""
    path = path.resolve()
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file: {stat.S_IFMT(info.st_mode):o}"
    known = (path, info.st_ino, info.st_mtime_ns, info.st_size)
    if known not in _digests:
        _digests[known] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[known]


def shown_path(workspace: Workspace, path: Path) -> str:
    """A file as keys and the manifest name it: relative to the workspace, or within the packaged templates, so
    that a workspace moved with its output folder is still up to date."""
    path = path.resolve()
    packaged = packaged_templates().resolve()
    if path.is_relative_to(workspace.root):
        return path.relative_to(workspace.root).as_posix()
    if path.is_relative_to(packaged):
        return "<packaged>/" + path.relative_to(packaged).as_posix()
    return path.as_posix()


def input_record(workspace: Workspace, path: Path) -> dict[str, str]:
    """An input file as the manifest records it: its name and SHA-256."""
    return {"path": shown_path(workspace, path), "sha256": file_digest(path)}


def records_key(records: list[dict[str, str]]) -> str:
    return digest(*(f"{record['path']}:{record['sha256']}" for record in records))


def environment_key() -> str:
    """Everything besides a unit's own inputs that shapes its files: the versions of Python, zlib and the
    packages that render and write (policygen, WeasyPrint, pydyf, python-docx, fontTools, Pillow...), the
    packaged fonts, CSS and data, and SOURCE_DATE_EPOCH. Taken once per command, in the process that plans."""
    packaged = [
        f"{folder.name}/{path.relative_to(folder).as_posix()}:{file_digest(path)}"
        for folder in PACKAGED_FOLDERS
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    return digest(
        *(f"{name}={version}" for name, version in sorted(versions().items())),
        *packaged,
        f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}",
    )


def document_digest(document: Document, writer: str, environment: str) -> str:
    """The key of one file: the document model it is written from, the writer (format and variant) and the
    environment, so that a file is rewritten when any of them changes and only then."""
    return digest(environment, writer, hashlib.sha256(repr(document).encode("utf-8")).hexdigest())


def set_templates_key(workspace: Workspace, renderer: TemplateRenderer, lang: str, languages: Iterable[str]) -> str:
    """The templates of an institution's or the model set in `lang` (the poster's also in its partner language,
    one of the set's `languages`), with the files recording their review."""
    templates = sorted(
        {
            path
            for doc_id in DOCUMENT_IDS
            for name in document_templates(doc_id, lang, languages)
            for path in renderer.dependencies(name)
        }
    )
    records = [input_record(workspace, path) for path in (*templates, *review_files(renderer.search_path))]
    return records_key(records)


def institution_models_key(
    workspace: Workspace, renderer: TemplateRenderer, loaded: LoadedProfile, lang: str, environment: str
) -> str:
    """The key of an institution's document models in `lang`: its merged profile, the set's templates and their
    review, the environment, and which legal references have aged past their recheck period (their mark changes
    the documents)."""
    profile = loaded.profile
    aged = ",".join(stale_ids(profile.legal_references, build_day(), profile.recheck_months))
    templates = set_templates_key(workspace, renderer, lang, profile.languages)
    return digest("institution", environment, loaded.digest, lang, aged, templates)


def model_set_models_key(workspace: Workspace, renderer: TemplateRenderer, lang: str, environment: str) -> str:
    """The key of the model set's document models in `lang`: the national base, which of its legal references have
    aged past their recheck period, the templates and the environment."""
    base = model_base_file(workspace)
    base_digest, aged = "no base", ""
    if base is not None:  # one leading out of institutions/ is refused, unread, when the set is made
        inside = base.resolve().is_relative_to(workspace.institutions_dir.resolve())
        base_digest = file_digest(base) if inside else "outside institutions/"
        aged = ",".join(aged_base_references(base)) if inside else ""
    templates = set_templates_key(workspace, renderer, lang, workspace.languages())
    return digest("model", environment, base_digest, lang, aged, templates)


def contained_digest(path: Path, folder: Path, max_bytes: int) -> str:
    """SHA-256 of a file of `folder` that the loaders would read: one that resolves inside it, is regular and
    within `max_bytes`. Anything else is never read (the loader refuses it, with its message, when it is used);
    its digest says what it is instead."""
    try:
        info = path.stat()
    except OSError as error:
        return f"unreadable: {error.strerror}"
    if not path.resolve().is_relative_to(folder.resolve()):
        return "outside its folder"
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return f"not read: {stat.S_IFMT(info.st_mode):o} {info.st_size} {info.st_mtime_ns}"
    return file_digest(path)
