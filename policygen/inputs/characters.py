"""Which characters profile text may not hold: the one rule for typed, escaped and encoded characters alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NONCHARACTERS = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
# Characters that break Word/PDF output or hide text: C0 controls except TAB and LF, DEL, C1 controls,
# lone surrogates, noncharacters, a stray byte-order mark, and the invisible format characters: soft hyphen,
# Mongolian vowel separator, zero-width space, word joiner and the invisible operators, the bidi embeddings,
# overrides and isolates (the "Trojan Source" characters), the deprecated format controls, interlinear
# annotations, the invisible hieroglyph, shorthand and musical format controls, and the tag characters.
# The directional marks (U+200E, U+200F, U+061C), the joiners (U+200C, U+200D, used in emoji) and the
# visible Arabic, Syriac and Kaithi signs stay allowed.
_FORBIDDEN_IN_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\u00ad\u180e\u200b\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufff9-\ufffb\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f" + _NONCHARACTERS + "]"
)
_TYPOGRAPHIC_QUOTES = "\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2039\u203a"
_FORBIDDEN_KEY_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

BAD_CHARACTER_HINT = (
    "delete the character: it is invisible or a control code, usually pasted in by accident "
    "(or written as an escape such as \\v, \\0 or \\u202e inside double quotes)"
)


def forbidden_in_text(text: str) -> list[str]:
    """The distinct characters of `text` that no profile text may hold, in order of appearance."""
    return _distinct(_FORBIDDEN_IN_TEXT.findall(text))


def forbidden_in_key(key: str) -> list[str]:
    """The distinct characters of `key` that no key may hold: those of text, and any space or format character."""
    return _distinct(
        char
        for char in key
        if unicodedata.category(char) in _FORBIDDEN_KEY_CATEGORIES or _FORBIDDEN_IN_TEXT.match(char)
    )


def typographic_quotes(text: str) -> list[str]:
    """The distinct typographic quotation marks in `text` (“ ” „ ‘ ’ « » ...): YAML reads them as text."""
    return _distinct(char for char in text if char in _TYPOGRAPHIC_QUOTES)


def describe(char: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    name = unicodedata.name(char, "")
    if not name:
        kind = {"Cc": "control character", "Cs": "lone surrogate", "Cn": "noncharacter"}
        name = kind.get(unicodedata.category(char), "character")
    return f"U+{ord(char):04X} ({name})"


def describe_all(chars: list[str]) -> str:
    return ", ".join(describe(char) for char in chars)


def _distinct(chars: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(chars))
