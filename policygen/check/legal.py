"""The legal checks of a profile: the procedure's longest path against the disciplinary limitation, and stale
references."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from policygen.errors import Diagnostic
from policygen.inputs.legal import LIMITATION_PATH, is_stale, longest_path_days
from policygen.inputs.profiles import LoadedProfile


def limitation_problems(loaded: LoadedProfile) -> list[Diagnostic]:
    """The institution fails when a complaint's longest path to the head's decision is longer than the period in
    which a disciplinary sanction may still be applied: the sanction could then be out of time."""
    profile = loaded.profile
    days = longest_path_days(profile.deadlines)
    limit = profile.discipline.limitation_days
    if days <= limit:
        return []
    steps = ", ".join(
        f"deadlines.{key} = {getattr(profile.deadlines, key)} ({_where(loaded, ('deadlines', key))})"
        for key in LIMITATION_PATH
    )
    location = loaded.locations.get(("deadlines",))
    in_profile = location is not None and Path(location.file).resolve() == loaded.path.resolve()
    return [
        Diagnostic(
            str(loaded.path),
            f"the longest path from a complaint to the head's decision is {days} days ({steps}), longer than "
            f"discipline.limitation_days = {limit} ({_where(loaded, ('discipline', 'limitation_days'))}): "
            "a sanction could be out of time",
            location.line if in_profile and location else None,
            location.column if in_profile and location else None,
            "deadlines",
            f"shorten those deadlines to {limit} days together at most, or correct discipline.limitation_days "
            "once a lawyer has read it in the Labour Code",
        )
    ]


def stale_reference_warnings(loaded: LoadedProfile, today: dt.date) -> list[Diagnostic]:
    """A warning for each legal reference never checked, or checked longer ago than `recheck_months`."""
    profile = loaded.profile
    warnings = []
    for reference_id, reference in profile.legal_references.items():
        if not is_stale(reference, today, profile.recheck_months):
            continue
        if reference.checked_on is None:
            key_path: tuple[str, ...] = ("legal_references", reference_id)
            message = "never checked against the official text (no checked_on)"
        else:
            key_path = ("legal_references", reference_id, "checked_on")
            message = (
                f"last checked on {reference.checked_on.isoformat()}, more than recheck_months = "
                f"{profile.recheck_months} months before {today.isoformat()}"
            )
        diagnostic = loaded.diagnostic(
            key_path,
            message + "; documents print it with the review mark",
            "check the title in each language in the official database, then set checked_on, source and verified",
        )
        warnings.append(replace(diagnostic, warning=True))
    return warnings


def _where(loaded: LoadedProfile, key_path: tuple[str, ...]) -> str:
    diagnostic = loaded.diagnostic(key_path, "", "")
    return f"{diagnostic.file}:{diagnostic.line}" if diagnostic.line is not None else diagnostic.file
