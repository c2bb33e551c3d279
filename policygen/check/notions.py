"""What a clause's text must say to claim a policy element: notions per element and language, as patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from policygen.errors import PolicygenError
from policygen.inputs.strict_yaml import load_packaged_data
from policygen.model import Clause, inline_runs, plain_text


@dataclass(frozen=True)
class Notion:
    """One thing the text must express: any one of its alternative patterns is enough."""

    alternatives: tuple[re.Pattern[str], ...]

    def expressed_in(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.alternatives)

    def describe(self) -> str:
        return " | ".join(pattern.pattern for pattern in self.alternatives)


@cache
def element_notions() -> dict[str, dict[str, tuple[Notion, ...]]]:
    """element id -> language -> the notions a clause claiming the element must express in that language."""
    raw = load_packaged_data("element-notions.yaml").data["notions"]
    return {
        element: {
            lang: tuple(
                Notion(tuple(re.compile(alternative, re.IGNORECASE) for alternative in notion)) for notion in notions
            )
            for lang, notions in languages.items()
        }
        for element, languages in raw.items()
    }


def clause_text(clause: Clause) -> str:
    """The title and every text of a clause, as one string, a line for each paragraph, heading or cell."""
    return "\n".join(plain_text(run) for run in inline_runs(clause))


def missing_notions(clause: Clause, element: str, lang: str) -> list[Notion]:
    """The notions of `element` that the clause's text in `lang` does not express (empty: the claim is honest)."""
    notions = element_notions().get(element, {}).get(lang)
    if notions is None:
        raise PolicygenError(
            f"the completeness check cannot verify clauses in {lang}: policygen/data/element-notions.yaml "
            f"has no notions of {element} in {lang}",
            hint="the check knows the languages whose notions that file gives; build without --strict meanwhile",
        )
    text = clause_text(clause)
    return [notion for notion in notions if not notion.expressed_in(text)]
