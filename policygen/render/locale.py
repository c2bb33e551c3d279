"""Formatting for documents: dates as a strings file writes them, numbers and counted words with Babel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel import Locale
from babel.numbers import format_decimal, format_percent

MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
"""The keys of a strings file's month names (dates.month, dates.month_of), in calendar order."""


def format_written_date(value: dt.date, dates: Mapping, attributive: bool = False) -> str:
    """A date as a language's official documents write it, from its strings file's `dates`: in running text
    (2025-жылдын 13-октябры, 13 октября 2025 года) or attributive, before a number (2025-жылдын
    13-октябрындагы, от 13 октября 2025 года)."""
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    month = MONTH_KEYS[value.month - 1]
    if attributive:
        return dates["of"].format(day=value.day, month_of=dates["month_of"][month], year=value.year)
    return dates["running"].format(day=value.day, month=dates["month"][month], year=value.year)


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
