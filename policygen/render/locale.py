"""Locale-aware formatting of dates, numbers and counted words with Babel, for a document's Babel locale."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal, format_percent


def format_date(value: dt.date, locale: str) -> str:
    """A date in the locale's long form: 1 марта 2025 г., 2025-ж., 1-март, 1 March 2025."""
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return _babel_format_date(value, "long", locale=locale)


def format_number(value: int, locale: str) -> str:
    """A whole number with the locale's digit grouping."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {type(value).__name__}")
    return format_decimal(value, locale=locale)


def format_counted(value: int, locale: str, forms: dict[str, str]) -> str:
    """The number followed by the word form its plural category needs (one, few, many, other)."""
    category = Locale.parse(locale).plural_form(value)
    word = forms.get(category, forms.get("other"))
    if word is None:
        raise ValueError(
            f"no word form for plural category {category!r} of {value} in {locale}; give {category}= or other="
        )
    return f"{format_number(value, locale)} {word}"


def format_share(value: int, denominator: int, locale: str) -> str:
    """A count as a share of its denominator, one decimal: 23,4 % or 23.4%."""
    return format_percent(value / denominator, "#,##0.0%", locale=locale)
