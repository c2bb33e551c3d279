"""Reads a survey export (CSV or XLSX) into rows of the columns a codebook names; nothing else is kept."""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from policygen.errors import ProfileError
from policygen.limits import MAX_SURVEY_BYTES, MAX_SURVEY_COLUMNS, MAX_SURVEY_ROWS, MAX_SURVEY_UNPACKED_BYTES

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_UTF16_OR_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SAVE_AS_CSV = "save it from the spreadsheet as CSV (UTF-8 or Windows-1251) or as an Excel workbook (.xlsx)"


@dataclass(frozen=True)
class SurveyRow:
    """One respondent: the line (CSV) or row (XLSX) it is on, and its values of the wanted columns, stripped."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class SurveyTable:
    """The wanted columns of every respondent, and how the file was read."""

    file: str
    rows: tuple[SurveyRow, ...]
    columns: dict[str, int]  # wanted column -> its 1-based position in the file
    read_as: str  # e.g. "CSV, Windows-1251, semicolon-separated"


def read_survey(path: Path, wanted: list[str], sheet: str | None = None) -> SurveyTable:
    """The rows of a CSV or XLSX survey export, keeping only the `wanted` columns; raises ProfileError naming the
    file, row and column of the first problem: a missing column, a malformed row, an unreadable file."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(_bounded_bytes(path, file), file, wanted, sheet)
    if sheet is not None:
        raise ProfileError.single(file, "a sheet is named, but the file is CSV", hint="remove `sheet:`")
    if suffix in CSV_SUFFIXES:
        return _read_csv(_bounded_bytes(path, file), file, wanted)
    hint = _SAVE_AS_CSV if suffix in (".xls", ".ods") else "give a .csv or an .xlsx file"
    raise ProfileError.single(file, f"cannot read {suffix or 'a file without suffix'} files", hint=hint)


def _bounded_bytes(path: Path, file: str) -> bytes:
    """The file's bytes; only a regular file within MAX_SURVEY_BYTES is read (a pipe would block forever)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise ProfileError.single(
            file, f"cannot read the file: {error.strerror or error}", hint="check the path, relative to the submission"
        ) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ProfileError.single(file, "is not a regular file", hint="name the exported file itself")
        data = stream.read(MAX_SURVEY_BYTES + 1)
    if len(data) > MAX_SURVEY_BYTES:
        raise ProfileError.single(
            file,
            f"the file is larger than {MAX_SURVEY_BYTES // 1024**2} MiB",
            hint="export only the columns the codebook names",
        )
    return data


def _decoded(data: bytes, file: str) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (with or without a byte order mark), else Windows-1251."""
    if data.startswith(_UTF16_OR_32_BOMS) or b"\x00" in data:
        raise ProfileError.single(file, "the file is UTF-16, UTF-32 or binary, not CSV text", hint=_SAVE_AS_CSV)
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        if data.startswith(codecs.BOM_UTF8):  # marked as UTF-8, yet not UTF-8
            line = data[: error.start + len(codecs.BOM_UTF8)].count(b"\n") + 1
            raise ProfileError.single(
                file,
                f"the file is marked as UTF-8 but is not (byte 0x{data[error.start + 3]:02X})",
                line=line,
                hint=_SAVE_AS_CSV,
            ) from None
    try:
        return data.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError as error:
        raise ProfileError.single(
            file, f"the file is neither UTF-8 nor Windows-1251 (byte 0x{data[error.start]:02X})", hint=_SAVE_AS_CSV
        ) from None


def _separator(header: str, file: str, wanted: list[str]) -> str:
    """The separator of the header line: the only one of comma, semicolon and tab it holds outside quotes, or the
    only one that splits it into every wanted column; anything else is an error, never a guess."""
    present = [sep for sep in SEPARATORS if len(next(csv.reader([header], delimiter=sep))) > 1]
    if len(present) > 1:
        fitting = [sep for sep in present if set(wanted) <= {cell.strip() for cell in _split(header, sep)}]
        present = fitting if len(fitting) == 1 else present
    if len(present) == 1:
        return present[0]
    names = " and ".join(SEPARATORS[sep] for sep in present) or "no comma, semicolon or tab"
    raise ProfileError.single(
        file,
        f"cannot tell which separator the file uses: its header line holds {names}",
        line=1,
        hint="save the file with one separator (comma, semicolon or tab) and quote any column name that holds "
        "another, or check that the first line is the header",
    )


def _split(line: str, separator: str) -> list[str]:
    return next(csv.reader([line], delimiter=separator))


def _read_csv(data: bytes, file: str, wanted: list[str]) -> SurveyTable:
    text, encoding = _decoded(data, file)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    separator = _separator(header_line, file, wanted)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    rows: list[SurveyRow] = []
    columns: dict[str, int] = {}
    width = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ProfileError.single(
                file, f"malformed row: {error}", line=line, hint="check the quotes on this line of the export"
            ) from None
        if not columns:
            columns, width = _header(cells, file, wanted, line)
            continue
        if not any(cell.strip() for cell in cells):
            continue  # an empty line, as spreadsheets leave at the end
        if len(cells) != width:
            raise ProfileError.single(
                file,
                f"malformed row: {len(cells)} fields where the header has {width}",
                line=line,
                column=min(len(cells), width) + 1,
                hint="a field holding the separator must be quoted; check this row in the export",
            )
        rows.append(SurveyRow(line, {name: cells[index - 1].strip() for name, index in columns.items()}))
        _check_row_count(rows, file, line)
    if not columns:
        raise ProfileError.single(file, "the file is empty", hint="export the survey with its header line")
    read_as = f"CSV, {encoding}, {SEPARATORS[separator]}-separated"
    return SurveyTable(file, tuple(rows), columns, read_as)


def _header(cells: list[str], file: str, wanted: list[str], line: int) -> tuple[dict[str, int], int]:
    """Each wanted column's 1-based position in the header row, and the header's width."""
    names = [str(cell).strip() if cell is not None else "" for cell in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_SURVEY_COLUMNS:
        raise ProfileError.single(
            file,
            f"the header has {len(names)} columns, more than the {MAX_SURVEY_COLUMNS} a survey may have",
            line=line,
            hint="export only the survey's columns",
        )
    positions: dict[str, int] = {}
    for name in wanted:
        found = [index for index, cell in enumerate(names, start=1) if cell == name]
        if not found:
            raise ProfileError.single(
                file,
                f"no column {name!r}, which the codebook names",
                line=line,
                key_path=name,
                hint=f"the header's columns are: {', '.join(repr(cell) for cell in names[:30])}",
            )
        if len(found) > 1:
            raise ProfileError.single(
                file,
                f"column {name!r} appears {len(found)} times in the header",
                line=line,
                column=found[1],
                key_path=name,
                hint="rename the repeated column so that each name is unique",
            )
        positions[name] = found[0]
    return positions, len(names)


def _check_row_count(rows: list[SurveyRow], file: str, line: int) -> None:
    if len(rows) > MAX_SURVEY_ROWS:
        raise ProfileError.single(
            file,
            f"more than {MAX_SURVEY_ROWS:,} rows",
            line=line,
            hint="a survey of this size is beyond what the note is made from; split or sample the export",
        )


def _read_xlsx(data: bytes, file: str, wanted: list[str], sheet: str | None) -> SurveyTable:
    _refuse_unpacking_beyond_bounds(data, file)
    with warnings.catch_warnings():  # openpyxl warns of the form tools' extensions it does not read, cell by cell
        warnings.simplefilter("ignore")
        return _read_workbook(data, file, wanted, sheet)


def _refuse_unpacking_beyond_bounds(data: bytes, file: str) -> None:
    """A workbook is a zip: one that unpacks to more than MAX_SURVEY_UNPACKED_BYTES is refused before reading."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise ProfileError.single(file, "is not a readable Excel workbook (not a zip)", hint=_SAVE_AS_CSV) from None
    if unpacked > MAX_SURVEY_UNPACKED_BYTES:
        raise ProfileError.single(
            file,
            f"the workbook unpacks to more than {MAX_SURVEY_UNPACKED_BYTES // 1024**2} MiB",
            hint="export only the survey's sheet and columns, or save it as CSV",
        )


def _read_workbook(data: bytes, file: str, wanted: list[str], sheet: str | None) -> SurveyTable:
    import openpyxl  # here: only an Excel export needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ProfileError.single(
            file, f"is not a readable Excel workbook ({type(error).__name__})", hint=_SAVE_AS_CSV
        ) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ProfileError.single(
                file, f"no sheet {sheet!r}", hint=f"the workbook's sheets are: {', '.join(workbook.sheetnames)}"
            )
        rows: list[SurveyRow] = []
        columns: dict[str, int] = {}
        width = 0
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if not columns:
                columns, width = _header(list(cells), file, wanted, number)
                continue
            values = [_cell_text(cell) for cell in cells]
            if not any(values):
                continue
            extra = [index for index, value in enumerate(values, start=1) if index > width and value]
            if extra:
                raise ProfileError.single(
                    file,
                    f"malformed row: a value in column {extra[0]}, beyond the header's {width} columns",
                    line=number,
                    column=extra[0],
                    hint="give the column a name in the header row, or clear the cell",
                )
            values += [""] * (width - len(values))
            rows.append(SurveyRow(number, {name: values[index - 1] for name, index in columns.items()}))
            _check_row_count(rows, file, number)
    finally:
        workbook.close()
    if not columns:
        raise ProfileError.single(file, "the sheet is empty", hint="export the survey with its header row")
    return SurveyTable(file, tuple(rows), columns, f"Excel workbook, sheet {worksheet.title!r}")


def _cell_text(value: object) -> str:
    """A cell as the codebook writes it: a whole number without '.0', text stripped, an empty cell blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
