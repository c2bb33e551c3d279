"""The day a build is made on: today, or SOURCE_DATE_EPOCH's day for reproducible builds."""

from __future__ import annotations

import datetime as dt
import os

from policygen.errors import TemplateError


def source_date(default: dt.date) -> dt.date:
    """The date of a document that has none of its own: SOURCE_DATE_EPOCH when set (reproducible builds),
    else `default`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return default
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise TemplateError(
            "SOURCE_DATE_EPOCH",
            f"not a number of seconds: {epoch!r}",
            hint="set SOURCE_DATE_EPOCH to a Unix time, e.g. $(git log -1 --format=%ct)",
        ) from None


def build_day() -> dt.date:
    """The day a build is made on, against which the legal references' checks age: today, or
    SOURCE_DATE_EPOCH's day when it is set."""
    return source_date(dt.date.today())
