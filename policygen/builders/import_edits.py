"""`policygen import-edits`: a lawyer's Word edits to clauses, written into the profile's clause customisation."""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from policygen.check.notions import missing_notions
from policygen.errors import PolicygenError, TemplateError, WordFileError, WorkspaceError
from policygen.inputs.elements import required_elements
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.workspace import Workspace
from policygen.model import Clause, Document, inline_runs, plain_text, to_data
from policygen.output.atomic import write_atomically
from policygen.parse.docx_clauses import Segment, body_segments
from policygen.parse.docx_model import ReadClause, read_clause
from policygen.parse.docx_package import parse_part, read_docx, read_docx_bytes
from policygen.parse.docx_revisions import resolved
from policygen.parse.docx_xml import block_text, w
from policygen.parse.markdown import parse_clause_text
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import build_documents, render_documents
from policygen.sets.profile_values import edits_on_values, profile_values
from policygen.transforms.customise import customise
from policygen.writers import get_writer
from policygen.writers.anchors import clause_anchor
from policygen.writers.markdown_text import clause_markdown

PENDING_CHOICES = ("accept", "reject")
ANCHOR_HINT = (
    "import a DOCX that policygen built (its clauses carry bookmarks named like policy_C_scope) and edited in Word; "
    "Word keeps the bookmarks while you edit inside a clause"
)


@dataclass(frozen=True)
class ClauseEdit:
    """A clause whose text the lawyer changed: imported into the profile, or refused with the reason."""

    doc_id: str
    clause_id: str
    number: int
    title: str
    imported: bool
    message: str = ""
    hint: str = ""
    lost: tuple[str, ...] = ()  # formatting of the file the profile cannot keep


@dataclass
class ImportReport:
    """What import-edits found in the file and did to the profile."""

    profile_path: Path
    doc_id: str
    lang: str
    edits: list[ClauseEdit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def refused(self) -> list[ClauseEdit]:
        return [edit for edit in self.edits if not edit.imported]


def import_edits(
    workspace: Workspace, file: Path, profile: str, pending: str = "accept", dry_run: bool = False
) -> ImportReport:
    """Read FILE (its tracked changes accepted, or rejected), find each clause through its bookmark, and write the
    text of each clause the lawyer changed into the profile (`clauses.replace`, or the text of its own added
    clause) for the file's language. An edit that changes a profile value or removes a required element's
    notions is refused; the profile is written only if it still builds, atomically, comments and all."""
    if pending not in PENDING_CHOICES:
        raise WorkspaceError(f"--pending {pending!r} is not accept or reject", hint="--pending accept|reject")
    package = read_docx(file)
    body = resolved(package.document, accept=pending == "accept").find(w("body"))
    edited = {segment.key: segment for segment in body_segments(body)}
    if not any(segment.anchor for segment in edited.values()):
        raise WordFileError(str(file), "the file has no clause bookmarks, so its clauses cannot be found", ANCHOR_HINT)
    loaded = load_profile(workspace.resolve_profiles((profile,))[0], workspace)
    renderer = TemplateRenderer(workspace.template_search_path())
    lang = _language(package.parts, str(file), loaded, renderer)
    documents = build_documents(renderer, loaded, lang)
    doc_id = _document(edited, documents, str(file), loaded)
    document = documents[doc_id]
    built = {segment.key: segment for segment in body_segments(_built_body(document))}
    report = ImportReport(loaded.path, doc_id, lang)
    clause_ids = {clause_anchor(doc_id, clause.id): clause.id for clause in document.clauses()}
    titles = {clause.id: plain_text(clause.title) for clause in document.clauses()}
    reference = _reference_words(renderer, lang)
    values = list(profile_values(loaded.profile, lang))
    required = required_elements(loaded.profile.is_education)
    texts: dict[str, str] = {}
    for number, clause in enumerate(document.clauses(), start=1):
        anchor = clause_anchor(doc_id, clause.id)
        if anchor not in edited:
            report.notes.append(
                f"{doc_id}/{clause.id} ({number}. {titles[clause.id]}) is not in the file: deleted in Word? It is "
                f"kept; to switch it off, add {doc_id}/{clause.id} to clauses.disable in the profile"
            )
            continue
        before = read_clause(built[anchor].blocks, clause_ids, reference, titles)
        after = read_clause(edited[anchor].blocks, clause_ids, reference, titles)
        if after.title != before.title:
            report.notes.append(f"{doc_id}/{clause.id}: the title's change is not imported (titles are kept)")
        if to_data(after.blocks) == to_data(before.blocks):
            continue
        edit = _checked_edit(doc_id, number, clause, before, after, lang, values, required)
        report.edits.append(edit)
        if edit.imported:
            texts[clause.id] = clause_markdown(after.blocks)
    _note_edits_outside_clauses(report, built, edited)
    if texts and not dry_run:
        _write_profile(workspace, loaded, renderer, doc_id, lang, texts)
        report.written = True
    return report


def _language(parts: dict[str, bytes], name: str, loaded: LoadedProfile, renderer: TemplateRenderer) -> str:
    core = parts.get("docProps/core.xml")
    found = (
        None
        if core is None
        else parse_part(name, "docProps/core.xml", core).find("{http://purl.org/dc/elements/1.1/}language")
    )
    tag = (found.text or "").strip() if found is not None else ""
    for lang in loaded.profile.languages:
        if renderer.strings(lang).tag.lower() == tag.lower():
            return lang
    raise WordFileError(
        name,
        f"the file's language {tag or '(none)'} is none of {loaded.profile.id}'s: "
        f"{', '.join(loaded.profile.languages)}",
        hint="import a file that policygen built for this institution",
    )


def _document(edited: dict[str, Segment], documents: dict[str, Document], name: str, loaded: LoadedProfile) -> str:
    anchors = {segment.anchor for segment in edited.values() if segment.anchor}
    overlaps = {
        doc_id: len(anchors & {clause_anchor(doc_id, clause.id) for clause in document.clauses()})
        for doc_id, document in documents.items()
    }
    doc_id = max(overlaps, key=lambda known: overlaps[known])
    if not overlaps[doc_id]:
        raise WordFileError(
            name, f"none of the file's clause bookmarks belongs to a document of {loaded.profile.id}", ANCHOR_HINT
        )
    return doc_id


def _built_body(document: Document):
    package = read_docx_bytes(document.meta.doc_id, _docx(document))
    return package.document.find(w("body"))


def _reference_words(renderer: TemplateRenderer, lang: str) -> tuple[str, str] | None:
    """The words before and after the number in a reference to a clause of the same document."""
    form = renderer.strings(lang).data["references"]["clause"]
    before, _, after = form.partition("{number}")
    return None if "{title}" in before else (before, after)


def _checked_edit(
    doc_id: str,
    number: int,
    clause: Clause,
    before: ReadClause,
    after: ReadClause,
    lang: str,
    values: list[tuple[str, str]],
    required: frozenset[str],
) -> ClauseEdit:
    place = (doc_id, clause.id, number, before.title)
    lost = tuple(sorted(after.lost))
    old_text = "\n".join(_texts(before))
    new_text = "\n".join(_texts(after))
    on_values = edits_on_values(old_text, new_text, values)
    if on_values:
        keys = ", ".join(f"{edit.key} ({edit.value!r})" for edit in on_values)
        return ClauseEdit(
            *place,
            imported=False,
            message=f"the edit changes what the profile's {keys} prints",
            hint=f"change {', '.join(edit.key for edit in on_values)} in the profile instead; "
            "every document that prints it follows",
            lost=lost,
        )
    try:
        parse_clause_text(clause_markdown(after.blocks), f"{doc_id}/{clause.id}")
    except TemplateError as error:
        return ClauseEdit(*place, imported=False, message=error.message, hint=error.hint, lost=lost)
    candidate = Clause(clause.id, clause.covers, clause.title, after.blocks)
    unexpressed = [
        element for element in clause.covers if element in required and missing_notions(candidate, element, lang)
    ]
    if unexpressed:
        return ClauseEdit(
            *place,
            imported=False,
            message=f"the new text no longer expresses the required element(s) {', '.join(unexpressed)}",
            hint="keep what the element requires in the clause (see `policygen check`), then import again",
            lost=lost,
        )
    return ClauseEdit(*place, imported=True, lost=lost)


def _texts(clause: ReadClause) -> list[str]:
    return [plain_text(run) for run in inline_runs(clause.blocks)]


def _note_edits_outside_clauses(report: ImportReport, built: dict[str, Segment], edited: dict[str, Segment]) -> None:
    for key, segment in edited.items():
        if segment.anchor:
            continue
        original = built.get(key)
        before = [block_text(block) for block in original.blocks] if original else []
        if [block_text(block) for block in segment.blocks] != before:
            where = key.removeprefix("after:") or "the start"
            report.notes.append(
                f"text outside the clauses (after {where}) changed and is not imported: it comes from the "
                "templates or the profile's values"
            )
    for key, segment in edited.items():
        if segment.anchor and key not in built:
            report.notes.append(f"the file's clause {key} is not in the document as built; it is not imported")


# Writing the profile ----------------------------------------------------------------------------------------


def _round_trip() -> YAML:
    """ruamel's round-trip YAML, which makes only mappings, lists and scalars (never Python objects), and keeps
    comments and layout; the profile it rewrites was first read through the strict loader."""
    round_trip = YAML(typ="rt")
    round_trip.preserve_quotes = True
    round_trip.width = 4096
    round_trip.indent(mapping=2, sequence=4, offset=2)
    return round_trip


def _text_value(markdown: str) -> str:
    text = markdown.strip("\n")
    return LiteralScalarString(text + "\n") if "\n" in text else text


def _write_profile(
    workspace: Workspace,
    loaded: LoadedProfile,
    renderer: TemplateRenderer,
    doc_id: str,
    lang: str,
    texts: dict[str, str],
) -> None:
    """The clause texts written into the profile file by a round trip that keeps everything else byte for byte;
    refused (nothing written) when the file cannot be kept so, or when the profile would not build."""
    path = loaded.path
    source = path.read_text(encoding="utf-8")
    round_trip = _round_trip()
    data = round_trip.load(source)
    kept = io.StringIO()
    round_trip.dump(data, kept)
    if kept.getvalue() != source:
        raise WorkspaceError(
            f"{path}: the file's layout (indentation, quoting or line breaks) cannot be kept when it is rewritten",
            hint="indent mappings by 2 and list items by 2 (`  - `), as the examples do, then import again",
        )
    clauses = data.get("clauses")
    if clauses is None:
        clauses = data["clauses"] = CommentedMap()
    own = {
        entry["id"]: entry for entry in clauses.get("add", []) if str(entry.get("after", "")).startswith(f"{doc_id}/")
    }
    replaced = {str(entry["clause"]): entry for entry in clauses.get("replace", [])}
    others: dict[str, dict[str, Clause]] = {}
    for clause_id, markdown in texts.items():
        entry = own.get(clause_id) or replaced.get(f"{doc_id}/{clause_id}")
        if entry is not None:
            entry["text"][lang] = _text_value(markdown)
            continue
        text = CommentedMap()
        for other in loaded.profile.languages:
            if other == lang:
                text[other] = _text_value(markdown)
                continue
            if other not in others:
                unresolved = customise(render_documents(renderer, loaded, other), loaded, other)[doc_id]
                others[other] = {clause.id: clause for clause in unresolved.clauses()}
            text[other] = _text_value(clause_markdown(others[other][clause_id].blocks))
        if "replace" not in clauses:
            clauses["replace"] = CommentedSeq()
        clauses["replace"].append(CommentedMap([("clause", f"{doc_id}/{clause_id}"), ("text", text)]))
    output = io.StringIO()
    round_trip.dump(data, output)
    _check_builds(workspace, loaded, renderer, output.getvalue())
    write_atomically(path.parent, path.name, output.getvalue().encode("utf-8"))


def _check_builds(workspace: Workspace, loaded: LoadedProfile, renderer: TemplateRenderer, text: str) -> None:
    """Load the new profile beside a copy of its bases, and make its documents in every language."""
    with tempfile.TemporaryDirectory(prefix="policygen-import-") as folder:
        trial = Workspace(Path(folder))
        shutil.copytree(workspace.institutions_dir, trial.institutions_dir, symlinks=False)
        trial_path = trial.institutions_dir / loaded.path.name
        trial_path.write_text(text, encoding="utf-8")
        try:
            trial_loaded = load_profile(trial_path, trial)
            for lang in trial_loaded.profile.languages:
                build_documents(renderer, trial_loaded, lang)
        except PolicygenError as error:
            problems = "; ".join(diagnostic.message for diagnostic in error.diagnostics())
            raise WorkspaceError(
                f"{loaded.path}: the profile with the imported clauses would not build: {problems}",
                hint="nothing was written; fix the edit in Word, or the profile, and import again",
            ) from None


def _docx(document: Document) -> bytes:
    """A document as DOCX, the writer imported on first use (so that `validate` never loads python-docx)."""
    data = get_writer("docx").render(document)
    assert isinstance(data, bytes)
    return data
