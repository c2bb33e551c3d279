"""Writes a legal translator's review sheet, rendered in a memory-bounded worker."""

from __future__ import annotations

from pathlib import Path

from policygen.builders.workers import run_bounded
from policygen.inputs.workspace import Workspace
from policygen.output.atomic import write_files
from policygen.sets.review_sheet import review_sheet, review_sheet_docx


def write_review_sheet(workspace: Workspace, doc_id: str, target: Path) -> None:
    """Write the review sheet of `doc_id` to `target` as DOCX (atomically), rendered in a memory-bounded worker."""
    data = run_bounded(_review_sheet_bytes, workspace, doc_id)
    write_files(target.parent, [(target.name, data)])


def _review_sheet_bytes(workspace: Workspace, doc_id: str) -> bytes:
    return review_sheet_docx(review_sheet(workspace, doc_id))
