"""Puts the pictures the program draws in their places: each `::: figure <name>` becomes a Figure."""

from __future__ import annotations

from policygen.errors import TemplateError, quoted
from policygen.model import Document, Figure, FigurePlace, Transformer


def with_figures(document: Document, figures: dict[str, tuple[bytes, float]]) -> Document:
    """The document with each figure place replaced by its picture (PNG bytes, width in cm)."""
    return _Figures(document.meta.doc_id, figures).transform(document)


class _Figures(Transformer):
    def __init__(self, doc_id: str, figures: dict[str, tuple[bytes, float]]) -> None:
        self.doc_id = doc_id
        self.figures = figures

    def transform_FigurePlace(self, place: FigurePlace) -> Figure:
        if place.name not in self.figures:
            raise TemplateError(
                self.doc_id,
                f"no picture named {quoted(place.name)} for this document",
                hint=f"pictures available: {', '.join(self.figures) or 'none'}",
            )
        data, width_cm = self.figures[place.name]
        return Figure(place.name, data, "image/png", width_cm, place.caption)
