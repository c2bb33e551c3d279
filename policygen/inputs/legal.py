"""The legal register's rules: when a check is stale, what a document cites, and which citations need review."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from policygen.inputs.schema import CitedIn, Deadlines, LegalReference

LIMITATION_PATH = ("acknowledgement_days", "investigation_days", "extension_days", "decision_days")
"""The deadlines that follow each other from a complaint's registration to the head's decision, at their longest."""


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(reference: LegalReference, today: dt.date, recheck_months: int) -> bool:
    """Never checked, or checked more than `recheck_months` before `today`."""
    return reference.checked_on is None or months_later(reference.checked_on, recheck_months) < today


def stale_ids(register: dict[str, LegalReference], today: dt.date, recheck_months: int) -> list[str]:
    """The ids of the references whose check is stale on `today`: documents print them with the review mark."""
    return [reference_id for reference_id, reference in register.items() if is_stale(reference, today, recheck_months)]


def cited(
    register: dict[str, LegalReference], places: Iterable[CitedIn], lang: str, today: dt.date, recheck_months: int
) -> list[dict[str, Any]]:
    """The references a document of `places` cites, in register order, as its template sees them: `title` in
    `lang`, and `review` when the title is not verified in `lang` or the check is stale."""
    wanted = set(places)
    return [
        {
            "id": reference_id,
            "title": reference.title[lang],
            "checked_on": reference.checked_on,
            "review": not reference.verified.get(lang, False) or is_stale(reference, today, recheck_months),
        }
        for reference_id, reference in register.items()
        if wanted & set(reference.applies_to)
    ]


def longest_path_days(deadlines: Deadlines) -> int:
    """Days from a complaint's registration to the head's decision when every step takes its longest."""
    return sum(getattr(deadlines, key) for key in LIMITATION_PATH)
