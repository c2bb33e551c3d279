"""The table of writers: each turns a Document into the bytes of one output format."""

from __future__ import annotations

import importlib
from typing import Protocol

from policygen.model import Document


class Writer(Protocol):
    name: str
    suffix: str

    def render(self, document: Document) -> bytes | str: ...


# name -> (module, class, suffix); imported on first use so that commands not writing PDF never import weasyprint
_WRITERS = {
    "docx": ("policygen.writers.docx", "DocxWriter", ".docx"),
    "pdf": ("policygen.writers.pdf", "PdfWriter", ".pdf"),
    "html": ("policygen.writers.html", "HtmlWriter", ".html"),
}

FORMATS = ("docx", "pdf")
"""The formats `policygen build` writes; html is an intermediate of pdf, available to the API."""


def get_writer(name: str) -> Writer:
    """The writer registered under a format name."""
    module_name, class_name, _ = _known(name)
    return getattr(importlib.import_module(module_name), class_name)()


def get_writer_suffix(name: str) -> str:
    """The file suffix of a format, without importing its writer."""
    return _known(name)[2]


def _known(name: str) -> tuple[str, str, str]:
    try:
        return _WRITERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(sorted(_WRITERS))}") from None
