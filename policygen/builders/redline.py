"""`policygen redline OLD NEW -o OUT`: read two DOCX files, write their redline as DOCX or PDF."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from policygen.errors import WorkspaceError
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.workspace import Workspace
from policygen.model import Document
from policygen.output.atomic import write_atomically
from policygen.output.editions import edition_path, editions_of
from policygen.parse.docx_package import WordPackage, parse_part, read_docx, read_docx_bytes
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.departures import compare_with_model
from policygen.writers import get_writer
from policygen.writers.anchors import clause_anchor
from policygen.writers.redline import ClauseChange, Redline, redline

DEFAULT_AUTHOR = "redline"
REDLINE_SUFFIXES = (".docx", ".pdf")
CORE_PROPERTIES = "docProps/core.xml"
_MODIFIED = "{http://purl.org/dc/terms/}modified"


@dataclass(frozen=True)
class RedlineReport:
    """What `redline` wrote: the file, and the clauses the new version adds, removes or changes."""

    output: Path
    changes: tuple[ClauseChange, ...]


def redline_date(new: WordPackage) -> dt.datetime:
    """The date of every tracked change: SOURCE_DATE_EPOCH when set (reproducible builds), else the new file's
    modification date (a build's fixed date), else 1 January 1980."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise WorkspaceError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", hint="set it to e.g. 1767225600, or unset it"
            )
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    core = new.parts.get(CORE_PROPERTIES)
    modified = None if core is None else parse_part(new.name, CORE_PROPERTIES, core).find(_MODIFIED)
    if modified is not None and modified.text:
        try:
            return dt.datetime.fromisoformat(modified.text.strip().replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            pass  # a date Word cannot have written; the fixed date below is as reproducible
    return dt.datetime(1980, 1, 1)


def write_redline(
    old: Path, new: Path, output: Path, author: str = DEFAULT_AUTHOR, date: dt.datetime | None = None
) -> RedlineReport:
    """Compare OLD with NEW and write the redline to OUTPUT: a DOCX with tracked changes, or (for a .pdf) a PDF
    that shows them, opening with a table of the clauses changed."""
    _check_request(output, author)
    old_package, new_package = read_docx(old), read_docx(new)
    result = redline(old_package, new_package, author, date or redline_date(new_package))
    return _write(result, new_package, str(old), str(new), output)


def redline_against_model(
    workspace: Workspace,
    profile: str,
    doc_id: str,
    lang: str,
    output: Path,
    author: str = DEFAULT_AUTHOR,
    date: dt.datetime | None = None,
) -> RedlineReport:
    """The redline from the model's text with the institution's values to its document: its customised clauses
    (listed as the changes, also in the PDF's table), and what follows from them, such as renumbering."""
    _check_request(output, author)
    loaded = _loaded_profile(workspace, profile, lang)
    comparison = compare_with_model(TemplateRenderer(workspace.template_search_path()), loaded, lang)
    model_docx, own_docx = (_docx(documents[doc_id]) for documents in (comparison.model, comparison.institution))
    model_label, own_label = f"model/{lang}/{doc_id}", f"{loaded.profile.id}/{lang}/{doc_id}"
    model_package, own_package = read_docx_bytes(model_label, model_docx), read_docx_bytes(own_label, own_docx)
    result = redline(model_package, own_package, author, date or redline_date(own_package))
    changes = tuple(
        ClauseChange(clause_anchor(doc_id, departure.clause_id), departure.number, departure.title, departure.kind)
        for departure in comparison.departures
        if departure.doc_id == doc_id
    )
    return _write(replace(result, changes=changes), own_package, model_label, own_label, output)


def redline_from_edition(
    workspace: Workspace,
    out_dir: Path,
    profile: str,
    doc_id: str,
    lang: str,
    edition: str,
    output: Path,
    author: str = DEFAULT_AUTHOR,
    date: dt.datetime | None = None,
) -> RedlineReport:
    """The redline from an edition kept in the output folder to the document as last built."""
    loaded = _loaded_profile(workspace, profile, lang)
    current = f"{loaded.profile.id}/{lang}/{doc_id}.docx"
    if not (out_dir / current).is_file():
        raise WorkspaceError(
            f"{out_dir / current} has not been built",
            hint=f"build it first: policygen build {loaded.profile.id} --doc {doc_id} --lang {lang}",
        )
    known = editions_of(out_dir, current)
    if edition not in known:
        listed = ", ".join(known) if known else "none yet (a build that changes the document keeps the previous file)"
        raise WorkspaceError(f"{current} has no edition {edition!r}", hint=f"its editions: {listed}")
    return write_redline(out_dir / edition_path(current, edition), out_dir / current, output, author, date)


def _loaded_profile(workspace: Workspace, profile: str, lang: str) -> LoadedProfile:
    paths = workspace.resolve_profiles((profile,))
    loaded = load_profile(paths[0], workspace)
    if lang not in loaded.profile.languages:
        raise WorkspaceError(
            f"{loaded.profile.id} has no documents in {lang!r}",
            hint=f"its languages: {', '.join(loaded.profile.languages)}",
        )
    return loaded


def _check_request(output: Path, author: str) -> None:
    if output.suffix.lower() not in REDLINE_SUFFIXES:
        raise WorkspaceError(
            f"{output}: the redline is written as .docx or .pdf, not {output.suffix or 'a file without suffix'}",
            hint="name the output file OUT.docx (tracked changes for Word) or OUT.pdf (to read and print)",
        )
    if not author.strip() or len(author) > 255:
        raise WorkspaceError("the author of the changes must be 1 to 255 characters", hint="e.g. --author 'Union'")
    if not output.parent.is_dir():
        raise WorkspaceError(f"{output}: the folder to write the redline in does not exist", hint="create it first")


def _write(result: Redline, new_package: WordPackage, old_label: str, new_label: str, output: Path) -> RedlineReport:
    if output.suffix.lower() == ".pdf":
        from policygen.sets.redline_document import redline_pdf

        data = redline_pdf(result, new_package, old_label, new_label)
    else:
        data = result.docx
    write_atomically(output.parent, output.name, data)
    return RedlineReport(output, result.changes)


def _docx(document: Document) -> bytes:
    """A document as DOCX, the writer imported on first use (so that `validate` never loads python-docx)."""
    data = get_writer("docx").render(document)
    assert isinstance(data, bytes)
    return data
