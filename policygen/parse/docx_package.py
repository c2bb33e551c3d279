"""Opens a DOCX someone else sent, refusing what is not a plain Word document: macros, external links, bombs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from policygen.errors import WordFileError

MAX_DOCX_BYTES = 50 * 1024**2
"""The size of a DOCX file as sent; a long policy is about 60 KB."""
MAX_UNCOMPRESSED_BYTES = 200 * 1024**2
"""All its parts together, uncompressed: past this a small file is a zip bomb."""
MAX_PARTS = 1000
"""Parts in the package; a document of ours has about 15."""
DOCUMENT_PART = "word/document.xml"
MACRO_CONTENT = "macroEnabled"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_HINT = "save the file in Word as a plain Word Document (.docx) and try again"


@dataclass
class WordPackage:
    """The parts of a DOCX (name -> bytes), its main document parsed."""

    name: str
    parts: dict[str, bytes]
    document: etree._Element

    def with_document(self, document: etree._Element) -> bytes:
        """The package with its main document replaced, as DOCX bytes."""
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                if name == DOCUMENT_PART:
                    data = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        return output.getvalue()


def read_docx(path: Path) -> WordPackage:
    """The package of the DOCX at `path`, or a WordFileError in one line naming what was refused."""
    name = str(path)
    if path.suffix.lower() == ".docm":
        raise WordFileError(name, "a macro-enabled Word file (.docm) is refused", hint=_HINT)
    try:
        size = path.stat().st_size
        if size > MAX_DOCX_BYTES:
            raise WordFileError(name, f"the file is {size:,} bytes, more than {MAX_DOCX_BYTES:,}", hint=_HINT)
        data = path.read_bytes()
    except OSError as error:
        raise WordFileError(name, f"cannot read the file: {error.strerror}", hint="check the path") from None
    return read_docx_bytes(name, data)


def read_docx_bytes(name: str, data: bytes) -> WordPackage:
    """The package of DOCX bytes named `name` in messages; refused as read_docx refuses a file."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WordFileError(name, "not a Word document (a DOCX is a zip package)", hint=_HINT)
    parts = _parts(name, data)
    for part, content in parts.items():
        if part.endswith((".xml", ".rels")):
            tree = parse_part(name, part, content)
            if part.endswith(".rels") and any(
                rel.get("TargetMode") == "External" for rel in tree.iter("{*}Relationship")
            ):
                raise WordFileError(
                    name, f"{part} links to an outside resource, which policygen does not follow", hint=_HINT
                )
    if MACRO_CONTENT in parts.get("[Content_Types].xml", b"").decode("utf-8", "replace") or any(
        part.lower().endswith("vbaproject.bin") for part in parts
    ):
        raise WordFileError(name, "the document holds macros, which policygen refuses", hint=_HINT)
    if DOCUMENT_PART not in parts:
        raise WordFileError(name, f"not a Word document: it has no {DOCUMENT_PART}", hint=_HINT)
    return WordPackage(name, parts, parse_part(name, DOCUMENT_PART, parts[DOCUMENT_PART]))


def _parts(name: str, data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_PARTS:
                raise WordFileError(name, f"the package has {len(entries):,} parts, more than {MAX_PARTS}", hint=_HINT)
            declared = sum(entry.file_size for entry in entries)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise WordFileError(
                    name, f"the package unpacks to {declared:,} bytes, more than {MAX_UNCOMPRESSED_BYTES:,}", hint=_HINT
                )
            parts: dict[str, bytes] = {}
            total = 0
            for entry in entries:
                if entry.filename in parts:
                    raise WordFileError(name, f"the package holds {entry.filename} twice", hint=_HINT)
                with archive.open(entry) as stream:
                    content = stream.read(MAX_UNCOMPRESSED_BYTES - total + 1)  # a lying size header stops here
                total += len(content)
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise WordFileError(
                        name, f"the package unpacks to more than {MAX_UNCOMPRESSED_BYTES:,} bytes", hint=_HINT
                    )
                parts[entry.filename] = content
            return parts
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as error:
        raise WordFileError(name, f"the package is damaged: {error}", hint=_HINT) from None


def parse_part(name: str, part: str, content: bytes) -> etree._Element:
    """A part's XML; a document type declaration (where entities, and entity bombs, are declared) is refused."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise WordFileError(name, f"{part} declares a document type or entities, which policygen refuses", hint=_HINT)
    try:
        return etree.fromstring(content, _XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise WordFileError(name, f"{part} is not well-formed XML: {error}", hint=_HINT) from None
