"""WordprocessingML names and the text of paragraphs, as Word shows it."""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    """The qualified name of a w: element or attribute."""
    return f"{{{W_NS}}}{tag}"


P, R, T, TBL, TR, TC = w("p"), w("r"), w("t"), w("tbl"), w("tr"), w("tc")
PPR, RPR, TRPR, SECTPR = w("pPr"), w("rPr"), w("trPr"), w("sectPr")
INS, DEL, DEL_TEXT, INSTR_TEXT, DEL_INSTR_TEXT = w("ins"), w("del"), w("delText"), w("instrText"), w("delInstrText")
BOOKMARK_START, BOOKMARK_END = w("bookmarkStart"), w("bookmarkEnd")
_TEXT_OF = {T: None, w("tab"): "\t", w("br"): "\n", w("cr"): "\n", w("noBreakHyphen"): "\u2011"}


def element(tag: str, attributes: dict[str, str] | None = None) -> etree._Element:
    """A new w: element, declaring the w prefix as Word writes it."""
    return etree.Element(tag, attributes or {}, nsmap={"w": W_NS})


def paragraph_text(paragraph: etree._Element) -> str:
    """The text a paragraph shows: its w:t, tabs and breaks, without field codes or deleted text."""
    parts = []
    for element in paragraph.iter(*_TEXT_OF):
        fixed = _TEXT_OF[element.tag]
        parts.append(element.text or "" if fixed is None else fixed)
    return "".join(parts)


def block_text(block: etree._Element) -> str:
    """The text of a body-level block: a paragraph's, or a table's cells' paragraphs joined."""
    if block.tag == P:
        return paragraph_text(block)
    return "\n".join(paragraph_text(paragraph) for paragraph in block.iter(P))


def style_of(paragraph: etree._Element) -> str:
    style = paragraph.find(f"{PPR}/{w('pStyle')}")
    return "" if style is None else style.get(w("val"), "")
