"""Where a lawyer's edit falls on a value the profile supplies (a deadline, a name, a phone), and its key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from policygen.inputs.schema import Profile
from policygen.sets.institution import localize

WORD = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class ValueEdit:
    """An edit that changes text a profile value printed: the value and its key path."""

    key: str
    value: str


def profile_values(profile: Profile, lang: str) -> Iterator[tuple[str, str]]:
    """Each scalar value of the profile as printed in `lang` (texts, numbers), with its key path."""
    yield from _leaves(localize(profile, lang), "")


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif isinstance(value, (int, str)) and not isinstance(value, bool):
        text = str(value).strip()
        if text and (len(text) > 1 or text.isdigit()):
            yield path, text


def edits_on_values(before: str, after: str, values: list[tuple[str, str]]) -> list[ValueEdit]:
    """The profile values whose printed words in `before` the edit from `before` to `after` changes."""
    old_words = [(match.start(), match.end()) for match in WORD.finditer(before)]
    new_words = [match.group() for match in WORD.finditer(after)]
    matcher = SequenceMatcher(None, [before[a:b] for a, b in old_words], new_words, autojunk=False)
    changed: list[tuple[int, int]] = []
    for tag, old_start, old_end, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete") and old_end > old_start:
            changed.append((old_words[old_start][0], old_words[old_end - 1][1]))
    found: dict[str, ValueEdit] = {}
    for key, value in values:
        for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", before):
            if any(match.start() < end and start < match.end() for start, end in changed):
                found.setdefault(key, ValueEdit(key, value))
    return list(found.values())
