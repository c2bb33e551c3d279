"""Wording rules of the texts: the glossary's one term per concept, and no duration typed where data belongs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from policygen.errors import ProfileError
from policygen.inputs.strict_yaml import load_yaml_mapping_text

GLOSSARY_FILE = "glossary.yaml"

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DURATION_WORDS = (
    r"days?|hours?|weeks?|months?|years?"  # en
    r"|дн[а-яё]*|день|сут[а-яё]*|час[а-яё]*|недел[а-яё]*|месяц[а-яё]*"  # ru
    r"|күн[а-яөүң]*|саат[а-яөүң]*|жума[а-яөүң]*|ай(?:да|дын|га|дан|ы|лык|дык)?"  # ky
)
TYPED_DURATION = re.compile(
    rf"(?<![\w.,])\d+(?:[.,]\d+)?[\s\u00a0-]*(?:[^\W\d_]+[\s\u00a0]+)?(?:{_DURATION_WORDS})(?!\w)", re.IGNORECASE
)
"""A number followed by a word of time (day, hour, week, month, year) in any template language, with at most one
word between them (calendar, working, academic): «30 календарных дней», «2 academic hours», «14 күн»."""


@dataclass(frozen=True)
class TermRule:
    """One concept's term in one language, and the variants the texts must not use instead."""

    concept: str
    lang: str
    use: str
    refuse: tuple[str, ...]


@dataclass(frozen=True)
class WordingProblem:
    """A place in a text that breaks a wording rule: its line (1-based), what was found and why it is wrong."""

    line: int
    found: str
    message: str


@cache
def glossary() -> dict[str, dict[str, TermRule]]:
    """The packaged glossary: per concept and language, the term used and the variants refused."""
    path = resources.files("policygen") / "data" / GLOSSARY_FILE
    loaded = load_yaml_mapping_text(path.read_text(encoding="utf-8"), str(path))
    rules: dict[str, dict[str, TermRule]] = {}
    for concept, languages in loaded.data.items():
        if not isinstance(languages, dict):
            raise _glossary_error(str(path), concept, "expected a mapping of languages")
        rules[concept] = {}
        for lang, entry in languages.items():
            if not (isinstance(entry, dict) and set(entry) == {"use", "refuse"}) or not isinstance(
                entry["refuse"], list
            ):
                raise _glossary_error(str(path), f"{concept}.{lang}", "expected {use: term, refuse: [variants]}")
            rules[concept][lang] = TermRule(concept, lang, str(entry["use"]), tuple(map(str, entry["refuse"])))
    return rules


def refused_terms(text: str, lang: str) -> list[WordingProblem]:
    """Every refused variant of the glossary in `text` (in language `lang`), at any inflection and case."""
    problems = []
    for languages in glossary().values():
        rule = languages.get(lang)
        if rule is None or not rule.refuse:
            continue
        masked = _term_pattern(rule.use).sub(lambda match: _blanked(match.group()), text)
        for variant in rule.refuse:
            for match in _term_pattern(variant).finditer(masked):
                problems.append(
                    WordingProblem(
                        _line_of(text, match.start()),
                        text[match.start() : match.end()],
                        f"{rule.concept}: write «{rule.use}», not «{variant}»",
                    )
                )
    return sorted(problems, key=lambda problem: problem.line)


def typed_durations(template_text: str) -> list[WordingProblem]:
    """Every number of days, hours, weeks, months or years typed into a template's prose (outside Jinja)."""
    prose = _JINJA.sub(lambda match: _blanked(match.group()), template_text)
    return [
        WordingProblem(
            _line_of(prose, match.start()),
            match.group(),
            "a duration typed into the prose: print the profile's or _national's value it stands for",
        )
        for match in TYPED_DURATION.finditer(prose)
    ]


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    """Each word of `term` as the start of a word (so at any inflection), the words separated by any space."""
    words = [re.escape(word) + r"\w*" for word in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words), re.IGNORECASE)


def _blanked(text: str) -> str:
    """`text` with everything but its line breaks made spaces, so positions and lines stay where they were."""
    return re.sub(r"[^\n]", " ", text)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _glossary_error(file: str, key: str, message: str) -> ProfileError:
    return ProfileError.single(file, message, key_path=key, hint="see the comment at the top of the glossary")
