"""Short forms of people's names as official documents print them under a signature: «Г. Т. Маматова»."""

from __future__ import annotations

import re

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_PATRONYMIC = re.compile(r"(ovich|evich|ovna|evna|ichna)$", re.IGNORECASE)
_KYRGYZ_PATRONYMIC_WORDS = frozenset({"уулу", "кызы", "uulu", "kyzy"})


def short_name(full_name: str) -> str:
    """Initials of the given names, then the surname: «Маматова Гульнара Токтогуловна» → «Г. Т. Маматова»,
    «Asan uulu Bakyt» → «B. Asan uulu», «Nazira Zhumabaeva» → «N. Zhumabaeva».

    A name in Cyrillic, or in Latin letters ending in a patronymic, is read surname first, as Kyrgyz and Russian
    documents write it; any other name in Latin letters is read surname last.
    """
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()
    surname, given = _surname_and_given(words)
    initials = [initial for initial in map(_initial, given) if initial]
    return " ".join([*initials, " ".join(surname)])


def _surname_and_given(words: list[str]) -> tuple[list[str], list[str]]:
    lowered = [word.casefold() for word in words]
    if len(words) >= 3 and lowered[1] in _KYRGYZ_PATRONYMIC_WORDS:
        return words[:2], words[2:]  # «Асан уулу Бакыт»: the patronymic stands for the surname
    if len(words) == 3 and lowered[2] in _KYRGYZ_PATRONYMIC_WORDS:
        return words[1:], words[:1]  # «Бакыт Асан уулу»
    if _CYRILLIC.search(words[0]) or _LATIN_PATRONYMIC.search(words[-1]):
        return words[:1], words[1:]
    return words[-1:], words[:-1]


def _initial(word: str) -> str:
    """«Гульнара» → «Г.», a hyphenated name by its parts: «Анна-Мария» → «А.-М.»."""
    return "-".join(part[:1].upper() + "." for part in word.split("-") if part[:1].isalpha())
