"""Tracked changes resolved as Word's "Accept all" or "Reject all" would: the text of one version."""

from __future__ import annotations

import copy

from lxml import etree

from policygen.parse.docx_xml import DEL, DEL_INSTR_TEXT, DEL_TEXT, INS, INSTR_TEXT, PPR, RPR, TR, TRPR, P, T, w

MOVE_FROM, MOVE_TO = w("moveFrom"), w("moveTo")
PROPERTY_CHANGES = tuple(
    w(name) for name in ("rPrChange", "pPrChange", "tblPrChange", "trPrChange", "tcPrChange", "sectPrChange")
)
RANGE_MARKS = tuple(
    w(name) for name in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd")
)


def resolved(document: etree._Element, accept: bool) -> etree._Element:
    """A copy of a document part with every tracked change accepted (or rejected)."""
    document = copy.deepcopy(document)
    dropped, kept = ((DEL, MOVE_FROM), (INS, MOVE_TO)) if accept else ((INS, MOVE_TO), (DEL, MOVE_FROM))
    for row in list(document.iter(TR)):
        properties = row.find(TRPR)
        if properties is not None and any(properties.find(tag) is not None for tag in dropped):
            row.getparent().remove(row)
    for paragraph in list(document.iter(P)):
        mark = paragraph.find(f"{PPR}/{RPR}")
        if mark is not None and any(mark.find(tag) is not None for tag in dropped):
            _join_with_next(paragraph)
    for element in list(document.iter(*dropped)):
        if element.getparent() is not None and element.getparent().tag != RPR and element.getparent().tag != TRPR:
            element.getparent().remove(element)
    for element in list(document.iter(*kept)):
        parent = element.getparent()
        if parent.tag in (RPR, TRPR):
            parent.remove(element)  # the mark of a paragraph or row that stays
        else:
            _unwrap(element)
    for element in list(document.iter(*dropped)):  # marks of paragraphs that had no paragraph after them
        element.getparent().remove(element)
    if not accept:
        for old, new in ((DEL_TEXT, T), (DEL_INSTR_TEXT, INSTR_TEXT)):
            for element in document.iter(old):
                element.tag = new
    for change in list(document.iter(*PROPERTY_CHANGES)):
        properties = change.getparent()
        if not accept:
            former = change[0] if len(change) else None
            kept_children = [] if former is None else list(former)
            properties.remove(change)
            for child in list(properties):
                if child.tag not in (INS, DEL) and child.tag not in PROPERTY_CHANGES:
                    properties.remove(child)
            properties.extend(kept_children)
        else:
            properties.remove(change)
    for mark in list(document.iter(*RANGE_MARKS)):
        mark.getparent().remove(mark)
    return document


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


def _join_with_next(paragraph: etree._Element) -> None:
    """A paragraph whose mark is gone: its content joins the next paragraph, whose mark it now ends with (the last
    paragraph of its cell or body joins the one before it, if any)."""
    following = paragraph.getnext()
    if following is None or following.tag != P:
        preceding = paragraph.getprevious()
        if preceding is not None and preceding.tag == P:
            preceding.extend(child for child in list(paragraph) if child.tag != PPR)
            paragraph.getparent().remove(paragraph)
        return
    properties = following.find(PPR)
    position = 0 if properties is None else following.index(properties) + 1
    for offset, child in enumerate(child for child in list(paragraph) if child.tag != PPR):
        following.insert(position + offset, child)
    paragraph.getparent().remove(paragraph)
