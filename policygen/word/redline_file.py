"""`policygen redline OLD NEW -o OUT`: read two DOCX files, write their redline as DOCX or PDF."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from policygen.errors import WordFileError, WorkspaceError
from policygen.output.atomic import write_atomically
from policygen.word.package import WordPackage, parse_part, read_docx
from policygen.word.redline import ClauseChange, redline

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
    suffix = output.suffix.lower()
    if suffix not in REDLINE_SUFFIXES:
        raise WorkspaceError(
            f"{output}: the redline is written as .docx or .pdf, not {output.suffix or 'a file without suffix'}",
            hint="name the output file OUT.docx (tracked changes for Word) or OUT.pdf (to read and print)",
        )
    if not author.strip() or len(author) > 255:
        raise WorkspaceError("the author of the changes must be 1 to 255 characters", hint="e.g. --author 'Union'")
    old_package, new_package = read_docx(old), read_docx(new)
    result = redline(old_package, new_package, author, date or redline_date(new_package))
    if suffix == ".pdf":
        from policygen.word.redline_pdf import redline_pdf

        data = redline_pdf(result, new_package, old, new)
    else:
        data = result.docx
    if not output.parent.is_dir():
        raise WordFileError(str(output), "the folder to write the redline in does not exist", hint="create it first")
    write_atomically(output.parent, output.name, data)
    return RedlineReport(output, result.changes)
