"""Readability figures of a document: the mean sentence length in words and the share of sentences over 40 words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from policygen.model import (
    Annex,
    BulletList,
    Clause,
    Document,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Table,
    plain_text,
)
from policygen.model.nodes import Block

LONG_SENTENCE_WORDS = 40
READABILITY_TARGETS = {"policy": 22, "complaint-procedure": 22, "leaflet": 15, "poster": 15}
"""The longest mean sentence, in words, each document may have (issue 13: plain language for every reader)."""

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# A sentence ends at . ! ? or … followed by a space and a capital letter, a digit or an opening quote; not
# after an initial (Г. Т. Маматова) or a common abbreviation (каб. 4, ул. Мектеп, г. Бишкек, No. 12).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?[^\W\d_a-zа-яёөүң]|[«\"“(]?\d)")
_ABBREVIATIONS = frozenset(
    {"г", "с", "ул", "каб", "тел", "им", "обл", "р-н", "эл", "т", "п", "см", "ст", "no", "tel", "e.g", "i.e", "dr"}
)


@dataclass(frozen=True)
class Readability:
    """The sentences of one document's running text: how many, how many words, how many over 40 words."""

    document: str
    sentences: int
    words: int
    long_sentences: int

    @property
    def mean_words(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def long_share(self) -> float:
        return self.long_sentences / self.sentences if self.sentences else 0.0

    @property
    def target(self) -> int | None:
        return READABILITY_TARGETS.get(self.document)

    @property
    def meets_target(self) -> bool:
        return self.target is None or self.mean_words <= self.target

    @property
    def binding(self) -> bool:
        """Whether missing a target fails the check: for every document that has one."""
        return self.target is not None


def readability(doc_id: str, document: Document) -> Readability:
    """The figures of a document's running text: paragraphs, points, list items, notes and table cells;
    headings, titles, approval stamps, signatures, forms and captions are not sentences."""
    lengths = [len(_WORD.findall(sentence)) for text in _running_texts(document.blocks) for sentence in sentences(text)]
    lengths = [length for length in lengths if length]
    return Readability(doc_id, len(lengths), sum(lengths), sum(length > LONG_SENTENCE_WORDS for length in lengths))


def sentences(text: str) -> list[str]:
    """The sentences of a text; a list item or table cell without a full stop is one sentence."""
    found: list[str] = []
    for piece in _SENTENCE_END.split(text.strip()):
        if found and _ends_with_abbreviation(found[-1]):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return [sentence for sentence in found if sentence.strip()]


def _ends_with_abbreviation(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    words = sentence[:-1].rsplit(maxsplit=1)
    last = words[-1].lower() if words else ""
    return len(last) == 1 or last in _ABBREVIATIONS


def _running_texts(blocks: tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield plain_text(block.inlines)
        elif isinstance(block, Clause | Annex | Note | Point):
            yield from _running_texts(block.blocks)
        elif isinstance(block, BulletList | OrderedList):
            for item in block.items:
                yield from _running_texts(item)
        elif isinstance(block, Table):
            yield from (plain_text(cell) for row in block.rows for cell in row)
