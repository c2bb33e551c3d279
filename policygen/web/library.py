"""The web's one door to policygen's document API: validate a profile's text as the CLI does, render its set,
its HTML and check once per version, and build its files through the CLI's builder."""

from __future__ import annotations

import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import policygen
from policygen import (
    DOCUMENT_IDS,
    BuildRequest,
    Diagnostic,
    LoadedProfile,
    PolicygenError,
    TemplateRenderer,
    Workspace,
    build,
    check_documents,
    load_inherited,
    load_profile_text,
)
from policygen.web.fields import CHOICE_STRINGS
from policygen.web.i18n import DocumentWords
from policygen.web.store import text_digest

CACHED_VERSIONS = 64  # profile texts whose validation and document sets are kept in memory


@dataclass(frozen=True)
class Checked:
    """A profile text judged as `policygen validate` judges it: every problem, or the loaded profile."""

    digest: str
    loaded: LoadedProfile | None
    problems: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def valid(self) -> bool:
        return self.loaded is not None and not self.problems


@dataclass(frozen=True)
class Coverage:
    """The completeness check of a set in one language, as the preview shows it beside a document."""

    required_total: int
    required_covered: int
    missing: tuple[str, ...]  # names of required elements no clause covers
    in_document: tuple[tuple[str, str], ...]  # (clause number, element name) that this document covers
    draft_documents: tuple[str, ...]


_RENDERING = threading.RLock()
"""One profile checked or rendered at a time: it is Python work, so under the GIL more at once would only slow
each of them, and a request answered from the caches would wait behind all of them."""


@dataclass
class _Cache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    entries: OrderedDict[Any, Any] = field(default_factory=OrderedDict)

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        with _RENDERING:
            with self.lock:
                if key in self.entries:  # made by another request while this one waited
                    return self.entries[key]
            value = make()
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > CACHED_VERSIONS:
                self.entries.popitem(last=False)
        return value


class Library:
    """policygen for one workspace, with its renderer and the caches of the versions seen."""

    document_ids = DOCUMENT_IDS

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.languages = workspace.languages()  # read once, as the renderer reads the strings files once
        self._renderer = TemplateRenderer(workspace.template_search_path())
        self._words: dict[str, DocumentWords] = {}
        self._checked = _Cache()
        self._documents = _Cache()
        self._build_lock = threading.Lock()

    def document_words(self, lang: str) -> DocumentWords:
        """The names of choices and languages in `lang`'s strings file, for the form; none when that file, or
        another, cannot be read (the form's check then reports why, as `validate` does)."""
        if lang not in self._words:
            try:
                strings = self._renderer.strings(lang)
                names = {
                    other: strings.data["language_names"].get(other) or self._renderer.strings(other).name
                    for other in self.languages
                }
                choices = {section: strings.data[section] for section in CHOICE_STRINGS.values()}
                self._words[lang] = DocumentWords(choices, names)
            except PolicygenError:
                return DocumentWords()
        return self._words[lang]

    def profile_path(self, institution_id: str) -> Path:
        return self.workspace.institutions_dir / f"{institution_id}.yaml"

    def institution_ids(self) -> list[str]:
        return [path.stem for path in self.workspace.institution_files()]

    def display_name(self, message: str) -> str:
        """A message with the workspace's folder left out of the file names it gives."""
        return message.replace(f"{self.workspace.root}{os.sep}", "")

    def check_text(self, institution_id: str, text: str, language: str | None = None) -> Checked:
        """The text validated as the CLI validates the file: loaded, then every document made in each language
        (in `language` alone, if it is one of the profile's: the quick check while typing)."""
        digest = text_digest(text)
        loaded = self._checked.get(
            (institution_id, digest, self._bases_stamp()), lambda: self._load(institution_id, text)
        )
        if not isinstance(loaded, LoadedProfile):
            return Checked(digest, None, loaded)
        languages = [language] if language in loaded.profile.languages else list(loaded.profile.languages)
        return self._checked.get(
            (loaded.digest, digest, tuple(languages)), lambda: self._check(loaded, digest, languages)
        )

    def _load(self, institution_id: str, text: str) -> LoadedProfile | tuple[Diagnostic, ...]:
        try:
            return load_profile_text(text, self.profile_path(institution_id), self.workspace)
        except PolicygenError as error:
            return tuple(error.diagnostics())

    def _check(self, loaded: LoadedProfile, digest: str, languages: list[str]) -> Checked:
        problems: list[Diagnostic] = []
        for lang in languages:
            try:
                self._document_set(loaded, lang)
            except PolicygenError as error:
                problems += [diagnostic for diagnostic in error.diagnostics() if diagnostic not in problems]
        return Checked(digest, loaded, tuple(problems), loaded.warnings)

    def _document_set(self, loaded: LoadedProfile, lang: str) -> dict[str, Any]:
        return self._documents.get(
            (loaded.digest, lang), lambda: policygen.build_documents(self._renderer, loaded, lang)
        )

    def _bases_stamp(self) -> tuple:
        """What else a profile's validity depends on: its bases, as files that change on disk."""
        stamps = []
        for path in sorted(self.workspace.institutions_dir.glob("_*.yaml")):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def inherited(self, institution_id: str, extends: Any) -> dict[str, Any]:
        try:
            return load_inherited(extends, self.profile_path(institution_id), self.workspace)
        except PolicygenError:
            return {}

    def has_base(self, base_id: str) -> bool:
        return self.workspace.base_file(base_id) is not None

    def document_html(self, checked: Checked, doc_id: str, lang: str) -> str:
        """The document as print HTML (the PDF's), linking the packaged stylesheet under /assets/."""
        assert checked.loaded is not None
        document = self._document_set(checked.loaded, lang)[doc_id]
        html = policygen.HtmlWriter().render(document)
        return html.replace('href="css/', 'href="/assets/css/', 1)

    def draft_mark(self, checked: Checked, doc_id: str, lang: str) -> str:
        assert checked.loaded is not None
        return self._document_set(checked.loaded, lang)[doc_id].meta.draft_mark

    def document_title(self, checked: Checked, doc_id: str, lang: str) -> str:
        assert checked.loaded is not None
        return self._document_set(checked.loaded, lang)[doc_id].meta.title

    def clause_places(self, checked: Checked) -> list[str]:
        """Every clause of the set as <document>/<clause>, for the clause customisation's suggestions."""
        if checked.loaded is None:
            return []
        documents = self._document_set(checked.loaded, checked.loaded.profile.languages[0])
        return [f"{doc_id}/{clause.id}" for doc_id, document in documents.items() for clause in document.clauses()]

    def coverage(self, checked: Checked, doc_id: str, lang: str) -> Coverage:
        assert checked.loaded is not None
        documents = self._document_set(checked.loaded, lang)
        result = check_documents(documents, lang, checked.loaded.profile.is_education)
        name = self._renderer.strings(lang).data["coverage"]["elements"]
        required = [coverage for coverage in result.elements if coverage.required]
        in_document = [
            (place.number, name.get(coverage.element.id, coverage.element.id))
            for coverage in result.elements
            for place in coverage.clauses
            if place.document == doc_id
        ]
        return Coverage(
            len(required),
            sum(1 for coverage in required if coverage.covered),
            tuple(name.get(coverage.element.id, coverage.element.id) for coverage in result.missing_required),
            tuple(
                sorted(set(in_document), key=lambda item: [int(part) for part in item[0].split(".") if part.isdigit()])
            ),
            tuple(result.drafts),
        )

    def build_set(self, institution_id: str, on_progress: Callable[[int, int], None]) -> list[str]:
        """Build the saved profile's DOCX and PDF in its languages into the workspace's output folder, as
        `policygen build ID` does; the written or up-to-date files, relative to the output folder."""
        request = BuildRequest(out_dir=self.workspace.default_output_dir, jobs=policygen.default_jobs())
        with self._build_lock:
            report = build(
                self.workspace,
                [self.profile_path(institution_id)],
                request,
                lambda progress: on_progress(progress.done, progress.total),
            )
        outcome = report.outcomes[0]
        if outcome.failed:
            raise BuildFailed(outcome.diagnostics)
        return sorted(entry.path for entry in (*outcome.files, *outcome.unchanged))

    def write_zip(self, files: list[str], target: Path) -> None:
        """The built files, as in the output folder, in one zip; a file reached through a link is refused."""
        out = self.workspace.default_output_dir
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in files:
                path = out / name
                if any(part.is_symlink() for part in [path, *path.parents] if part.is_relative_to(out)):
                    raise BuildFailed([Diagnostic(name, "is a symbolic link inside the output folder")])
                archive.write(path, name)


class BuildFailed(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "build failed")
        self.diagnostics = diagnostics
