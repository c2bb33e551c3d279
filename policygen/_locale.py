"""Locale-aware formatting of dates, numbers and counted words with Babel, per document language."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal

BABEL_LOCALES = {"ky": "ky_KG", "ru": "ru_RU", "en": "en_GB"}
LANGUAGE_TAGS = {"ky": "ky-KG", "ru": "ru-RU", "en": "en-GB"}
PAGE_LABELS = {
    "ky": "Бет {page} / {pages}",
    "ru": "Страница {page} из {pages}",
    "en": "Page {page} of {pages}",
}


def format_date(value: dt.date, lang: str) -> str:
    """A date in the language's long form: 1 марта 2025 г., 2025-ж., 1-март, 1 March 2025."""
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return _babel_format_date(value, "long", locale=BABEL_LOCALES[lang])


def format_number(value: int, lang: str) -> str:
    """A whole number with the language's digit grouping."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {type(value).__name__}")
    return format_decimal(value, locale=BABEL_LOCALES[lang])


def format_counted(value: int, lang: str, forms: dict[str, str]) -> str:
    """The number followed by the word form its plural category needs (one, few, many, other)."""
    category = Locale.parse(BABEL_LOCALES[lang]).plural_form(value)
    word = forms.get(category, forms.get("other"))
    if word is None:
        raise ValueError(f"no word form for plural category {category!r} of {value} in {lang}; give {category}= or other=")
    return f"{format_number(value, lang)} {word}"

REFERENCE_FORMATS = {
    "ky": {"document": "«{document}»", "clause": "{number}-бөлүм «{title}»",
           "document_clause": "«{document}», {number}-бөлүм «{title}»"},
    "ru": {"document": "«{document}»", "clause": "раздел {number} «{title}»",
           "document_clause": "«{document}», раздел {number} «{title}»"},
    "en": {"document": "“{document}”", "clause": "section {number} “{title}”",
           "document_clause": "“{document}”, section {number} “{title}”"},
}
"""How a cross-reference reads: to a whole document, to a clause of the same document, to another's clause."""
