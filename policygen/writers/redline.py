"""Two versions of a DOCX as one with Word tracked changes: clause by clause through the anchors, then word by word."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml import etree

from policygen.parse.docx_clauses import Segment, body_segments
from policygen.parse.docx_package import WordPackage
from policygen.parse.docx_revisions import resolved
from policygen.parse.docx_xml import (
    BOOKMARK_END,
    BOOKMARK_START,
    DEL,
    DEL_INSTR_TEXT,
    DEL_TEXT,
    INS,
    INSTR_TEXT,
    PPR,
    RPR,
    SECTPR,
    TBL,
    TC,
    TR,
    TRPR,
    P,
    R,
    T,
    block_text,
    element,
    style_of,
    w,
)

WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
FIRST_REVISION_ID = 100_000  # above the bookmark ids of our documents, which share the same space of ids
BODY = w("body")
NUM_PR, NUM_ID = w("numPr"), w("numId")


@dataclass(frozen=True)
class ClauseChange:
    """A clause that the redline changes: its number and title (in the new version, or the old when removed)."""

    anchor: str
    number: int
    title: str
    kind: str  # "added", "removed" or "changed"


@dataclass(frozen=True)
class Redline:
    """The redline DOCX and the clauses it changes, in document order."""

    docx: bytes
    changes: tuple[ClauseChange, ...]
    document: etree._Element


@dataclass(frozen=True)
class _Atom:
    """A word, a space, or an element of a run that is not text (a tab, a break, a field's code), with the
    formatting of its run; or an element beside the runs (a bookmark), kept whole."""

    key: tuple
    element: etree._Element | None  # a run's non-text child, or a paragraph-level element
    text: str
    run_properties: etree._Element | None
    in_run: bool
    in_field_result: bool = False  # the shown result of a field, such as a REF's clause number


class _Marks:
    """Makes the w:ins and w:del wrappers, each with a new id and the same author and date."""

    def __init__(self, author: str, date: dt.datetime) -> None:
        self.attributes = {w("author"): author, w("date"): date.strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.next_id = FIRST_REVISION_ID
        self.substantive = False  # set by a change that is more than a field's result (a renumbered reference)

    def make(self, tag: str) -> etree._Element:
        made = element(tag, {w("id"): str(self.next_id), **self.attributes})
        self.next_id += 1
        return made


def redline(old: WordPackage, new: WordPackage, author: str, date: dt.datetime) -> Redline:
    """NEW's package with its body replaced by OLD's and NEW's text as tracked changes: accepting every change
    gives NEW's text, rejecting every one OLD's. Tracked changes already in either file count as accepted."""
    old_body = resolved(old.document, accept=True).find(BODY)
    new_document = resolved(new.document, accept=True)
    new_body = new_document.find(BODY)
    marks = _Marks(author, date)
    numbering_ids = _numbering_ids(new)
    old_segments, new_segments = body_segments(old_body), body_segments(new_body)
    blocks: list[etree._Element] = []
    changes: list[ClauseChange] = []
    numbers = _clause_numbers(new_segments)
    old_numbers = _clause_numbers(old_segments)
    matcher = SequenceMatcher(None, [s.key for s in old_segments], [s.key for s in new_segments], autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for old_segment, new_segment in zip(
                old_segments[old_start:old_end], new_segments[new_start:new_end], strict=True
            ):
                marks.substantive = False
                blocks.extend(_compare_blocks(old_segment.blocks, new_segment.blocks, marks, numbering_ids))
                if new_segment.anchor and marks.substantive:
                    changes.append(_change(new_segment, numbers, "changed"))
            continue
        for old_segment in old_segments[old_start:old_end]:
            blocks.extend(_deleted_blocks(old_segment.blocks, marks, numbering_ids))
            if old_segment.anchor:
                changes.append(_change(old_segment, old_numbers, "removed"))
        for new_segment in new_segments[new_start:new_end]:
            blocks.extend(_inserted(block, marks) for block in new_segment.blocks)
            if new_segment.anchor:
                changes.append(_change(new_segment, numbers, "added"))
    section = new_body.find(SECTPR)
    new_body[:] = blocks + ([section] if section is not None else [])
    etree.cleanup_namespaces(new_document)
    return Redline(new.with_document(new_document), tuple(changes), new_document)


def _clause_numbers(segments: list[Segment]) -> dict[str, int]:
    anchors = [segment.anchor for segment in segments if segment.anchor]
    return {anchor: number for number, anchor in enumerate(anchors, start=1)}


def _change(segment: Segment, numbers: dict[str, int], kind: str) -> ClauseChange:
    assert segment.anchor is not None
    return ClauseChange(segment.anchor, numbers[segment.anchor], segment.title, kind)


def _numbering_ids(package: WordPackage) -> frozenset[str]:
    numbering = package.parts.get("word/numbering.xml")
    if numbering is None:
        return frozenset()
    tree = etree.fromstring(numbering, etree.XMLParser(resolve_entities=False, no_network=True))
    return frozenset(num.get(w("numId"), "") for num in tree.iter(w("num")))


# Blocks ---------------------------------------------------------------------------------------------------


def _block_key(block: etree._Element) -> tuple:
    if block.tag == P:
        return ("p", style_of(block), block_text(block), _formatting_signature(block))
    if block.tag == TBL:
        return ("tbl", block_text(block))
    return (block.tag, block.get(w("name"), ""))  # a bookmark's end, or another element beside the blocks


def _compare_blocks(
    old_blocks: list[etree._Element], new_blocks: list[etree._Element], marks: _Marks, numbering_ids: frozenset[str]
) -> Iterator[etree._Element]:
    matcher = SequenceMatcher(None, [_block_key(b) for b in old_blocks], [_block_key(b) for b in new_blocks], False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_part, new_part = old_blocks[old_start:old_end], new_blocks[new_start:new_end]
        if tag == "equal":
            yield from new_part
            continue
        paired = 0
        for old_block, new_block in zip(old_part, new_part, strict=False):
            if not _comparable(old_block, new_block):
                break
            paired += 1
            if old_block.tag == P:
                yield _compare_paragraphs(old_block, new_block, marks)
            else:
                yield _compare_tables(old_block, new_block, marks, numbering_ids)
        yield from _deleted_blocks(old_part[paired:], marks, numbering_ids)
        yield from (_inserted(block, marks) for block in new_part[paired:])


def _comparable(old: etree._Element, new: etree._Element) -> bool:
    """Two blocks compared word by word: paragraphs of one style, or tables of as many columns."""
    if old.tag == P and new.tag == P:
        return style_of(old) == style_of(new)
    if old.tag == TBL and new.tag == TBL:
        return _columns(old) == _columns(new)
    return False


def _columns(table: etree._Element) -> int:
    row = table.find(TR)
    return 0 if row is None else len(row.findall(TC))


def _deleted_blocks(
    blocks: list[etree._Element], marks: _Marks, numbering_ids: frozenset[str]
) -> Iterator[etree._Element]:
    for block in blocks:
        deleted = _deleted(block, marks, numbering_ids)
        if deleted is not None:
            yield deleted


def _deleted(block: etree._Element, marks: _Marks, numbering_ids: frozenset[str]) -> etree._Element | None:
    """A block of the old version as deleted text: its runs in w:del, its paragraph marks and rows deleted."""
    marks.substantive = True
    block = copy.deepcopy(block)
    for marker in list(block.iter(BOOKMARK_START, BOOKMARK_END)):  # the new version's bookmarks are the ones kept
        marker.getparent().remove(marker)
    if block.tag not in (P, TBL):
        return None
    for num_pr in list(block.iter(NUM_PR)):
        num_id = num_pr.find(NUM_ID)
        if num_id is not None and num_id.get(w("val")) not in numbering_ids:
            num_pr.getparent().remove(num_pr)  # a list numbering only the old version has: the style's numbering
    return _marked(block, DEL, marks)


def _inserted(block: etree._Element, marks: _Marks) -> etree._Element:
    """A block of the new version as inserted text."""
    marks.substantive = True
    return _marked(copy.deepcopy(block), INS, marks)


def _marked(block: etree._Element, tag: str, marks: _Marks) -> etree._Element:
    """A whole block (a copy) as inserted or deleted: its runs wrapped in `tag`, its paragraph mark and rows too."""
    for paragraph in block.iter(P):
        _wrap_runs(paragraph, tag, marks)
        if block.tag == P:
            _mark_paragraph(paragraph, tag, marks)
    for row in block.iter(TR):
        _mark_row(row, tag, marks)
    return block


def _wrap_runs(paragraph: etree._Element, tag: str, marks: _Marks) -> None:
    """Every run of a paragraph inside one w:ins or w:del per stretch of runs."""
    wrapper = None
    for child in list(paragraph):
        if child.tag != R:
            wrapper = None
            continue
        if wrapper is None:
            wrapper = marks.make(tag)
            child.addprevious(wrapper)
        wrapper.append(child)
        if tag == DEL:
            _as_deleted(child)


def _as_deleted(run: etree._Element) -> None:
    for part in run:
        if part.tag == T:
            part.tag = DEL_TEXT
        elif part.tag == INSTR_TEXT:
            part.tag = DEL_INSTR_TEXT


def _mark_paragraph(paragraph: etree._Element, tag: str, marks: _Marks) -> None:
    """The paragraph's own mark as inserted or deleted, so that the paragraph itself comes or goes."""
    properties = paragraph.find(PPR)
    if properties is None:
        properties = element(PPR)
        paragraph.insert(0, properties)
    mark_properties = properties.find(RPR)
    if mark_properties is None:
        mark_properties = element(RPR)
        change = properties.find(w("pPrChange"))
        (change.addprevious if change is not None else properties.append)(mark_properties)
    mark_properties.insert(0, marks.make(tag))


def _mark_row(row: etree._Element, tag: str, marks: _Marks) -> None:
    properties = row.find(TRPR)
    if properties is None:
        properties = element(TRPR)
        exceptions = row.find(w("tblPrEx"))
        row.insert(0 if exceptions is None else 1, properties)
    properties.append(marks.make(tag))


# Paragraphs word by word ------------------------------------------------------------------------------------


FIELD_CHAR, FIELD_CHAR_TYPE = w("fldChar"), w("fldCharType")


def _atoms(paragraph: etree._Element) -> list[_Atom]:
    atoms: list[_Atom] = []
    fields: list[bool] = []  # for each field open here, whether its result has begun
    for child in paragraph:
        if child.tag == PPR:
            continue
        if child.tag != R:
            key = (child.tag, child.get(w("name"), ""))
            atoms.append(_Atom(key, child, "", None, in_run=False))
            continue
        properties = child.find(RPR)
        style = _visible_formatting(properties)
        for part in child:
            if part.tag == RPR:
                continue
            if part.tag == FIELD_CHAR:
                kind = part.get(FIELD_CHAR_TYPE)
                if kind == "begin":
                    fields.append(False)
                elif kind == "separate" and fields:
                    fields[-1] = True
                elif kind == "end" and fields:
                    fields.pop()
            if part.tag == T:
                result = bool(fields) and fields[-1]
                for word in WORD.findall(part.text or ""):
                    atoms.append(_Atom(("t", word, style), None, word, properties, True, result))
            else:
                code = ("x", etree.tostring(part, method="c14n").decode(), style)
                atoms.append(_Atom(code, part, "", properties, in_run=True))
    return atoms


VISIBLE_FORMATTING = tuple(
    w(name)
    for name in ("rStyle", "b", "i", "u", "strike", "dstrike", "vertAlign", "caps", "smallCaps", "color", "highlight")
)


def _formatting_signature(paragraph: etree._Element) -> tuple[tuple[str, int], ...]:
    """How much text each stretch of one visible formatting holds, so that bolding a word is a change."""
    stretches: list[tuple[str, int]] = []
    for run in paragraph.iter(R):
        length = sum(len(text.text or "") for text in run.iter(T))
        formatting = _visible_formatting(run.find(RPR))
        if stretches and stretches[-1][0] == formatting:
            stretches[-1] = (formatting, stretches[-1][1] + length)
        elif length:
            stretches.append((formatting, length))
    return tuple(stretches)


def _visible_formatting(properties: etree._Element | None) -> str:
    """The formatting of a run a reader sees, so that what Word adds unseen (a language, a spelling mark, an
    editing session's id) is no change."""
    if properties is None:
        return ""
    return "".join(
        etree.tostring(child, method="c14n").decode() for child in properties if child.tag in VISIBLE_FORMATTING
    )


def _compare_paragraphs(old: etree._Element, new: etree._Element, marks: _Marks) -> etree._Element:
    """NEW's paragraph (its properties) with OLD's words that NEW lacks deleted and NEW's own words inserted."""
    old_atoms, new_atoms = _atoms(old), _atoms(new)
    result = element(P, dict(new.attrib))
    properties = new.find(PPR)
    if properties is not None:
        result.append(copy.deepcopy(properties))
    matcher = SequenceMatcher(None, [a.key for a in old_atoms], [a.key for a in new_atoms], autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            _emit(result, new_atoms[new_start:new_end], None, marks)
            continue
        deleted, inserted = [a for a in old_atoms[old_start:old_end] if a.in_run], new_atoms[new_start:new_end]
        if not all(atom.in_field_result for atom in (*deleted, *inserted)):
            marks.substantive = True
        _emit(result, deleted, DEL, marks)
        _emit(result, inserted, INS, marks)
    return result


def _emit(paragraph: etree._Element, atoms: list[_Atom], change: str | None, marks: _Marks) -> None:
    """Atoms appended as runs, consecutive words of one formatting in one run, inside a w:ins or w:del for each
    stretch of runs; an element beside the runs (a bookmark) stays beside them."""
    target: etree._Element | None = None
    run: etree._Element | None = None
    run_style: etree._Element | None = None
    for atom in atoms:
        if not atom.in_run:
            assert atom.element is not None
            paragraph.append(copy.deepcopy(atom.element))
            target = run = None
            continue
        if target is None:
            target = paragraph if change is None else marks.make(change)
            if change is not None:
                paragraph.append(target)
        if run is None or atom.run_properties is not run_style:
            run = etree.SubElement(target, R)
            run_style = atom.run_properties
            if run_style is not None:
                run.append(copy.deepcopy(run_style))
        if atom.element is not None:
            made = copy.deepcopy(atom.element)
            if change == DEL and made.tag == INSTR_TEXT:
                made.tag = DEL_INSTR_TEXT
            run.append(made)
            continue
        text_tag = DEL_TEXT if change == DEL else T
        last = run[-1] if len(run) else None
        if last is None or last.tag != text_tag:
            last = etree.SubElement(run, text_tag)
            last.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            last.text = ""
        last.text += atom.text


# Tables row by row ------------------------------------------------------------------------------------------


def _compare_tables(
    old: etree._Element, new: etree._Element, marks: _Marks, numbering_ids: frozenset[str]
) -> etree._Element:
    result = copy.deepcopy(new)
    for row in result.findall(TR):
        result.remove(row)
    old_rows, new_rows = old.findall(TR), new.findall(TR)
    matcher = SequenceMatcher(None, [block_text(r) for r in old_rows], [block_text(r) for r in new_rows], False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_part, new_part = old_rows[old_start:old_end], new_rows[new_start:new_end]
        if tag == "equal":
            result.extend(copy.deepcopy(row) for row in new_part)
            continue
        marks.substantive = marks.substantive or len(old_part) != len(new_part)
        paired = 0
        for old_row, new_row in zip(old_part, new_part, strict=False):
            if len(old_row.findall(TC)) != len(new_row.findall(TC)):
                break
            paired += 1
            row = copy.deepcopy(new_row)
            for old_cell, cell in zip(old_row.findall(TC), row.findall(TC), strict=True):
                cell_properties = cell.find(w("tcPr"))
                old_content = [child for child in old_cell if child.tag in (P, TBL)]
                new_content = [child for child in cell if child.tag in (P, TBL)]
                compared = list(_compare_blocks(old_content, new_content, marks, numbering_ids))
                cell[:] = ([cell_properties] if cell_properties is not None else []) + compared
            result.append(row)
        for row in old_part[paired:]:
            deleted = copy.deepcopy(row)
            for paragraph in deleted.iter(P):
                _wrap_runs(paragraph, DEL, marks)
            _mark_row(deleted, DEL, marks)
            result.append(deleted)
        for row in new_part[paired:]:
            inserted = copy.deepcopy(row)
            for paragraph in inserted.iter(P):
                _wrap_runs(paragraph, INS, marks)
            _mark_row(inserted, INS, marks)
            result.append(inserted)
    return result
