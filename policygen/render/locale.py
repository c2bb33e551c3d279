"""Locale-aware formatting of dates, numbers and counted words with Babel, per document language."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal, format_percent

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
        raise ValueError(
            f"no word form for plural category {category!r} of {value} in {lang}; give {category}= or other="
        )
    return f"{format_number(value, lang)} {word}"


REFERENCE_FORMATS = {
    "ky": {
        "document": "«{document}»",
        "clause": "{number}-бөлүм «{title}»",
        "document_clause": "«{document}», {number}-бөлүм «{title}»",
    },
    "ru": {
        "document": "«{document}»",
        "clause": "раздел {number} «{title}»",
        "document_clause": "«{document}», раздел {number} «{title}»",
    },
    "en": {
        "document": "“{document}”",
        "clause": "section {number} “{title}”",
        "document_clause": "“{document}”, section {number} “{title}”",
    },
}
"""How a cross-reference reads: to a whole document, to a clause of the same document, to another's clause."""

DRAFT_MARKS = {
    "ky": "ДОЛБООР: тексти юридикалык котормочу тарабынан текшериле элек",
    "ru": "ПРОЕКТ: текст не проверен юридическим переводчиком",
    "en": "DRAFT: text not yet reviewed by a legal translator",
}
"""The mark on every page of a document built from a template that no legal translator has reviewed."""

INSTITUTION_TYPES = {
    "ky": {
        "hospital": "оорукана",
        "polyclinic": "поликлиника",
        "family_medicine_centre": "үй-бүлөлүк медицина борбору",
        "university": "университет",
        "college": "колледж",
        "research_institute": "илимий-изилдөө институту",
        "model": "үлгү документтер",
    },
    "ru": {
        "hospital": "больница",
        "polyclinic": "поликлиника",
        "family_medicine_centre": "центр семейной медицины",
        "university": "университет",
        "college": "колледж",
        "research_institute": "научно-исследовательский институт",
        "model": "типовые документы",
    },
    "en": {
        "hospital": "hospital",
        "polyclinic": "polyclinic",
        "family_medicine_centre": "family medicine centre",
        "university": "university",
        "college": "college",
        "research_institute": "research institute",
        "model": "model documents",
    },
}
COVERAGE_LEGENDS = {
    "ky": {
        "covered": "камтылган",
        "missing_required": "милдеттүү, камтылган эмес",
        "missing_recommended": "сунушталган, камтылган эмес",
    },
    "ru": {
        "covered": "охвачен",
        "missing_required": "обязательный, не охвачен",
        "missing_recommended": "рекомендуемый, не охвачен",
    },
    "en": {
        "covered": "covered",
        "missing_required": "required, missing",
        "missing_recommended": "recommended, not covered",
    },
}
REPORT_LABELS = {"ky": "Документтердин толуктугу", "ru": "Полнота документов", "en": "Completeness of the documents"}
"""The running-header label of the coverage report, which belongs to no single institution."""


def format_share(value: int, denominator: int, lang: str) -> str:
    """A count as a share of its denominator, one decimal: 23,4 % or 23.4%."""
    return format_percent(value / denominator, "#,##0.0%", locale=BABEL_LOCALES[lang])


LANGUAGE_NAMES = {
    "ky": {"ky": "кыргыз", "ru": "орус", "en": "англис"},
    "ru": {"ky": "кыргызский", "ru": "русский", "en": "английский"},
    "en": {"ky": "Kyrgyz", "ru": "Russian", "en": "English"},
}
"""The name of each language (nominative) in each language."""
